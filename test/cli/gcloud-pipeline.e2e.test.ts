/**
 * The seed's architecture end to end with gcloud alone: after the example product's apply, `gcloud
 * storage cp` of a client input yields the output object and a SUCCEEDED status message with no other
 * command, and `gcloud workflows run` returns a finished execution.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { gcloudFor, gcloudPath, skipWithoutGcloud, type Gcloud } from '../support/gcloud.ts';
import { eventually } from '../support/eventually.ts';

let deployment: LocalDeployment;
let gcloud: Gcloud;

test.before(async () => {
  if (!gcloudPath) return;
  const documents = await loadDocuments(projectLayout().generatedDir, 'dev');
  deployment = await deployLocally({ documents, usePubSubEmulator: false });
  assert.ok(deployment.applied.status === 'applied' && deployment.applied.result.ok, 'the example product applies');
  gcloud = await gcloudFor(deployment.sandbox, deployment.product.project, ['storage', 'workflows', 'workflowexecutions', 'cloudscheduler']);
});

test.after(async () => {
  if (!gcloudPath) return;
  await gcloud.dispose();
  await deployment.close();
});

test('gcloud storage cp into a client inputs/ produces the output object and a SUCCEEDED status message by itself', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const { sandbox, bucket, product } = deployment;
  const dir = await mkdtemp(join(tmpdir(), 'gcloud-pipeline-'));
  try {
    const input = join(dir, 'orders.jsonl');
    await writeFile(input, '{"id": 7, "text": "from gcloud"}\n');
    await gcloud.run(['storage', 'cp', input, `gs://${bucket}/${product.product}/acme-corp/inputs/orders.jsonl`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const output = await eventually(() => sandbox.state.readObjectText(bucket, `${product.product}/acme-corp/outputs/orders.jsonl`), 'the output object');
  assert.is(output, '{"ID": 7, "TEXT": "FROM GCLOUD"}\n');
  const topic = `projects/${product.project}/topics/batch-${product.product}-acme-corp-outputs`;
  const message = await eventually(() => sandbox.state.topicMessages(topic).find((m) => m.data.includes('orders.jsonl')), 'the status message');
  assert.is(message.attributes.job_state, 'SUCCEEDED');
  assert.is(JSON.parse(message.data).input_uri, `gs://${bucket}/${product.product}/acme-corp/inputs/orders.jsonl`);
});

test('gcloud workflows run returns a finished execution', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const { bucket, product } = deployment;
  const object = `${product.product}/acme-corp/inputs/orders.jsonl`;
  const event = auditLogUploadEvent({ project: product.project, bucket, object, time: new Date().toISOString(), insertId: 'gcloud-run' });
  const out = await gcloud.run(['workflows', 'run', `${product.product}-batch-inference`, `--location=${product.region}`, `--data=${JSON.stringify(event)}`, '--format=json']);
  const execution = JSON.parse(out);
  assert.is(execution.state, 'SUCCEEDED', out);
  assert.ok(execution.endTime, 'finished');
  assert.match(execution.name, new RegExp(`workflows/${product.product}-batch-inference/executions/`));
});

test('gcloud scheduler jobs run sends the job target: batch-scheduled runs for globex-retail and publishes SUCCEEDED', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const { sandbox, bucket, product } = deployment;
  // Seeded straight into state (not through the Storage API), so no trigger fires for it.
  sandbox.state.putObject(bucket, `${product.product}/globex-retail/inputs/week.jsonl`, '{"id": 9, "text": "scheduled"}\n', 'application/jsonl');
  await gcloud.run(['scheduler', 'jobs', 'run', `batch-${product.product}-globex-retail`, `--location=${product.region}`]);
  const topic = `projects/${product.project}/topics/batch-${product.product}-globex-retail-outputs`;
  const message = await eventually(() => sandbox.state.topicMessages(topic)[0], "the scheduled run's status message");
  assert.is(message.attributes.job_state, 'SUCCEEDED', message.data);
  const outputs = sandbox.state.listObjects(bucket, `${product.product}/globex-retail/outputs/scheduled/`);
  assert.equal(
    outputs.map((o) => sandbox.state.readObjectText(bucket, o.name)),
    ['{"ID": 9, "TEXT": "SCHEDULED"}\n'],
    'the dated output folder holds the upper-cased input',
  );
});

test("gcloud workflows run of a workflow that raises shows FAILED with Google's error payload and context", async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const { product } = deployment;
  const dir = await mkdtemp(join(tmpdir(), 'gcloud-raise-'));
  try {
    const source = join(dir, 'raise.yaml');
    await writeFile(source, 'main:\n  steps:\n    - check:\n        raise:\n          message: no such client\n');
    await gcloud.run(['workflows', 'deploy', 'raiser', `--location=${product.region}`, `--source=${source}`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // gcloud workflows run exits 0 and prints the failed execution.
  const execution = JSON.parse(await gcloud.run(['workflows', 'run', 'raiser', `--location=${product.region}`, '--format=json']));
  assert.is(execution.state, 'FAILED');
  assert.equal(JSON.parse(execution.error.payload), { message: 'no such client' });
  assert.match(execution.error.context, /in step "check", routine "main"/);
  assert.is(execution.error.stackTrace.elements[0].step, 'check');
});

test.run();
