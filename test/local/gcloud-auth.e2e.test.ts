/**
 * gcloud as a sandbox client acting as someone: with `--access-token-file` holding a sandbox token,
 * and with `--impersonate-service-account`, which gcloud turns into IAM Credentials
 * generateAccessToken calls (api_endpoint_overrides/iamcredentials) before each API call. The
 * sandbox enforces what each identity may do. gcloud takes 2-4 s a call, so the calls run
 * concurrently; the test is skipped where gcloud is not installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gcloudOverrides, startSandbox, tokenFor, type Sandbox } from '../../src/local/index.ts';
import { call } from './helpers.ts';
import { gcloudPath, inSequence, skipWithoutGcloud } from '../support/gcloud.ts';

const PROJECT = 'gcloud-auth-project';
const BUCKET = 'gcloud-auth-bucket';
const ACME = `acme-corp@${PROJECT}.iam.gserviceaccount.com`;
const GLOBEX = `globex@${PROJECT}.iam.gserviceaccount.com`;
const UPLOADER = 'user:uploader@example.com';
let sandbox: Sandbox;
let dir: string;

/** gcloud in a throwaway configuration: `config` (credentials on) or `operator` (auth/disable_credentials). */
function gcloud(args: string[], configuration = 'config'): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('gcloud', args, { env: { ...process.env, CLOUDSDK_CONFIG: join(dir, configuration), CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ ok: !error, stdout, stderr }),
    );
  });
}

test.before(async () => {
  if (!gcloudPath) return;
  sandbox = await startSandbox();
  dir = await mkdtemp(join(tmpdir(), 'gcloud-auth-'));
  const setup = [
    await call(sandbox, 'storage', 'POST', `/storage/v1/b?project=${PROJECT}`, { name: BUCKET, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }),
    await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/' }),
    await call(sandbox, 'storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/inputs/' }),
    // gcloud storage cp first reads the destination's metadata, so an uploader needs read there too
    // (the client layout of issue 9: objectViewer on its folder, objectCreator on inputs/).
    await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/managedFolders/${encodeURIComponent('prod/acme/')}/iam`, {
      bindings: [{ role: 'roles/storage.objectViewer', members: [`serviceAccount:${ACME}`] }],
    }),
    await call(sandbox, 'storage', 'PUT', `/storage/v1/b/${BUCKET}/managedFolders/${encodeURIComponent('prod/acme/inputs/')}/iam`, {
      bindings: [{ role: 'roles/storage.objectCreator', members: [`serviceAccount:${ACME}`] }],
    }),
    await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'acme-corp' }),
    await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'globex' }),
    await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts/${ACME}:setIamPolicy`, {
      policy: { bindings: [{ role: 'roles/iam.serviceAccountTokenCreator', members: [UPLOADER] }] },
    }),
  ];
  for (const response of setup) assert.is(response.status, 200, JSON.stringify(response.body));
  await writeFile(join(dir, 'acme.token'), tokenFor(`serviceAccount:${ACME}`));
  await writeFile(join(dir, 'uploader.token'), tokenFor(UPLOADER));
  await writeFile(join(dir, 'input.jsonl'), '{"text": "hello"}\n');
  // A configuration with credentials enabled: the token comes from --access-token-file.
  const overrides = (apis: string[]) =>
    gcloudOverrides(sandbox)
      .filter((o) => apis.includes(o.api))
      .map((o) => [`api_endpoint_overrides/${o.api}`, o.url]);
  const settings: [string, string, string][] = [
    ...[['core/project', PROJECT], ...overrides(['storage', 'iamcredentials'])].map(([k, v]) => ['config', k!, v!] as [string, string, string]),
    ...[['auth/disable_credentials', 'true'], ['core/project', PROJECT], ...overrides(['storage', 'iam', 'pubsub'])].map(([k, v]) => ['operator', k!, v!] as [string, string, string]),
  ];
  // One configuration's properties file is rewritten by each `config set`: sequential within one,
  // the two configurations in parallel.
  await Promise.all(
    ['config', 'operator'].map(async (configuration) => {
      for (const [, key, value] of settings.filter(([c]) => c === configuration)) {
        const set = await gcloud(['config', 'set', key, value], configuration);
        assert.ok(set.ok, set.stderr);
      }
    }),
  );
});

