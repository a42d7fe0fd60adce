/**
 * The generated batch-inference workflow with its connectors bound to the local sandbox over REST:
 * the run-settings object is read from the sandbox's Cloud Storage (`GET /storage/v1/b/B/o/ENCODED?alt=media`),
 * the Slack URL from its Secret Manager, the job created in its Batch, and the notice posted to a
 * receiver on 127.0.0.1. A client without a settings object (404) runs with the product defaults.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { restConnectors } from '../../src/sim/connectors/rest.ts';
import { parseWorkflow, realClock, runWorkflow, type RunResult } from '../../src/sim/index.ts';
import { product } from '../../workflows/product.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = 'scoring-dev-4821';
const LOCATION = 'europe-west1';
const BUCKET = 'scoring-dev-4821-batch';

const Sandboxed = suite('run settings against the sandbox (REST connectors)');
let sandbox: Sandbox;
let receiver: Server;
let receiverUrl = '';
const posts: { path: string; body: any }[] = [];
const workflow = parseWorkflow(readFileSync(join(ROOT, 'generated', 'workflows', 'batch-inference.yaml'), 'utf8'), 'generated/workflows/batch-inference.yaml');

Sandboxed.before(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    posts.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startSandbox({ batchStepMs: 5 });
  sandbox.state.createBucket(BUCKET, PROJECT);
  for (const client of ['acme-corp', 'initech-co']) {
    const res = await fetch(`${sandbox.endpoints.pubsub}/v1/projects/${PROJECT}/topics/batch-scoring-${client}-outputs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.ok(res.ok, `topic for ${client}: ${res.status}`);
  }
});

Sandboxed.after(async () => {
  await sandbox?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function run(client: string): Promise<RunResult> {
  const object = `scoring/${client}/inputs/day1.jsonl`;
  sandbox.state.putObject(BUCKET, object, '{"x": 1}\n', 'application/json');
  const e = sandbox.endpoints;
  return runWorkflow(workflow, {
    argument: auditLogUploadEvent({ project: PROJECT, bucket: BUCKET, object, time: new Date().toISOString(), insertId: `${client}-1` }),
    env: {
      builtins: { GOOGLE_CLOUD_PROJECT_ID: PROJECT, GOOGLE_CLOUD_LOCATION: LOCATION, GOOGLE_CLOUD_WORKFLOW_ID: 'scoring-batch-inference', GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: `exec-${client}` },
      user: { BATCH_BUCKET: BUCKET, BATCH_IMAGE: 'image:latest', BATCH_SERVICE_ACCOUNT: `scoring@${PROJECT}.iam.gserviceaccount.com`, BATCH_MLFLOW_TRACKING_URI: 'http://127.0.0.1:5000' },
    },
    connectors: restConnectors({ batch: e.batch, pubsub: e.pubsub, secretManager: e.secretmanager, storage: e.storage }, { pollIntervalMs: 10, maxJobWaitSeconds: 30 }),
    clock: realClock,
  });
}

Sandboxed('a settings object in the sandbox bucket overrides the job and sends the Slack notice', async () => {
  sandbox.state.addSecretVersion(PROJECT, 'acme-slack', `${receiverUrl}/slack/acme`);
  sandbox.state.putObject(
    BUCKET,
    'scoring/_settings/acme-corp.json',
    JSON.stringify({
      client: 'acme-corp',
      batch: { machineType: 'n1-standard-8', taskCount: 4, parallelism: 2, maxRunDurationSeconds: 7200, environment: { MODEL: 'v2' } },
      notify: [{ type: 'slack', secret: `projects/${PROJECT}/secrets/acme-slack`, on: 'always' }],
      tracking: { tags: { team: 'fraud' } },
    }),
    'application/json',
  );
  const result = await run('acme-corp');
  assert.is(result.state, 'SUCCEEDED', JSON.stringify(result.error));
  const jobId = (result.result as any).job_id as string;
  const job = sandbox.state.batchJob(`projects/${PROJECT}/locations/${LOCATION}/jobs/${jobId}`)!;
  assert.ok(job, 'the job exists in the sandbox');
  assert.is(job.allocationPolicy.instances[0].policy.machineType, 'n1-standard-8');
  assert.is(job.taskGroups[0].taskCount, 4);
  assert.is(job.taskGroups[0].parallelism, 2);
  assert.is(job.taskGroups[0].taskSpec.maxRunDuration, '7200s');
  const vars = job.taskGroups[0].taskSpec.environment.variables;
  assert.is(vars.MODEL, 'v2');
  assert.is(JSON.parse(vars.MLFLOW_RUN_TAGS).team, 'fraud');
  const slack = posts.filter((p) => p.path === '/slack/acme');
  assert.is(slack.length, 1);
  assert.ok(String(slack[0]!.body.text).includes(jobId), slack[0]!.body.text);
});

Sandboxed('no settings object (404 from the sandbox): product defaults, no notice', async () => {
  const before = posts.length;
  const result = await run('initech-co');
  assert.is(result.state, 'SUCCEEDED', JSON.stringify(result.error));
  const job = sandbox.state.batchJob(`projects/${PROJECT}/locations/${LOCATION}/jobs/${(result.result as any).job_id}`)!;
  assert.is(job.allocationPolicy.instances[0].policy.machineType, product.batch.machineType);
  assert.is(job.taskGroups[0].taskCount, product.batch.taskCount);
  assert.is(job.taskGroups[0].taskSpec.maxRunDuration, `${product.batch.maxRunDurationSeconds}s`);
  assert.is(posts.length, before);
  const read = result.trace.find((e) => e.call === 'googleapis.storage.v1.objects.get' && e.outcome === 'failed');
  assert.is((read?.error as any)?.code, 404);
});

Sandboxed.run();
