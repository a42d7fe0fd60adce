import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

test('npm start runs the whole loop on a throw-away sandbox and shows the status message', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [tsx, 'src/cli.ts', 'start', '--sandbox-pubsub'], {
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.match(stdout, /second plan: no changes/);
  assert.match(stdout, /execution SUCCEEDED/);
  assert.match(stdout, /\{"ID": 1, "TEXT": "HELLO FROM ACME"\}/, 'the sandbox Batch job upper-cased the upload');
  assert.match(stdout, /1 message\(s\) on projects\/scoring-dev-4821\/topics\/batch-scoring-acme-corp-outputs/);
  assert.match(stdout, /"job_state": "SUCCEEDED"/);
  assert.match(stdout, /Slack message received:/, 'the always-on Slack target of acme-corp was notified');
  assert.match(stdout, /attributes: \{"job_state":"SUCCEEDED","client":"acme-corp","product":"scoring"\}/);
});

test.run();
