/**
 * Plan and apply against the local sandbox with 50 ms added to every request (a round trip to Google
 * from a CI runner), through the real SDK clients. `npm run bench` calls runBenchmark().
 *
 * - no-change plan for 10, 100 and 1,000 clients: requests the sandbox served, and wall time;
 * - beside each, the baseline: every resource read with its own get, 10 at a time (Terraform's
 *   refresh with its default parallelism), against the same sandbox;
 * - first apply of 100 clients.
 *
 * Seeding: every resource is created through apply (with no latency, to keep the run short), the
 * project policy written straight into the sandbox's state (it holds only the product's grants since
 * issue 9). The plan then reads what a project with that many clients would hold; that read is what
 * is measured. Since issue 9 the read includes one getIamPolicy per managed folder (three per client
 * and the settings folder), per client topic and per service account: resources with their own
 * policy have no list call that returns it. They run 16 at a time (src/apply/read-live.ts).
 */
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { createCloudApis } from '../../src/gcp/index.ts';
import { execute, makePlan, planAndApply } from '../../src/apply/index.ts';
import { isPolicyChange } from '../../src/plan/iam.ts';
import { hasChanges } from '../../src/plan/summary.ts';
import { mapBounded } from '../../src/apply/retry.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { DEV, client, productDocuments, scheduled } from '../plan/fake-cloud.ts';
import { product } from '../../workflows/product.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { secretLabels } from '../../src/names/naming.ts';

const LATENCY_MS = 50;

/**
 * The example product with dev's service-account quota raised for 1,000 clients (each client is one
 * account, beside the product's two): a project at that scale has asked Google for more than the
 * default 100 (https://cloud.google.com/iam/quotas), and plan refuses an apply that would exceed it.
 */
const benchProduct = { ...product, environments: { ...product.environments, dev: { ...product.environments.dev!, quotas: { serviceAccounts: 1_100 } } } };
const documentsFor = (clients: readonly Client[]) => productDocuments(benchProduct, clients);
const noWait = { sleep: async () => {}, random: Math.random };

/** Every 4th client scheduled; with `notifyEvery` N, every Nth client has its own Slack secret. */
function clientsOf(n: number, notifyEvery = 0) {
  return Array.from({ length: n }, (_, i) => {
    const name = `client-${String(i).padStart(4, '0')}`;
    const base = i % 4 === 0 ? scheduled(name) : client(name);
    return notifyEvery > 0 && i % notifyEvery === 0 ? { ...base, notify: [{ type: 'slack' as const, secret: `${name}-slack`, on: 'failure' as const }] } : base;
  });
}

/** The secrets the clients name exist (a precondition), holding a stand-in URL, labelled for their client. */
function seedSecrets(sandbox: Sandbox, documents: readonly ResourceDocument[]): void {
  for (const r of documents.flatMap((d) => d.resources)) {
    if (r.kind !== 'RunSettings') continue;
    for (const t of r.settings.notify) {
      sandbox.state.addSecretVersion(DEV.project, t.secret.split('/').pop()!, 'https://hooks.slack.com/services/bench');
      sandbox.state.put('secrets', t.secret, { ...sandbox.state.get('secrets', t.secret)!, labels: secretLabels(r.owner.product, r.owner.client ?? '') });
    }
  }
}

async function openSandbox(): Promise<{ sandbox: Sandbox; apis: ReturnType<typeof createCloudApis> }> {
  const sandbox = await startSandbox({});
  sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
  const apis = createCloudApis(
    { kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind },
    { projectId: DEV.project, serviceAccountVisibility: { initialDelayMs: 5, maxDelayMs: 50, timeoutMs: 30_000 }, operationPolling: { initialDelayMs: 5, maxDelayMs: 50, timeoutMs: 60_000 } },
  );
  return { sandbox, apis };
}

/** Everything but the policy through apply; the policy into state directly (see the file comment). */
async function seed(sandbox: Sandbox, apis: ReturnType<typeof createCloudApis>, documents: readonly ResourceDocument[]): Promise<void> {
  const plan = await makePlan(apis, documents, { clock: noWait });
  const withoutPolicy = { ...plan, errors: [], changes: plan.changes.filter((c) => !isPolicyChange(c)) };
  const result = await execute(withoutPolicy, apis, { clock: noWait, concurrency: 32 });
  if (!result.ok) throw new Error(`benchmark seeding failed: ${JSON.stringify(result.outcomes.find((o) => o.status !== 'done'))}`);
  const bindings = documents.flatMap((d) =>
    d.resources.flatMap((r) => (r.kind === 'IamBinding' ? [{ role: r.role, members: [r.member], ...(r.condition ? { condition: { ...r.condition } } : {}) }] : [])),
  );
  sandbox.state.put('policies', DEV.project, {
    version: 3,
    etag: 'BwBENCH=',
    bindings,
    auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }] }],
  });
}

