import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDesiredResources, clientDocument, resolveEnvironment } from '../../src/resources/index.ts';
import { celLiteral } from '../../src/resources/conditions.ts';
import { ownershipMarker } from '../../src/names/ownership.ts';
import { resourceKey, type SchedulerJobResource, type TriggerResource } from '../../src/resources/types.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { product } from '../../workflows/product.ts';

const workflows = [
  { name: 'batch-inference', description: 'inference' },
  { name: 'batch-scheduled', description: 'scheduled' },
];
const acme: Client = { name: 'acme-corp', displayName: 'ACME', file: 'clients/acme-corp.json', environments: ['dev', 'prod'] };
const globex: Client = {
  name: 'globex-retail',
  displayName: 'Globex',
  file: 'clients/globex-retail.json',
  environments: ['dev'],
  schedule: { cron: '0 6 * * *', timeZone: 'Europe/Paris', argument: { args: ['--mode', 'daily'] } },
};

test("service account descriptions stay within IAM's 256 bytes and always end with the ownership marker", () => {
  const longest: Client = { ...acme, name: 'a-client-name-of-thirty-chars', displayName: 'Ü'.repeat(50) };
  const env = { ...resolveEnvironment(product, 'dev'), bucket: `${'b'.repeat(56)}-batch` };
  const account = clientDocument(product, env, longest).resources.find((r) => r.kind === 'ServiceAccount');
  assert.ok(account?.kind === 'ServiceAccount');
  assert.ok(Buffer.byteLength(account.description, 'utf8') <= 256, `${Buffer.byteLength(account.description, 'utf8')} bytes`);
  assert.ok(account.description.endsWith(ownershipMarker({ product: 'scoring', client: 'a-client-name-of-thirty-chars' })));
  assert.match(account.description, 'client a-client-name-of-thirty-chars');
  // A usual client keeps the descriptive text.
  const usual = clientDocument(product, resolveEnvironment(product, 'dev'), acme).resources.find((r) => r.kind === 'ServiceAccount');
  assert.ok(usual?.kind === 'ServiceAccount');
  assert.match(usual.description, 'Uploads inputs and reads outputs of ACME in gs://scoring-dev-4821-batch/scoring/acme-corp/.');
});

