/**
 * An in-memory CloudApis for pure tests of plan and apply: it stores what it is sent, decides
 * ownership from marks the way the real adapters do (src/names/ownership.ts), keeps an etag'd project
 * policy that refuses stale writes, and lets a test inject failures, lost responses and concurrent
 * policy edits. Every call is logged, so a test can assert order and count.
 */
import { CloudError, type CloudApis, type CloudErrorCode } from '../../src/gcp/types.ts';
import type { IamPolicy, Live, LiveObject } from '../../src/resources/live.ts';
import { NO_OWNER, ownerFromDescription, ownerFromLabels } from '../../src/names/ownership.ts';
import { md5Base64, runSettingsContent, runSettingsMetadata } from '../../src/resources/run-settings.ts';
import type { Resource, RunSettingsResource, ResourceDocument, SchedulerJobResource, ServiceAccountResource, TopicResource, TriggerResource, WorkflowResource } from '../../src/resources/types.ts';
import { buildDesiredResources, type WorkflowInfo } from '../../src/resources/index.ts';
import { secretLabels } from '../../src/names/naming.ts';
import type { LiveManagedFolder, LiveResourcePolicy } from '../../src/plan/resource-policies.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { product } from '../../workflows/product.ts';
import type { ProductDefinition } from '../../src/config/product.ts';

export { seededRandom } from '../support/random.ts';

export interface Call {
  readonly api: string;
  readonly method: string;
  readonly target: string;
}

/** Decides, per call, whether it fails; `after: true` makes the call take effect and then fail (a lost response). */
export type FailureRule = (call: Call) => { code: CloudErrorCode; after?: boolean } | undefined;

type Kind = 'ServiceAccount' | 'Topic' | 'Workflow' | 'Trigger' | 'SchedulerJob';

/** A Cloud Storage object as the fake keeps it: content, custom metadata, MD5 and generation. */
export interface FakeObject {
  readonly content: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly md5Hash: string;
  readonly generation: number;
}

export class FakeCloud {
  readonly stores = {
    ServiceAccount: new Map<string, ServiceAccountResource>(),
    Topic: new Map<string, TopicResource>(),
    Workflow: new Map<string, WorkflowResource>(),
    Trigger: new Map<string, TriggerResource>(),
    SchedulerJob: new Map<string, SchedulerJobResource>(),
  };
  policy: IamPolicy = { version: 1, etag: 'e0', bindings: [] };
  private etagCounter = 0;
  readonly buckets = new Set<string>();
  /** Objects by `bucket/name`. */
  readonly objects = new Map<string, FakeObject>();
  private generation = 0;
  /** Secret Manager secrets that exist, with their own IAM policies. */
  readonly secrets = new Map<string, IamPolicy>();
  /** Labels of secrets, by name. */
  readonly secretLabels = new Map<string, Record<string, string>>();
  /** Buckets without uniform bucket-level access. */
  readonly fineGrainedBuckets = new Set<string>();
  /** Managed folders by `gs://bucket/folder/`, with their policies. */
  readonly folders = new Map<string, IamPolicy>();
  /** Own policies of topics and service accounts, by resource name (absent: empty). */
  readonly resourcePolicies = new Map<string, IamPolicy>();
  /** Runs once, right before the next secret setIamPolicy is checked: a concurrent writer of that secret. */
  beforeNextSecretSetPolicy?: (secret: string, policy: IamPolicy) => IamPolicy;
  readonly calls: Call[] = [];
  failure: FailureRule = () => undefined;
  /** Runs once, right before the next setPolicy is checked: a concurrent writer. */
  beforeNextSetPolicy?: (policy: IamPolicy) => IamPolicy;
  inFlight = 0;
  maxInFlight = 0;
  /**
   * How long each mutating call takes, in turns of the event loop (no real timers): calls started
   * together are in flight together, so a test can see the concurrency bound.
   */
  delayMs = 0;

