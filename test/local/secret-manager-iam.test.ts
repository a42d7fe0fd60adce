/** The sandbox's Secret Manager IAM methods, in Google's REST shapes, with plain fetch (as gcloud or curl would call them). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { call, PROJECT } from './helpers.ts';

let sandbox: Sandbox;
const SECRET = `projects/${PROJECT}/secrets/team-slack`;

test.before(async () => {
  sandbox = await startSandbox({});
  sandbox.state.addSecretVersion(PROJECT, 'team-slack', 'https://hooks.slack.com/services/T/B/x');
});
test.after(async () => {
  await sandbox.stop();
});

test('a new secret has an empty policy; a write with the etag read is stored and returned with a new etag', async () => {
  const read = await call(sandbox, 'secretmanager', 'GET', `/v1/${SECRET}:getIamPolicy?options.requestedPolicyVersion=3`);
  assert.is(read.status, 200);
  assert.equal(read.body, { version: 1, etag: 'ACAB' });
  const bindings = [{ role: 'roles/secretmanager.secretAccessor', members: ['group:oncall@example.com', 'serviceAccount:scoring@demo-project.iam.gserviceaccount.com'] }];
  const written = await call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:setIamPolicy`, { policy: { version: 3, etag: read.body.etag, bindings } });
  assert.is(written.status, 200);
  assert.equal(written.body.bindings, bindings);
  assert.is.not(written.body.etag, 'ACAB');
  const again = await call(sandbox, 'secretmanager', 'GET', `/v1/${SECRET}:getIamPolicy`);
  assert.equal(again.body.bindings, bindings);
  assert.is(again.body.etag, written.body.etag);
  // The secret itself does not show its policy.
  const secret = await call(sandbox, 'secretmanager', 'GET', `/v1/${SECRET}`);
  assert.equal(Object.keys(secret.body).sort(), ['createTime', 'etag', 'name', 'replication']);
});

test('a write with a stale etag is refused 409 ABORTED and changes nothing', async () => {
  const before = await call(sandbox, 'secretmanager', 'GET', `/v1/${SECRET}:getIamPolicy`);
  const stale = await call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:setIamPolicy`, {
    policy: { version: 3, etag: 'ACAB', bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['user:intruder@example.com'] }] },
  });
  assert.is(stale.status, 409);
  assert.is(stale.body.error.status, 'ABORTED');
  const after = await call(sandbox, 'secretmanager', 'GET', `/v1/${SECRET}:getIamPolicy`);
  assert.equal(after.body, before.body);
});

test('policies of missing secrets are 404; malformed bindings are 400', async () => {
  const missing = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/nope:getIamPolicy`);
  assert.is(missing.status, 404);
  assert.is(missing.body.error.status, 'NOT_FOUND');
  const bad = await call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/secretmanager.secretAccessor', members: [] }] } });
  assert.is(bad.status, 400);
  const conditionV1 = await call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:setIamPolicy`, {
    policy: { version: 1, bindings: [{ role: 'roles/secretmanager.secretAccessor', members: ['user:a@example.com'], condition: { title: 't', expression: 'true' } }] },
  });
  assert.is(conditionV1.status, 400);
});

test.run();
