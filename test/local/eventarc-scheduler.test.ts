import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { auditLogTrigger, call, sandboxWithClient, PROJECT, REGION } from './helpers.ts';

const local = sandboxWithClient(test, 'cloudscheduler', CloudSchedulerClient);
const triggers = `projects/${PROJECT}/locations/global/triggers`;
const jobsParent = `projects/${PROJECT}/locations/${REGION}`;

test('an Eventarc trigger is created through an operation, and validateOnly creates nothing', async () => {
  const spec = auditLogTrigger(PROJECT, 'acme-batch-inference', '/projects/_/buckets/b/objects/acme/c1/inputs/*');
  const dryRun = await call(local.sandbox, 'eventarc', 'POST', `/v1/${triggers.replace('/triggers', '')}/triggers?triggerId=batch-acme-c1&validateOnly=true`, spec);
  assert.is(dryRun.status, 200);
  assert.is((await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}/batch-acme-c1`)).status, 404, 'validateOnly does not create');

  const created = await call(local.sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=batch-acme-c1`, spec);
  assert.is(created.status, 200);
  assert.is(created.body.done, true);
  assert.is(created.body.response['@type'], 'type.googleapis.com/google.cloud.eventarc.v1.Trigger');
  const operation = await call(local.sandbox, 'eventarc', 'GET', `/v1/${created.body.name}`);
  assert.is(operation.body.response.name, `${triggers}/batch-acme-c1`);

  const got = await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}/batch-acme-c1`);
  assert.equal(got.body.eventFilters, spec.eventFilters);
  assert.is(got.body.destination.workflow, spec.destination.workflow);
  assert.type(got.body.uid, 'string');
  assert.type(got.body.etag, 'string');

  const again = await call(local.sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=batch-acme-c1`, spec);
  assert.is(again.status, 409);
  assert.is(again.body.error.status, 'ALREADY_EXISTS');
});

test('patching a trigger path filter is in place: same uid, new etag, new filter', async () => {
  const before = (await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}/batch-acme-c1`)).body;
  const filters = before.eventFilters.map((f: any) => (f.attribute === 'resourceName' ? { ...f, value: '/projects/_/buckets/b/objects/acme/c1/in/*' } : f));
  const patched = await call(local.sandbox, 'eventarc', 'PATCH', `/v1/${triggers}/batch-acme-c1?updateMask=eventFilters`, { eventFilters: filters });
  assert.is(patched.status, 200);
  const after = (await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}/batch-acme-c1`)).body;
  assert.is(after.uid, before.uid);
  assert.is.not(after.etag, before.etag);
  assert.equal(after.eventFilters.find((f: any) => f.attribute === 'resourceName').value, '/projects/_/buckets/b/objects/acme/c1/in/*');
  assert.equal(after.labels, before.labels, 'fields outside the mask are kept');

  const stale = await call(local.sandbox, 'eventarc', 'PATCH', `/v1/${triggers}/batch-acme-c1?updateMask=labels`, { labels: {}, etag: before.etag });
  assert.is(stale.status, 409);
  assert.is(stale.body.error.status, 'ABORTED');
});

