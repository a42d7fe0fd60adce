/**
 * Reads what is live in one environment through the adapter seam: one list call per kind and
 * location (the adapters page through), one policy read, one bucket check, all at once. This is why a
 * no-change plan costs a handful of calls however many clients there are, where a get per resource
 * (Terraform's refresh) costs one call per resource.
 *
 * Run settings: one objects.list per 1,000 objects under the product's `_settings/` folder (MD5 and
 * metadata, no content); only owned objects whose MD5 differs from the desired content are downloaded,
 * to show the changed fields. Secret access: one policy read per secret, for the secrets generated/
 * names plus those the live settings objects still list (where a grant of ours may be left to revoke).
 */
import { WORKFLOW_ENV, runSettingsObject } from '../config/runtime-env.ts';
import { CloudError, type CloudApis } from '../gcp/types.ts';
import type { LiveObject } from '../resources/live.ts';
import { ownerFromLabels } from '../names/ownership.ts';
import { md5Base64, runSettingsContent, secretsFromMetadata } from '../resources/run-settings.ts';
import { SECRET_PRODUCT_LABEL, defaultBucket } from '../names/naming.ts';
import type { ResourceDocument } from '../resources/types.ts';
import type { LiveSecretPolicy, LiveSettingsObject, LiveState } from '../plan/types.ts';
import type { LiveManagedFolder, LiveResourcePolicy } from '../plan/resource-policies.ts';
import { mapBounded, realClock, settledAll, withRetry, type Clock, type RetryInfo, type RetryPolicy } from './retry.ts';

/** The kinds whose names carry a location (`projects/P/locations/L/...`), listed one location at a time. */
type LocatedKind = 'Workflow' | 'Trigger' | 'SchedulerJob';

export interface Scope {
  readonly project: string;
  readonly region: string;
  readonly bucket: string;
  /**
   * Where each located kind is listed: the environment's region (for triggers, `global`) and any
   * other location a name in generated/ carries.
   */
  readonly locations: Readonly<Record<LocatedKind, readonly string[]>>;
  readonly product: string;
  /** Where run settings objects live: the bucket and the product's `_settings/` folder (and any other generated/ names). */
  readonly settingsFolders: readonly { readonly bucket: string; readonly prefix: string }[];
  /** MD5 (base64) of each desired settings object's content, by `bucket/object`: which live ones to download for a diff. */
  readonly settingsMd5: ReadonlyMap<string, string>;
  /** Secrets the product service account must be able to read (`projects/P/secrets/S`). */
  readonly secrets: readonly string[];
  /** Topics and service accounts whose own policies generated/ sets. */
  readonly policyTargets: readonly { readonly target: 'topic' | 'serviceAccount'; readonly name: string }[];
}

/** Reads of changed settings objects' content in flight at once. */
const DOWNLOAD_CONCURRENCY = 8;
/**
 * Policy reads in flight at once (managed folders, topics, service accounts, secrets): one per
 * resource, so at 1,000 clients about 5,000 reads, 16 at a time (npm run bench reports them).
 */
const POLICY_CONCURRENCY = 16;

function locationOf(name: string): string | undefined {
  return /^projects\/[^/]+\/locations\/([^/]+)\//.exec(name)?.[1];
}

