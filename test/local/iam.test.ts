import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { call, manualClock, sdkOptions, PROJECT } from './helpers.ts';

let sandbox: Sandbox;
let projects: ProjectsClient;
// The visibility delay is measured on this clock, so the checks below hold however slow the machine.
const clock = manualClock();
const DELAY_MS = 300;
const resource = `projects/${PROJECT}`;

test.before(async () => {
  sandbox = await startSandbox({ serviceAccountVisibilityDelayMs: DELAY_MS, clock });
  projects = new ProjectsClient(sdkOptions(sandbox, 'cloudresourcemanager') as any);
});
test.after(async () => {
  await projects.close();
  await sandbox.stop();
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: any) => error,
  );
const etagText = (etag: unknown) => (typeof etag === 'string' ? etag : Buffer.from(etag as Uint8Array).toString('base64'));

test('a service account is created with a Google-shaped email, and becomes visible only after the delay', async () => {
  const created = await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, {
    accountId: 'acme-client',
    serviceAccount: { displayName: 'acme', description: 'owned by batch-workflows' },
  });
  assert.is(created.status, 200);
  assert.is(created.body.email, `acme-client@${PROJECT}.iam.gserviceaccount.com`);
  assert.is(created.body.name, `projects/${PROJECT}/serviceAccounts/acme-client@${PROJECT}.iam.gserviceaccount.com`);
  assert.match(created.body.uniqueId, /^\d{21}$/);
  assert.type(created.body.etag, 'string');

  // Eventual consistency: not yet readable, not yet grantable, but already a duplicate.
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/${created.body.name}`)).status, 404);
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts`)).body.accounts, undefined);
  const early = await errorOf(projects.setIamPolicy({ resource, policy: { bindings: [{ role: 'roles/viewer', members: [`serviceAccount:${created.body.email}`] }] } }));
  assert.is(early?.code, 400);
  assert.match(String(early?.message), /does not exist/);
  assert.is((await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'acme-client' })).status, 409);

  clock.advance(DELAY_MS - 1);
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/${created.body.name}`)).status, 404, 'still hidden 1 ms before the delay ends');
  clock.advance(1);
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/${created.body.name}`)).body.displayName, 'acme');
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts/${created.body.uniqueId}`)).body.email, created.body.email, 'get by unique id');
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/projects/-/serviceAccounts/${created.body.email}`)).status, 200, 'get with the - project wildcard');
});

test('service accounts: patch with updateMask, list pages of at most 100, invalid ids, delete', async () => {
  const name = `projects/${PROJECT}/serviceAccounts/acme-client@${PROJECT}.iam.gserviceaccount.com`;
  const patched = await call(sandbox, 'iam', 'PATCH', `/v1/${name}`, { serviceAccount: { description: 'changed', displayName: 'ignored' }, updateMask: 'description' });
  assert.is(patched.status, 200);
  assert.is(patched.body.description, 'changed');
  assert.is(patched.body.displayName, 'acme', 'fields outside the mask are kept');

  for (const accountId of ['Upper-case', 'short', 'ends-with-dash-', '1starts-with-digit']) {
    assert.is((await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId })).status, 400, accountId);
  }

  const project = 'many-accounts';
  const visibleLater: Promise<unknown>[] = [];
  for (let i = 0; i < 120; i++) {
    visibleLater.push(call(sandbox, 'iam', 'POST', `/v1/projects/${project}/serviceAccounts`, { accountId: `client-${String(i).padStart(3, '0')}` }));
  }
  await Promise.all(visibleLater);
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/projects/${project}/serviceAccounts`)).body.accounts, undefined, 'none visible before the delay');
  clock.advance(DELAY_MS);
  const first = await call(sandbox, 'iam', 'GET', `/v1/projects/${project}/serviceAccounts?pageSize=500`);
  assert.is(first.body.accounts.length, 100, 'page size is capped at 100');
  const second = await call(sandbox, 'iam', 'GET', `/v1/projects/${project}/serviceAccounts?pageSize=500&pageToken=${first.body.nextPageToken}`);
  assert.is(second.body.accounts.length, 20);
  assert.is(second.body.nextPageToken, undefined);
  const defaultPage = await call(sandbox, 'iam', 'GET', `/v1/projects/${project}/serviceAccounts`);
  assert.is(defaultPage.body.accounts.length, 20, 'default page size is 20');

  assert.equal((await call(sandbox, 'iam', 'DELETE', `/v1/projects/${project}/serviceAccounts/client-000@${project}.iam.gserviceaccount.com`)).body, {});
  assert.is((await call(sandbox, 'iam', 'GET', `/v1/projects/${project}/serviceAccounts/client-000@${project}.iam.gserviceaccount.com`)).status, 404);
});

test('display name and description are limited in UTF-8 bytes (100 and 256), as IAM counts them', async () => {
  const create = (accountId: string, serviceAccount: Record<string, string>) => call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId, serviceAccount });
  assert.is((await create('bytes-ok-1', { displayName: 'Ü'.repeat(50), description: 'Ü'.repeat(128) })).status, 200);
  assert.is((await create('bytes-long-1', { displayName: 'Ü'.repeat(51) })).status, 400, '102 bytes');
  assert.is((await create('bytes-long-2', { description: 'Ü'.repeat(129) })).status, 400, '258 bytes');
});

test('setIamPolicy keeps conditions exactly and a stale etag is 409 ABORTED', async () => {
  const [initial] = await projects.getIamPolicy({ resource, options: { requestedPolicyVersion: 3 } });
  const condition = {
    title: 'batch-workflows:acme:c1:read',
    description: 'read own prefix',
    expression: "resource.name.startsWith('projects/_/buckets/b/objects/acme/c1/')",
  };
  const bindings = [
    { role: 'roles/storage.objectViewer', members: ['serviceAccount:acme-client@demo-project.iam.gserviceaccount.com'], condition },
    { role: 'roles/owner', members: ['user:alice@example.com', 'group:admins@example.com'] },
  ];
  const [set] = await projects.setIamPolicy({ resource, policy: { version: 3, etag: initial.etag, bindings } });
  assert.is(set.version, 3);
  const stored = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/${resource}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
  assert.equal(stored.body.bindings, bindings, 'bindings come back exactly as written');
  assert.is(stored.body.etag, etagText(set.etag));

  const stale = await errorOf(projects.setIamPolicy({ resource, policy: { version: 3, etag: initial.etag, bindings: [] } }));
  assert.is(stale?.code, 409);
  assert.match(String(stale?.message), /ABORTED/);
  assert.equal((await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/${resource}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } })).body.bindings, bindings, 'nothing changed');
});

test('a version 1 read of a policy with conditions hides them behind _withcond_ roles, and cannot be written back with an etag', async () => {
  const v1 = await call(sandbox, 'cloudresourcemanager', 'POST', `/v1/${resource}:getIamPolicy`, {});
  assert.is(v1.body.version, 1);
  const conditional = v1.body.bindings.find((b: any) => b.role.startsWith('roles/storage.objectViewer'));
  assert.match(conditional.role, /^roles\/storage\.objectViewer_withcond_[0-9a-f]{20}$/);
  assert.is(conditional.condition, undefined);
  const v3 = await call(sandbox, 'cloudresourcemanager', 'POST', `/v1/${resource}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
  assert.is(v3.body.version, 3);
  assert.is(v3.body.etag, v1.body.etag, "the etag is the policy's, whatever the view");

  const writeBack = await call(sandbox, 'cloudresourcemanager', 'POST', `/v1/${resource}:setIamPolicy`, { policy: v1.body });
  assert.is(writeBack.status, 400);
  const conditionsInV1 = await call(sandbox, 'cloudresourcemanager', 'POST', `/v1/${resource}:setIamPolicy`, { policy: { ...v3.body, version: 1 } });
  assert.is(conditionsInV1.status, 400, 'conditions need version 3');
  const badVersion = await call(sandbox, 'cloudresourcemanager', 'POST', `/v1/${resource}:getIamPolicy`, { options: { requestedPolicyVersion: 2 } });
  assert.is(badVersion.status, 400);
});

