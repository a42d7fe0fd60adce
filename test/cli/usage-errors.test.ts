/** A mistyped option is the user's to fix: every command answers with a usage error, never an internal one. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.ts';

const run = runCli;

for (const args of [
  ['start', '--bogus'],
  ['start', '--env'],
  ['plan', '--bogus'],
  ['simulate', '--workflow'],
  ['sandbox', '--nope'],
]) {
  test(`${args.join(' ')}: a usage error, exit 1`, async () => {
    const { code, stderr } = await run(args);
    assert.is(code, 1, stderr);
    assert.not.match(stderr, 'internal error');
    assert.match(stderr, /--help|usage/);
  });
}

test('no command prints the usage and exits 1; --help exits 0; an unknown command is named, with the usage, exit 1', async () => {
  const none = await run([]);
  assert.is(none.code, 1);
  assert.match(none.stdout, /^usage: npm run <command>/);
  assert.is((await run(['--help'])).code, 0);
  const unknown = await run(['deploy']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, 'unknown command "deploy"');
  assert.match(unknown.stderr, 'npm run plan -- --env dev');
});

test('--no-color in-process goes to the command through its io, leaving the process environment alone', async () => {
  const before = process.env.NO_COLOR;
  const { code } = await runCli(['plan', '--help', '--no-color'], { env: { NO_COLOR: undefined }, tty: true });
  assert.is(code, 0);
  assert.is(process.env.NO_COLOR, before);
});

test.run();
