/** A mistyped option is the user's to fix: every command answers with a usage error, never an internal one. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../support/cli.ts';

const run = runCli;

for (const args of [['start', '--bogus'], ['start', '--env'], ['plan', '--bogus'], ['simulate', '--workflow'], ['sandbox', '--nope']]) {
  test(`${args.join(' ')}: a usage error, exit 1`, async () => {
    const { code, stderr } = await run(args);
    assert.is(code, 1, stderr);
    assert.not.match(stderr, 'internal error');
    assert.match(stderr, /--help|usage/);
  });
}

test.run();
