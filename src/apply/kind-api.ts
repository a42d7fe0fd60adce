/**
 * The part of the API seam apply uses for each kind of resource (create, update, delete, find), and
 * the read-modify-write of a resource's own policy (managed folders, topics, service accounts).
 */
import { CloudError, type CloudApis } from '../gcp/types.ts';
import type { IamPolicy, Live } from '../resources/live.ts';
import { liveRunSettings } from '../plan/run-settings.ts';
import { withManagedBindings } from '../plan/resource-policies.ts';
import type { Change } from '../plan/types.ts';
import type { PolicyTarget, Resource, ResourceGrantResource, ResourceKind } from '../resources/types.ts';
import { withoutGrant } from '../plan/legacy-policies.ts';
import { NOT_RESUMED_STATES } from '../plan/scheduler-state.ts';
import { errorCode } from './retry.ts';

/** Kinds whose changes are not written one by one: the project policy and each secret's policy are written whole. */
type PolicyWrittenKind = 'IamBinding' | 'AuditConfig' | 'SecretAccess';
/** The kinds apply creates, updates and deletes through kindApi. */
export type WrittenKind = Exclude<ResourceKind, PolicyWrittenKind>;
type ResourceOf<K extends ResourceKind> = Extract<Resource, { kind: K }>;

/** The part of the API seam for one kind, with a way to find one live resource by name. */
export interface KindApi<R extends Resource = Resource> {
  create(desired: R, change: Change): Promise<void>;
  update(desired: R, change: Change): Promise<void>;
  /** `live`: the resource as plan saw it (a ResourceGrant is addressed by its policy's resource and needs the rest). */
  delete(name: string, live?: Resource): Promise<void>;
  find(name: string): Promise<Live | undefined>;
}

/** One entry per written kind, each typed with that kind's resource, so no entry needs a cast. */
type KindApiTable = { readonly [K in WrittenKind]: KindApi<ResourceOf<K>> };

/** The name a resource is addressed by in progress lines and in kindApi: its API name, or its gs:// URL. */
export function addressOf(resource: Resource): string {
  switch (resource.kind) {
    case 'RunSettings':
      return `gs://${resource.bucket}/${resource.object}`;
    case 'SecretAccess':
      return resource.secret;
    case 'IamBinding':
    case 'AuditConfig':
      return `projects/${resource.project}`;
    case 'ManagedFolder':
      return `gs://${resource.bucket}/${resource.folder}`;
    default:
      return resource.name;
  }
}

function splitGsUrl(url: string): { bucket: string; object: string } {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`internal: not a gs:// object URL: ${url}`);
  return { bucket: match[1]!, object: match[2]! };
}

const nameParts = (name: string) => /^projects\/([^/]+)(?:\/locations\/([^/]+))?\//.exec(name);

