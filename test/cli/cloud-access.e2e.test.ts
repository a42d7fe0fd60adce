/**
 * The CLI in a real process against Google Cloud without usable credentials: a user error with the
 * login command on the real stderr, exit 1, no stack trace, and no stray rejection from the SDK
 * clients reported as an internal error (src/cli.ts's unhandledRejection handler). It fails before
 * any request: the key file does not exist.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

test('plan against Google Cloud without usable credentials: a user error with the login command, no stack trace', async () => {
  let failure: { code?: number; stdout: string; stderr: string } | undefined;
  try {
    await promisify(execFile)(process.execPath, [tsx, 'src/cli.ts', 'plan', '--env', 'dev'], {
      cwd: root,
      timeout: 60_000,
      // A key file that does not exist: the lookup fails before any request is made.
      env: { ...process.env, GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/batch-workflows-test-key.json', NO_COLOR: '1' },
    });
  } catch (error) {
    failure = error as { code?: number; stdout: string; stderr: string };
  }
  assert.ok(failure, 'plan fails');
  assert.is(failure.code, 1, failure.stderr);
  assert.match(failure.stderr, 'found no credentials');
  assert.match(failure.stderr, 'gcloud auth application-default login');
  assert.not.match(failure.stderr, 'internal error');
  assert.not.match(failure.stderr, /\n\s+at /, 'no stack trace');
});

test.run();