  private async enter<T>(api: string, method: string, target: string, body: () => T): Promise<T> {
    const call = { api, method, target };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) for (let turn = 0; turn < this.delayMs; turn++) await new Promise((r) => setImmediate(r));
      else await Promise.resolve();
      const rule = this.failure(call);
      if (rule && !rule.after) throw new CloudError(rule.code, `injected ${rule.code} on ${method} ${target}`);
      const result = body();
      if (rule?.after) throw new CloudError(rule.code, `injected ${rule.code} after ${method} ${target}`);
      return result;
    } finally {
      this.inFlight--;
    }
  }

  private nextEtag(): string {
    return `e${++this.etagCounter}`;
  }

  setPolicyDirectly(policy: Omit<IamPolicy, 'etag' | 'version'> & { version?: number }): void {
    this.policy = { version: policy.version ?? 3, etag: this.nextEtag(), bindings: policy.bindings, ...(policy.auditConfigs ? { auditConfigs: policy.auditConfigs } : {}) };
  }

  /** Puts a resource in place as if someone made it by hand (no marks added or checked). */
  put(resource: Resource): void {
    if (resource.kind === 'IamBinding' || resource.kind === 'AuditConfig') throw new Error('use setPolicyDirectly');
    if (resource.kind === 'SecretAccess') throw new Error('use addSecret');
    if (resource.kind === 'RunSettings') throw new Error('use putObject');
    if (resource.kind === 'ManagedFolder' || resource.kind === 'ResourcePolicy' || resource.kind === 'ResourceGrant') throw new Error('use folders / resourcePolicies');
    (this.stores[resource.kind] as Map<string, Resource>).set(resource.name, resource);
  }

  /** Stores an object as someone would with gsutil (any content, any metadata). */
  putObject(bucket: string, name: string, content: string, metadata: Record<string, string> = {}): void {
    this.objects.set(`${bucket}/${name}`, { content, metadata: { ...metadata }, md5Hash: md5Base64(content), generation: ++this.generation });
  }

  object(bucket: string, name: string): FakeObject | undefined {
    return this.objects.get(`${bucket}/${name}`);
  }

  /** Creates a secret (as `gcloud secrets create` would), with an optional starting policy. */
  addSecret(secret: string, bindings: IamPolicy['bindings'] = [], labels?: Record<string, string>): void {
    this.secrets.set(secret, { version: 1, etag: this.nextEtag(), bindings: structuredClone(bindings) as IamPolicy['bindings'] });
    if (labels) this.secretLabels.set(secret, { ...labels });
  }

  /** The policy of a managed folder, topic or service account (for assertions). */
  policyOf(name: string): IamPolicy | undefined {
    if (name.startsWith('gs://')) return this.folders.get(name);
    const exists = this.stores.Topic.has(name) || this.stores.ServiceAccount.has(name);
    return exists ? (this.resourcePolicies.get(name) ?? { version: 1, etag: 'r0', bindings: [] }) : undefined;
  }

  private owner(resource: Resource) {
    switch (resource.kind) {
      case 'ServiceAccount':
      case 'SchedulerJob':
        return ownerFromDescription(resource.description);
      case 'Topic':
      case 'Workflow':
      case 'Trigger':
        return ownerFromLabels(resource.labels);
      default:
        return undefined;
    }
  }

  private list<R extends Resource>(kind: Kind, prefix: string): Live<R>[] {
    return [...(this.stores[kind] as Map<string, R>).values()]
      .filter((r) => 'name' in r && r.name.startsWith(prefix))
      .map((r) => {
        const owner = this.owner(r);
        return { owned: owner !== undefined, resource: { ...r, owner: owner ?? NO_OWNER } };
      });
  }

  private crud<R extends Resource & { name: string }>(api: string, kind: Kind) {
    const store = this.stores[kind] as unknown as Map<string, R>;
    return {
      create: (desired: R) =>
        this.enter(api, 'create', desired.name, () => {
          if (store.has(desired.name)) throw new CloudError('ALREADY_EXISTS', `${desired.name} already exists`, 409);
          store.set(desired.name, desired);
        }),
      update: (desired: R) =>
        this.enter(api, 'update', desired.name, () => {
          if (!store.has(desired.name)) throw new CloudError('NOT_FOUND', `${desired.name} not found`, 404);
          store.set(desired.name, desired);
        }),
      delete: (name: string) =>
        this.enter(api, 'delete', name, () => {
          if (!store.delete(name)) throw new CloudError('NOT_FOUND', `${name} not found`, 404);
          this.resourcePolicies.delete(name);
        }),
    };
  }

  readonly apis: CloudApis = {
    serviceAccounts: {
      ...this.crud<ServiceAccountResource>('iam', 'ServiceAccount'),
      list: (project) => this.enter('iam', 'list', project, () => this.list<ServiceAccountResource>('ServiceAccount', `projects/${project}/`)),
    },
    topics: {
      ...this.crud<TopicResource>('pubsub', 'Topic'),
      list: (project) => this.enter('pubsub', 'list', project, () => this.list<TopicResource>('Topic', `projects/${project}/`)),
    },
    workflows: {
      ...this.crud<WorkflowResource>('workflows', 'Workflow'),
      list: (project, location) => this.enter('workflows', 'list', `${project}/${location}`, () => this.list<WorkflowResource>('Workflow', `projects/${project}/locations/${location}/`)),
    },
    triggers: {
      ...this.crud<TriggerResource>('eventarc', 'Trigger'),
      list: (project, location) => this.enter('eventarc', 'list', `${project}/${location}`, () => this.list<TriggerResource>('Trigger', `projects/${project}/locations/${location}/`)),
    },
    schedulerJobs: {
      ...this.crud<SchedulerJobResource>('scheduler', 'SchedulerJob'),
      // As Google: state is output only, a new job is ENABLED, a patch keeps it; pause/resume set it.
      create: (desired) => this.crud<SchedulerJobResource>('scheduler', 'SchedulerJob').create({ ...desired, state: 'ENABLED' }),
      update: (desired) => {
        const current = this.stores.SchedulerJob.get(desired.name) as SchedulerJobResource | undefined;
        return this.crud<SchedulerJobResource>('scheduler', 'SchedulerJob').update({ ...desired, state: current?.state ?? 'ENABLED' });
      },
      setState: (name, state) =>
        this.enter('scheduler', state === 'PAUSED' ? 'pause' : 'resume', name, () => {
          const current = this.stores.SchedulerJob.get(name) as SchedulerJobResource | undefined;
          if (!current) throw new CloudError('NOT_FOUND', `${name} not found`, 404);
          this.stores.SchedulerJob.set(name, { ...current, state });
        }),
      list: (project, location) => this.enter('scheduler', 'list', `${project}/${location}`, () => this.list<SchedulerJobResource>('SchedulerJob', `projects/${project}/locations/${location}/`)),
    },
    projectIam: {
      getPolicy: (project) => this.enter('cloudresourcemanager', 'getIamPolicy', project, () => structuredClone(this.policy)),
      setPolicy: (project, policy) =>
        this.enter('cloudresourcemanager', 'setIamPolicy', project, () => {
          const hook = this.beforeNextSetPolicy;
          if (hook) {
            this.beforeNextSetPolicy = undefined;
            this.policy = { ...hook(this.policy), etag: this.nextEtag() };
          }
          if (policy.etag !== this.policy.etag) throw new CloudError('ABORTED', 'There were concurrent policy changes.', 409);
          const principals = policy.bindings.reduce((n, b) => n + b.members.length, 0);
          if (principals > 1500) throw new CloudError('FAILED_PRECONDITION', 'The number of members in the policy (...) is larger than the maximum allowed size 1500.', 400);
          this.policy = { ...structuredClone(policy), etag: this.nextEtag() };
          return structuredClone(this.policy);
        }),
    },
    storage: {
      bucketExists: (bucket) => this.enter('storage', 'bucketExists', bucket, () => this.buckets.has(bucket)),
      bucketAccess: (bucket) =>
        this.enter('storage', 'bucketExists', bucket, () => ({ exists: this.buckets.has(bucket), uniformBucketLevelAccess: this.buckets.has(bucket) && !this.fineGrainedBuckets.has(bucket) })),
    },
    managedFolders: {
      list: (bucket, prefix) =>
        this.enter('storage', 'list', `gs://${bucket}/${prefix} managed folders`, () => {
          if (!this.buckets.has(bucket)) throw new CloudError('NOT_FOUND', `bucket ${bucket} not found`, 404);
          return [...this.folders.keys()]
            .filter((k) => k.startsWith(`gs://${bucket}/${prefix}`))
            .map((k) => k.slice(`gs://${bucket}/`.length))
            .sort();
        }),
      create: (bucket, folder) =>
        this.enter('storage', 'createManagedFolder', `gs://${bucket}/${folder}`, () => {
          if (this.fineGrainedBuckets.has(bucket)) throw new CloudError('FAILED_PRECONDITION', 'managed folders need uniform bucket-level access', 412);
          if (this.folders.has(`gs://${bucket}/${folder}`)) throw new CloudError('ALREADY_EXISTS', 'The managed folder you tried to create already exists.', 409);
          this.folders.set(`gs://${bucket}/${folder}`, { version: 1, etag: this.nextEtag(), bindings: [] });
        }),
      delete: (bucket, folder) =>
        this.enter('storage', 'deleteManagedFolder', `gs://${bucket}/${folder}`, () => {
          if (!this.folders.delete(`gs://${bucket}/${folder}`)) throw new CloudError('NOT_FOUND', 'The managed folder does not exist.', 404);
        }),
    },
    resourceIam: {
      getPolicy: (_target, name) => this.enter('resourceIam', 'getIamPolicy', name, () => structuredClone(this.policyOf(name))),
      setPolicy: (_target, name, policy) =>
        this.enter('resourceIam', 'setIamPolicy', name, () => {
          const current = this.policyOf(name);
          if (!current) throw new CloudError('NOT_FOUND', `${name} not found`, 404);
          if (policy.etag !== current.etag) throw new CloudError('ABORTED', 'There were concurrent policy changes.', 409);
          const written = { ...structuredClone(policy), etag: this.nextEtag() } as IamPolicy;
          if (name.startsWith('gs://')) this.folders.set(name, written);
          else this.resourcePolicies.set(name, written);
          return structuredClone(written);
        }),
    },
    runSettings: {
      list: (bucket, prefix) =>
        this.enter('storage', 'list', `gs://${bucket}/${prefix}`, () => {
          if (!this.buckets.has(bucket)) throw new CloudError('NOT_FOUND', `bucket ${bucket} not found`, 404);
          const out: LiveObject[] = [];
          for (const [key, o] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : 1))) {
            if (!key.startsWith(`${bucket}/${prefix}`)) continue;
            out.push({ bucket, name: key.slice(bucket.length + 1), md5Hash: o.md5Hash, generation: String(o.generation), metadata: { ...o.metadata } });
          }
          return out;
        }),
      read: (bucket, name) => this.enter('storage', 'read', `gs://${bucket}/${name}`, () => this.objects.get(`${bucket}/${name}`)?.content),
      put: (desired: RunSettingsResource, options = {}) =>
        this.enter('storage', 'put', `gs://${desired.bucket}/${desired.object}`, () => {
          if (!this.buckets.has(desired.bucket)) throw new CloudError('NOT_FOUND', `bucket ${desired.bucket} not found`, 404);
          if (options.ifAbsent && this.objects.has(`${desired.bucket}/${desired.object}`)) {
            throw new CloudError('ALREADY_EXISTS', `gs://${desired.bucket}/${desired.object} already exists`, 409);
          }
          this.putObject(desired.bucket, desired.object, runSettingsContent(desired.settings), { ...(options.metadata ?? runSettingsMetadata(desired)) });
        }),
      delete: (bucket, name) =>
        this.enter('storage', 'delete', `gs://${bucket}/${name}`, () => {
          this.objects.delete(`${bucket}/${name}`);
        }),
    },
    secrets: {
      listLabelled: (project, labels) =>
        this.enter('secretmanager', 'list', project, () =>
          [...this.secrets.keys()]
            .filter((s) => s.startsWith(`projects/${project}/secrets/`) && Object.entries(labels).every(([k, v]) => this.secretLabels.get(s)?.[k] === v))
            .sort()
            .map((secret) => ({ secret, labels: { ...(this.secretLabels.get(secret) ?? {}) } })),
        ),
      getSecret: (secret) => this.enter('secretmanager', 'get', secret, () => (this.secrets.has(secret) ? { secret, labels: { ...(this.secretLabels.get(secret) ?? {}) } } : undefined)),
      getPolicy: (secret) => this.enter('secretmanager', 'getIamPolicy', secret, () => (this.secrets.has(secret) ? structuredClone(this.secrets.get(secret)!) : undefined)),
      setPolicy: (secret, policy) =>
        this.enter('secretmanager', 'setIamPolicy', secret, () => {
          let current = this.secrets.get(secret);
          if (!current) throw new CloudError('NOT_FOUND', `Secret [${secret}] not found.`, 404);
          const hook = this.beforeNextSecretSetPolicy;
          if (hook) {
            this.beforeNextSecretSetPolicy = undefined;
            current = { ...hook(secret, current), etag: this.nextEtag() };
            this.secrets.set(secret, current);
          }
          if (policy.etag !== current.etag) throw new CloudError('ABORTED', 'There were concurrent policy changes.', 409);
          const written = { ...structuredClone(policy), etag: this.nextEtag() } as IamPolicy;
          this.secrets.set(secret, written);
          return structuredClone(written);
        }),
    },
    close: async () => {},
  };

  mutatingCalls(): Call[] {
    return this.calls.filter((c) => c.method !== 'list' && c.method !== 'getIamPolicy' && c.method !== 'bucketExists' && c.method !== 'read' && c.method !== 'get');
  }
}

