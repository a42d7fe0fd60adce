/**
 * The permission table (src/local/authz/permissions.ts): every sandbox method is in it, every
 * permission it names is one Google defines, and the mappings the issue names hold.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { testApiContext } from '../support/api-context.ts';
import { makeRequest } from '../../src/local/http.ts';
import { routesOf, SANDBOX_APIS } from '../../src/local/index.ts';
import { checksFor, PERMISSIONS, projectCheck } from '../../src/local/authz/permissions.ts';
import { authorize, isAllowed } from '../../src/local/authz/authorize.ts';
import { OPERATOR } from '../../src/local/authz/principal.ts';
import { rolesWithPermission } from '../../src/iam/roles.ts';

const context = testApiContext;

const request = (method: string, params: Record<string, string>, query = '', body?: unknown, headers: Record<string, string> = {}) =>
  makeRequest(method, params, new URL(`http://127.0.0.1/x${query}`), headers, Buffer.from(body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)));

test('every route of every sandbox API has an entry in the permission table, and no entry is stale', async () => {
  const ctx = await context();
  const served = new Set(SANDBOX_APIS.flatMap((api) => routesOf(api, ctx).map((r) => `${api}.${r.name}`)));
  const missing = [...served].filter((key) => !(key in PERMISSIONS));
  assert.equal(missing, [], `methods without a permission: ${missing.join(', ')}`);
  const stale = Object.keys(PERMISSIONS).filter((key) => !served.has(key));
  assert.equal(stale, [], `table entries no route serves: ${stale.join(', ')}`);
});

test('every permission the table names is granted by some Google role (no invented permission)', async () => {
  const ctx = await context();
  ctx.state.createBucket('b', 'p');
  ctx.state.putObject('b', 'acme/x', 'old');
  const params = {
    project: 'p',
    location: 'europe-west1',
    workflow: 'w',
    execution: 'e',
    trigger: 't',
    job: 'j',
    operation: 'o',
    account: 'a@p.iam.gserviceaccount.com',
    bucket: 'b',
    object: 'acme/x',
    managedFolder: 'acme/',
    topic: 't',
    subscription: 's',
    secret: 's',
    version: '1',
  };
  const bodies: Record<string, unknown> = {
    'pubsub.subscriptions.create': { topic: 'projects/p/topics/t' },
    'workflows.workflows.create': { serviceAccount: 'runner@p.iam.gserviceaccount.com' },
    'eventarc.triggers.create': { serviceAccount: 'runner@p.iam.gserviceaccount.com' },
    'cloudscheduler.jobs.create': { httpTarget: { oauthToken: { serviceAccountEmail: 'runner@p.iam.gserviceaccount.com' } } },
  };
  const seen = new Set<string>();
  for (const key of Object.keys(PERMISSIONS)) {
    const [api, ...rest] = key.split('.');
    const checks = checksFor(api!, rest.join('.'), request('POST', params, '?project=p&name=acme/x', bodies[key] ?? {}), ctx.state)!;
    for (const check of checks) seen.add(check.permission);
  }
  const invented = [...seen].filter((p) => rolesWithPermission(p).length === 0);
  assert.equal(invented, []);
  assert.ok(seen.size > 60, `${seen.size} permissions`);
});

test('the mappings: list inside a managed folder, overwrite needs delete, subscribe needs attachSubscription, attaching an account needs actAs', async () => {
  const ctx = await context();
  const { state } = ctx;
  state.createBucket('b', 'p', 'EU', { uniformBucketLevelAccess: true });
  state.put('managedFolders', 'b/acme/', { name: 'acme/', bucket: 'b' });
  state.putObject('b', 'acme/inputs/old.jsonl', '{}');
  const checksOf = (api: string, method: string, req: ReturnType<typeof request>) => checksFor(api, method, req, state)!;

  const [list] = checksOf('storage', 'objects.list', request('GET', { bucket: 'b' }, '?prefix=acme/inputs/'));
  assert.equal(
    [list!.permission, list!.name, list!.type, list!.on],
    ['storage.objects.list', 'projects/_/buckets/b', 'storage.googleapis.com/Bucket', { kind: 'managedFolder', bucket: 'b', folder: 'acme/' }],
  );
  const [outside] = checksOf('storage', 'objects.list', request('GET', { bucket: 'b' }, '?prefix=globex/'));
  assert.equal(outside!.on, { kind: 'bucket', bucket: 'b' });

  const fresh = checksOf('storage', 'objects.insert', request('POST', { bucket: 'b' }, '?uploadType=media&name=acme/inputs/new.jsonl'));
  assert.equal(
    fresh.map((c) => [c.permission, c.name]),
    [['storage.objects.create', 'projects/_/buckets/b/objects/acme/inputs/new.jsonl']],
  );
  const overwrite = checksOf('storage', 'objects.insert', request('POST', { bucket: 'b' }, '?uploadType=media&name=acme/inputs/old.jsonl'));
  assert.equal(
    overwrite.map((c) => c.permission),
    ['storage.objects.create', 'storage.objects.delete'],
  );
  const multipart = checksOf(
    'storage',
    'objects.insert',
    request('POST', { bucket: 'b' }, '?uploadType=multipart', '--X\r\nContent-Type: application/json\r\n\r\n{"name":"acme/inputs/m.jsonl","metadata":{"a":"b"}}\r\n--X\r\n\r\ndata\r\n--X--', {
      'content-type': 'multipart/related; boundary=X',
    }),
  );
  assert.equal(
    multipart.map((c) => c.name),
    ['projects/_/buckets/b/objects/acme/inputs/m.jsonl'],
  );

  const subscribe = checksOf('pubsub', 'subscriptions.create', request('PUT', { project: 'p', subscription: 's' }, '', { topic: 'projects/p/topics/status' }));
  assert.equal(
    subscribe.map((c) => [c.permission, c.name]),
    [
      ['pubsub.subscriptions.create', 'projects/p/subscriptions/s'],
      ['pubsub.topics.attachSubscription', 'projects/p/topics/status'],
    ],
  );

  const workflow = checksOf(
    'workflows',
    'workflows.create',
    request('POST', { project: 'p', location: 'l' }, '?workflowId=w', { serviceAccount: 'projects/p/serviceAccounts/runner@p.iam.gserviceaccount.com' }),
  );
  assert.equal(
    workflow.map((c) => [c.permission, c.name]),
    [
      ['workflows.workflows.create', 'projects/p/locations/l'],
      ['iam.serviceAccounts.actAs', 'projects/p/serviceAccounts/runner@p.iam.gserviceaccount.com'],
    ],
  );
  const batch = checksOf('batch', 'jobs.create', request('POST', { project: 'p', location: 'l' }, '', { allocationPolicy: { serviceAccount: { email: 'worker@p.iam.gserviceaccount.com' } } }));
  assert.equal(
    batch.map((c) => c.permission),
    ['batch.jobs.create', 'iam.serviceAccounts.actAs'],
  );
  assert.equal(batch[1]!.on, { kind: 'serviceAccount', project: 'p', email: 'worker@p.iam.gserviceaccount.com' });
  const job = checksOf(
    'cloudscheduler',
    'jobs.patch',
    request('PATCH', { project: 'p', location: 'l', job: 'j' }, '?updateMask=schedule', { httpTarget: { oauthToken: { serviceAccountEmail: 'x@p.iam.gserviceaccount.com' } } }),
  );
  assert.equal(
    job.map((c) => c.permission),
    ['cloudscheduler.jobs.update'],
    'a patch that does not touch httpTarget attaches nobody',
  );
  const token = checksOf('iamcredentials', 'serviceAccounts.generateAccessToken', request('POST', { project: '-', account: 'acme@p.iam.gserviceaccount.com' }));
  assert.equal(
    token.map((c) => [c.permission, c.on]),
    [['iam.serviceAccounts.getAccessToken', { kind: 'serviceAccount', project: 'p', email: 'acme@p.iam.gserviceaccount.com' }]],
  );
});

test('in process, for the sandbox’s own actors: authorize() is the same decision, with Google’s 403 for the first missing permission', async () => {
  const { state } = await context();
  const orchestrator = 'serviceAccount:orchestrator@p.iam.gserviceaccount.com';
  const invoke = projectCheck('p', 'workflows.executions.create', 'workflows.googleapis.com', 'projects/p/locations/l/workflows/w');
  const receive = projectCheck('p', 'eventarc.events.receiveEvent', 'eventarc.googleapis.com');
  assert.ok(isAllowed(state, OPERATOR, invoke), 'the operator owns the project');
  const denied = authorize(state, orchestrator, [receive, invoke]);
  assert.is(denied?.httpStatus, 403);
  assert.is(denied?.message, "Permission 'eventarc.events.receiveEvent' denied on resource 'projects/p' (or it may not exist).");
  state.put('policies', 'p', {
    version: 1,
    etag: 'x',
    bindings: [
      { role: 'roles/eventarc.eventReceiver', members: [orchestrator] },
      { role: 'roles/workflows.invoker', members: [orchestrator] },
    ],
  });
  assert.is(authorize(state, orchestrator, [receive, invoke]), undefined);
  assert.not.ok(isAllowed(state, 'serviceAccount:other@p.iam.gserviceaccount.com', invoke));
});

test('members: principalSet of a workload identity pool, allUsers, and Storage convenience values', async () => {
  const { state } = await context();
  state.createBucket('b', 'p', 'EU', { uniformBucketLevelAccess: true });
  const pool = '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/acme-pool';
  const read = {
    permission: 'storage.objects.get',
    on: { kind: 'object', bucket: 'b', object: 'x' },
    name: 'projects/_/buckets/b/objects/x',
    type: 'storage.googleapis.com/Object',
    service: 'storage.googleapis.com',
  } as const;
  state.put('resourcePolicies', 'projects/_/buckets/b', { version: 1, etag: 'e', bindings: [{ role: 'roles/storage.objectViewer', members: [`principalSet:${pool}/*`] }] });
  assert.ok(isAllowed(state, `principal:${pool}/subject/ci-runner`, read));
  assert.not.ok(isAllowed(state, 'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/other-pool/subject/x', read));
  assert.not.ok(isAllowed(state, 'user:editor@example.com', read));
  // A project editor reaches objects through projectEditor:p → legacyObjectOwner; a viewer only reads.
  state.put('policies', 'p', {
    version: 1,
    etag: 'e',
    bindings: [
      { role: 'roles/editor', members: ['user:editor@example.com'] },
      { role: 'roles/viewer', members: ['user:viewer@example.com'] },
    ],
  });
  assert.ok(isAllowed(state, 'user:editor@example.com', read));
  assert.ok(isAllowed(state, 'user:viewer@example.com', read));
  assert.not.ok(isAllowed(state, 'user:viewer@example.com', { ...read, permission: 'storage.objects.delete' }));
  state.put('resourcePolicies', 'projects/_/buckets/b', { version: 1, etag: 'e', bindings: [{ role: 'roles/storage.objectViewer', members: ['allUsers'] }] });
  assert.ok(isAllowed(state, 'user:anyone@example.com', read));
});

test.run();