/** Where to look: the environment's region (and `global` for triggers) plus wherever generated/ points. */
export function scopeOf(documents: readonly ResourceDocument[]): Scope {
  const first = documents[0];
  if (!first) throw new Error('internal: no resource documents');
  const resources = documents.flatMap((d) => d.resources);
  const locationsOf = (kind: LocatedKind, defaults: string[]) => {
    const found = resources.flatMap((r) => (r.kind === kind && 'name' in r ? [locationOf(r.name)] : []));
    return [...new Set([...defaults, ...found.filter((l): l is string => l !== undefined)])].sort();
  };
  // The bucket is what the workflows are told to use, so plan checks the one they will really touch.
  const bucketVar = resources.flatMap((r) => (r.kind === 'Workflow' ? [r.userEnvVars[WORKFLOW_ENV.bucket]] : [])).find((b) => b);
  const bucket = bucketVar ?? defaultBucket(first.project);
  // The product's settings folder is read even when no client is left, so the last one's object is found for pruning.
  const folders = new Map<string, { bucket: string; prefix: string }>();
  const addFolder = (b: string, object: string) => {
    const prefix = object.slice(0, object.lastIndexOf('/') + 1);
    folders.set(`${b}/${prefix}`, { bucket: b, prefix });
  };
  addFolder(bucket, runSettingsObject(first.product, 'client'));
  const settingsMd5 = new Map<string, string>();
  for (const r of resources) {
    if (r.kind !== 'RunSettings') continue;
    addFolder(r.bucket, r.object);
    settingsMd5.set(`${r.bucket}/${r.object}`, md5Base64(runSettingsContent(r.settings)));
  }
  const secrets = [...new Set(resources.flatMap((r) => (r.kind === 'SecretAccess' ? [r.secret] : [])))].sort();
  const policyTargets = resources.flatMap((r) => (r.kind === 'ResourcePolicy' && r.target !== 'managedFolder' ? [{ target: r.target, name: r.name }] : []));
  return {
    project: first.project,
    region: first.region,
    bucket,
    locations: { Trigger: locationsOf('Trigger', ['global']), Workflow: locationsOf('Workflow', [first.region]), SchedulerJob: locationsOf('SchedulerJob', [first.region]) },
    product: first.product,
    settingsFolders: [...folders.values()].sort((a, b) => (`${a.bucket}/${a.prefix}` < `${b.bucket}/${b.prefix}` ? -1 : 1)),
    settingsMd5,
    secrets,
    policyTargets,
  };
}

export interface ReadOptions {
  readonly clock?: Clock;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (what: string, info: RetryInfo) => void;
}