test('Eventarc rejects triggers the API rejects', async () => {
  const base = auditLogTrigger(PROJECT, 'w', '/projects/_/buckets/b/objects/x/*');
  const cases: [string, unknown][] = [
    ['no type filter', { ...base, eventFilters: base.eventFilters.filter((f) => f.attribute !== 'type') }],
    ['audit log without methodName', { ...base, eventFilters: base.eventFilters.filter((f) => f.attribute !== 'methodName') }],
    ['path pattern on serviceName', { ...base, eventFilters: base.eventFilters.map((f) => (f.attribute === 'serviceName' ? { ...f, operator: 'match-path-pattern' } : f)) }],
    ['no destination', { ...base, destination: undefined }],
    ['workflow destination without service account', { ...base, serviceAccount: undefined }],
    ['bad label', { ...base, labels: { Upper: 'x' } }],
  ];
  for (const [what, body] of cases) {
    const response = await call(local.sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=bad-one`, body);
    assert.is(response.status, 400, what);
    assert.is(response.body.error.status, 'INVALID_ARGUMENT', what);
  }
  const badId = await call(local.sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=Bad_Id`, base);
  assert.is(badId.status, 400);
});

test('triggers list pages, and delete removes through an operation', async () => {
  for (const id of ['t-a', 't-b', 't-c']) {
    await call(local.sandbox, 'eventarc', 'POST', `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=${id}`, auditLogTrigger(PROJECT, 'w', `/projects/_/buckets/b/objects/${id}/*`));
  }
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}?pageSize=2${token ? `&pageToken=${token}` : ''}`);
    names.push(...page.body.triggers.map((t: any) => t.name.split('/').pop()));
    token = page.body.nextPageToken;
    pages++;
  } while (token);
  assert.equal(names, ['batch-acme-c1', 't-a', 't-b', 't-c']);
  assert.is(pages, 2);

  const deleted = await call(local.sandbox, 'eventarc', 'DELETE', `/v1/${triggers}/t-b`);
  assert.is(deleted.status, 200);
  assert.is(deleted.body.done, true);
  assert.is((await call(local.sandbox, 'eventarc', 'GET', `/v1/${triggers}/t-b`)).status, 404);
  assert.is((await call(local.sandbox, 'eventarc', 'DELETE', `/v1/${triggers}/t-b`)).status, 404);
  assert.is((await call(local.sandbox, 'eventarc', 'DELETE', `/v1/${triggers}/t-b?allowMissing=true`)).status, 200);
});

test('the Scheduler SDK creates a job (enums as numbers, body as bytes) and reads back the API defaults', async () => {
  const name = `${jobsParent}/jobs/batch-acme-c2`;
  const body = JSON.stringify({ argument: JSON.stringify({ client: 'c2' }) });
  const [job] = await local.client.createJob({
    parent: jobsParent,
    job: {
      name,
      description: 'managed by batch-workflows',
      schedule: '0 3 * * *',
      timeZone: 'Europe/Amsterdam',
      httpTarget: {
        uri: `https://workflowexecutions.googleapis.com/v1/${jobsParent}/workflows/acme-batch-scheduled/executions`,
        httpMethod: 'POST',
        body: Buffer.from(body),
        oauthToken: { serviceAccountEmail: `acme@${PROJECT}.iam.gserviceaccount.com` },
      },
    },
  });
  assert.is(job.name, name);
  assert.is(String(job.state), 'ENABLED');
  assert.is(Buffer.from(job.httpTarget!.body as Uint8Array).toString(), body);
  // What Cloud Scheduler fills in.
  assert.equal(job.httpTarget!.headers, { 'User-Agent': 'Google-Cloud-Scheduler', 'Content-Type': 'application/octet-stream' });
  assert.is(job.httpTarget!.oauthToken!.scope, 'https://www.googleapis.com/auth/cloud-platform');
  assert.type(job.userUpdateTime, 'object');

  const raw = await call(local.sandbox, 'cloudscheduler', 'GET', `/v1/${name}`);
  assert.is(raw.body.httpTarget.httpMethod, 'POST', 'enums are stored by name whatever encoding the client used');
  assert.is(raw.body.httpTarget.body, Buffer.from(body).toString('base64'));

  const [patched] = await local.client.updateJob({ job: { name, schedule: '30 4 * * 1' }, updateMask: { paths: ['schedule'] } });
  assert.is(patched.schedule, '30 4 * * 1');
  assert.is(patched.timeZone, 'Europe/Amsterdam', 'fields outside the mask are kept');

  const duplicate = await local.client.createJob({ parent: jobsParent, job: { name, schedule: '* * * * *', httpTarget: { uri: 'https://x/' } } }).then(
    () => undefined,
    (error: any) => error,
  );
  assert.is(duplicate?.code, 409);
});

test('Scheduler validates schedules, time zones and targets, lists with pages and deletes', async () => {
  const bad = [
    { name: `${jobsParent}/jobs/bad`, schedule: 'every day', httpTarget: { uri: 'https://x/' } },
    { name: `${jobsParent}/jobs/bad`, schedule: '0 1 * * *', timeZone: 'Mars/Olympus', httpTarget: { uri: 'https://x/' } },
    { name: `${jobsParent}/jobs/bad`, schedule: '0 1 * * *' },
    { name: `projects/${PROJECT}/locations/us-east1/jobs/bad`, schedule: '0 1 * * *', httpTarget: { uri: 'https://x/' } },
    { name: `${jobsParent}/jobs/bad`, schedule: '0 1 * * *', httpTarget: { uri: 'https://x/', body: 'not base64!' } },
  ];
  for (const job of bad) {
    const response = await call(local.sandbox, 'cloudscheduler', 'POST', `/v1/${jobsParent}/jobs`, job);
    assert.is(response.status, 400, JSON.stringify(job));
  }
  for (const id of ['j1', 'j2', 'j3']) {
    assert.is(
      (await call(local.sandbox, 'cloudscheduler', 'POST', `/v1/${jobsParent}/jobs`, { name: `${jobsParent}/jobs/${id}`, schedule: '0 1 * * *', httpTarget: { uri: 'https://x/' } })).status,
      200,
    );
  }
  const [all] = await local.client.listJobs({ parent: jobsParent });
  assert.equal(
    all.map((j) => j.name!.split('/').pop()),
    ['batch-acme-c2', 'j1', 'j2', 'j3'],
  );
  const page = await call(local.sandbox, 'cloudscheduler', 'GET', `/v1/${jobsParent}/jobs?pageSize=3`);
  assert.is(page.body.jobs.length, 3);
  assert.type(page.body.nextPageToken, 'string');

  await local.client.deleteJob({ name: `${jobsParent}/jobs/j2` });
  assert.is((await call(local.sandbox, 'cloudscheduler', 'GET', `/v1/${jobsParent}/jobs/j2`)).status, 404);
});

test.run();
