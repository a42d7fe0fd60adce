import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkflowsClient } from '@google-cloud/workflows';
import { PassThroughClient } from 'google-auth-library';
import { classifyError, codeFromHttpStatus, googleErrorBody, isTransient, toCloudError } from '../../src/gcp/errors.ts';
import { CloudError } from '../../src/gcp/types.ts';
import { CallCounter } from '../../src/gcp/calls.ts';
import { RestClient } from '../../src/gcp/rest.ts';
import { googleError, startStub, type Stub } from './http-stub.ts';

const pure = suite('classification of error shapes');

pure('gRPC status numbers and names', () => {
  assert.is(classifyError({ code: 5, message: '5 NOT_FOUND: no such workflow' }).code, 'NOT_FOUND');
  assert.is(classifyError({ code: 6, message: '6 ALREADY_EXISTS: exists' }).code, 'ALREADY_EXISTS');
  assert.is(classifyError({ code: 10, message: 'aborted' }).code, 'ABORTED');
  assert.is(classifyError({ code: 14, message: 'unavailable' }).code, 'UNAVAILABLE');
  assert.is(classifyError({ code: 4, message: 'Total timeout exceeded' }).code, 'DEADLINE_EXCEEDED');
  assert.is(classifyError({ code: 'PERMISSION_DENIED', message: 'no' }).code, 'PERMISSION_DENIED');
  assert.is(classifyError({ code: 11 }).code, 'INVALID_ARGUMENT');
});

pure('HTTP statuses, also as .code (gax fallback) and as text', () => {
  assert.is(classifyError({ status: 404, message: 'x' }).code, 'NOT_FOUND');
  assert.is(classifyError({ response: { status: 503 }, message: 'x' }).code, 'UNAVAILABLE');
  assert.is(classifyError({ code: 429, message: 'x' }).code, 'RESOURCE_EXHAUSTED');
  assert.is(classifyError({ code: '412', message: 'x' }).code, 'FAILED_PRECONDITION');
  assert.is(classifyError({ code: 409, message: 'x' }).httpStatus, 409);
  const table: [number, string][] = [
    [400, 'INVALID_ARGUMENT'],
    [401, 'UNAUTHENTICATED'],
    [403, 'PERMISSION_DENIED'],
    [404, 'NOT_FOUND'],
    [409, 'ABORTED'],
    [412, 'FAILED_PRECONDITION'],
    [429, 'RESOURCE_EXHAUSTED'],
    [500, 'INTERNAL'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'DEADLINE_EXCEEDED'],
    [418, 'INVALID_ARGUMENT'],
    [599, 'INTERNAL'],
  ];
  for (const [status, code] of table) assert.is(codeFromHttpStatus(status), code, String(status));
});

pure('the JSON body status tells a 409 ALREADY_EXISTS from a 409 ABORTED', () => {
  const exists = { status: 409, response: { status: 409, data: { error: { code: 409, status: 'ALREADY_EXISTS', message: 'Trigger t already exists' } } }, message: 'Request failed' };
  const stale = { status: 409, response: { status: 409, data: { error: { code: 409, status: 'ABORTED', message: 'concurrent policy changes' } } }, message: 'Request failed' };
  assert.equal(classifyError(exists), { code: 'ALREADY_EXISTS', httpStatus: 409, detail: 'Trigger t already exists' });
  assert.is(classifyError(stale).code, 'ABORTED');
  // gax fallback puts the body text into the message
  assert.is(classifyError({ code: 409, status: 409, message: '{"error":{"code":409,"status":"ALREADY_EXISTS","message":"m"}}' }).code, 'ALREADY_EXISTS');
  assert.equal(googleErrorBody(Buffer.from('{"error":{"code":400,"status":"FAILED_PRECONDITION","message":"m"}}')), { code: 400, status: 'FAILED_PRECONDITION', message: 'm' });
  assert.equal(googleErrorBody([{ error: { code: 404, message: 'gone' } }]), { code: 404, message: 'gone' });
  assert.is(googleErrorBody('<html>502</html>'), undefined);
});

