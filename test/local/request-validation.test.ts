/**
 * The sandbox refuses what Google's definitions refuse, in Google's shape: for each API an unknown
 * field, an invalid enum value, a wrong JSON type, a missing required field and a bad update mask
 * path are 400 INVALID_ARGUMENT with a google.rpc.BadRequest detail; output-only fields are ignored.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox, type SandboxApi } from '../../src/local/index.ts';
import { auditLogTrigger, call, PROJECT, REGION, SOURCE } from './helpers.ts';

let sandbox: Sandbox;
const location = `projects/${PROJECT}/locations/${REGION}`;

test.before(async () => {
  sandbox = await startSandbox();
  await call(sandbox, 'workflows', 'POST', `/v1/${location}/workflows?workflowId=w1`, { sourceContents: SOURCE });
});
test.after(async () => {
  await sandbox.stop();
});

interface Refusal {
  readonly api: SandboxApi;
  readonly what: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly message: string;
  /** The fieldViolation's field; null: the violation has none (a top-level name). */
  readonly field: string | null;
}

const job = (extra: Record<string, unknown> = {}) => ({
  name: `${location}/jobs/j1`,
  schedule: '0 * * * *',
  timeZone: 'UTC',
  httpTarget: { uri: 'https://example.com/run', httpMethod: 'POST' },
  ...extra,
});
const batchJob = (extra: Record<string, unknown> = {}) => ({ taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'busybox' } }] } }], ...extra });
const trigger = (extra: Record<string, unknown> = {}) => ({ ...auditLogTrigger(PROJECT, 'w1', '/projects/_/buckets/b/objects/acme/c1/inputs/**'), ...extra });

