/**
 * The CLI as a user runs it: a child process (`node --import <tsx loader> src/cli.ts ...`, one process,
 * as the npm scripts run it), for the end-to-end tests that need a real process: signals, kill -9,
 * real stdout. Argument and message tests call `main` in-process instead (./cli.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
// The loader in this very process, not tsx's CLI: that one runs the script in a second process, which a
// SIGKILL of the first would leave running.
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;
const cli = join(repo, 'src/cli.ts');

export interface CliProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; `onLine` may kill it (it gets each stdout line and the child). */
export function runCliProcess(cwd: string, args: string[], onLine?: (line: string, child: ChildProcess) => void): Promise<CliProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine?.(line, child);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
