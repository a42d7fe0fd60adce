/**
 * Long-running operations that are not born done (the sandbox finishes its operations at once, Google
 * does not): a scripted server keeps them running for a few polls, and the adapters must not resolve
 * before it says done, and must surface an operation's error as a CloudError naming the resource.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCloudApis, type GcpCloudApis, type SandboxApi } from '../../src/gcp/index.ts';
import { CloudError } from '../../src/gcp/types.ts';
import { PRODUCT, REGION, trigger, workflow } from './sandbox-fixture.ts';
import { startStub, type Stub, type StubRequest } from './http-stub.ts';

const P = 'lro-project';
const WORKFLOW_TYPE = 'type.googleapis.com/google.cloud.workflows.v1.Workflow';
const WORKFLOW_METADATA = 'type.googleapis.com/google.cloud.workflows.v1.OperationMetadata';

interface Script {
  /** Polls answered "not done" before the operation finishes. */
  pending: number;
  /** google.rpc.Status the operation ends with, or none for success. */
  error?: { code: number; message: string };
}

const t = suite('long-running operations');
let stub: Stub;
let apis: GcpCloudApis;
const script: Script = { pending: 0 };
let polls = 0;
let doneAt = 0;

function operation(name: string, done: boolean, response?: unknown) {
  const metadata = { '@type': WORKFLOW_METADATA, target: 'x', verb: 'create' };
  if (!done) return { name, metadata, done: false };
  if (script.error) return { name, metadata, done: true, error: script.error };
  return { name, metadata, done: true, response };
}

function reply(request: StubRequest) {
  const path = request.url.split('?')[0] ?? '';
  const opMatch = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/operations\/[^/]+)$/.exec(path);
  if (request.method === 'GET' && opMatch) {
    polls++;
    const done = polls > script.pending;
    if (done && !doneAt) doneAt = Date.now();
    const response = path.includes('/global/') ? { ...trigger(P, 'acme'), uid: 'u1' } : { '@type': WORKFLOW_TYPE, name: workflow(P).name, sourceContents: 'x' };
    return { status: 200, body: operation(opMatch[1]!, done, response) };
  }
  // Every write starts an operation in its location.
  const location = /^\/v1\/projects\/[^/]+\/locations\/([^/]+)\//.exec(path)?.[1] ?? 'global';
  return { status: 200, body: operation(`projects/${P}/locations/${location}/operations/op-${Date.now()}`, false) };
}

t.before(async () => {
  stub = await startStub(reply);
  const endpoints = Object.fromEntries(
    (['workflows', 'workflowexecutions', 'eventarc', 'cloudscheduler', 'iam', 'cloudresourcemanager', 'batch', 'secretmanager', 'storage', 'pubsub'] as const).map((api) => [api, stub.baseUrl]),
  ) as Record<SandboxApi, string>;
  apis = createCloudApis({ kind: 'sandbox', endpoints, pubsub: 'sandbox' }, { operationPolling: { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 60_000 } });
});
t.after(async () => {
  await apis.close();
  await stub.close();
});
t.before.each(() => {
  polls = 0;
  doneAt = 0;
  script.pending = 0;
  delete script.error;
  stub.requests.length = 0;
});

t('workflow create (SDK) resolves only after the operation is done', async () => {
  script.pending = 2;
  await apis.workflows.create(workflow(P));
  const resolvedAt = Date.now();
  assert.is(polls, 3);
  assert.ok(doneAt > 0 && resolvedAt >= doneAt);
  assert.is(stub.requests[0]?.method, 'POST');
  assert.match(stub.requests[0]!.url, `/v1/projects/${P}/locations/${REGION}/workflows?workflowId=${PRODUCT}-batch-inference`);
});

t('a workflow operation that ends in error is a CloudError naming the workflow', async () => {
  script.pending = 1;
  script.error = { code: 9, message: 'Workflow source is invalid: step "done" unknown' };
  try {
    await apis.workflows.update(workflow(P));
    assert.unreachable('the operation failed');
  } catch (error) {
    assert.instance(error, CloudError);
    assert.is((error as CloudError).code, 'FAILED_PRECONDITION');
    assert.match((error as CloudError).message, workflow(P).name);
    assert.match((error as CloudError).message, 'source is invalid');
  }
});

t('trigger update (REST) polls the operation, counting each poll, and sends the update mask', async () => {
  script.pending = 3;
  apis.calls.reset();
  await apis.triggers.update(trigger(P, 'acme'));
  assert.is(polls, 4);
  assert.equal(apis.calls.snapshot(), { 'eventarc.operations.get': 4, 'eventarc.update': 1 });
  const patch = stub.requests[0]!;
  assert.is(patch.method, 'PATCH');
  assert.match(patch.url, 'updateMask=eventFilters%2Cdestination%2CserviceAccount%2Clabels');
  assert.equal(JSON.parse(patch.body).eventFilters, trigger(P, 'acme').eventFilters);
});

t('a trigger operation error keeps its gRPC code', async () => {
  script.error = { code: 7, message: 'The caller does not have permission to act as the service account' };
  try {
    await apis.triggers.create(trigger(P, 'beta'));
    assert.unreachable('the operation failed');
  } catch (error) {
    assert.is((error as CloudError).code, 'PERMISSION_DENIED');
    assert.match((error as CloudError).message, trigger(P, 'beta').name);
  }
});

t.run();
