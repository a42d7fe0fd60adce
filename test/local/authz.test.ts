/**
 * The sandbox authorizes requests as Google does: callers named by `sandbox:<member>` tokens, grants
 * at the project, bucket, managed folder, topic and service account, conditions evaluated on the
 * request, actAs to attach a service account, impersonation through IAM Credentials, and Google's
 * 401/403 bodies. Requests without a token are the operator's (the rest of the suite).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { authHeaders, startSandbox, tokenFor, type Sandbox, type SandboxApi } from '../../src/local/index.ts';
import { auditLogTrigger, SOURCE } from './helpers.ts';

const P = 'authz-project';
const BUCKET = 'authz-bucket';
const acme = `acme-corp@${P}.iam.gserviceaccount.com`;
const product = `product@${P}.iam.gserviceaccount.com`;
let sandbox: Sandbox;
let clock = new Date('2026-03-01T12:00:00Z');

interface Reply {
  status: number;
  body: any;
}
async function as(member: string | undefined, api: SandboxApi, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${sandbox.endpoints[api]}${path}`, {
    method,
    headers: { ...(member ? authHeaders(member) : {}), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
const operator = (api: SandboxApi, method: string, path: string, body?: unknown) => as(undefined, api, method, path, body);

async function grant(api: SandboxApi, getPath: string, setPath: string, bindings: unknown[], storageShape = false) {
  // Storage and Pub/Sub read a policy with a GET (the version as a query parameter), the others with a POST.
  const current = storageShape
    ? await operator(api, 'GET', getPath)
    : api === 'pubsub'
      ? await operator(api, 'GET', `${getPath}?options.requestedPolicyVersion=3`)
      : await operator(api, 'POST', getPath, { options: { requestedPolicyVersion: 3 } });
  assert.is(current.status, 200, JSON.stringify(current.body));
  const policy = { version: 3, etag: current.body.etag, bindings: [...(current.body.bindings ?? []), ...bindings] };
  const written = storageShape ? await operator(api, 'PUT', setPath, policy) : await operator(api, 'POST', setPath, { policy });
  assert.is(written.status, 200, JSON.stringify(written.body));
}
const grantProject = (bindings: unknown[]) => grant('cloudresourcemanager', `/v3/projects/${P}:getIamPolicy`, `/v3/projects/${P}:setIamPolicy`, bindings);
const grantFolder = (folder: string, bindings: unknown[]) =>
  grant(
    'storage',
    `/storage/v1/b/${BUCKET}/managedFolders/${encodeURIComponent(folder)}/iam?optionsRequestedPolicyVersion=3`,
    `/storage/v1/b/${BUCKET}/managedFolders/${encodeURIComponent(folder)}/iam`,
    bindings,
    true,
  );
const objectPath = (name: string) => `/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}`;
const upload = (member: string, name: string) =>
  as(member, 'storage', 'POST', `/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}`, 'data', { 'content-type': 'text/plain' });

test.before(async () => {
  sandbox = await startSandbox({ clock: { now: () => clock.getTime() } });
  const setup = [
    await operator('storage', 'POST', `/storage/v1/b?project=${P}`, { name: BUCKET, iamConfiguration: { uniformBucketLevelAccess: { enabled: true } } }),
    await operator('storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/' }),
    await operator('storage', 'POST', `/storage/v1/b/${BUCKET}/managedFolders`, { name: 'prod/acme/inputs/' }),
    await operator('iam', 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'acme-corp' }),
    await operator('iam', 'POST', `/v1/projects/${P}/serviceAccounts`, { accountId: 'product' }),
    await operator('pubsub', 'PUT', `/v1/projects/${P}/topics/status-acme`, {}),
    await operator('pubsub', 'PUT', `/v1/projects/${P}/topics/status-globex`, {}),
  ];
  for (const r of setup) assert.is(r.status, 200, JSON.stringify(r.body));
  for (const name of ['prod/acme/inputs/old.jsonl', 'prod/acme/outputs/result.jsonl', 'prod/globex/inputs/secret.jsonl', 'prod/_settings/acme.json']) sandbox.state.putObject(BUCKET, name, '{}');
});
test.after(async () => {
  await sandbox.stop();
});

test('a token that is not a sandbox token is 401 UNAUTHENTICATED in Google’s shape; no token is the operator', async () => {
  const bad = await fetch(`${sandbox.endpoints.storage}${objectPath('prod/acme/inputs/old.jsonl')}`, { headers: { authorization: 'Bearer ya29.not-a-sandbox-token' } });
  assert.is(bad.status, 401);
  assert.equal(((await bad.json()) as any).error, {
    code: 401,
    message: 'Invalid Credentials',
    errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', locationType: 'header', location: 'Authorization' }],
  });
  const other = await fetch(`${sandbox.endpoints.iam}/v1/projects/${P}/serviceAccounts`, { headers: { authorization: 'Bearer ya29.not-a-sandbox-token' } });
  assert.is(other.status, 401);
  const body = (await other.json()) as any;
  assert.is(body.error.status, 'UNAUTHENTICATED');
  assert.match(body.error.message, /^Request had invalid authentication credentials\. Expected OAuth 2 access token/);
  assert.is(body.error.details[0].reason, 'ACCESS_TOKEN_TYPE_UNSUPPORTED');
  const pubsub = await fetch(`${sandbox.endpoints.pubsub}/v1/projects/${P}/topics`, { headers: { authorization: 'Bearer sandbox:nobody' } });
  assert.is(pubsub.status, 401);
  assert.is(((await pubsub.json()) as any).error.status, 'UNAUTHENTICATED');
  assert.is((await operator('storage', 'GET', objectPath('prod/acme/inputs/old.jsonl'))).status, 200);
  assert.throws(() => tokenFor('group:ops@example.com'), /not a principal/);
});

test('project-level grant: allowed for the grantee, Storage’s 403 wording for anyone else', async () => {
  await grantProject([{ role: 'roles/storage.objectViewer', members: ['user:alice@example.com'] }]);
  assert.is((await as('user:alice@example.com', 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'))).status, 200);
  const denied = await as('user:bob@example.com', 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'));
  assert.is(denied.status, 403);
  const message = "bob@example.com does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).";
  assert.equal(denied.body, { error: { code: 403, message, errors: [{ message, domain: 'global', reason: 'forbidden' }] } });
  const listing = await as('user:bob@example.com', 'storage', 'GET', `/storage/v1/b/${BUCKET}/o`);
  assert.is(listing.status, 403);
  assert.match(listing.body.error.message, 'storage.objects.list access to the Google Cloud Storage bucket');
  // Denied before existence is revealed: "(or it may not exist)".
  assert.is((await as('user:bob@example.com', 'storage', 'GET', objectPath('nope'))).status, 403);
  assert.is((await as('user:alice@example.com', 'storage', 'GET', objectPath('nope'))).status, 404);
});

test('bucket-level grant reaches every object of that bucket only', async () => {
  await grant(
    'storage',
    `/storage/v1/b/${BUCKET}/iam?optionsRequestedPolicyVersion=3`,
    `/storage/v1/b/${BUCKET}/iam`,
    [{ role: 'roles/storage.objectViewer', members: ['user:carol@example.com'] }],
    true,
  );
  assert.is((await as('user:carol@example.com', 'storage', 'GET', `/storage/v1/b/${BUCKET}/o?prefix=prod/`)).status, 200);
  assert.is((await as('user:carol@example.com', 'storage', 'GET', objectPath('prod/_settings/acme.json'))).status, 200);
  sandbox.state.createBucket('other-bucket', P);
  sandbox.state.putObject('other-bucket', 'x', '1');
  assert.is((await as('user:carol@example.com', 'storage', 'GET', '/storage/v1/b/other-bucket/o/x')).status, 403);
});

test('managed-folder grants: read and list inside the folder, upload only under inputs/, no overwrite without delete', async () => {
  const client = `serviceAccount:${acme}`;
  await grantFolder('prod/acme/', [{ role: 'roles/storage.objectViewer', members: [client] }]);
  await grantFolder('prod/acme/inputs/', [{ role: 'roles/storage.objectCreator', members: [client] }]);
  assert.is((await as(client, 'storage', 'GET', objectPath('prod/acme/outputs/result.jsonl'))).status, 200);
  const listed = await as(client, 'storage', 'GET', `/storage/v1/b/${BUCKET}/o?prefix=prod/acme/`);
  assert.is(listed.status, 200);
  assert.equal(
    listed.body.items.map((o: any) => o.name),
    ['prod/acme/inputs/old.jsonl', 'prod/acme/outputs/result.jsonl'],
  );
  assert.is((await as(client, 'storage', 'GET', `/storage/v1/b/${BUCKET}/o?prefix=prod/`)).status, 403, 'listing above its folder');
  assert.is((await as(client, 'storage', 'GET', `/storage/v1/b/${BUCKET}/o?prefix=prod/globex/`)).status, 403);
  assert.is((await as(client, 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'))).status, 403);
  assert.is((await as(client, 'storage', 'GET', objectPath('prod/_settings/acme.json'))).status, 403);

  assert.is((await upload(client, 'prod/acme/inputs/new.jsonl')).status, 200);
  const outputs = await upload(client, 'prod/acme/outputs/forged.jsonl');
  assert.is(outputs.status, 403);
  assert.match(outputs.body.error.message, `${acme} does not have storage.objects.create access to the Google Cloud Storage object.`);
  const overwrite = await upload(client, 'prod/acme/inputs/old.jsonl');
  assert.is(overwrite.status, 403);
  assert.match(overwrite.body.error.message, 'storage.objects.delete');
  assert.is((await upload(client, 'prod/globex/inputs/x.jsonl')).status, 403);
  assert.not.ok(sandbox.state.getObject(BUCKET, 'prod/acme/outputs/forged.jsonl'));
});

test('a conditional grant is honoured or refused by resource.name, and by request.time on the injected clock', async () => {
  await grantProject([
    {
      role: 'roles/storage.objectViewer',
      members: ['user:dave@example.com'],
      condition: { title: 'acme only', expression: `resource.name.startsWith('projects/_/buckets/${BUCKET}/objects/prod/acme/')` },
    },
    {
      role: 'roles/storage.objectViewer',
      members: ['user:erin@example.com'],
      condition: { title: 'until April', expression: "request.time < timestamp('2026-04-01T00:00:00Z')" },
    },
  ]);
  assert.is((await as('user:dave@example.com', 'storage', 'GET', objectPath('prod/acme/inputs/old.jsonl'))).status, 200);
  assert.is((await as('user:dave@example.com', 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'))).status, 403);
  // Listing is checked on the bucket, whose name does not start with the object prefix.
  assert.is((await as('user:dave@example.com', 'storage', 'GET', `/storage/v1/b/${BUCKET}/o?prefix=prod/acme/`)).status, 403);
  assert.is((await as('user:erin@example.com', 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'))).status, 200);
  clock = new Date('2026-04-01T00:00:01Z');
  assert.is((await as('user:erin@example.com', 'storage', 'GET', objectPath('prod/globex/inputs/secret.jsonl'))).status, 403);
  clock = new Date('2026-03-01T12:00:00Z');
});

test('topic-level grants: publish on one topic only; subscribing needs attachSubscription on the topic; ErrorInfo names the permission', async () => {
  const publisher = `serviceAccount:${product}`;
  await grant('pubsub', `/v1/projects/${P}/topics/status-acme:getIamPolicy`, `/v1/projects/${P}/topics/status-acme:setIamPolicy`, [
    { role: 'roles/pubsub.publisher', members: [publisher] },
    { role: 'roles/pubsub.subscriber', members: ['user:acme-ops@example.com'] },
  ]);
  const message = { messages: [{ data: Buffer.from('{"state":"SUCCEEDED"}').toString('base64') }] };
  assert.is((await as(publisher, 'pubsub', 'POST', `/v1/projects/${P}/topics/status-acme:publish`, message)).status, 200);
  const denied = await as(publisher, 'pubsub', 'POST', `/v1/projects/${P}/topics/status-globex:publish`, message);
  assert.is(denied.status, 403);
  assert.equal(denied.body.error, {
    code: 403,
    message: `Permission 'pubsub.topics.publish' denied on resource 'projects/${P}/topics/status-globex' (or it may not exist).`,
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'IAM_PERMISSION_DENIED',
        domain: 'pubsub.googleapis.com',
        metadata: { permission: 'pubsub.topics.publish', resource: `projects/${P}/topics/status-globex` },
      },
    ],
  });
  // The subscriber creates subscriptions in its own project, where it is a Pub/Sub editor.
  await grant('cloudresourcemanager', '/v3/projects/acme-own-project:getIamPolicy', '/v3/projects/acme-own-project:setIamPolicy', [
    { role: 'roles/pubsub.editor', members: ['user:acme-ops@example.com'] },
  ]);
  const ok = await as('user:acme-ops@example.com', 'pubsub', 'PUT', '/v1/projects/acme-own-project/subscriptions/acme-status', { topic: `projects/${P}/topics/status-acme` });
  assert.is(ok.status, 200, JSON.stringify(ok.body));
  const other = await as('user:acme-ops@example.com', 'pubsub', 'PUT', '/v1/projects/acme-own-project/subscriptions/globex-status', { topic: `projects/${P}/topics/status-globex` });
  assert.is(other.status, 403);
  assert.is(other.body.error.details[0].metadata.permission, 'pubsub.topics.attachSubscription');
  assert.is((await as('user:acme-ops@example.com', 'pubsub', 'POST', '/v1/projects/acme-own-project/subscriptions/acme-status:pull', { maxMessages: 1 })).status, 200);
});

test('service-account-level grant: TokenCreator lets a user impersonate the account; the token acts as the account', async () => {
  const denied = await as('user:uploader@example.com', 'iamcredentials', 'POST', `/v1/projects/-/serviceAccounts/${acme}:generateAccessToken`, {
    scope: ['https://www.googleapis.com/auth/cloud-platform'],
  });
  assert.is(denied.status, 403);
  assert.is(denied.body.error.message, "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
  assert.equal(denied.body.error.details[0].metadata, { permission: 'iam.serviceAccounts.getAccessToken' });
  await grant('iam', `/v1/projects/${P}/serviceAccounts/${acme}:getIamPolicy`, `/v1/projects/${P}/serviceAccounts/${acme}:setIamPolicy`, [
    { role: 'roles/iam.serviceAccountTokenCreator', members: ['user:uploader@example.com'] },
  ]);
  const minted = await as('user:uploader@example.com', 'iamcredentials', 'POST', `/v1/projects/-/serviceAccounts/${acme}:generateAccessToken`, {
    scope: ['https://www.googleapis.com/auth/cloud-platform'],
    lifetime: '600s',
  });
  assert.is(minted.status, 200, JSON.stringify(minted.body));
  assert.is(minted.body.accessToken, tokenFor(`serviceAccount:${acme}`));
  assert.ok(Date.parse(minted.body.expireTime) > Date.now());
  const asAccount = await fetch(`${sandbox.endpoints.storage}${objectPath('prod/acme/inputs/old.jsonl')}`, { headers: { authorization: `Bearer ${minted.body.accessToken}` } });
  assert.is(asAccount.status, 200, 'the minted token reads what the account may read');
  // The grant is on acme's own policy: it does not reach another account.
  assert.is((await as('user:uploader@example.com', 'iamcredentials', 'POST', `/v1/projects/-/serviceAccounts/${product}:generateAccessToken`, { scope: ['x'] })).status, 403);
  // Not even the operator (an owner) may mint tokens without the role.
  assert.is((await operator('iamcredentials', 'POST', `/v1/projects/-/serviceAccounts/${acme}:generateAccessToken`, { scope: ['x'] })).status, 403);
});

test('attaching a service account needs actAs on it: workflows, triggers, scheduler jobs and Batch jobs', async () => {
  const deployer = 'user:deployer@example.com';
  await grantProject([
    { role: 'roles/workflows.editor', members: [deployer] },
    { role: 'roles/cloudscheduler.admin', members: [deployer] },
    { role: 'roles/batch.jobsEditor', members: [deployer] },
    { role: 'roles/eventarc.admin', members: [deployer] },
  ]);
  const trigger = () =>
    as(deployer, 'eventarc', 'POST', `/v1/projects/${P}/locations/global/triggers?triggerId=batch-acme`, auditLogTrigger(P, 'acme-batch', `/projects/_/buckets/${BUCKET}/objects/prod/acme/inputs/*`));
  assert.is((await trigger()).status, 403, 'the trigger runs as product, which the deployer may not act as yet');
  const create = () => as(deployer, 'workflows', 'POST', `/v1/projects/${P}/locations/europe-west1/workflows?workflowId=acme-batch`, { sourceContents: SOURCE, serviceAccount: product });
  const refused = await create();
  assert.is(refused.status, 403);
  assert.is(refused.body.error.message, `Permission 'iam.serviceaccounts.actAs' denied on service account ${product} (or it may not exist).`);
  assert.equal(refused.body.error.details[0].metadata, { permission: 'iam.serviceAccounts.actAs', resource: `projects/-/serviceAccounts/${product}` });
  const job = {
    name: `projects/${P}/locations/europe-west1/jobs/tick`,
    schedule: '0 3 * * *',
    httpTarget: { uri: 'https://workflowexecutions.googleapis.com/v1/x', oauthToken: { serviceAccountEmail: product } },
  };
  assert.is((await as(deployer, 'cloudscheduler', 'POST', `/v1/projects/${P}/locations/europe-west1/jobs`, job)).status, 403);
  const batchJob = { taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'x' } }] } }], allocationPolicy: { serviceAccount: { email: product } } };
  const batch = await as(deployer, 'batch', 'POST', `/v1/projects/${P}/locations/europe-west1/jobs?jobId=j1`, batchJob);
  assert.is(batch.status, 403);
  assert.match(batch.body.error.message, 'actAs');

  await grant('iam', `/v1/projects/${P}/serviceAccounts/${product}:getIamPolicy`, `/v1/projects/${P}/serviceAccounts/${product}:setIamPolicy`, [
    { role: 'roles/iam.serviceAccountUser', members: [deployer] },
  ]);
  const accepted = await create();
  assert.is(accepted.status, 200, JSON.stringify(accepted.body));
  assert.is((await as(deployer, 'cloudscheduler', 'POST', `/v1/projects/${P}/locations/europe-west1/jobs`, job)).status, 200);
  const created = await trigger();
  assert.is(created.status, 200, JSON.stringify(created.body));
  // actAs on product does not extend to acme-corp.
  const other = await as(deployer, 'workflows', 'POST', `/v1/projects/${P}/locations/europe-west1/workflows?workflowId=acme-other`, { sourceContents: SOURCE, serviceAccount: acme });
  assert.is(other.status, 403);
});

test.run();