// biome-ignore format: a table, one refusal a row: the request on its first line, what Google answers on the second
const REFUSALS: Refusal[] = [
  // Workflows
  { api: 'workflows', what: 'unknown field', method: 'POST', path: `/v1/${location}/workflows?workflowId=w2`, body: { sourceContents: SOURCE, bogus: 1 },
    message: `Invalid JSON payload received. Unknown name "bogus" at 'workflow': Cannot find field.`, field: 'workflow' },
  { api: 'workflows', what: 'invalid enum', method: 'POST', path: `/v1/${location}/workflows?workflowId=w2`, body: { sourceContents: SOURCE, callLogLevel: 'LOUD' },
    message: `Invalid value at 'workflow.call_log_level' (type.googleapis.com/google.cloud.workflows.v1.Workflow.CallLogLevel), "LOUD"`, field: 'workflow.call_log_level' },
  { api: 'workflows', what: 'wrong type', method: 'POST', path: `/v1/${location}/workflows?workflowId=w2`, body: { sourceContents: SOURCE, description: 5 },
    message: `Invalid value at 'workflow.description' (TYPE_STRING), 5`, field: 'workflow.description' },
  { api: 'workflows', what: 'missing required field', method: 'POST', path: `/v1/${location}/workflows`, body: { sourceContents: SOURCE },
    message: 'Required field "workflow_id" is missing.', field: 'workflow_id' },
  { api: 'workflows', what: 'bad update mask path', method: 'PATCH', path: `/v1/${location}/workflows/w1?updateMask=sourceContents,nonsense`, body: { sourceContents: SOURCE },
    message: 'Invalid update mask path "nonsense": google.cloud.workflows.v1.Workflow has no field "nonsense".', field: 'update_mask' },
  { api: 'workflows', what: 'unknown query parameter', method: 'GET', path: `/v1/${location}/workflows?pageSize=5&colour=blue`,
    message: `Invalid JSON payload received. Unknown name "colour": Cannot bind query parameter. Field 'colour' could not be found in request message.`, field: null },
  { api: 'workflows', what: 'wrong query parameter type', method: 'GET', path: `/v1/${location}/workflows?pageSize=many`,
    message: `Invalid value at 'page_size' (TYPE_INT32), "many"`, field: 'page_size' },
  // Workflow Executions
  { api: 'workflowexecutions', what: 'unknown field', method: 'POST', path: `/v1/${location}/workflows/w1/executions`, body: { argument: '{}', bogus: true },
    message: `Invalid JSON payload received. Unknown name "bogus" at 'execution': Cannot find field.`, field: 'execution' },
  { api: 'workflowexecutions', what: 'invalid enum', method: 'POST', path: `/v1/${location}/workflows/w1/executions`, body: { callLogLevel: 9 },
    message: `Invalid value at 'execution.call_log_level' (type.googleapis.com/google.cloud.workflows.executions.v1.Execution.CallLogLevel), 9`, field: 'execution.call_log_level' },
  { api: 'workflowexecutions', what: 'wrong type', method: 'POST', path: `/v1/${location}/workflows/w1/executions`, body: { argument: { a: 1 } },
    message: `Invalid value at 'execution.argument' (TYPE_STRING), {"a":1}`, field: 'execution.argument' },
  { api: 'workflowexecutions', what: 'missing required field', method: 'POST', path: `/v1/${location}/workflows/w1/executions`, message: 'Required field "execution" is missing.', field: 'execution' },
  // Eventarc (apitools: enums have no proto type URL)
  { api: 'eventarc', what: 'unknown field', method: 'POST', path: `/v1/${location}/triggers?triggerId=t2`, body: trigger({ destination: { workflow: `${location}/workflows/w1`, bogus: 'x' } }),
    message: `Invalid JSON payload received. Unknown name "bogus" at 'trigger.destination': Cannot find field.`, field: 'trigger.destination' },
  { api: 'eventarc', what: 'invalid enum (in an output-only field: parsed all the same)', method: 'POST', path: `/v1/${location}/triggers?triggerId=t2`, body: trigger({ conditions: { c: { code: 'NOPE' } } }),
    message: `Invalid value at 'trigger.conditions["c"].code' (TYPE_ENUM), "NOPE"`, field: 'trigger.conditions["c"].code' },
  { api: 'eventarc', what: 'wrong type', method: 'POST', path: `/v1/${location}/triggers?triggerId=t2`, body: trigger({ labels: 'x' }),
    message: `Invalid value at 'trigger.labels' (TYPE_STRING), "x"`, field: 'trigger.labels' },
  { api: 'eventarc', what: 'missing required field', method: 'POST', path: `/v1/${location}/triggers?triggerId=t2`, body: trigger({ destination: undefined }),
    message: 'Required field "trigger.destination" is missing.', field: 'trigger.destination' },
  { api: 'eventarc', what: 'bad update mask path', method: 'PATCH', path: `/v1/${location}/triggers/t1?updateMask=destination.nowhere`, body: trigger(),
    message: 'Invalid update mask path "destination.nowhere": eventarc.v1.Trigger has no field "destination.nowhere".', field: 'update_mask' },
  // Cloud Scheduler
  { api: 'cloudscheduler', what: 'unknown field', method: 'POST', path: `/v1/${location}/jobs`, body: job({ bogus: 1 }),
    message: `Invalid JSON payload received. Unknown name "bogus" at 'job': Cannot find field.`, field: 'job' },
  { api: 'cloudscheduler', what: 'invalid enum', method: 'POST', path: `/v1/${location}/jobs`, body: job({ httpTarget: { uri: 'https://example.com', httpMethod: 'FETCH' } }),
    message: `Invalid value at 'job.http_target.http_method' (type.googleapis.com/google.cloud.scheduler.v1.HttpMethod), "FETCH"`, field: 'job.http_target.http_method' },
  { api: 'cloudscheduler', what: 'wrong type', method: 'POST', path: `/v1/${location}/jobs`, body: job({ retryConfig: { retryCount: 'abc' } }),
    message: `Invalid value at 'job.retry_config.retry_count' (TYPE_INT32), "abc"`, field: 'job.retry_config.retry_count' },
  { api: 'cloudscheduler', what: 'missing required field', method: 'POST', path: `/v1/${location}/jobs`, message: 'Required field "job" is missing.', field: 'job' },
  { api: 'cloudscheduler', what: 'bad update mask path', method: 'PATCH', path: `/v1/${location}/jobs/j1?updateMask=schedule,nonsense`, body: job(),
    message: 'Invalid update mask path "nonsense": google.cloud.scheduler.v1.Job has no field "nonsense".', field: 'update_mask' },
  // IAM service accounts (apitools; the body is the whole CreateServiceAccountRequest)
  { api: 'iam', what: 'unknown field', method: 'POST', path: `/v1/projects/${PROJECT}/serviceAccounts`, body: { accountId: 'sa-two', serviceAccount: { displayName: 'x', bogus: 1 } },
    message: `Invalid JSON payload received. Unknown name "bogus" at 'service_account': Cannot find field.`, field: 'service_account' },
  { api: 'iam', what: 'wrong type', method: 'POST', path: `/v1/projects/${PROJECT}/serviceAccounts`, body: { accountId: 'sa-two', serviceAccount: { disabled: 'no' } },
    message: `Invalid value at 'service_account.disabled' (TYPE_BOOL), "no"`, field: 'service_account.disabled' },
  { api: 'iam', what: 'missing required field', method: 'POST', path: `/v1/projects/${PROJECT}/serviceAccounts`, body: { serviceAccount: { displayName: 'x' } },
    message: 'Required field "account_id" is missing.', field: 'account_id' },
  { api: 'iam', what: 'bad update mask path', method: 'PATCH', path: `/v1/projects/${PROJECT}/serviceAccounts/sa-one@${PROJECT}.iam.gserviceaccount.com`, body: { serviceAccount: { displayName: 'y' }, updateMask: 'nickname' },
    message: 'Invalid update mask path "nickname": iam.v1.ServiceAccount has no field "nickname".', field: 'update_mask' },
  // Resource Manager (v3 from the npm protos, v1 from apitools)
  { api: 'cloudresourcemanager', what: 'unknown field', method: 'POST', path: `/v3/projects/${PROJECT}:setIamPolicy`, body: { policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'], bogus: 1 }] } },
    message: `Invalid JSON payload received. Unknown name "bogus" at 'policy.bindings[0]': Cannot find field.`, field: 'policy.bindings[0]' },
  { api: 'cloudresourcemanager', what: 'invalid enum', method: 'POST', path: `/v3/projects/${PROJECT}:setIamPolicy`, body: { policy: { auditConfigs: [{ service: 'allServices', auditLogConfigs: [{ logType: 'EVERYTHING' }] }] } },
    message: `Invalid value at 'policy.audit_configs[0].audit_log_configs[0].log_type' (type.googleapis.com/google.iam.v1.AuditLogConfig.LogType), "EVERYTHING"`, field: 'policy.audit_configs[0].audit_log_configs[0].log_type' },
  { api: 'cloudresourcemanager', what: 'wrong type', method: 'POST', path: `/v1/projects/${PROJECT}:setIamPolicy`, body: { policy: { version: 'three' } },
    message: `Invalid value at 'policy.version' (TYPE_INT32), "three"`, field: 'policy.version' },
  { api: 'cloudresourcemanager', what: 'bytes that are not base64', method: 'POST', path: `/v3/projects/${PROJECT}:setIamPolicy`, body: { policy: { etag: 'not base64!' } },
    message: `Invalid value at 'policy.etag' (TYPE_BYTES), Base64 decoding failed for "not base64!"`, field: 'policy.etag' },
  { api: 'cloudresourcemanager', what: 'missing required field', method: 'POST', path: `/v3/projects/${PROJECT}:setIamPolicy`, body: {},
    message: 'Required field "policy" is missing.', field: 'policy' },
  { api: 'cloudresourcemanager', what: 'bad update mask path', method: 'POST', path: `/v3/projects/${PROJECT}:setIamPolicy`, body: { policy: { bindings: [] }, updateMask: 'bindings,nonsense' },
    message: 'Invalid update mask path "nonsense": google.iam.v1.Policy has no field "nonsense".', field: 'update_mask' },
  // Batch
  { api: 'batch', what: 'unknown field', method: 'POST', path: `/v1/${location}/jobs?jobId=b2`, body: batchJob({ bogus: 1 }),
    message: `Invalid JSON payload received. Unknown name "bogus" at 'job': Cannot find field.`, field: 'job' },
  { api: 'batch', what: 'invalid enum', method: 'POST', path: `/v1/${location}/jobs?jobId=b2`, body: batchJob({ logsPolicy: { destination: 'PRINTER' } }),
    message: `Invalid value at 'job.logs_policy.destination' (type.googleapis.com/google.cloud.batch.v1.LogsPolicy.Destination), "PRINTER"`, field: 'job.logs_policy.destination' },
  { api: 'batch', what: 'wrong type', method: 'POST', path: `/v1/${location}/jobs?jobId=b2`, body: { taskGroups: [{ taskCount: 'many', taskSpec: {} }] },
    message: `Invalid value at 'job.task_groups[0].task_count' (TYPE_INT64), "many"`, field: 'job.task_groups[0].task_count' },
  { api: 'batch', what: 'missing required field', method: 'POST', path: `/v1/${location}/jobs?jobId=b2`, body: { labels: { a: 'b' } },
    message: 'Required field "job.task_groups" is missing.', field: 'job.task_groups' },
  // Secret Manager
  { api: 'secretmanager', what: 'unknown field', method: 'POST', path: `/v1/projects/${PROJECT}/secrets?secretId=s2`, body: { replication: { automatic: {}, bogus: 1 } },
    message: `Invalid JSON payload received. Unknown name "bogus" at 'secret.replication': Cannot find field.`, field: 'secret.replication' },
  { api: 'secretmanager', what: 'invalid enum', method: 'POST', path: `/v1/projects/${PROJECT}/secrets?secretId=s2`, body: { replication: { automatic: {} }, secretType: 'PLAIN' },
    message: `Invalid value at 'secret.secret_type' (type.googleapis.com/google.cloud.secretmanager.v1.Secret.SecretType), "PLAIN"`, field: 'secret.secret_type' },
  { api: 'secretmanager', what: 'wrong type (Duration)', method: 'POST', path: `/v1/projects/${PROJECT}/secrets?secretId=s2`, body: { replication: { automatic: {} }, versionDestroyTtl: '10 minutes' },
    message: `Invalid value at 'secret.version_destroy_ttl' (type.googleapis.com/google.protobuf.Duration), "10 minutes"`, field: 'secret.version_destroy_ttl' },
  { api: 'secretmanager', what: 'two members of one oneof', method: 'POST', path: `/v1/projects/${PROJECT}/secrets?secretId=s2`, body: { replication: { automatic: {} }, ttl: '60s', expireTime: '2030-01-01T00:00:00Z' },
    message: `Invalid value at 'secret' (oneof), oneof field 'expiration' is already set. Cannot set 'expireTime'`, field: 'secret' },
  { api: 'secretmanager', what: 'missing required field', method: 'POST', path: `/v1/projects/${PROJECT}/secrets`, body: { replication: { automatic: {} } },
    message: 'Required field "secret_id" is missing.', field: 'secret_id' },
  { api: 'secretmanager', what: 'bad update mask path', method: 'POST', path: `/v1/projects/${PROJECT}/secrets/s1:setIamPolicy`, body: { policy: { bindings: [] }, updateMask: 'members' },
    message: 'Invalid update mask path "members": google.iam.v1.Policy has no field "members".', field: 'update_mask' },
  // Pub/Sub (bodies are the whole request: `*`)
  { api: 'pubsub', what: 'unknown field', method: 'PUT', path: `/v1/projects/${PROJECT}/topics/topic-two`, body: { labels: {}, bogus: 1 },
    message: `Invalid JSON payload received. Unknown name "bogus": Cannot find field.`, field: null },
  { api: 'pubsub', what: 'invalid enum', method: 'PUT', path: `/v1/projects/${PROJECT}/topics/topic-two`, body: { ingestionDataSourceSettings: { platformLogsSettings: { severity: 'LOUD' } } },
    message: `Invalid value at 'ingestion_data_source_settings.platform_logs_settings.severity' (type.googleapis.com/google.pubsub.v1.PlatformLogsSettings.Severity), "LOUD"`, field: 'ingestion_data_source_settings.platform_logs_settings.severity' },
  { api: 'pubsub', what: 'wrong type', method: 'PUT', path: `/v1/projects/${PROJECT}/topics/topic-two`, body: { messageRetentionDuration: 600 },
    message: `Invalid value at 'message_retention_duration' (type.googleapis.com/google.protobuf.Duration), 600`, field: 'message_retention_duration' },
  { api: 'pubsub', what: 'missing required field', method: 'PUT', path: `/v1/projects/${PROJECT}/subscriptions/sub-two`, body: { ackDeadlineSeconds: 10 },
    message: 'Required field "topic" is missing.', field: 'topic' },
  { api: 'pubsub', what: 'bad update mask path', method: 'PATCH', path: `/v1/projects/${PROJECT}/topics/topic-one`, body: { topic: { labels: {} }, updateMask: 'labels,colour' },
    message: 'Invalid update mask path "colour": google.pubsub.v1.Topic has no field "colour".', field: 'update_mask' },
];

for (const refusal of REFUSALS) {
  test(`${refusal.api}: ${refusal.what} is a 400 INVALID_ARGUMENT in Google's shape`, async () => {
    const response = await call(sandbox, refusal.api, refusal.method, refusal.path, refusal.body);
    assert.is(response.status, 400, JSON.stringify(response.body));
    const error = response.body.error;
    assert.is(error.status, 'INVALID_ARGUMENT');
    assert.is(error.message, refusal.message);
    assert.equal(error.details, [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ ...(refusal.field === null ? {} : { field: refusal.field }), description: refusal.message }] },
    ]);
  });
}

