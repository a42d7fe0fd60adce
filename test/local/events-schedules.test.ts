/**
 * What starts executions by itself: an object written through the Storage API reaches the Eventarc
 * triggers that match it (when Data Access audit logs are on), and a Cloud Scheduler job sends its
 * HTTP target when run by hand or when its schedule comes, on an injected clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Storage } from '@google-cloud/storage';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { eventually } from '../support/eventually.ts';
import { auditLogTrigger, call, finishedExecution, sdkOptions, PROJECT, REGION } from './helpers.ts';

const BUCKET = 'events-bucket';
const ECHO = 'main:\n  params: [args]\n  steps:\n    - done:\n        return: ${args}\n';
const workflowName = (id: string) => `projects/${PROJECT}/locations/${REGION}/workflows/${id}`;
let sandbox: Sandbox;
let storage: Storage;
let scheduler: CloudSchedulerClient;
let nowMs = Date.parse('2026-01-05T04:58:30Z'); // a Monday, 05:58:30 in Paris

const executionsOf = (workflow: string) => sandbox.state.executions(workflowName(workflow));

async function deploy(id: string): Promise<void> {
  const created = await call(sandbox, 'workflows', 'POST', `/v1/projects/${PROJECT}/locations/${REGION}/workflows?workflowId=${id}`, {
    sourceContents: ECHO,
    serviceAccount: `runner@${PROJECT}.iam.gserviceaccount.com`,
  });
  assert.is(created.status, 200, JSON.stringify(created.body));
}

async function enableStorageDataWrite(enabled: boolean): Promise<void> {
  const current = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:getIamPolicy`, {});
  const auditConfigs = enabled ? [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }] }] : [];
  const set = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:setIamPolicy`, { policy: { ...current.body, auditConfigs }, updateMask: 'bindings,etag,auditConfigs' });
  assert.is(set.status, 200, JSON.stringify(set.body));
}

/**
 * What Google requires of the identities that start executions: Eventarc's trigger account receives
 * events and invokes the workflow, Cloud Scheduler's oauthToken account invokes it
 * (https://cloud.google.com/eventarc/docs/workflows/quickstart-storage,
 * https://cloud.google.com/workflows/docs/schedule-workflow). The enforcing sandbox refuses them otherwise.
 */
async function grantInvokers(): Promise<void> {
  const current = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:getIamPolicy`, {});
  const bindings = [
    { role: 'roles/eventarc.eventReceiver', members: [`serviceAccount:trigger-sa@${PROJECT}.iam.gserviceaccount.com`, `serviceAccount:product@${PROJECT}.iam.gserviceaccount.com`] },
    {
      role: 'roles/workflows.invoker',
      members: [
        `serviceAccount:trigger-sa@${PROJECT}.iam.gserviceaccount.com`,
        `serviceAccount:product@${PROJECT}.iam.gserviceaccount.com`,
        `serviceAccount:scheduler@${PROJECT}.iam.gserviceaccount.com`,
      ],
    },
  ];
  const set = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:setIamPolicy`, { policy: { ...current.body, bindings: [...(current.body.bindings ?? []), ...bindings] } });
  assert.is(set.status, 200, JSON.stringify(set.body));
}