export const WORKFLOWS: readonly WorkflowInfo[] = [
  { name: 'batch-inference', description: 'Runs one batch job per uploaded input file.' },
  { name: 'batch-scheduled', description: 'Runs a batch job on a schedule.' },
];

export function client(name: string, extra: Partial<Client> = {}): Client {
  const base: Client = { name, displayName: `Client ${name}`, file: `clients/${name}.json`, environments: ['dev', 'staging', 'prod'], notify: [], tracking: { tags: {} } };
  return { ...base, ...extra } as Client;
}

export function scheduled(name: string, cron = '0 6 * * 1-5'): Client {
  return client(name, { schedule: { cron, timeZone: 'Europe/Paris' } });
}

/** generated/ for dev as the CLI loads it: documents with each workflow's source filled in. */
/** A stand-in workflow source, one per file: a workflow that returns 1. */
const STAND_IN_SOURCE = (name: string) => `# ${name}\nmain:\n  steps:\n    - done:\n        return: 1\n`;

export function documentsFor(clients: readonly Client[], source = STAND_IN_SOURCE): ResourceDocument[] {
  return productDocuments(product, clients, source);
}

/** The dev documents of any product for `clients` (a bare name is `client(name)`), each workflow's source `source(its file)`. */
export function productDocuments(definition: ProductDefinition, clients: readonly (string | Client)[], source: (file: string) => string = STAND_IN_SOURCE): ResourceDocument[] {
  return buildDesiredResources(
    definition,
    clients.map((c) => (typeof c === 'string' ? client(c) : c)),
    'dev',
    WORKFLOWS,
  ).map((doc) => ({
    ...doc,
    resources: doc.resources.map((r) => (r.kind === 'Workflow' ? { ...r, sourceContents: source(r.sourceFile) } : r)),
  }));
}

