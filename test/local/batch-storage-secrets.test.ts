import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Storage } from '@google-cloud/storage';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { call, PROJECT, REGION } from './helpers.ts';
import { eventually } from '../support/eventually.ts';

let sandbox: Sandbox;
let storage: Storage;
const jobs = `projects/${PROJECT}/locations/${REGION}/jobs`;

test.before(async () => {
  sandbox = await startSandbox({ batchStepMs: 5 });
  storage = new Storage({ apiEndpoint: sandbox.endpoints.storage, projectId: PROJECT, retryOptions: { autoRetry: false } });
});
test.after(async () => {
  await sandbox.stop();
});

function batchJob(input: string, output: string) {
  return {
    taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'europe-docker.pkg.dev/p/r/app:1', commands: ['python', 'main.py', input, output] } }] } }],
    allocationPolicy: { instances: [{ policy: { machineType: 'e2-standard-4' } }] },
    labels: { client: 'c1' },
    logsPolicy: { destination: 'CLOUD_LOGGING' },
  };
}

/** The job once it has ended, polled through the API; the deadline only ends a run that hung. */
function waitForEnd(name: string): Promise<any> {
  return eventually(async () => {
    const job = (await call(sandbox, 'batch', 'GET', `/v1/${name}`)).body;
    return ['SUCCEEDED', 'FAILED'].includes(job.status.state) ? job : undefined;
  }, `job ${name} to finish`);
}

test('@google-cloud/storage pointed at the sandbox: bucket existence, uploads (simple and resumable), reads, listing', async () => {
  const bucket = storage.bucket('acme-batch');
  assert.equal(await bucket.exists(), [false]);
  await storage.createBucket('acme-batch');
  assert.equal(await bucket.exists(), [true]);

  await bucket.file('acme/c1/inputs/a.jsonl').save('{"text":"hello"}\n', { resumable: false, contentType: 'application/jsonl' });
  await bucket.file('acme/c1/inputs/b.jsonl').save('{"text":"world"}\n', { resumable: true });
  const [content] = await bucket.file('acme/c1/inputs/a.jsonl').download();
  assert.is(content.toString(), '{"text":"hello"}\n');
  const [metadata] = await bucket.file('acme/c1/inputs/b.jsonl').getMetadata();
  assert.match(String(metadata.generation), /^\d+$/);
  assert.is(metadata.size, String('{"text":"world"}\n'.length));

  const [files] = await bucket.getFiles({ prefix: 'acme/c1/' });
  assert.equal(
    files.map((f) => f.name),
    ['acme/c1/inputs/a.jsonl', 'acme/c1/inputs/b.jsonl'],
  );
  assert.is(sandbox.state.readObjectText('acme-batch', 'acme/c1/inputs/b.jsonl'), '{"text":"world"}\n', 'uploads land in the state');

  const precondition = await bucket
    .file('acme/c1/inputs/a.jsonl')
    .save('again', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })
    .then(
      () => undefined,
      (error: any) => error,
    );
  assert.is(precondition?.code, 412, 'ifGenerationMatch=0 refuses to overwrite');
  await bucket.file('acme/c1/inputs/b.jsonl').delete();
  assert.equal(await bucket.file('acme/c1/inputs/b.jsonl').exists(), [false]);
});

test('a Batch job goes QUEUED → SCHEDULED → RUNNING → SUCCEEDED and the default runner upper-cases its input', async () => {
  sandbox.state.putObject('acme-batch', 'acme/c1/inputs/x.jsonl', 'hello sandbox\n');
  const created = await call(sandbox, 'batch', 'POST', `/v1/${jobs}?job_id=acme-c1-x-123`, batchJob('gs://acme-batch/acme/c1/inputs/x.jsonl', 'gs://acme-batch/acme/c1/outputs/x.jsonl'));
  assert.is(created.status, 200);
  assert.is(created.body.name, `${jobs}/acme-c1-x-123`);
  assert.is(created.body.status.state, 'QUEUED');
  const done = await waitForEnd(created.body.name);
  assert.is(done.status.state, 'SUCCEEDED');
  assert.equal(
    done.status.statusEvents.map((e: any) =>
      e.description
        .match(/from (\w+) to (\w+)/)
        .slice(1)
        .join('→'),
    ),
    ['STATE_UNSPECIFIED→QUEUED', 'QUEUED→SCHEDULED', 'SCHEDULED→RUNNING', 'RUNNING→SUCCEEDED'],
  );
  assert.is(sandbox.state.readObjectText('acme-batch', 'acme/c1/outputs/x.jsonl'), 'HELLO SANDBOX\n');

  const duplicate = await call(sandbox, 'batch', 'POST', `/v1/${jobs}?jobId=acme-c1-x-123`, batchJob('gs://acme-batch/a', 'gs://acme-batch/b'));
  assert.is(duplicate.status, 409);
  assert.is(duplicate.body.error.status, 'ALREADY_EXISTS');
});