test.before(async () => {
  sandbox = await startSandbox({ clock: { now: () => nowMs } });
  storage = new Storage({ apiEndpoint: sandbox.endpoints.storage, projectId: PROJECT, retryOptions: { autoRetry: false } });
  scheduler = new CloudSchedulerClient(sdkOptions(sandbox, 'cloudscheduler') as any);
  sandbox.state.createBucket(BUCKET, PROJECT);
  await deploy('on-upload');
  await deploy('other');
  await deploy('scheduled');
  const trigger = await call(sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=acme-inputs`, {
    ...auditLogTrigger(PROJECT, 'on-upload', `/projects/_/buckets/${BUCKET}/objects/acme/inputs/**`),
    serviceAccount: `trigger-sa@${PROJECT}.iam.gserviceaccount.com`,
  });
  assert.is(trigger.status, 200, JSON.stringify(trigger.body));
  const other = await call(
    sandbox,
    'eventarc',
    'POST',
    `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=globex-inputs`,
    auditLogTrigger(PROJECT, 'other', `/projects/_/buckets/${BUCKET}/objects/globex/inputs/*`),
  );
  assert.is(other.status, 200, JSON.stringify(other.body));
  await grantInvokers();
});
test.after(async () => {
  await scheduler.close();
  await sandbox.stop();
});

test('without Data Access audit logs for Cloud Storage an upload is not delivered', async () => {
  await enableStorageDataWrite(false);
  await storage.bucket(BUCKET).file('acme/inputs/early.jsonl').save('{"id": 0}\n', { resumable: false });
  assert.is(executionsOf('on-upload').length, 0);
});

test('an upload matching a trigger starts exactly one execution of its workflow, with the audit-log event, as the trigger service account', async () => {
  await enableStorageDataWrite(true);
  await storage.bucket(BUCKET).file('acme/inputs/2026/data.jsonl').save('{"id": 1}\n', { resumable: false });
  const started = executionsOf('on-upload');
  assert.is(started.length, 1);
  assert.is(executionsOf('other').length, 0, 'the other trigger does not match');
  const finished = await finishedExecution(sandbox, started[0]!.name);
  assert.is(finished.state, 'SUCCEEDED', JSON.stringify(finished.error));
  const event = JSON.parse(finished.result);
  assert.is(event.type, 'google.cloud.audit.log.v1.written');
  assert.is(event.resourcename, `projects/_/buckets/${BUCKET}/objects/acme/inputs/2026/data.jsonl`);
  assert.is(event.data.protoPayload.methodName, 'storage.objects.create');
  const stored = sandbox.state.get('executions', started[0]!.name)!;
  assert.is(stored._caller, `serviceAccount:trigger-sa@${PROJECT}.iam.gserviceaccount.com`, 'started as the trigger service account');
  assert.is(stored._serviceAccount, `runner@${PROJECT}.iam.gserviceaccount.com`, 'runs as the workflow service account');
});

test('uploads outside the pattern start nothing; a resumable upload is delivered too', async () => {
  await storage.bucket(BUCKET).file('acme/outputs/data.jsonl').save('x', { resumable: false });
  await storage.bucket(BUCKET).file('acme-2/inputs/data.jsonl').save('x', { resumable: false });
  await storage.bucket(BUCKET).file('globex/inputs/deep/data.jsonl').save('x', { resumable: false });
  assert.is(executionsOf('on-upload').length, 1);
  assert.is(executionsOf('other').length, 0, 'globex/inputs/* does not reach into a sub-folder');
  await storage.bucket(BUCKET).file('globex/inputs/data.jsonl').save('x', { resumable: true });
  assert.is(executionsOf('other').length, 1);
});

function schedulerJob(id: string) {
  return {
    name: `projects/${PROJECT}/locations/${REGION}/jobs/${id}`,
    schedule: '0 6 * * MON-FRI',
    timeZone: 'Europe/Paris',
    httpTarget: {
      uri: `https://workflowexecutions.googleapis.com/v1/${workflowName('scheduled')}/executions`,
      httpMethod: 'POST' as const,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ argument: JSON.stringify({ client: id }) })),
      oauthToken: { serviceAccountEmail: `scheduler@${PROJECT}.iam.gserviceaccount.com` },
    },
  };
}

test('jobs:run sends the HTTP target: an execution of the workflow with the job body, as the oauthToken service account', async () => {
  const [job] = await scheduler.createJob({ parent: `projects/${PROJECT}/locations/${REGION}`, job: schedulerJob('by-hand') });
  assert.is(new Date(Number(job.scheduleTime!.seconds) * 1000).toISOString(), '2026-01-05T05:00:00.000Z', 'next 06:00 Paris');
  await scheduler.runJob({ name: job.name! });
  const started = await eventually(() => (executionsOf('scheduled').length ? executionsOf('scheduled') : undefined), 'the execution the job started');
  assert.is(started.length, 1);
  const finished = await finishedExecution(sandbox, started[0]!.name);
  assert.equal(JSON.parse(finished.result), { client: 'by-hand' });
  assert.is(sandbox.state.get('executions', started[0]!.name)!._caller, `serviceAccount:scheduler@${PROJECT}.iam.gserviceaccount.com`);
  let [after] = await scheduler.getJob({ name: job.name! });
  while (!after.lastAttemptTime) [after] = await scheduler.getJob({ name: job.name! });
  assert.is(after.status?.code ?? 0, 0, 'the target answered 200');
  await scheduler.deleteJob({ name: job.name! });
});

test('a schedule fires when the injected clock reaches it, once, and then waits for the next day', async () => {
  const [job] = await scheduler.createJob({ parent: `projects/${PROJECT}/locations/${REGION}`, job: schedulerJob('on-time') });
  const before = executionsOf('scheduled').length;
  assert.equal(await sandbox.tickSchedules(), [], '05:58:30 Paris: not yet');
  nowMs = Date.parse('2026-01-05T05:00:00Z');
  assert.equal(await sandbox.tickSchedules(), [job.name]);
  assert.is(executionsOf('scheduled').length, before + 1, 'the target was sent before the tick resolved');
  assert.equal(await sandbox.tickSchedules(), [], 'not twice for the same time');
  const [after] = await scheduler.getJob({ name: job.name! });
  assert.is(new Date(Number(after.scheduleTime!.seconds) * 1000).toISOString(), '2026-01-06T05:00:00.000Z');
  await scheduler.pauseJob({ name: job.name! });
  nowMs = Date.parse('2026-01-06T05:00:00Z');
  assert.equal(await sandbox.tickSchedules(), [], 'a paused job does not fire');
  const newest = executionsOf('scheduled')[0]!;
  assert.equal(JSON.parse((await finishedExecution(sandbox, newest.name)).result), { client: 'on-time' });
});

test('a trigger whose service account may not receive events or invoke the workflow delivers nothing (Eventarc delivers as it)', async () => {
  const refused = await call(sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=unprivileged`, {
    ...auditLogTrigger(PROJECT, 'other', `/projects/_/buckets/${BUCKET}/objects/initech/inputs/**`),
    serviceAccount: `nobody@${PROJECT}.iam.gserviceaccount.com`,
  });
  assert.is(refused.status, 200, JSON.stringify(refused.body));
  const before = executionsOf('other').length;
  await storage.bucket(BUCKET).file('initech/inputs/data.jsonl').save('x', { resumable: false });
  assert.is(executionsOf('other').length, before);
});

test('a job whose target the sandbox does not reach records the failed attempt', async () => {
  const spec = schedulerJob('elsewhere');
  const [job] = await scheduler.createJob({ parent: `projects/${PROJECT}/locations/${REGION}`, job: { ...spec, httpTarget: { ...spec.httpTarget, uri: 'https://example.com/hook' } } });
  nowMs = Date.parse('2026-01-07T05:00:00Z');
  assert.ok((await sandbox.tickSchedules()).includes(job.name!));
  const [after] = await scheduler.getJob({ name: job.name! });
  assert.is(after.status?.code, 14);
  assert.match(String(after.status?.message), /example\.com/);
});

test.run();