test('a client gets the seed runbook resources, with its access on its own managed folders, account and topic', () => {
  const doc = clientDocument(product, resolveEnvironment(product, 'dev'), { ...acme, uploaders: ['group:up@acme.example.com'], subscribers: ['user:ops@acme.example.com'] });
  // Nothing per client on the project policy (issue 9): the principal limit no longer caps the client count.
  assert.not.ok(doc.resources.some((r) => r.kind === 'IamBinding'));
  const self = 'serviceAccount:acme-corp@scoring-dev-4821.iam.gserviceaccount.com';
  const worker = 'serviceAccount:scoring-worker@scoring-dev-4821.iam.gserviceaccount.com';
  const orchestrator = 'serviceAccount:scoring@scoring-dev-4821.iam.gserviceaccount.com';
  const bucket = 'scoring-dev-4821-batch';
  assert.equal(
    doc.resources.filter((r) => r.kind === 'ManagedFolder').map((r) => r.kind === 'ManagedFolder' && `gs://${r.bucket}/${r.folder}`),
    [`gs://${bucket}/scoring/acme-corp/`, `gs://${bucket}/scoring/acme-corp/inputs/`, `gs://${bucket}/scoring/acme-corp/outputs/`],
  );
  const policies = Object.fromEntries(doc.resources.flatMap((r) => (r.kind === 'ResourcePolicy' ? [[r.name, r.bindings]] : [])));
  assert.equal(policies, {
    // Read and list the whole folder (the client and the worker); upload only under inputs/; the worker writes outputs/.
    [`gs://${bucket}/scoring/acme-corp/`]: { 'roles/storage.objectViewer': [self, worker] },
    [`gs://${bucket}/scoring/acme-corp/inputs/`]: { 'roles/storage.objectCreator': [self] },
    [`gs://${bucket}/scoring/acme-corp/outputs/`]: { 'roles/storage.objectUser': [worker] },
    // Keyless: uploaders may mint tokens for the client's account, on that account's own policy only.
    'projects/scoring-dev-4821/serviceAccounts/acme-corp@scoring-dev-4821.iam.gserviceaccount.com': { 'roles/iam.serviceAccountTokenCreator': ['group:up@acme.example.com'] },
    // Publishing on this topic only; subscribers may attach subscriptions to it.
    'projects/scoring-dev-4821/topics/batch-scoring-acme-corp-outputs': {
      'roles/pubsub.publisher': [orchestrator],
      'roles/pubsub.subscriber': ['user:ops@acme.example.com'],
      'roles/pubsub.viewer': [orchestrator],
    },
  });
  // Without uploaders there is no grant on the account's policy at all.
  const plain = clientDocument(product, resolveEnvironment(product, 'dev'), acme);
  assert.not.ok(plain.resources.some((r) => r.kind === 'ResourcePolicy' && r.target === 'serviceAccount'));
  const trigger = doc.resources.find((r): r is TriggerResource => r.kind === 'Trigger')!;
  assert.is(trigger.name, 'projects/scoring-dev-4821/locations/global/triggers/batch-scoring-acme-corp');
  assert.is(trigger.destinationWorkflow, 'projects/scoring-dev-4821/locations/europe-west1/workflows/scoring-batch-inference');
  assert.is(trigger.serviceAccount, 'scoring@scoring-dev-4821.iam.gserviceaccount.com');
  assert.equal(
    trigger.eventFilters.find((f) => f.attribute === 'resourceName'),
    {
      attribute: 'resourceName',
      value: `/projects/_/buckets/${bucket}/objects/scoring/acme-corp/inputs/**`,
      operator: 'match-path-pattern',
    },
  );
  assert.equal(trigger.labels, { 'managed-by': 'batch-workflows', product: 'scoring', client: 'acme-corp' });
});

test('a scheduled client gets a Cloud Scheduler job that starts batch-scheduled with its argument', () => {
  const doc = clientDocument(product, resolveEnvironment(product, 'dev'), globex);
  const job = doc.resources.find((r): r is SchedulerJobResource => r.kind === 'SchedulerJob')!;
  assert.is(job.name, 'projects/scoring-dev-4821/locations/europe-west1/jobs/batch-scoring-globex-retail');
  assert.is(job.schedule, '0 6 * * *');
  assert.is(job.timeZone, 'Europe/Paris');
  assert.is(job.httpTarget.uri, 'https://workflowexecutions.googleapis.com/v1/projects/scoring-dev-4821/locations/europe-west1/workflows/scoring-batch-scheduled/executions');
  const body = JSON.parse(job.httpTarget.body) as { argument: string };
  assert.equal(JSON.parse(body.argument), { client: 'globex-retail', args: ['--mode', 'daily'] });
  assert.is(job.httpTarget.oauthToken.serviceAccountEmail, 'scoring@scoring-dev-4821.iam.gserviceaccount.com');
  assert.ok(job.description.endsWith(ownershipMarker({ product: 'scoring', client: 'globex-retail' })));
});

test('clients appear only in their environments; the product document is always there', () => {
  const staging = buildDesiredResources(product, [acme, globex], 'staging', workflows);
  assert.equal(
    staging.map((d) => d.client ?? 'product'),
    ['product'],
  );
  const dev = buildDesiredResources(product, [globex, acme], 'dev', workflows);
  assert.equal(
    dev.map((d) => d.client ?? 'product'),
    ['product', 'acme-corp', 'globex-retail'],
  );
});

