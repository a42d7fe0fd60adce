/**
 * The CLI in-process: `main(argv, io)` of src/cli.ts with a recording Io, for tests of argument
 * handling, usage, messages and exit codes (no child process per case; test/e2e keeps the few that
 * need a real process: signals, kill -9, real stdout).
 */
import { main } from '../../src/cli.ts';
import { recordingIo } from '../../src/cli/io.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], options: { env?: Record<string, string | undefined>; tty?: boolean } = {}): Promise<CliRun> {
  const io = recordingIo({ env: { NO_COLOR: '1', ...options.env }, ...(options.tty !== undefined ? { tty: options.tty } : {}) });
  const code = await main(args, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}