test('storage: refusals keep the JSON API shape (errors[] with a reason, no details)', async () => {
  const unknown = await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'bkt-one', bogus: 1 });
  assert.is(unknown.status, 400);
  assert.equal(unknown.body.error, {
    code: 400,
    message: `Invalid JSON payload received. Unknown name "bogus" at 'bucket': Cannot find field.`,
    status: 'INVALID_ARGUMENT',
    errors: [{ domain: 'global', reason: 'invalid', message: `Invalid JSON payload received. Unknown name "bogus" at 'bucket': Cannot find field.` }],
  });
  const enumValue = await call(sandbox, 'storage', 'GET', `/storage/v1/b?project=${PROJECT}&projection=everything`);
  assert.is(enumValue.status, 400);
  assert.is(enumValue.body.error.message, `Invalid value at 'projection' (TYPE_ENUM), "everything"`);
  const wrongType = await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'bkt-one', versioning: { enabled: 'yes' } });
  assert.is(wrongType.status, 400);
  assert.is(wrongType.body.error.message, `Invalid value at 'bucket.versioning.enabled' (TYPE_BOOL), "yes"`);
  const missing = await call(sandbox, 'storage', 'POST', '/storage/v1/b', { name: 'bkt-one' });
  assert.is(missing.status, 400);
  assert.is(missing.body.error.message, 'Required field "project" is missing.');

  // Upload metadata is parsed like any body: the JSON that starts a resumable upload, the first multipart part.
  assert.is((await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'bkt-one' })).status, 200);
  const resumable = await call(sandbox, 'storage', 'POST', '/upload/storage/v1/b/bkt-one/o?uploadType=resumable&name=a.txt', { contentType: 'text/plain', colour: 'blue' });
  assert.is(resumable.status, 400);
  assert.is(resumable.body.error.message, `Invalid JSON payload received. Unknown name "colour" at 'object': Cannot find field.`);
  const boundary = 'b0undary';
  const multipart = `--${boundary}\r\ncontent-type: application/json\r\n\r\n{"name":"a.txt","metadata":{"k":5}}\r\n--${boundary}\r\ncontent-type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`;
  const response = await fetch(`${sandbox.endpoints.storage}/upload/storage/v1/b/bkt-one/o?uploadType=multipart`, {
    method: 'POST',
    headers: { 'content-type': `multipart/related; boundary=${boundary}` },
    body: multipart,
  });
  assert.is(response.status, 400);
  assert.is(((await response.json()) as any).error.message, `Invalid value at 'object.metadata["k"]' (TYPE_STRING), 5`);
  const ok = await fetch(`${sandbox.endpoints.storage}/upload/storage/v1/b/bkt-one/o?uploadType=multipart`, {
    method: 'POST',
    headers: { 'content-type': `multipart/related; boundary=${boundary}` },
    body: multipart.replace('"k":5', '"k":"5"'),
  });
  assert.is(ok.status, 200);
});

