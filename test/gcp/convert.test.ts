import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ownershipMarker } from '../../src/names/ownership.ts';
import type { SchedulerJobResource, WorkflowResource } from '../../src/resources/types.ts';
import { fullServiceAccountName, serviceAccountFromApi, topicFromApi } from '../../src/gcp/convert.ts';
import { etagText, policyFromApi, policyToApi } from '../../src/gcp/convert-policy.ts';
import { schedulerJobFromApi, schedulerJobToApi } from '../../src/gcp/convert-scheduler.ts';
import { triggerFromApi, triggerToApi, workflowFromApi, workflowToApi } from '../../src/gcp/convert-workflows.ts';

const ours = { 'managed-by': 'batch-workflows', product: 'ml-batch' };

test('a live workflow comes back in the desired shape, with its source and no file', () => {
  const live = workflowFromApi({
    name: 'projects/p-dev/locations/europe-west1/workflows/ml-batch-batch-inference',
    description: 'Runs inference',
    serviceAccount: 'projects/p-dev/serviceAccounts/ml-batch@p-dev.iam.gserviceaccount.com',
    sourceContents: 'main:\n  steps: []\n',
    userEnvVars: { Z: '1', A: '2' },
    labels: ours,
    // server-set fields are dropped
    ...({ revisionId: '000001-abc', state: 'ACTIVE', createTime: { seconds: 1 } } as object),
  });
  assert.ok(live.owned);
  const expected: WorkflowResource = {
    kind: 'Workflow',
    owner: { product: 'ml-batch' },
    name: 'projects/p-dev/locations/europe-west1/workflows/ml-batch-batch-inference',
    description: 'Runs inference',
    serviceAccount: 'projects/p-dev/serviceAccounts/ml-batch@p-dev.iam.gserviceaccount.com',
    sourceFile: '',
    sourceContents: 'main:\n  steps: []\n',
    userEnvVars: { A: '2', Z: '1' },
    labels: ours,
  };
  assert.equal(live.resource, expected);
  // A workflow without our labels is reported, not owned.
  const foreign = workflowFromApi({ name: 'projects/p/locations/l/workflows/hand-made', labels: { team: 'x' } });
  assert.not.ok(foreign.owned);
  assert.is(foreign.resource.sourceContents, '');
});

test('workflow call log level: enum names or numbers; unspecified reads as absent (no call logging)', () => {
  const name = 'projects/p/locations/l/workflows/w';
  assert.is(workflowFromApi({ name, callLogLevel: 1 }).resource.callLogLevel, 'LOG_ALL_CALLS');
  assert.is(workflowFromApi({ name, callLogLevel: 'LOG_ERRORS_ONLY' }).resource.callLogLevel, 'LOG_ERRORS_ONLY');
  assert.is(workflowFromApi({ name, callLogLevel: 3 }).resource.callLogLevel, 'LOG_NONE');
  assert.not.ok('callLogLevel' in workflowFromApi({ name, callLogLevel: 'CALL_LOG_LEVEL_UNSPECIFIED' }).resource);
  assert.not.ok('callLogLevel' in workflowFromApi({ name, callLogLevel: 0 }).resource);
  assert.not.ok('callLogLevel' in workflowFromApi({ name }).resource);
  assert.is(workflowFromApi({ name, executionHistoryLevel: 2 }).resource.executionHistoryLevel, 'EXECUTION_HISTORY_DETAILED');
  assert.is(workflowFromApi({ name, executionHistoryLevel: 'EXECUTION_HISTORY_BASIC' }).resource.executionHistoryLevel, 'EXECUTION_HISTORY_BASIC');
  assert.not.ok('executionHistoryLevel' in workflowFromApi({ name, executionHistoryLevel: 0 }).resource);
});

test('workflow service accounts are brought to the full name the desired side uses', () => {
  assert.is(fullServiceAccountName('a@p.iam.gserviceaccount.com', 'p'), 'projects/p/serviceAccounts/a@p.iam.gserviceaccount.com');
  assert.is(fullServiceAccountName('projects/-/serviceAccounts/a@p.iam.gserviceaccount.com', 'p'), 'projects/p/serviceAccounts/a@p.iam.gserviceaccount.com');
  assert.is(fullServiceAccountName('projects/q/serviceAccounts/a@q.iam.gserviceaccount.com', 'p'), 'projects/q/serviceAccounts/a@q.iam.gserviceaccount.com');
  assert.is(fullServiceAccountName('', 'p'), '');
});

test('workflowToApi refuses a desired workflow whose source was not loaded', () => {
  const owner = { product: 'ml-batch' };
  const desired: WorkflowResource = {
    kind: 'Workflow',
    owner,
    name: 'projects/p/locations/l/workflows/w',
    description: '',
    serviceAccount: '',
    sourceFile: 'workflows/w.yaml',
    userEnvVars: {},
    labels: {},
  };
  assert.throws(() => workflowToApi(desired), /workflows\/w\.yaml/);
  assert.is(workflowToApi({ ...desired, sourceContents: 'x' }).sourceContents, 'x');
});

const job: SchedulerJobResource = {
  kind: 'SchedulerJob',
  owner: { product: 'ml-batch', client: 'acme' },
  name: 'projects/p/locations/europe-west1/jobs/batch-ml-batch-acme',
  state: 'ENABLED',
  description: `Scheduled run. ${ownershipMarker({ product: 'ml-batch', client: 'acme' })}`,
  schedule: '0 3 * * *',
  timeZone: 'Europe/Paris',
  httpTarget: {
    uri: 'https://workflowexecutions.googleapis.com/v1/projects/p/locations/europe-west1/workflows/ml-batch-batch-scheduled/executions',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"argument":"{\\"client\\":\\"acme\\"}"}',
    oauthToken: { serviceAccountEmail: 'ml-batch@p.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/cloud-platform' },
  },
};

