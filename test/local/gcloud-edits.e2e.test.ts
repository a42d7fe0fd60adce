/**
 * gcloud's read-modify-write commands against the sandbox. gcloud decodes a policy's etag (a bytes
 * field) and sends it back URL-safe encoded, so a sandbox comparing etag text refused about 3 edits
 * in 10 with a false 409. Here every target's etag is first made to hold a `+` or `/`, so each of the
 * 20 edits would meet that bug; all must succeed and keep what the policy held.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mapBounded } from '../../src/apply/retry.ts';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { crc32c } from '../../src/local/objects.ts';
import { gcloudFor, gcloudPath, skipWithoutGcloud, type Gcloud } from '../support/gcloud.ts';
import { call, etagWithSlashOrPlus, type JsonResponse } from './helpers.ts';

const PROJECT = 'gcloud-edits';
const EDITS_PER_KIND = 10;
const OTHERS = { role: 'roles/viewer', members: ['user:someone-else@example.com'] };
let sandbox: Sandbox;
let cli: Gcloud;

test.before(async () => {
  if (!gcloudPath) return;
  sandbox = await startSandbox();
  cli = await gcloudFor(sandbox, PROJECT, ['cloudresourcemanager', 'secretmanager']);
});

test.after(async () => {
  if (!gcloudPath) return;
  await sandbox.stop();
  await cli.dispose();
});

interface PolicyTarget {
  readonly path: string;
  readonly api: 'cloudresourcemanager' | 'secretmanager';
  write(etag: string): Promise<JsonResponse>;
}

const projectPolicy = (project: string): PolicyTarget => ({
  path: `/v1/projects/${project}`,
  api: 'cloudresourcemanager',
  write: (etag: string) => call(sandbox, 'cloudresourcemanager', 'POST', `/v1/projects/${project}:setIamPolicy`, { policy: { etag, bindings: [OTHERS] } }),
});
const secretPolicy = (secret: string): PolicyTarget => ({
  path: `/v1/projects/${PROJECT}/secrets/${secret}`,
  api: 'secretmanager',
  write: (etag: string) => call(sandbox, 'secretmanager', 'POST', `/v1/projects/${PROJECT}/secrets/${secret}:setIamPolicy`, { policy: { etag, bindings: [OTHERS] } }),
});

test(`gcloud IAM edits succeed ${2 * EDITS_PER_KIND} times out of ${2 * EDITS_PER_KIND}, on policies whose etags hold + or /`, async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const edits: { target: PolicyTarget; member: string; role: string; args: string[] }[] = [];
  for (let i = 0; i < EDITS_PER_KIND; i++) {
    const project = `edit-project-${i}`;
    const member = `user:editor-${i}@example.com`;
    edits.push({ target: projectPolicy(project), member, role: 'roles/browser', args: ['projects', 'add-iam-policy-binding', project, `--member=${member}`, '--role=roles/browser'] });
    const secret = `edit-secret-${i}`;
    sandbox.state.addSecretVersion(PROJECT, secret, 'x');
    edits.push({
      target: secretPolicy(secret),
      member,
      role: 'roles/secretmanager.secretAccessor',
      args: ['secrets', 'add-iam-policy-binding', secret, `--member=${member}`, '--role=roles/secretmanager.secretAccessor'],
    });
  }
  const seeded = [];
  for (const edit of edits) seeded.push(await etagWithSlashOrPlus(edit.target.write, 'ACAB'));

  const outcomes = await mapBounded(edits, 4, (edit) =>
    cli.run([...edit.args, '--format=json']).then(
      () => 'ok',
      (error: Error) => error.message,
    ),
  );
  assert.equal(
    outcomes.filter((o) => o !== 'ok'),
    [],
    'every edit succeeded',
  );

  for (const [i, edit] of edits.entries()) {
    const policy = (await call(sandbox, edit.target.api, 'POST', `${edit.target.path}:getIamPolicy`, { options: { requestedPolicyVersion: 3 } })).body;
    assert.is.not(policy.etag, seeded[i], 'the policy was written');
    assert.ok(
      policy.bindings.some((b: any) => b.role === edit.role && b.members.includes(edit.member)),
      `${edit.args.slice(0, 3).join(' ')} granted ${edit.role}`,
    );
    assert.ok(
      policy.bindings.some((b: any) => b.role === OTHERS.role && b.members.includes(OTHERS.members[0])),
      'the binding it did not touch is kept',
    );
  }
});

test('gcloud secrets versions add --data-file=- adds a version whose checksum the sandbox verified', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  await cli.run(['secrets', 'create', 'rotated-webhook', '--data-file=-'], 'https://hooks.example.invalid/old');
  // gcloud sends {"payload": {"data": ..., "dataCrc32c": "<decimal>"}} and fails unless the version
  // comes back with clientSpecifiedPayloadChecksum true.
  await cli.run(['secrets', 'versions', 'add', 'rotated-webhook', '--data-file=-'], 'https://hooks.example.invalid/new');
  const latest = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/rotated-webhook/versions/latest:access`);
  assert.is(latest.body.name, `projects/${PROJECT}/secrets/rotated-webhook/versions/2`);
  assert.is(Buffer.from(latest.body.payload.data, 'base64').toString('utf8'), 'https://hooks.example.invalid/new');
  assert.is(latest.body.payload.dataCrc32c, String(crc32c(Buffer.from('https://hooks.example.invalid/new'))));
  const version = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/rotated-webhook/versions/2`);
  assert.is(version.body.clientSpecifiedPayloadChecksum, true);
  assert.is(await cli.run(['secrets', 'versions', 'access', 'latest', '--secret=rotated-webhook']), 'https://hooks.example.invalid/new');
});

test.run();