test('a Batch job over a prefix processes every object; a missing input fails with a message', async () => {
  sandbox.state.putObject('acme-batch', 'acme/c2/inputs/one.txt', 'one');
  sandbox.state.putObject('acme-batch', 'acme/c2/inputs/sub/two.txt', 'two');
  const prefix = await call(sandbox, 'batch', 'POST', `/v1/${jobs}?job_id=prefix-job`, batchJob('gs://acme-batch/acme/c2/inputs/', 'gs://acme-batch/acme/c2/outputs/'));
  assert.is((await waitForEnd(prefix.body.name)).status.state, 'SUCCEEDED');
  assert.is(sandbox.state.readObjectText('acme-batch', 'acme/c2/outputs/one.txt'), 'ONE');
  assert.is(sandbox.state.readObjectText('acme-batch', 'acme/c2/outputs/sub/two.txt'), 'TWO');

  const missing = await call(sandbox, 'batch', 'POST', `/v1/${jobs}?job_id=missing-input`, batchJob('gs://acme-batch/nope.txt', 'gs://acme-batch/out.txt'));
  const failed = await waitForEnd(missing.body.name);
  assert.is(failed.status.state, 'FAILED');
  assert.match(failed.status.statusEvents.at(-1).description, /gs:\/\/acme-batch\/nope\.txt not found/);
});

test('Batch validates job ids and specs, lists and deletes', async () => {
  assert.is((await call(sandbox, 'batch', 'POST', `/v1/${jobs}?job_id=Bad_Id`, batchJob('gs://b/a', 'gs://b/b'))).status, 400);
  assert.is((await call(sandbox, 'batch', 'POST', `/v1/${jobs}?job_id=no-runnables`, { taskGroups: [{ taskSpec: { runnables: [] } }] })).status, 400);
  const list = await call(sandbox, 'batch', 'GET', `/v1/${jobs}`);
  assert.equal(
    list.body.jobs.map((j: any) => j.name.split('/').pop()),
    ['acme-c1-x-123', 'missing-input', 'prefix-job'],
  );
  const deleted = await call(sandbox, 'batch', 'DELETE', `/v1/${jobs}/prefix-job`);
  assert.is(deleted.body.done, true);
  assert.is((await call(sandbox, 'batch', 'GET', `/v1/${jobs}/prefix-job`)).status, 404);
});

test('a custom Batch runner decides the outcome', async () => {
  const custom = await startSandbox({ batchStepMs: 1, batchRunner: async (job) => ({ state: 'FAILED', message: `refused ${job.labels?.client}` }) });
  try {
    const created = await fetch(`${custom.endpoints.batch}/v1/${jobs}?job_id=custom`, { method: 'POST', body: JSON.stringify(batchJob('gs://b/a', 'gs://b/b')) }).then((r) => r.json() as Promise<any>);
    // Polls the job's state until it ends; the deadline only ends a run that hung (no guessed duration).
    const job = await eventually(() => {
      const current = custom.state.batchJob(created.name);
      return ['SUCCEEDED', 'FAILED'].includes(current?.status.state) ? current : undefined;
    }, `Batch job ${created.name} to end`);
    assert.is(job.status.state, 'FAILED');
    assert.match(job.status.statusEvents.at(-1).description, /refused c1/);
  } finally {
    await custom.stop();
  }
});

test('Secret Manager: create, add versions, access latest and by number (base64 payload)', async () => {
  const created = await call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets?secretId=slack-webhook`, { replication: { automatic: {} } });
  assert.is(created.status, 200);
  assert.is((await call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets?secretId=slack-webhook`, { replication: { automatic: {} } })).status, 409);
  const v1 = await call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets/slack-webhook:addVersion`, { payload: { data: Buffer.from('https://hooks/one').toString('base64') } });
  assert.is(v1.body.name, `projects/${PROJECT}/secrets/slack-webhook/versions/1`);
  sandbox.state.addSecretVersion(PROJECT, 'slack-webhook', 'https://hooks/two');

  const latest = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/slack-webhook/versions/latest:access`);
  assert.is(latest.body.name, `projects/${PROJECT}/secrets/slack-webhook/versions/2`);
  assert.is(Buffer.from(latest.body.payload.data, 'base64').toString(), 'https://hooks/two');
  assert.match(latest.body.payload.dataCrc32c, /^\d+$/);
  const first = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/slack-webhook/versions/1:access`);
  assert.is(Buffer.from(first.body.payload.data, 'base64').toString(), 'https://hooks/one');
  const absent = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/absent/versions/latest:access`);
  assert.is(absent.status, 404);
  assert.is(absent.body.error.status, 'NOT_FOUND');
});

test.run();