test('scheduler jobs round-trip: body text ↔ bytes (SDK) or base64 (REST), method enum as number or name', () => {
  const sent = schedulerJobToApi(job);
  assert.ok(Buffer.isBuffer(sent.httpTarget.body));
  // The state is output only (job.proto): never sent, read back as Google reports it, a number over gRPC (1 = ENABLED), a name over REST.
  assert.not.ok('state' in sent);
  const fromSdk = schedulerJobFromApi({ ...sent, httpTarget: { ...sent.httpTarget, httpMethod: 1 }, state: 1 });
  assert.ok(fromSdk.owned);
  assert.equal(fromSdk.resource, job);
  const fromRest = schedulerJobFromApi({ ...sent, httpTarget: { ...sent.httpTarget, body: sent.httpTarget.body.toString('base64') }, state: 'ENABLED' });
  assert.equal(fromRest.resource, job);
  assert.is(schedulerJobFromApi({ ...sent, state: 2 }).resource.state, 'PAUSED');
  const handMade = schedulerJobFromApi({ name: 'projects/p/locations/l/jobs/nightly', description: 'by hand', httpTarget: { httpMethod: 'GET' } });
  assert.not.ok(handMade.owned);
  assert.is(handMade.resource.httpTarget.httpMethod, 'GET' as never);
});

test('triggers: filters with and without operator, destination workflow, labels decide ownership', () => {
  const api = {
    name: 'projects/p/locations/global/triggers/batch-ml-batch-acme',
    uid: 'abc',
    eventFilters: [
      { attribute: 'type', value: 'google.cloud.audit.log.v1.written' },
      { attribute: 'resourceName', value: '/projects/_/buckets/b/objects/ml-batch/acme/inputs/*', operator: 'match-path-pattern' },
    ],
    destination: { workflow: 'projects/p/locations/europe-west1/workflows/ml-batch-batch-inference' },
    serviceAccount: 'ml-batch@p.iam.gserviceaccount.com',
    labels: { ...ours, client: 'acme' },
  };
  const live = triggerFromApi(api);
  assert.ok(live.owned);
  assert.equal(live.resource.owner, { product: 'ml-batch', client: 'acme' });
  assert.equal(live.resource.eventFilters[0], { attribute: 'type', value: 'google.cloud.audit.log.v1.written' });
  assert.is(live.resource.eventFilters[1]?.operator, 'match-path-pattern');
  const back = triggerToApi(live.resource);
  assert.equal(back, { name: api.name, eventFilters: api.eventFilters, destination: api.destination, serviceAccount: api.serviceAccount, labels: api.labels });
});

test('service accounts: account id from the email, ownership from the description marker', () => {
  const email = 'acme@p.iam.gserviceaccount.com';
  const description = `Client. ${ownershipMarker({ product: 'ml-batch', client: 'acme' })}`;
  const live = serviceAccountFromApi({ name: `projects/p/serviceAccounts/${email}`, projectId: 'p', email, displayName: 'Acme', description });
  assert.ok(live.owned);
  assert.is(live.resource.accountId, 'acme');
  assert.is(live.resource.project, 'p');
  assert.equal(live.resource.owner, { product: 'ml-batch', client: 'acme' });
  assert.not.ok(serviceAccountFromApi({ name: 'projects/p/serviceAccounts/x@p.iam.gserviceaccount.com', email: 'x@p.iam.gserviceaccount.com' }).owned);
});

test('topics: labels sorted, ownership from labels', () => {
  const live = topicFromApi({ name: 'projects/p/topics/t', labels: { product: 'ml-batch', 'managed-by': 'batch-workflows', client: 'acme' } });
  assert.ok(live.owned);
  assert.equal(Object.keys(live.resource.labels), ['client', 'managed-by', 'product']);
  assert.not.ok(topicFromApi({ name: 'projects/p/topics/t' }).owned);
});

test('IAM policy: etag bytes ↔ base64 text, proto3 defaults read as absent, enums as numbers or names', () => {
  const etag = Buffer.from([7, 5, 0xe1, 0xa8, 0x37, 0xf6, 0x4a, 0xce]);
  const policy = policyFromApi({
    version: 3,
    etag,
    bindings: [
      { role: 'roles/viewer', members: ['user:a@example.com'], condition: null },
      {
        role: 'roles/storage.objectCreator',
        members: ['serviceAccount:acme@p.iam.gserviceaccount.com'],
        condition: { title: 'batch-workflows:ml-batch:acme:upload', description: '', expression: 'resource.name.startsWith("x")' },
      },
    ],
    auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 2, exemptedMembers: [] }, { logType: 'DATA_READ' }] }],
  });
  assert.is(policy.etag, etag.toString('base64'));
  assert.equal(policy.bindings[0], { role: 'roles/viewer', members: ['user:a@example.com'] });
  assert.equal(policy.bindings[1]?.condition, { title: 'batch-workflows:ml-batch:acme:upload', expression: 'resource.name.startsWith("x")' });
  assert.equal(policy.auditConfigs, [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }, { logType: 'DATA_READ' }] }]);
  const sent = policyToApi(policy);
  assert.ok(Buffer.from(sent.etag!).equals(etag), 'the etag goes back byte for byte');
  assert.equal(policyFromApi(sent), policy);
  assert.is(etagText('BwXhqDf2Ss4='), 'BwXhqDf2Ss4=');
  assert.is(policyFromApi({}).auditConfigs, undefined);
});

test.run();
