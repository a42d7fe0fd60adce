/**
 * The generated workflows (generated/workflows/*.yaml, the files that are deployed) run through the
 * simulator with fake connectors: every path a client can hit, before anything is deployed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { fakeConnectors } from '../../src/sim/connectors/fake.ts';
import { VirtualClock, parseWorkflow, runWorkflow, type RunResult } from '../../src/sim/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = 'scoring-dev-4821';
const BUCKET = 'scoring-dev-4821-batch';
const IMAGE = 'europe-west1-docker.pkg.dev/scoring-dev-4821/batch/scoring-app:latest';
const SERVICE_ACCOUNT = `scoring@${PROJECT}.iam.gserviceaccount.com`;

function load(name: string) {
  return parseWorkflow(readFileSync(join(ROOT, 'generated', 'workflows', name), 'utf8'), `generated/workflows/${name}`);
}
const inference = load('batch-inference.yaml');
const scheduled = load('batch-scheduled.yaml');

function env(workflowId: string, executionId: string) {
  return {
    builtins: { GOOGLE_CLOUD_PROJECT_ID: PROJECT, GOOGLE_CLOUD_LOCATION: 'europe-west1', GOOGLE_CLOUD_WORKFLOW_ID: workflowId, GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: executionId },
    user: { BATCH_BUCKET: BUCKET, BATCH_IMAGE: IMAGE, BATCH_SERVICE_ACCOUNT: SERVICE_ACCOUNT },
  };
}

function upload(object: string, opts: { bucket?: string; insertId?: string } = {}) {
  return auditLogUploadEvent({ project: PROJECT, bucket: opts.bucket ?? BUCKET, object, time: '2025-01-15T08:59:58.123Z', insertId: opts.insertId ?? 'entry-1' });
}

type Fakes = ReturnType<typeof fakeConnectors>;

async function runInference(event: unknown, fakes: Fakes, executionId = 'exec-1'): Promise<RunResult> {
  return runWorkflow(inference, { argument: event, env: env('scoring-batch-inference', executionId), connectors: fakes.registry, clock: new VirtualClock() });
}

const STATUS_FIELDS = ['job_id', 'project_id', 'product', 'client', 'workflow', 'execution_id', 'job_state', 'input_uri', 'output_uri', 'timestamp', 'error'];

const Inference = suite('batch-inference.yaml');

Inference('a valid upload creates one job with the expected spec and publishes SUCCEEDED with every status field', async () => {
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 600 }) });
  const run = await runInference(upload('scoring/acme-corp/inputs/day1.jsonl'), fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));

  assert.is(fakes.batch.created.length, 1);
  const job = fakes.batch.created[0]!;
  assert.is(job.parent, `projects/${PROJECT}/locations/europe-west1`);
  assert.match(job.jobId, /^scoring-acme-corp-[a-z0-9]{17}$/);
  const body = job.body as any;
  const task = body.taskGroups[0].taskSpec;
  assert.is(task.runnables[0].container.imageUri, IMAGE);
  const input = `gs://${BUCKET}/scoring/acme-corp/inputs/day1.jsonl`;
  const output = `gs://${BUCKET}/scoring/acme-corp/outputs/day1.jsonl`;
  assert.equal(task.runnables[0].container.commands, ['python3', 'main.py', input, output]);
  assert.equal(task.environment.variables, { INPUT_URI: input, OUTPUT_URI: output });
  assert.is(body.allocationPolicy.serviceAccount.email, SERVICE_ACCOUNT);
  assert.is(body.allocationPolicy.instances[0].policy.machineType, 'n1-standard-2');
  assert.equal(body.labels, { 'managed-by': 'batch-workflows', product: 'scoring', client: 'acme-corp', trigger: 'upload' });

  assert.is(fakes.pubsub.published.length, 1);
  const msg = fakes.pubsub.published[0]!;
  assert.is(msg.topic, `projects/${PROJECT}/topics/batch-scoring-acme-corp-outputs`);
  assert.equal(msg.attributes, { job_state: 'SUCCEEDED', client: 'acme-corp', product: 'scoring' });
  const status = msg.json as Record<string, unknown>;
  assert.equal(Object.keys(status).sort(), [...STATUS_FIELDS].sort());
  assert.equal(
    { ...status, timestamp: undefined },
    {
      job_id: job.jobId,
      project_id: PROJECT,
      product: 'scoring',
      client: 'acme-corp',
      workflow: 'scoring-batch-inference',
      execution_id: 'exec-1',
      job_state: 'SUCCEEDED',
      input_uri: input,
      output_uri: output,
      timestamp: undefined,
      error: null,
    },
  );
  // The status is stamped when the job ended: 600 virtual seconds after 09:00, at the next poll.
  assert.match(String(status['timestamp']), /^2025-01-15T09:1\d:\d\d\.\d{6}Z$/);
});

Inference('a failed job publishes FAILED with the error message and tags, and the execution fails', async () => {
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 90, outcome: 'FAILED', failureMessage: 'Task state is updated from RUNNING to FAILED: exit code 3' }) });
  const run = await runInference(upload('scoring/acme-corp/inputs/bad.jsonl'), fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['OperationError']);
  assert.is((run.error as any).operation.status.state, 'FAILED');
  assert.is(fakes.pubsub.published.length, 1);
  const msg = fakes.pubsub.published[0]!;
  assert.is(msg.attributes['job_state'], 'FAILED');
  const status = msg.json as any;
  assert.is(status.job_state, 'FAILED');
  assert.equal(status.error.tags, ['OperationError']);
  assert.match(status.error.message, 'exit code 3');
  assert.equal(Object.keys(status).sort(), [...STATUS_FIELDS].sort());
});

Inference('a job that outlives the wait timeout publishes FAILED with TimeoutError, is deleted, and the execution fails', async () => {
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 10 * 3600 }) });
  const run = await runInference(upload('scoring/acme-corp/inputs/slow.jsonl'), fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['TimeoutError']);
  const status = fakes.pubsub.published[0]!.json as any;
  assert.is(status.job_state, 'FAILED');
  assert.equal(status.error.tags, ['TimeoutError']);
  const name = `projects/${PROJECT}/locations/europe-west1/jobs/${fakes.batch.created[0]!.jobId}`;
  const calls = run.trace.filter((e) => e.call === 'googleapis.batch.v1.projects.locations.jobs.delete' && e.outcome === 'succeeded');
  assert.is(calls.length, 1, 'the timed-out job is stopped');
  assert.equal((calls[0]!.args as any).name, name);
  // The wait gave up at the 7200 s connector timeout, not later.
  const failedAt = run.trace.find((e) => e.kind === 'call' && e.outcome === 'failed' && e.call?.endsWith('jobs.create'))!.at;
  assert.is(failedAt - Date.UTC(2025, 0, 15, 9, 0, 0), 7200 * 1000);
});

for (const [label, event] of [
  ['a path outside PRODUCT/CLIENT/inputs/', upload('scoring/acme-corp/outputs/x.jsonl')],
  ['an object in another bucket', upload('scoring/acme-corp/inputs/x.jsonl', { bucket: 'someone-elses-bucket' })],
  ['another product', upload('other/acme-corp/inputs/x.jsonl')],
  ['a folder placeholder', upload('scoring/acme-corp/inputs/folder/')],
] as const) {
  Inference(`${label} is ignored without a job`, async () => {
    const fakes = fakeConnectors();
    const run = await runInference(event, fakes);
    assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    assert.is((run.result as any).status, 'ignored');
    assert.is(fakes.batch.created.length, 0);
    assert.is(fakes.pubsub.published.length, 0);
  });
}

Inference('the same event delivered twice starts one job', async () => {
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 60 }) });
  const event = upload('scoring/acme-corp/inputs/once.jsonl');
  const first = await runInference(event, fakes, 'exec-1');
  const second = await runInference(event, fakes, 'exec-2');
  assert.is(first.state, 'SUCCEEDED');
  assert.is(second.state, 'SUCCEEDED', JSON.stringify(second.error));
  assert.is((second.result as any).status, 'duplicate');
  assert.is(fakes.batch.created.length, 1);
  assert.is(fakes.pubsub.published.length, 1, 'only the run that owns the job reports its status');
});

Inference('a new upload of the same object name (a later audit-log entry) starts a new job', async () => {
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 60 }) });
  await runInference(upload('scoring/acme-corp/inputs/daily.jsonl', { insertId: 'a' }), fakes);
  const later = { ...upload('scoring/acme-corp/inputs/daily.jsonl', { insertId: 'b' }) } as any;
  later.data = { ...later.data, timestamp: '2025-01-16T08:00:00Z' };
  const run = await runInference(later, fakes);
  assert.is(run.state, 'SUCCEEDED');
  assert.is(fakes.batch.created.length, 2);
  assert.is.not(fakes.batch.created[0]!.jobId, fakes.batch.created[1]!.jobId);
});

for (const object of ['scoring/acme-corp/inputs/my file (1).jsonl', 'scoring/acme-corp/inputs/données/été 2025/ü.jsonl', 'scoring/acme-corp/inputs/a/b/c/d.jsonl']) {
  Inference(`object name ${JSON.stringify(object)} works`, async () => {
    const fakes = fakeConnectors();
    const run = await runInference(upload(object), fakes);
    assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    assert.is(fakes.batch.created.length, 1);
    const vars = (fakes.batch.created[0]!.body as any).taskGroups[0].taskSpec.environment.variables;
    assert.is(vars.INPUT_URI, `gs://${BUCKET}/${object}`);
    assert.is(vars.OUTPUT_URI, `gs://${BUCKET}/${object.replace('/inputs/', '/outputs/')}`);
    assert.match(fakes.batch.created[0]!.jobId, /^[a-z][a-z0-9-]{0,62}$/);
  });
}

Inference.run();

const Scheduled = suite('batch-scheduled.yaml');

async function runScheduled(argument: unknown, fakes: Fakes): Promise<RunResult> {
  return runWorkflow(scheduled, { argument, env: env('scoring-batch-scheduled', 'exec-s'), connectors: fakes.registry, clock: new VirtualClock(Date.UTC(2025, 2, 3, 6, 0, 0)) });
}
const TOPICS = new Set([`projects/${PROJECT}/topics/batch-scoring-globex-retail-outputs`]);

Scheduled('{"client": "globex-retail"} runs with today\'s date', async () => {
  const fakes = fakeConnectors({ topics: TOPICS });
  const run = await runScheduled({ client: 'globex-retail' }, fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is(fakes.batch.created.length, 1);
  const job = fakes.batch.created[0]!;
  assert.match(job.jobId, /^scoring-globex-retail-20250303-[a-z0-9]{8}$/);
  const vars = (job.body as any).taskGroups[0].taskSpec.environment.variables;
  assert.is(vars.OUTPUT_URI, `gs://${BUCKET}/scoring/globex-retail/outputs/scheduled/2025-03-03/`);
  assert.is((job.body as any).labels.trigger, 'schedule');
  assert.is((fakes.pubsub.published[0]!.json as any).job_state, 'SUCCEEDED');
});

Scheduled('an explicit run_date and extra args are used', async () => {
  const fakes = fakeConnectors({ topics: TOPICS });
  const run = await runScheduled({ client: 'globex-retail', run_date: '2024-12-31', args: ['--mode', 'daily'] }, fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  const body = fakes.batch.created[0]!.body as any;
  assert.match(fakes.batch.created[0]!.jobId, /-20241231-/);
  assert.equal(body.taskGroups[0].taskSpec.runnables[0].container.commands.slice(-2), ['--mode', 'daily']);
  assert.is(body.taskGroups[0].taskSpec.environment.variables.OUTPUT_URI, `gs://${BUCKET}/scoring/globex-retail/outputs/scheduled/2024-12-31/`);
});

Scheduled('an unknown client fails clearly, without a job', async () => {
  const fakes = fakeConnectors({ topics: TOPICS });
  const run = await runScheduled({ client: 'nobody-here' }, fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['UnknownClient']);
  assert.match((run.error as any).message, 'unknown client nobody-here');
  assert.is(fakes.batch.created.length, 0);
});

for (const [label, argument, message] of [
  ['a run_date that is no calendar date', { client: 'globex-retail', run_date: '2025-02-30' }, 'not a calendar date'],
  ['a malformed run_date', { client: 'globex-retail', run_date: '03/03/2025' }, 'YYYY-MM-DD'],
  ['a non-map argument', 'globex-retail', 'must be a map'],
] as const) {
  Scheduled(`${label} is rejected with InvalidArgument`, async () => {
    const fakes = fakeConnectors({ topics: TOPICS });
    const run = await runScheduled(argument, fakes);
    assert.is(run.state, 'FAILED');
    assert.equal((run.error as any).tags, ['InvalidArgument']);
    assert.match((run.error as any).message, message);
    assert.is(fakes.batch.created.length, 0);
  });
}

Scheduled.run();