test("Google's limits: 1,500 principals per policy and 20 conditional bindings per role and member", async () => {
  const project = 'limits-project';
  const members = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => `user:u${i + offset}@example.com`);
  const ok = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, {
    policy: {
      bindings: [
        { role: 'roles/viewer', members: members(1000) },
        { role: 'roles/editor', members: members(500) },
      ],
    },
  });
  assert.is(ok.status, 200, 'exactly 1,500 is allowed');
  const tooMany = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, {
    policy: {
      etag: ok.body.etag,
      bindings: [
        { role: 'roles/viewer', members: members(1000) },
        { role: 'roles/editor', members: members(501) },
      ],
    },
  });
  assert.is(tooMany.status, 400);
  assert.is(tooMany.body.error.status, 'INVALID_ARGUMENT');
  assert.is(tooMany.body.error.message, 'The number of members in the policy (1,501) is larger than the maximum allowed size 1,500.');

  const conditional = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ role: 'roles/storage.objectViewer', members: ['user:bob@example.com'], condition: { title: `c${i}`, expression: `resource.name.startsWith('x${i}')` } }));
  const twenty = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, { policy: { version: 3, bindings: conditional(20) } });
  assert.is(twenty.status, 200);
  const twentyOne = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, { policy: { version: 3, bindings: conditional(21) } });
  assert.is(twentyOne.status, 400);
  assert.match(twentyOne.body.error.message, /more than 20 conditional role bindings/);
});

test('auditConfigs change only when the update mask names them, and log types sent as numbers are stored by name', async () => {
  const project = 'audit-project';
  const [before] = await projects.getIamPolicy({ resource: `projects/${project}` });
  const auditConfigs = [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' as const }] }];
  // Without the mask, Google ignores auditConfigs (the default mask is "bindings,etag").
  const [ignored] = await projects.setIamPolicy({
    resource: `projects/${project}`,
    policy: { etag: before.etag, bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }], auditConfigs },
  });
  assert.equal(ignored.auditConfigs, []);
  const [applied] = await projects.setIamPolicy({
    resource: `projects/${project}`,
    policy: { etag: ignored.etag, bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }], auditConfigs },
    updateMask: { paths: ['bindings', 'etag', 'audit_configs'] },
  });
  assert.is(applied.auditConfigs!.length, 1);
  const raw = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:getIamPolicy`, {});
  assert.equal(raw.body.auditConfigs, [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }] }]);
});

test('a concurrent IAM change injected between read and write makes the write 409, and a fresh cycle keeps both changes', async () => {
  const project = 'race-project';
  const read = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
  sandbox.knobs.injectIamChangeBeforeNextSet((policy) => ({ ...policy, bindings: [...(policy.bindings ?? []), { role: 'roles/viewer', members: ['user:someone-else@example.com'] }] }));
  const mine = { role: 'roles/editor', members: ['user:me@example.com'] };
  const first = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, { policy: { ...read.body, bindings: [mine] } });
  assert.is(first.status, 409);
  assert.is(first.body.error.status, 'ABORTED');
  const fresh = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } });
  const retried = await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, { policy: { ...fresh.body, bindings: [...fresh.body.bindings, mine] } });
  assert.is(retried.status, 200, 'the hook fires once');
  assert.equal(
    retried.body.bindings.map((b: any) => b.role),
    ['roles/viewer', 'roles/editor'],
  );
});

test.run();
