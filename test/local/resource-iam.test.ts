/**
 * The resource policies the sandbox serves besides the project's and secrets': buckets and managed
 * folders (Storage JSON API shapes), topics and subscriptions (Pub/Sub), service accounts (IAM), and
 * the one accessor that lists the policies applying to a resource.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { policiesFor } from '../../src/local/resource-policies.ts';
import { call, PROJECT } from './helpers.ts';

let sandbox: Sandbox;
const BUCKET = 'iam-bucket';
const FINE = 'fine-grained-bucket';
const SA = `client-acme@${PROJECT}.iam.gserviceaccount.com`;
const viewer = (member: string) => ({ role: 'roles/storage.objectViewer', members: [member] });

test.before(async () => {
  sandbox = await startSandbox({});
  const made = [
    await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: BUCKET, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }),
    await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: FINE }),
    await call(sandbox, 'pubsub', 'PUT', `/v1/projects/${PROJECT}/topics/status-acme`, {}),
    await call(sandbox, 'pubsub', 'PUT', `/v1/projects/${PROJECT}/subscriptions/status-acme-sub`, { topic: `projects/${PROJECT}/topics/status-acme` }),
    await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'client-acme' }),
  ];
  for (const response of made) assert.is(response.status, 200, JSON.stringify(response.body));
});
test.after(async () => {
  await sandbox.stop();
});

test('buckets carry iamConfiguration; patch turns uniform bucket-level access on with a lockedTime', async () => {
  const uniform = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}`);
  assert.is(uniform.body.iamConfiguration.uniformBucketLevelAccess.enabled, true);
  assert.ok(Date.parse(uniform.body.iamConfiguration.uniformBucketLevelAccess.lockedTime) > Date.now());
  const fine = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${FINE}`);
  assert.equal(fine.body.iamConfiguration.uniformBucketLevelAccess, { enabled: false });
  const patched = await call(sandbox, 'storage', 'PATCH', `/storage/v1/b/patched-bucket-x`, { iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } });
  assert.is(patched.status, 404);
  await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'patched-bucket-x' });
  const on = await call(sandbox, 'storage', 'PATCH', `/storage/v1/b/patched-bucket-x`, { iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } });
  assert.is(on.status, 200, JSON.stringify(on.body));
  assert.is(on.body.iamConfiguration.uniformBucketLevelAccess.enabled, true);
  assert.is(on.body.iamConfiguration.bucketPolicyOnly.enabled, true);
  assert.is(on.body.metageneration, '2');
});

test('bucket IAM: the Storage policy shape, roles must exist, stale etags are 409, conditions need uniform access and version 3 to read', async () => {
  const read = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/iam?optionsRequestedPolicyVersion=3`);
  assert.equal(read.body, { kind: 'storage#policy', resourceId: `projects/_/buckets/${BUCKET}`, version: 1, etag: 'ACAB' });
  const refused = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/iam`, { bindings: [{ role: 'roles/storage.objectLister', members: ['user:a@example.com'] }] });
  assert.is(refused.status, 400);
  assert.match(refused.body.error.message, 'Role (roles/storage.objectLister) does not exist');
  const conditional = {
    role: 'roles/storage.objectViewer',
    members: ['user:a@example.com'],
    condition: { title: 'acme', expression: "resource.name.startsWith('projects/_/buckets/iam-bucket/objects/acme/')" },
  };
  const written = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/iam`, { version: 3, etag: read.body.etag, bindings: [conditional] });
  assert.is(written.status, 200, JSON.stringify(written.body));
  assert.equal(written.body.bindings, [conditional]);
  assert.is(written.body.version, 3);
  const stale = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/iam`, { version: 3, etag: read.body.etag, bindings: [] });
  assert.is(stale.status, 409);
  const v1 = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/iam`);
  assert.is(v1.status, 400, 'a version 1 read of a conditional Storage policy fails');
  const fine = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${FINE}/iam`, { version: 3, bindings: [conditional] });
  assert.is(fine.status, 400);
  assert.match(fine.body.error.message, 'uniform bucket-level access');
  const plain = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${FINE}/iam`, { bindings: [viewer('user:b@example.com')] });
  assert.is(plain.status, 200);
});

test('managed folders: need uniform access; insert, get (escaped or not), list by prefix, IAM, delete only when empty', async () => {
  const fine = await call(sandbox, 'storage', 'POST', `/storage/v1/b/${FINE}/managedFolders`, { name: 'acme/' });
  assert.is(fine.status, 400);
  assert.match(fine.body.error.message, 'uniform bucket-level access');
  assert.equal(fine.body.error.errors[0].reason, 'invalid');
  const made = await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme' });
  assert.is(made.status, 200, JSON.stringify(made.body));
  assert.equal([made.body.kind, made.body.name, made.body.bucket, made.body.id, made.body.metageneration], ['storage#managedFolder', 'prod/acme/', BUCKET, `${BUCKET}/prod/acme/`, '1']);
  const nested = await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/inputs/' });
  assert.is(nested.status, 200);
  const again = await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/' });
  assert.is(again.status, 409);
  const dots = await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/../x/' });
  assert.is(dots.status, 400);
  assert.is((await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2F`)).body.name, 'prod/acme/');
  assert.is((await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders/prod/acme`)).body.name, 'prod/acme/');
  assert.is((await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Fnope`)).status, 404);
  const listed = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders?prefix=prod/acme/in`);
  assert.equal(
    listed.body.items.map((f: any) => f.name),
    ['prod/acme/inputs/'],
  );
  assert.is(listed.body.kind, 'storage#managedFolders');

  const policy = await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2F/iam`);
  assert.equal(policy.body, { kind: 'storage#policy', resourceId: `projects/_/buckets/${BUCKET}/managedFolders/prod/acme/`, version: 1, etag: 'ACAB' });
  const set = await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2F/iam`, { etag: 'ACAB', bindings: [viewer(`serviceAccount:${SA}`)] });
  assert.is(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.bindings, [viewer(`serviceAccount:${SA}`)]);

  sandbox.state.putObject(BUCKET, 'prod/acme/inputs/a.jsonl', '{}');
  const chain = policiesFor(sandbox.state, { kind: 'object', bucket: BUCKET, object: 'prod/acme/inputs/a.jsonl' }).map((p) => p.on);
  assert.equal(chain, [PROJECT, `projects/_/buckets/${BUCKET}`, `projects/_/buckets/${BUCKET}/managedFolders/prod/acme/`, `projects/_/buckets/${BUCKET}/managedFolders/prod/acme/inputs/`]);
  assert.equal(
    policiesFor(sandbox.state, { kind: 'object', bucket: BUCKET, object: 'prod/other/x' }).map((p) => p.on),
    [PROJECT, `projects/_/buckets/${BUCKET}`],
  );

  const busy = await call(sandbox, 'storage', 'DELETE', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2Finputs%2F`);
  assert.is(busy.status, 409, 'an object is under it');
  const forced = await call(sandbox, 'storage', 'DELETE', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2Finputs%2F?allowNonEmpty=true`);
  assert.is(forced.status, 204);
  assert.is((await call(sandbox, 'storage', 'GET', `/storage/v1/b/${BUCKET}/managedFolders/prod%2Facme%2Finputs%2F`)).status, 404);
});

test('topic, subscription and service account policies: Google bindings, 404 for missing resources, policiesFor = project + own', async () => {
  const topic = `/v1/projects/${PROJECT}/topics/status-acme`;
  const read = await call(sandbox, 'pubsub', 'GET', `${topic}:getIamPolicy?options.requestedPolicyVersion=3`);
  assert.equal(read.body, { version: 1, etag: 'ACAB' });
  const subscriber = { role: 'roles/pubsub.subscriber', members: ['group:acme-ops@example.com'] };
  const set = await call(sandbox, 'pubsub', 'POST', `${topic}:setIamPolicy`, { policy: { etag: read.body.etag, bindings: [subscriber] } });
  assert.is(set.status, 200, JSON.stringify(set.body));
  // Google serves Pub/Sub's getIamPolicy as a GET only (its REST reference): a POST matches no method.
  assert.is((await call(sandbox, 'pubsub', 'POST', `${topic}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } })).status, 404);
  assert.is((await call(sandbox, 'pubsub', 'GET', `/v1/projects/${PROJECT}/topics/nope:getIamPolicy`)).status, 404);
  const sub = await call(sandbox, 'pubsub', 'POST', `/v1/projects/${PROJECT}/subscriptions/status-acme-sub:setIamPolicy`, {
    policy: { bindings: [{ role: 'roles/pubsub.viewer', members: ['user:a@example.com'] }] },
  });
  assert.is(sub.status, 200, JSON.stringify(sub.body));
  const bad = await call(sandbox, 'pubsub', 'POST', `${topic}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/pubsub.nope', members: ['user:a@example.com'] }] } });
  assert.is(bad.status, 400);

  const account = `/v1/projects/${PROJECT}/serviceAccounts/${SA}`;
  const tokenCreator = { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:alice@example.com'] };
  const saSet = await call(sandbox, 'iam', 'POST', `${account}:setIamPolicy`, { policy: { bindings: [tokenCreator] } });
  assert.is(saSet.status, 200, JSON.stringify(saSet.body));
  const saRead = await call(sandbox, 'iam', 'POST', `/v1/projects/-/serviceAccounts/${SA}:getIamPolicy?options.requestedPolicyVersion=3`);
  assert.equal(saRead.body.bindings, [tokenCreator]);
  assert.is((await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts/nobody@${PROJECT}.iam.gserviceaccount.com:getIamPolicy`)).status, 404);

  const chain = policiesFor(sandbox.state, { kind: 'serviceAccount', project: PROJECT, email: SA });
  assert.equal(
    chain.map((p) => p.on),
    [PROJECT, `projects/${PROJECT}/serviceAccounts/${SA}`],
  );
  assert.equal(chain[1]!.policy.bindings, [tokenCreator]);
  assert.equal(policiesFor(sandbox.state, { kind: 'topic', name: `projects/${PROJECT}/topics/status-acme` })[1]!.policy.bindings, [subscriber]);

  // Deleting a resource deletes its policy: a new topic of the same name starts empty.
  await call(sandbox, 'pubsub', 'DELETE', topic);
  await call(sandbox, 'pubsub', 'PUT', topic, {});
  assert.equal((await call(sandbox, 'pubsub', 'GET', `${topic}:getIamPolicy`)).body, { version: 1, etag: 'ACAB' });
});

test.run();
