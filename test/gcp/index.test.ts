import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCloudApis, parseEndpoint, type SandboxApi } from '../../src/gcp/index.ts';
import { CallCounter } from '../../src/gcp/calls.ts';

const APIS: readonly SandboxApi[] = ['workflows', 'workflowexecutions', 'eventarc', 'cloudscheduler', 'iam', 'cloudresourcemanager', 'batch', 'secretmanager', 'storage', 'pubsub'];
const endpoints = (base: string) => Object.fromEntries(APIS.map((api) => [api, base])) as Record<SandboxApi, string>;

test('sandbox endpoints: URLs, bare host:port (what the emulator prints), trailing slashes', () => {
  assert.equal(parseEndpoint('workflows', 'http://127.0.0.1:41001'), { host: '127.0.0.1', port: 41001, protocol: 'http', baseUrl: 'http://127.0.0.1:41001' });
  assert.equal(parseEndpoint('pubsub', '127.0.0.1:8085'), { host: '127.0.0.1', port: 8085, protocol: 'http', baseUrl: 'http://127.0.0.1:8085' });
  assert.is(parseEndpoint('iam', 'http://127.0.0.1:41005/').baseUrl, 'http://127.0.0.1:41005');
  assert.is(parseEndpoint('iam', 'http://127.0.0.1:41005/iam/').baseUrl, 'http://127.0.0.1:41005/iam');
  assert.throws(() => parseEndpoint('iam', 'http://[bad'), /sandbox endpoint for iam is not a URL/);
});

test('an SDK-served API on a path prefix is refused up front, with the API named', () => {
  assert.throws(
    () => createCloudApis({ kind: 'sandbox', endpoints: { ...endpoints('http://127.0.0.1:9'), workflows: 'http://127.0.0.1:9/workflows' }, pubsub: 'sandbox' }),
    /sandbox endpoint for workflows must be a bare host:port/,
  );
});

test('REST-served APIs may sit under a path prefix; building the adapters contacts nothing; close is idempotent', async () => {
  const counter = new CallCounter();
  const apis = createCloudApis(
    { kind: 'sandbox', endpoints: { ...endpoints('http://127.0.0.1:9'), iam: 'http://127.0.0.1:9/iam', eventarc: 'http://127.0.0.1:9/eventarc' }, pubsub: 'sandbox' },
    { counter },
  );
  assert.is(apis.calls, counter);
  assert.is(counter.total, 0);
  await apis.close();
  await apis.close();
});

test('the call counter adds up by api.method and resets', () => {
  const counter = new CallCounter();
  counter.record('workflows', 'list');
  counter.record('workflows', 'list');
  counter.record('iam', 'list');
  assert.equal(counter.snapshot(), { 'iam.list': 1, 'workflows.list': 2 });
  assert.is(counter.total, 3);
  assert.ok(Object.isFrozen(counter.snapshot()));
  counter.reset();
  assert.is(counter.total, 0);
});

test.run();