/** Terraform-style refresh: one GET per resource, 10 in flight, plus the policy and the bucket. */
async function refreshBaseline(sandbox: Sandbox, documents: readonly ResourceDocument[]): Promise<void> {
  const e = sandbox.endpoints;
  const urls: { url: string; method: 'GET' | 'POST' }[] = [
    { url: `${e.cloudresourcemanager}/v3/projects/${DEV.project}:getIamPolicy`, method: 'POST' },
    { url: `${e.storage}/storage/v1/b/${DEV.bucket}`, method: 'GET' },
  ];
  for (const r of documents.flatMap((d) => d.resources)) {
    if (r.kind === 'ServiceAccount') urls.push({ url: `${e.iam}/v1/${r.name}`, method: 'GET' });
    if (r.kind === 'Topic') urls.push({ url: `${e.pubsub}/v1/${r.name}`, method: 'GET' });
    if (r.kind === 'Workflow') urls.push({ url: `${e.workflows}/v1/${r.name}`, method: 'GET' });
    if (r.kind === 'Trigger') urls.push({ url: `${e.eventarc}/v1/${r.name}`, method: 'GET' });
    if (r.kind === 'SchedulerJob') urls.push({ url: `${e.cloudscheduler}/v1/${r.name}`, method: 'GET' });
    if (r.kind === 'RunSettings') urls.push({ url: `${e.storage}/storage/v1/b/${r.bucket}/o/${encodeURIComponent(r.object)}`, method: 'GET' });
    if (r.kind === 'SecretAccess') urls.push({ url: `${e.secretmanager}/v1/${r.secret}:getIamPolicy`, method: 'GET' });
    if (r.kind === 'ManagedFolder') urls.push({ url: `${e.storage}/storage/v1/b/${r.bucket}/managedFolders/${encodeURIComponent(r.folder)}`, method: 'GET' });
    if (r.kind === 'ResourcePolicy') {
      const folder = /^gs:\/\/([^/]+)\/(.+)$/.exec(r.name);
      if (folder) urls.push({ url: `${e.storage}/storage/v1/b/${folder[1]}/managedFolders/${encodeURIComponent(folder[2]!)}/iam`, method: 'GET' });
      else urls.push({ url: `${r.target === 'topic' ? e.pubsub : e.iam}/v1/${r.name}:getIamPolicy`, method: r.target === 'topic' ? 'GET' : 'POST' });
    }
  }
  await mapBounded(urls, 10, async ({ url, method }) => {
    const response = await fetch(url, { method, ...(method === 'POST' ? { body: '{"options":{"requestedPolicyVersion":3}}', headers: { 'content-type': 'application/json' } } : {}) });
    if (!response.ok) throw new Error(`baseline ${method} ${url}: HTTP ${response.status}`);
    await response.arrayBuffer();
  });
}

export interface PlanBenchRow extends Record<string, unknown> {
  readonly scenario: string;
  readonly clients: number;
  readonly 'API calls': number;
  readonly 'of which policy reads': number | string;
  readonly 'wall ms': number;
  readonly 'get-per-resource calls': number | string;
  readonly 'get-per-resource ms': number | string;
}

export async function benchNoChangePlan(clients: number, notifyEvery = 0): Promise<PlanBenchRow> {
  const { sandbox, apis } = await openSandbox();
  try {
    const documents = documentsFor(clientsOf(clients, notifyEvery));
    seedSecrets(sandbox, documents);
    await seed(sandbox, apis, documents);
    sandbox.knobs.latencyMs = LATENCY_MS;
    sandbox.stats.reset();
    let started = performance.now();
    const plan = await makePlan(apis, documents);
    const planMs = performance.now() - started;
    const planCalls = sandbox.stats.total();
    if (hasChanges(plan) || plan.errors.length > 0) throw new Error(`benchmark: the plan of ${clients} clients is not empty: ${JSON.stringify(plan.summary)} ${JSON.stringify(plan.errors)}`);
    const byMethod = sandbox.stats.byMethod();
    sandbox.stats.reset();
    started = performance.now();
    await refreshBaseline(sandbox, documents);
    const baselineMs = performance.now() - started;
    const secrets = documents.flatMap((d) => d.resources).filter((r) => r.kind === 'SecretAccess').length;
    const methods = Object.entries(byMethod)
      .map(([m, n]) => `${m.replace(/^[a-z]+\./, '')} ${n}`)
      .join(', ');
    console.log(`no-change plan of ${clients} clients${secrets > 0 ? ` naming ${secrets} secrets` : ''}: ${planCalls} API calls (${methods})`);
    const policyReads = Object.entries(byMethod)
      .filter(([m]) => /getIamPolicy$/.test(m))
      .reduce((n, [, c]) => n + c, 0);
    return {
      scenario: secrets > 0 ? `no-change plan, ${secrets} notification secrets` : 'no-change plan',
      clients,
      'API calls': planCalls,
      'of which policy reads': policyReads,
      'wall ms': Math.round(planMs),
      'get-per-resource calls': sandbox.stats.total(),
      'get-per-resource ms': Math.round(baselineMs),
    };
  } finally {
    await apis.close();
    await sandbox.stop();
  }
}

export async function benchFirstApply(clients: number): Promise<PlanBenchRow> {
  const { sandbox, apis } = await openSandbox();
  try {
    sandbox.knobs.latencyMs = LATENCY_MS;
    const documents = documentsFor(clientsOf(clients));
    const started = performance.now();
    const outcome = await planAndApply({ documents, apis });
    const ms = performance.now() - started;
    if (outcome.status !== 'applied' || !outcome.result.ok) throw new Error(`benchmark: first apply of ${clients} clients did not succeed`);
    return {
      scenario: 'first apply (plan + apply)',
      clients,
      'API calls': sandbox.stats.total(),
      'of which policy reads': '-',
      'wall ms': Math.round(ms),
      'get-per-resource calls': '-',
      'get-per-resource ms': '-',
    };
  } finally {
    await apis.close();
    await sandbox.stop();
  }
}

export async function runBenchmark(): Promise<PlanBenchRow[]> {
  const rows: PlanBenchRow[] = [];
  for (const n of [10, 100, 1000]) rows.push(await benchNoChangePlan(n));
  // Each secret's policy is one read (resource-level grants have no list call): the cost grows with secrets, not clients.
  rows.push(await benchNoChangePlan(1000, 100));
  rows.push(await benchFirstApply(100));
  return rows;
}
