import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

test('npm start runs the whole loop on a throw-away sandbox: an upload alone runs the pipeline, and the status message arrives', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [tsx, 'src/cli.ts', 'start', '--sandbox-pubsub'], {
    cwd: root,
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.match(stdout, /second plan: no changes/);
  assert.match(stdout, /uploaded through the Cloud Storage SDK/);
  // The upload alone starts the run: the sandbox's trigger started an execution of the deployed workflow.
  assert.match(stdout, /the sandbox delivers the audit-log event to the trigger, which runs scoring-batch-inference/);
  assert.match(stdout, /execution projects\/scoring-dev-4821\/locations\/europe-west1\/workflows\/scoring-batch-inference\/executions\/[0-9a-f-]{36}\n/);
  assert.match(stdout, /step main\.done/, 'the steps are read back from the execution');
  assert.match(stdout, /execution SUCCEEDED/);
  assert.match(stdout, /\{"ID": 1, "TEXT": "HELLO FROM ACME"\}/, 'the sandbox Batch job upper-cased the upload');
  assert.match(stdout, /1 message\(s\) on projects\/scoring-dev-4821\/topics\/batch-scoring-acme-corp-outputs/);
  assert.match(stdout, /"job_state": "SUCCEEDED"/);
  assert.match(stdout, /Slack message received:/, 'the always-on Slack target of acme-corp was notified');
  assert.match(stdout, /attributes: \{"job_state":"SUCCEEDED","client":"acme-corp","product":"scoring"\}/);
});

test.run();