function kindApiTable(apis: CloudApis): KindApiTable {
  const find = async <R extends Resource>(name: string, list: (project: string, location: string) => Promise<Live<R>[]>) => {
    const parts = nameParts(name);
    const all = await list(parts?.[1] ?? '', parts?.[2] ?? '');
    return all.find((l) => 'name' in l.resource && l.resource.name === name);
  };
  return {
    ServiceAccount: {
      create: (r) => apis.serviceAccounts.create(r),
      update: (r) => apis.serviceAccounts.update(r),
      delete: (n) => apis.serviceAccounts.delete(n),
      find: (n) => find(n, (p) => apis.serviceAccounts.list(p)),
    },
    Topic: {
      create: (r) => apis.topics.create(r),
      update: (r) => apis.topics.update(r),
      delete: (n) => apis.topics.delete(n),
      find: (n) => find(n, (p) => apis.topics.list(p)),
    },
    Workflow: {
      create: (r) => apis.workflows.create(r),
      update: (r) => apis.workflows.update(r),
      delete: (n) => apis.workflows.delete(n),
      find: (n) => find(n, (p, l) => apis.workflows.list(p, l)),
    },
    Trigger: {
      create: (r) => apis.triggers.create(r),
      update: (r) => apis.triggers.update(r),
      delete: (n) => apis.triggers.delete(n),
      find: (n) => find(n, (p, l) => apis.triggers.list(p, l)),
    },
    SchedulerJob: {
      // A new job starts ENABLED; its state is output only, so pausing is a second call.
      create: async (r) => {
        await apis.schedulerJobs.create(r);
        if (r.state === 'PAUSED') await apis.schedulerJobs.setState(r.name, 'PAUSED');
      },
      update: async (r, c) => {
        await apis.schedulerJobs.update(r);
        // A job Cloud Scheduler disabled after errors is not resumed blindly (plan says how: scheduler-state.ts).
        const liveState: string | undefined = 'live' in c && c.live.kind === 'SchedulerJob' ? c.live.state : undefined;
        if (liveState !== undefined && NOT_RESUMED_STATES.has(liveState)) return;
        await apis.schedulerJobs.setState(r.name, r.state ?? 'ENABLED');
      },
      delete: (n) => apis.schedulerJobs.delete(n),
      find: (n) => find(n, (p, l) => apis.schedulerJobs.list(p, l)),
    },
    RunSettings: {
      // A create must not overwrite an object someone put there since the plan: only if absent.
      create: (r, c) => apis.runSettings.put(r, { ifAbsent: true, ...(c.metadata ? { metadata: c.metadata } : {}) }),
      update: (r, c) => apis.runSettings.put(r, c.metadata ? { metadata: c.metadata } : {}),
      delete: (n) => {
        const { bucket, object } = splitGsUrl(n);
        return apis.runSettings.delete(bucket, object);
      },
      find: async (n) => {
        const { bucket, object } = splitGsUrl(n);
        const found = (await apis.runSettings.list(bucket, object)).find((o) => o.name === object);
        return found ? liveRunSettings(found) : undefined;
      },
    },
    ManagedFolder: {
      create: async (folder) => {
        try {
          await apis.managedFolders.create(folder.bucket, folder.folder);
        } catch (error) {
          // Plan saw no folder there: one that appeared since carries no grants of anyone's until
          // its ResourcePolicy change (next) writes ours, which only sets the roles we manage.
          if (errorCode(error) !== 'ALREADY_EXISTS') throw error;
        }
      },
      // A folder has nothing to update: its name is its identity, its grants are its ResourcePolicy.
      update: async () => {},
      delete: (n) => {
        const { bucket, object } = splitGsUrl(n);
        return apis.managedFolders.delete(bucket, object);
      },
      find: async () => undefined,
    },
    ResourcePolicy: {
      create: (r) => writeManagedRoles(apis, r.target, r.name, r.bindings),
      update: (r) => writeManagedRoles(apis, r.target, r.name, r.bindings),
      delete: (n) => writeManagedRoles(apis, policyTargetOf(n), n, {}),
      find: async () => undefined,
    },
    ResourceGrant: {
      create: async () => {
        throw new Error('internal: a ResourceGrant is never desired, only revoked');
      },
      update: async () => {
        throw new Error('internal: a ResourceGrant is never desired, only revoked');
      },
      delete: (n, live) => {
        if (live?.kind !== 'ResourceGrant') throw new Error(`internal: revoking a grant on ${n} needs the grant`);
        return revokeResourceGrant(apis, live);
      },
      find: async () => undefined,
    },
  };
}

function isWritten(resource: Resource): resource is ResourceOf<WrittenKind> {
  return isWrittenKind(resource.kind);
}

function isWrittenKind(kind: ResourceKind): kind is WrittenKind {
  return kind !== 'IamBinding' && kind !== 'AuditConfig' && kind !== 'SecretAccess';
}

function notWrittenHere(kind: ResourceKind): Error {
  return new Error(`internal: ${kind} changes go through ${kind === 'SecretAccess' ? "the secret's policy write" : 'the policy write'}`);
}