test('output-only fields are ignored, as Google ignores them: the server sets its own', async () => {
  const workflow = await call(sandbox, 'workflows', 'POST', `/v1/${location}/workflows?workflowId=w3`, { sourceContents: SOURCE, state: 'UNAVAILABLE', revisionId: 'mine' });
  assert.is(workflow.status, 200, JSON.stringify(workflow.body));
  assert.is(workflow.body.response.state, 'ACTIVE');
  assert.is.not(workflow.body.response.revisionId, 'mine');

  const w1 = (await call(sandbox, 'workflows', 'GET', `/v1/${location}/workflows/w1`)).body;
  const execution = await call(sandbox, 'workflowexecutions', 'POST', `/v1/${location}/workflows/w1/executions`, { argument: '{}', workflowRevisionId: 'mine' });
  assert.is(execution.status, 200, JSON.stringify(execution.body));
  assert.is(execution.body.workflowRevisionId, w1.revisionId);

  const created = await call(sandbox, 'eventarc', 'POST', `/v1/${location}/triggers?triggerId=t1`, trigger({ uid: 'mine', createTime: '2001-01-01T00:00:00Z' }));
  assert.is(created.status, 200, JSON.stringify(created.body));
  const stored = (await call(sandbox, 'eventarc', 'GET', `/v1/${location}/triggers/t1`)).body;
  assert.is.not(stored.uid, 'mine');
  assert.is.not(stored.createTime, '2001-01-01T00:00:00Z');

  const scheduled = await call(sandbox, 'cloudscheduler', 'POST', `/v1/${location}/jobs`, job({ state: 'PAUSED' }));
  assert.is(scheduled.status, 200, JSON.stringify(scheduled.body));
  assert.is(scheduled.body.state, 'ENABLED');

  const account = await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'sa-one', serviceAccount: { displayName: 'One', email: 'someone@else.example' } });
  assert.is(account.status, 200, JSON.stringify(account.body));
  assert.is(account.body.email, `sa-one@${PROJECT}.iam.gserviceaccount.com`);

  const batch = await call(sandbox, 'batch', 'POST', `/v1/${location}/jobs?jobId=b1`, batchJob({ uid: 'mine', status: { state: 'SUCCEEDED' } }));
  assert.is(batch.status, 200, JSON.stringify(batch.body));
  assert.is.not(batch.body.uid, 'mine');
  assert.is.not(batch.body.status.state, 'SUCCEEDED');

  const secret = await call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets?secretId=s1`, { replication: { automatic: {} }, createTime: '2001-01-01T00:00:00Z' });
  assert.is(secret.status, 200, JSON.stringify(secret.body));
  assert.is.not(secret.body.createTime, '2001-01-01T00:00:00Z');

  const topic = await call(sandbox, 'pubsub', 'PUT', `/v1/projects/${PROJECT}/topics/topic-one`, { state: 'INGESTION_RESOURCE_ERROR' });
  assert.is(topic.status, 200, JSON.stringify(topic.body));
  assert.is.not(topic.body.state, 'INGESTION_RESOURCE_ERROR');
});

test('the proto3 JSON mapping: enums as numbers (the SDKs ask for enum-encoding=int), int64 as strings, snake_case names, null', async () => {
  const patched = await call(sandbox, 'workflows', 'PATCH', `/v1/${location}/workflows/w1?updateMask=call_log_level,description&$alt=json%3Benum-encoding%3Dint`, {
    call_log_level: 2,
    description: null,
  });
  assert.is(patched.status, 200, JSON.stringify(patched.body));
  assert.is(patched.body.response.callLogLevel, 'LOG_ERRORS_ONLY');
  const batch = await call(sandbox, 'batch', 'POST', `/v1/${location}/jobs?jobId=b3`, {
    taskGroups: [{ taskCount: '2', parallelism: 1, taskSpec: { runnables: [{ container: { imageUri: 'busybox' } }] } }],
  });
  assert.is(batch.status, 200, JSON.stringify(batch.body));
});

test.run();