test('workflow deployments differ between environments only in userEnvVars and names', () => {
  const [devProduct] = buildDesiredResources(product, [], 'dev', workflows);
  const [prodProduct] = buildDesiredResources(product, [], 'prod', workflows);
  const devWf = devProduct!.resources.find((r) => r.kind === 'Workflow');
  const prodWf = prodProduct!.resources.find((r) => r.kind === 'Workflow');
  assert.ok(devWf?.kind === 'Workflow' && prodWf?.kind === 'Workflow');
  assert.is(devWf.sourceFile, prodWf.sourceFile);
  assert.equal(devWf.userEnvVars, {
    BATCH_BUCKET: 'scoring-dev-4821-batch',
    BATCH_IMAGE: product.batch.image,
    // Batch jobs run as the worker, not as the orchestrator that runs the workflow.
    BATCH_SERVICE_ACCOUNT: 'scoring-worker@scoring-dev-4821.iam.gserviceaccount.com',
    BATCH_MLFLOW_TRACKING_URI: product.tracking?.mlflowUri,
  });
  assert.ok(product.tracking?.mlflowUri, 'the example product names a tracking server');
  assert.is(prodWf.userEnvVars.BATCH_IMAGE, product.environments.prod.image);
});

test('two product identities: each with its own project roles; the orchestrator acts as the worker only, on its policy; settings on their own folder', () => {
  const [doc] = buildDesiredResources(product, [], 'dev', workflows);
  const resources = doc!.resources;
  assert.equal(
    resources.filter((r) => r.kind === 'ServiceAccount').map((r) => r.kind === 'ServiceAccount' && r.accountId),
    ['scoring', 'scoring-worker'],
  );
  const roles = (member: string) => resources.flatMap((r) => (r.kind === 'IamBinding' && r.member === member ? [r.role + (r.condition ? ' (conditional)' : '')] : []));
  assert.equal(roles('serviceAccount:scoring@scoring-dev-4821.iam.gserviceaccount.com'), [...product.serviceAccountRoles].sort());
  assert.equal(roles('serviceAccount:scoring-worker@scoring-dev-4821.iam.gserviceaccount.com'), [...product.workerServiceAccountRoles].sort());
  const all = resources.flatMap((r) => (r.kind === 'IamBinding' ? [r.role] : []));
  for (const wide of ['roles/iam.serviceAccountUser', 'roles/pubsub.publisher', 'roles/pubsub.viewer', 'roles/storage.objectUser', 'roles/storage.objectViewer'])
    assert.not.ok(all.includes(wide), wide);
  const policies = Object.fromEntries(resources.flatMap((r) => (r.kind === 'ResourcePolicy' ? [[r.name, r.bindings]] : [])));
  assert.equal(policies, {
    'gs://scoring-dev-4821-batch/scoring/_settings/': { 'roles/storage.objectViewer': ['serviceAccount:scoring@scoring-dev-4821.iam.gserviceaccount.com'] },
    'projects/scoring-dev-4821/serviceAccounts/scoring-worker@scoring-dev-4821.iam.gserviceaccount.com': {
      'roles/iam.serviceAccountUser': ['serviceAccount:scoring@scoring-dev-4821.iam.gserviceaccount.com'],
    },
  });
  const workflow = resources.find((r) => r.kind === 'Workflow');
  assert.ok(workflow?.kind === 'Workflow' && workflow.serviceAccount === 'projects/scoring-dev-4821/serviceAccounts/scoring@scoring-dev-4821.iam.gserviceaccount.com');
});

test('resource keys are unique within an environment', () => {
  const docs = buildDesiredResources(product, [acme, globex], 'dev', workflows);
  const keys = docs.flatMap((d) => d.resources.map(resourceKey));
  assert.is(new Set(keys).size, keys.length);
});

test('IAM condition literals refuse anything that could change the expression', () => {
  assert.is(celLiteral('projects/_/buckets/b/objects/p/c/'), '"projects/_/buckets/b/objects/p/c/"');
  assert.throws(() => celLiteral('x") || true || ("'), /unvalidated value/);
  assert.throws(() => celLiteral("x' "), /unvalidated value/);
});

test('client names are checked against the longest Batch job id the workflows make', async () => {
  const { derivedClientIds, violates } = await import('../../src/names/naming.ts');
  const longest = derivedClientIds('p'.repeat(25), 'c'.repeat(20)).find((d) => d.rule.what.startsWith('Batch job id'))!;
  assert.ok(violates(longest.id, longest.rule), '25 + 20 + 19 characters is over 63');
});
test.run();