/** `table[kind]` typed with the kind's own resource: the mapped type keeps the two together. */
function write<K extends WrittenKind>(table: KindApiTable, kind: K, desired: ResourceOf<K>, operation: 'create' | 'update', change: Change): Promise<void> {
  const api: KindApi<ResourceOf<K>> = table[kind];
  return operation === 'create' ? api.create(desired, change) : api.update(desired, change);
}

/** The API for `kind`; a desired resource is written by the entry of its own kind. */
export function kindApi(apis: CloudApis, kind: ResourceKind): KindApi {
  if (!isWrittenKind(kind)) throw notWrittenHere(kind);
  const table = kindApiTable(apis);
  const writeAs = (operation: 'create' | 'update') => (desired: Resource, change: Change) => {
    if (!isWritten(desired)) throw notWrittenHere(desired.kind);
    return write(table, desired.kind, desired, operation, change);
  };
  return { create: writeAs('create'), update: writeAs('update'), delete: (name, live) => table[kind].delete(name, live), find: (name) => table[kind].find(name) };
}

/** Which kind of policy a ResourcePolicy name addresses. */
function policyTargetOf(name: string): PolicyTarget {
  if (name.startsWith('gs://')) return 'managedFolder';
  if (/^projects\/[^/]+\/topics\//.test(name)) return 'topic';
  if (/^projects\/[^/]+\/serviceAccounts\//.test(name)) return 'serviceAccount';
  throw new Error(`internal: not a policy target: ${name}`);
}

/** Read-modify-write cycles of one resource policy before giving up on concurrent edits. */
const POLICY_CYCLES = 5;

/**
 * One resource's own policy, edited by `edit` and written back, keeping every binding `edit` leaves
 * as read. The etag read is the etag sent: a concurrent edit fails the write (ABORTED, 409 or 412) and
 * the cycle starts again from a fresh read, so both changes survive. A resource that is gone rejects
 * with NOT_FOUND (a delete then counts as done).
 */
async function rewriteResourcePolicy(apis: CloudApis, target: PolicyTarget, name: string, edit: (policy: IamPolicy) => IamPolicy): Promise<void> {
  for (let cycle = 1; ; cycle++) {
    const current = await apis.resourceIam.getPolicy(target, name);
    if (!current) throw new CloudError('NOT_FOUND', `${name} does not exist, so its IAM policy cannot be set`);
    const next = edit(current);
    if (samePolicy(current, next)) return;
    try {
      await apis.resourceIam.setPolicy(target, name, next);
      return;
    } catch (error) {
      if (!isConcurrentEdit(error) || cycle >= POLICY_CYCLES) throw error;
    }
  }
}

/** Sets the roles batch-workflows manages on one resource's policy to `bindings`. */
export function writeManagedRoles(apis: CloudApis, target: PolicyTarget, name: string, bindings: Readonly<Record<string, readonly string[]>>): Promise<void> {
  return rewriteResourcePolicy(apis, target, name, (policy) => withManagedBindings(policy, target, bindings));
}

export function samePolicy(a: IamPolicy, b: IamPolicy): boolean {
  return JSON.stringify([a.bindings, a.auditConfigs ?? []]) === JSON.stringify([b.bindings, b.auditConfigs ?? []]);
}

/** Google answers a write naming a service account it cannot see yet (eventual consistency) this way. */
export function isUnseenServiceAccount(error: unknown): boolean {
  return errorCode(error) === 'INVALID_ARGUMENT' && /service account|does not exist/i.test(error instanceof Error ? error.message : '');
}

export function isConcurrentEdit(error: unknown): boolean {
  return errorCode(error) === 'ABORTED' || (error instanceof CloudError && (error.httpStatus === 409 || error.httpStatus === 412));
}

/** Revokes one legacy grant on a resource's own policy (`--prune`): that member from that binding, nothing else. */
export function revokeResourceGrant(apis: CloudApis, grant: ResourceGrantResource): Promise<void> {
  return rewriteResourcePolicy(apis, grant.target, grant.name, (policy) => withoutGrant(policy, grant));
}