export const DEV = { project: 'scoring-dev-4821', region: 'europe-west1', bucket: 'scoring-dev-4821-batch' };

/**
 * acme-corp's documents with a conditional project grant written in by hand (batch-workflows has
 * made none since issue 9): roles/logging.viewer for the product's account under one of our titles.
 */
export function documentsWithConditionalGrant(): { readonly docs: ResourceDocument[]; readonly member: string; readonly title: string } {
  const base = documentsFor([client('acme-corp')]);
  const member = `serviceAccount:scoring@${DEV.project}.iam.gserviceaccount.com`;
  const title = 'batch-workflows:scoring:logs';
  const grant = {
    kind: 'IamBinding' as const,
    owner: { product: 'scoring' },
    project: DEV.project,
    role: 'roles/logging.viewer',
    member,
    condition: { title, description: '', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' },
  };
  return { docs: [{ ...base[0]!, resources: [...base[0]!.resources, grant] }, ...base.slice(1)], member, title };
}

/** A fake with the product bucket present, as a project set up by the runbook's first step. */
export function freshCloud(): FakeCloud {
  const cloud = new FakeCloud();
  cloud.buckets.add(DEV.bucket);
  return cloud;
}

/**
 * The run settings objects, secret policies (labelled for the client naming each secret), managed
 * folders and resource policies a project holding exactly `resources` reports (for pure diff tests).
 */
export function liveExtrasOf(resources: readonly Resource[]): {
  runSettings: LiveObject[];
  secretPolicies: { secret: string; policy: IamPolicy; labels?: Record<string, string> }[];
  managedFolders: LiveManagedFolder[];
  resourcePolicies: LiveResourcePolicy[];
} {
  const runSettings = resources.flatMap((r): LiveObject[] =>
    r.kind === 'RunSettings' ? [{ bucket: r.bucket, name: r.object, md5Hash: md5Base64(runSettingsContent(r.settings)), generation: '1', metadata: runSettingsMetadata(r) }] : [],
  );
  const members = new Map<string, string[]>();
  for (const r of resources) if (r.kind === 'SecretAccess') members.set(r.secret, [...(members.get(r.secret) ?? []), r.member]);
  const labels = new Map<string, Record<string, string>>();
  for (const r of resources) if (r.kind === 'RunSettings') for (const t of r.settings.notify) labels.set(t.secret, secretLabels(r.owner.product, r.owner.client ?? ''));
  const secretPolicies = [...members].map(([secret, m]) => ({
    secret,
    policy: { version: 1, etag: 'e', bindings: [{ role: 'roles/secretmanager.secretAccessor', members: m }] },
    ...(labels.has(secret) ? { labels: labels.get(secret)! } : {}),
  }));
  const asPolicy = (bindings: Readonly<Record<string, readonly string[]>>): IamPolicy => ({
    version: 1,
    etag: 'e',
    bindings: Object.entries(bindings).map(([role, m]) => ({ role, members: [...m] })),
  });
  const policies = new Map(resources.flatMap((r) => (r.kind === 'ResourcePolicy' ? [[r.name, r] as const] : [])));
  const managedFolders = resources.flatMap((r): LiveManagedFolder[] =>
    r.kind === 'ManagedFolder' ? [{ bucket: r.bucket, folder: r.folder, policy: asPolicy(policies.get(`gs://${r.bucket}/${r.folder}`)?.bindings ?? {}) }] : [],
  );
  const resourcePolicies = [...policies.values()].flatMap((p): LiveResourcePolicy[] => (p.target === 'managedFolder' ? [] : [{ target: p.target, name: p.name, policy: asPolicy(p.bindings) }]));
  return { runSettings, secretPolicies, managedFolders, resourcePolicies };
}