export async function readLive(apis: CloudApis, scope: Scope, options: ReadOptions = {}): Promise<LiveState> {
  const clock = options.clock ?? realClock;
  const read = <T>(what: string, call: () => Promise<T>) =>
    withRetry(call, {
      clock,
      ...(options.retry ? { policy: options.retry } : {}),
      onRetry: (info) => options.onRetry?.(what, info),
    });
  const perLocation = async <T>(what: string, locations: readonly string[], list: (location: string) => Promise<T[]>) =>
    (await settledAll(locations.map((l) => read(`${what} in ${l}`, () => list(l))))).flat();
  const { project } = scope;
  // A missing bucket is reported as a precondition; its settings folder simply holds nothing.
  const listSettings = async (bucket: string, prefix: string): Promise<LiveObject[]> => {
    try {
      return await read(`objects in gs://${bucket}/${prefix}`, () => apis.runSettings.list(bucket, prefix));
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
  };
  const labelledBy = new Map<string, Readonly<Record<string, string>>>();
  const readPolicies = (secrets: readonly string[]) =>
    mapBounded(secrets, POLICY_CONCURRENCY, async (secret): Promise<LiveSecretPolicy> => {
      const policy = await read(`IAM policy of ${secret}`, () => apis.secrets.getPolicy(secret));
      const labels = labelledBy.get(secret);
      return { secret, ...(policy ? { policy } : {}), ...(labels ? { labels } : {}) };
    });
  const listFolders = async (): Promise<string[]> => {
    try {
      return await read(`managed folders in gs://${scope.bucket}/${scope.product}/`, () => apis.managedFolders.list(scope.bucket, `${scope.product}/`));
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return [];
      throw error;
    }
  };
  const [serviceAccounts, topics, workflows, triggers, schedulerJobs, policy, bucketAccess, settingsLists, labelled, folderNames] = await settledAll([
    read('service accounts', () => apis.serviceAccounts.list(project)),
    read('topics', () => apis.topics.list(project)),
    perLocation('workflows', scope.locations.Workflow, (l) => apis.workflows.list(project, l)),
    perLocation('triggers', scope.locations.Trigger, (l) => apis.triggers.list(project, l)),
    perLocation('scheduler jobs', scope.locations.SchedulerJob, (l) => apis.schedulerJobs.list(project, l)),
    read('project IAM policy', () => apis.projectIam.getPolicy(project)),
    read(`bucket gs://${scope.bucket}`, () => apis.storage.bucketAccess(scope.bucket)),
    settledAll(scope.settingsFolders.map((f) => listSettings(f.bucket, f.prefix))),
    // Every secret labelled for this product: where a grant of ours may be, even one an interrupted
    // apply made before any settings object recorded it.
    read('secrets labelled for the product', () => apis.secrets.listLabelled(project, { [SECRET_PRODUCT_LABEL]: scope.product })),
    listFolders(),
  ]);
  for (const l of labelled) labelledBy.set(l.secret, l.labels);
  const firstSecrets = [...new Set([...scope.secrets, ...labelled.map((l) => l.secret)])].sort();
  const objects = new Map<string, LiveObject>();
  for (const o of settingsLists.flat()) objects.set(`${o.bucket}/${o.name}`, o);
  const ours = [...objects.values()].filter((o) => ownerFromLabels(o.metadata)?.product === scope.product);

  // Secrets our live settings objects name but generated/ no longer does: where a grant may be left to revoke.
  const desiredSecrets = new Set(firstSecrets);
  const formerSecrets = [...new Set(ours.flatMap((o) => secretsFromMetadata(o.metadata)))].filter((s) => !desiredSecrets.has(s)).sort();
  // Only the objects of ours whose bytes differ are downloaded, to show which settings change.
  const changed = ours.filter((o) => {
    const md5 = scope.settingsMd5.get(`${o.bucket}/${o.name}`);
    return md5 !== undefined && md5 !== o.md5Hash;
  });
  // Own policies: of every managed folder under the product's folder (its policy is its ownership
  // mark), and of the topics and service accounts generated/ sets or that are ours.
  const targets = new Map<string, 'topic' | 'serviceAccount'>();
  for (const t of scope.policyTargets) targets.set(t.name, t.target);
  for (const l of topics) if (l.owned && l.resource.owner.product === scope.product) targets.set(l.resource.name, 'topic');
  for (const l of serviceAccounts) if (l.owned && l.resource.owner.product === scope.product) targets.set(l.resource.name, 'serviceAccount');
  const [firstSecretPolicies, formerSecretPolicies, contents, managedFolders, resourcePolicies] = await settledAll([
    readPolicies(firstSecrets),
    readPolicies(formerSecrets),
    mapBounded(changed, DOWNLOAD_CONCURRENCY, (o) => read(`gs://${o.bucket}/${o.name}`, () => apis.runSettings.read(o.bucket, o.name))),
    mapBounded(folderNames, POLICY_CONCURRENCY, async (folder): Promise<LiveManagedFolder> => {
      const name = `gs://${scope.bucket}/${folder}`;
      const folderPolicy = await read(`IAM policy of ${name}`, () => apis.resourceIam.getPolicy('managedFolder', name));
      return { bucket: scope.bucket, folder, ...(folderPolicy ? { policy: folderPolicy } : {}) };
    }),
    mapBounded(
      [...targets].sort(([a], [b]) => (a < b ? -1 : 1)),
      POLICY_CONCURRENCY,
      async ([name, target]): Promise<LiveResourcePolicy> => {
        const targetPolicy = await read(`IAM policy of ${name}`, () => apis.resourceIam.getPolicy(target, name));
        return { target, name, ...(targetPolicy ? { policy: targetPolicy } : {}) };
      },
    ),
  ]);
  const content = new Map(changed.map((o, i) => [`${o.bucket}/${o.name}`, contents[i]]));
  const runSettings: LiveSettingsObject[] = [...objects.values()].map((o) => {
    const text = content.get(`${o.bucket}/${o.name}`);
    return text !== undefined ? { ...o, content: text } : o;
  });
  return {
    project,
    serviceAccounts,
    topics,
    workflows,
    triggers,
    schedulerJobs,
    policy,
    bucket: { name: scope.bucket, location: scope.region, exists: bucketAccess.exists, uniformBucketLevelAccess: bucketAccess.uniformBucketLevelAccess },
    runSettings,
    secretPolicies: [...firstSecretPolicies, ...formerSecretPolicies],
    managedFolders,
    resourcePolicies,
  };
}
