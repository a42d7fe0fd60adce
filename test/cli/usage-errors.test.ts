/** A mistyped option is the user's to fix: every command answers with a usage error, never an internal one. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

function run(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsx, 'src/cli.ts', ...args], { cwd: root, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

for (const args of [['start', '--bogus'], ['start', '--env'], ['plan', '--bogus'], ['simulate', '--workflow'], ['sandbox', '--nope']]) {
  test(`${args.join(' ')}: a usage error, exit 1`, async () => {
    const { code, stderr } = await run(args);
    assert.is(code, 1, stderr);
    assert.not.match(stderr, 'internal error');
    assert.match(stderr, /--help|usage/);
  });
}

test.run();
