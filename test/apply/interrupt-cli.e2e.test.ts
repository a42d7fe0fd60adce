/**
 * Ctrl-C during `npm run apply`, as a terminal sends it: SIGINT to the whole process group (npm, the
 * shell, node), which npm also forwards to the script. One press must not kill apply mid-line: the
 * calls in flight finish, nothing more starts, the summary is printed. A second press, later, quits
 * at once (exit 130). Against a sandbox with added latency, in a scratch project; the test waits on
 * the output, never on a guessed duration.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { withScratch } from './scratch-project.ts';

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run apply` (or, `direct`, the node process the script runs) in its own process group;
 * `onOutput` sees all output so far after each chunk.
 */
function apply(dir: string, url: string, onOutput: (all: string, child: ChildProcess) => void, direct = false): Promise<Run> {
  const args = ['--env', 'dev', '--yes', '--sandbox-url', url];
  return new Promise((resolve, reject) => {
    const child = spawn(direct ? process.execPath : 'npm', direct ? ['--import', 'tsx', 'src/cli.ts', 'apply', ...args] : ['run', '--silent', 'apply', '--', ...args], {
      cwd: dir,
      detached: true, // its own process group, as a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    });
    let stdout = '';
    let stderr = '';
    const seen = () => onOutput(stdout + stderr, child);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => ((stdout += c), seen()));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => ((stderr += c), seen()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. */
const ctrlC = (child: ChildProcess) => process.kill(-child.pid!, 'SIGINT');

test('one Ctrl-C: the calls in flight finish, nothing more starts, the summary is printed (exit 1)', async () => {
  await withScratch(async (dir, sandbox) => {
    let pressed = false;
    const run = await apply(dir, sandbox.endpoints.workflows, (all, child) => {
      if (!pressed && /✓ created Topic/.test(all)) {
        pressed = true;
        ctrlC(child);
      }
    });
    const output = run.stdout + run.stderr;
    assert.ok(pressed, output);
    // npm's own exit: it (and sh) received the SIGINT too, so once the script has ended npm ends by
    // that signal, whatever the script's code (the shell shows 130). What matters is what came before.
    assert.ok(run.signal === 'SIGINT' || run.code === 1, `npm ended with ${run.code ?? run.signal}`);
    assert.match(run.stderr, 'interrupted: finishing the operations in flight');
    assert.match(run.stdout, /not started \(interrupted\)/);
    assert.match(run.stdout, /Apply incomplete: \d+ done, 0 failed, \d+ skipped/);
    assert.match(run.stdout, 'Interrupted: run the same apply again');
    assert.match(run.stdout, /\[\s*\d+\/\d+ \d+:\d\d\] ✓ created ServiceAccount/, 'progress: [n/total elapsed]');
    // Every line is whole: the process was not killed half-way through writing one.
    assert.ok(run.stdout.endsWith('\n'), JSON.stringify(run.stdout.slice(-80)));
    const triggers = Object.keys(sandbox.state.all('triggers')).length;
    assert.ok(triggers < 16, `${triggers} triggers: apply went on after Ctrl-C`);
  });
});

test('a second Ctrl-C, after the first, quits at once with 130 (the node process, whose code npm does not pass on)', async () => {
  await withScratch(async (dir, sandbox) => {
    let presses = 0;
    let timer: NodeJS.Timeout | undefined;
    const run = await apply(
      dir,
      sandbox.endpoints.workflows,
      (all, child) => {
        if (presses === 0 && /✓ created ServiceAccount/.test(all)) {
          // From now on every call takes 4 s, so calls are still in flight when the second press comes.
          sandbox.knobs.latencyMs = 4000;
          presses = 1;
          ctrlC(child);
        } else if (presses === 1 && /interrupted: finishing/.test(all)) {
          presses = 2;
          // Not a guessed wait: presses within 1 s of the first count as that same press (interrupt.ts;
          // npm forwards the terminal's SIGINT), so a second press has to come after that window.
          timer = setTimeout(() => ctrlC(child), 1100);
        }
      },
      true,
    );
    clearTimeout(timer);
    assert.is(presses, 2, run.stdout + run.stderr);
    assert.is(run.code, 130, run.stdout + run.stderr);
    assert.not.match(run.stdout, 'Apply incomplete');
  });
});

test('a copy of the SIGINT arriving after the first was handled (as npm or tsx relay it) does not quit', async () => {
  await withScratch(async (dir, sandbox) => {
    let pressed = 0;
    const run = await apply(
      dir,
      sandbox.endpoints.workflows,
      (all, child) => {
        if (pressed === 0 && /✓ created ServiceAccount/.test(all)) {
          pressed = 1;
          ctrlC(child);
        } else if (pressed === 1 && /interrupted: finishing/.test(all)) {
          pressed = 2;
          // A relay sends its copy to the process it runs, once its own handler has run: it arrives
          // after the first was handled (signals that are both pending would merge into one).
          child.kill('SIGINT');
        }
      },
      true,
    );
    assert.is(pressed, 2, run.stdout + run.stderr);
    assert.is(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /Apply incomplete: \d+ done, 0 failed, \d+ skipped/);
  });
});

test.run();