test.after(async () => {
  if (!gcloudPath) return;
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

test('gcloud --access-token-file and --impersonate-service-account act as that identity, and the sandbox holds them to its grants', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const input = join(dir, 'input.jsonl');
  const [asAcme, acmeOutside, impersonated, impersonatedOther, uploaderItself] = await inSequence([
    () => gcloud(['storage', 'cp', input, `gs://${BUCKET}/prod/acme/inputs/by-token.jsonl`, `--access-token-file=${join(dir, 'acme.token')}`]),
    () => gcloud(['storage', 'cp', input, `gs://${BUCKET}/prod/acme/outputs/forged.jsonl`, `--access-token-file=${join(dir, 'acme.token')}`]),
    () => gcloud(['storage', 'cp', input, `gs://${BUCKET}/prod/acme/inputs/impersonated.jsonl`, `--access-token-file=${join(dir, 'uploader.token')}`, `--impersonate-service-account=${ACME}`]),
    () => gcloud(['storage', 'cp', input, `gs://${BUCKET}/prod/acme/inputs/as-globex.jsonl`, `--access-token-file=${join(dir, 'uploader.token')}`, `--impersonate-service-account=${GLOBEX}`]),
    () => gcloud(['storage', 'cp', input, `gs://${BUCKET}/prod/acme/inputs/as-uploader.jsonl`, `--access-token-file=${join(dir, 'uploader.token')}`]),
  ]);
  assert.ok(asAcme.ok, asAcme.stderr);
  assert.is(sandbox.state.readObjectText(BUCKET, 'prod/acme/inputs/by-token.jsonl'), '{"text": "hello"}\n');
  assert.not.ok(acmeOutside.ok);
  assert.match(acmeOutside.stderr, `${ACME} does not have storage.objects.create access to the Google Cloud Storage object`);
  assert.ok(impersonated.ok, impersonated.stderr);
  assert.ok(sandbox.state.getObject(BUCKET, 'prod/acme/inputs/impersonated.jsonl'));
  assert.not.ok(impersonatedOther.ok, 'no TokenCreator on globex');
  assert.match(impersonatedOther.stderr, 'iam.serviceAccounts.getAccessToken');
  assert.not.ok(uploaderItself.ok, 'the uploader itself has no storage grant');
  assert.not.ok(sandbox.state.getObject(BUCKET, 'prod/acme/outputs/forged.jsonl'));
  assert.ok((sandbox.stats.byMethod()['iamcredentials.serviceAccounts.generateAccessToken'] ?? 0) >= 1, 'gcloud minted tokens through the sandbox');
});

test('gcloud edits the new resource policies as documented: managed folders, topics, service accounts', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  await call(sandbox, 'pubsub', 'PUT', `/v1/projects/${PROJECT}/topics/status-acme`, {});
  const created = await gcloud(['storage', 'managed-folders', 'create', `gs://${BUCKET}/prod/acme/outputs/`], 'operator');
  assert.ok(created.ok, created.stderr);
  const [folder, topic, account] = await inSequence([
    () =>
      gcloud(
        ['storage', 'managed-folders', 'add-iam-policy-binding', `gs://${BUCKET}/prod/acme/outputs/`, `--member=serviceAccount:${GLOBEX}`, '--role=roles/storage.objectViewer', '--format=json'],
        'operator',
      ),
    () => gcloud(['pubsub', 'topics', 'add-iam-policy-binding', 'status-acme', '--member=user:acme-ops@example.com', '--role=roles/pubsub.subscriber', '--format=json'], 'operator'),
    () => gcloud(['iam', 'service-accounts', 'add-iam-policy-binding', GLOBEX, `--member=${UPLOADER}`, '--role=roles/iam.serviceAccountTokenCreator', '--format=json'], 'operator'),
  ]);
  for (const r of [folder, topic, account]) assert.ok(r.ok, r.stderr);
  assert.equal(JSON.parse(folder.stdout).bindings, [{ members: [`serviceAccount:${GLOBEX}`], role: 'roles/storage.objectViewer' }]);
  assert.equal(JSON.parse(topic.stdout).bindings, [{ members: ['user:acme-ops@example.com'], role: 'roles/pubsub.subscriber' }]);
  assert.equal(JSON.parse(account.stdout).bindings, [{ members: [UPLOADER], role: 'roles/iam.serviceAccountTokenCreator' }]);
  const counted = sandbox.stats.byMethod();
  for (const method of ['storage.managedFolders.insert', 'storage.managedFolders.setIamPolicy', 'pubsub.topics.setIamPolicy', 'iam.serviceAccounts.setIamPolicy']) {
    assert.ok((counted[method] ?? 0) >= 1, `gcloud called ${method}`);
  }
});

test.run();
