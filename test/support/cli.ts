/**
 * The CLI in-process: `main(argv, io)` of src/cli.ts with a recording Io, for tests of argument
 * handling, usage, messages and exit codes (no child process per case; test/e2e keeps the few that
 * need a real process: signals, kill -9, real stdout).
 */
import { main } from '../../src/cli.ts';
import { recordingIo, type RecordingOptions } from '../../src/cli/io.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in `options.cwd` (default: this process's folder); `answers` make it a terminal that types them. */
export async function runCli(args: readonly string[], options: RecordingOptions = {}): Promise<CliRun & { readonly asked: readonly string[] }> {
  const io = recordingIo({ ...options, env: { NO_COLOR: '1', ...options.env } });
  const code = await main(args, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n'), asked: io.asked };
}