pure('network failures are transient', () => {
  assert.is(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).code, 'UNAVAILABLE');
  assert.is(classifyError(new Error('socket hang up')).code, 'UNAVAILABLE');
  assert.is(classifyError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNRESET' } })).code, 'UNAVAILABLE');
  assert.is(classifyError(Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' })).code, 'DEADLINE_EXCEEDED');
  assert.ok(isTransient(new CloudError('UNAVAILABLE', 'x')));
  assert.ok(isTransient({ code: 429 }));
  assert.not.ok(isTransient({ code: 404 }));
  assert.is(classifyError('weird').code, 'UNKNOWN');
});

pure('toCloudError keeps the operation and the resource name in its message', () => {
  const e = toCloudError({ code: 5, details: 'workflow not found' }, 'workflows.delete', 'projects/p/locations/l/workflows/w');
  assert.instance(e, CloudError);
  assert.is(e.code, 'NOT_FOUND');
  assert.match(e.message, 'workflows.delete projects/p/locations/l/workflows/w: NOT_FOUND: workflow not found');
  const already = new CloudError('ABORTED', 'kept');
  assert.is(toCloudError(already, 'x', 'y'), already);
});

pure.run();

// ---- the real shapes, produced by the real clients ------------------------------------------------

const real = suite('errors as the real clients raise them');
let stub: Stub;
let workflows: WorkflowsClient;
const replies = new Map<string, ReturnType<typeof googleError> | { status: number; body: string }>([
  ['w404', googleError(404, 'NOT_FOUND', 'Resource projects/p/locations/l/workflows/w404 not found')],
  ['w409', googleError(409, 'ALREADY_EXISTS', 'already exists')],
  ['w409a', googleError(409, 'ABORTED', 'concurrent change')],
  ['w503', googleError(503, 'UNAVAILABLE', 'try later')],
  ['w503text', { status: 503, body: 'upstream unavailable' }],
  ['w429', googleError(429, 'RESOURCE_EXHAUSTED', 'quota')],
]);

real.before(async () => {
  stub = await startStub((request) => {
    const id = /workflows\/([^/?]+)/.exec(request.url)?.[1] ?? '';
    return replies.get(id) ?? { status: 500, body: 'unexpected' };
  });
  workflows = new WorkflowsClient({
    fallback: true,
    protocol: 'http',
    apiEndpoint: '127.0.0.1',
    port: stub.port,
    authClient: new PassThroughClient(),
    projectId: 'p',
  } as unknown as ConstructorParameters<typeof WorkflowsClient>[0]);
});
real.after(async () => {
  await workflows.close();
  await stub.close();
});

async function sdkError(id: string): Promise<unknown> {
  try {
    await workflows.getWorkflow({ name: `projects/p/locations/l/workflows/${id}` });
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

real('the Workflows SDK in REST mode: every status classified, the resource named', async () => {
  const expected: Record<string, string> = { w404: 'NOT_FOUND', w409: 'ALREADY_EXISTS', w409a: 'ABORTED', w503: 'UNAVAILABLE', w503text: 'UNAVAILABLE', w429: 'RESOURCE_EXHAUSTED' };
  for (const [id, code] of Object.entries(expected)) {
    const e = toCloudError(await sdkError(id), 'workflows.get', `projects/p/locations/l/workflows/${id}`);
    assert.is(e.code, code, id);
    assert.match(e.message, `workflows/${id}`);
  }
  const e404 = toCloudError(await sdkError('w404'), 'workflows.get', 'w');
  assert.is(e404.httpStatus, 404);
  assert.match(e404.message, 'not found');
  // The SDK sends what Google's REST fallback sends: the sandbox must accept it.
  assert.match(stub.requests[0]!.url, '$alt=json%3Benum-encoding=int');
});

real('our REST client (google-auth-library) raises classified errors with the body message', async () => {
  const counter = new CallCounter();
  const rest = new RestClient(stub.baseUrl, new PassThroughClient() as never, counter, 'eventarc');
  try {
    await rest.send('GET', 'v1/projects/p/locations/l/workflows/w409', { count: 'get', resource: 'projects/p/x' });
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, CloudError);
    assert.is((error as CloudError).code, 'ALREADY_EXISTS');
    assert.match((error as CloudError).message, 'eventarc.get projects/p/x: ALREADY_EXISTS (HTTP 409): already exists');
  }
  assert.equal(counter.snapshot(), { 'eventarc.get': 1 });
});

real('a closed port is UNAVAILABLE (transient), not UNKNOWN', async () => {
  const closed = await startStub(() => ({ status: 200, body: {} }));
  const port = closed.port;
  await closed.close();
  const rest = new RestClient(`http://127.0.0.1:${port}`, new PassThroughClient() as never, new CallCounter(), 'iam');
  try {
    await rest.send('GET', 'v1/projects/p/serviceAccounts', { count: 'list', resource: 'projects/p' });
    assert.unreachable('should fail');
  } catch (error) {
    assert.is((error as CloudError).code, 'UNAVAILABLE', (error as Error).message);
  }
});

real.run();
