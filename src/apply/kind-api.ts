/**
 * The part of the API seam apply uses for each kind of resource (create, update, delete, find), and
 * the read-modify-write of a resource's own policy (managed folders, topics, service accounts).
 */
import { CloudError, type CloudApis, type IamPolicy, type Live } from '../gcp/types.ts';
import { liveRunSettings } from '../plan/run-settings.ts';
import { withManagedBindings } from '../plan/resource-policies.ts';
import type { Change } from '../plan/types.ts';
import type { ManagedFolderResource, PolicyTarget, Resource, ResourceGrantResource, ResourceKind, ResourcePolicyResource, SchedulerJobResource } from '../resources/types.ts';
import { withoutGrant } from '../plan/legacy-policies.ts';
import { NOT_RESUMED_STATES } from '../plan/scheduler-state.ts';
import { errorCode } from './retry.ts';

/** The part of the API seam for one kind, with a way to find one live resource by name. */
export interface KindApi {
  create(desired: Resource, change: Change): Promise<void>;
  update(desired: Resource, change: Change): Promise<void>;
  /** `live`: the resource as plan saw it (a ResourceGrant is addressed by its policy's resource and needs the rest). */
  delete(name: string, live?: Resource): Promise<void>;
  find(name: string): Promise<Live | undefined>;
}

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

export function kindApi(apis: CloudApis, kind: ResourceKind): KindApi {
  const find = async <R extends Resource>(name: string, list: (project: string, location: string) => Promise<Live<R>[]>) => {
    const parts = nameParts(name);
    const all = await list(parts?.[1] ?? '', parts?.[2] ?? '');
    return all.find((l) => 'name' in l.resource && l.resource.name === name);
  };
  switch (kind) {
    case 'ServiceAccount':
      return {
        create: (r) => apis.serviceAccounts.create(r as never),
        update: (r) => apis.serviceAccounts.update(r as never),
        delete: (n) => apis.serviceAccounts.delete(n),
        find: (n) => find(n, (p) => apis.serviceAccounts.list(p)),
      };
    case 'Topic':
      return {
        create: (r) => apis.topics.create(r as never),
        update: (r) => apis.topics.update(r as never),
        delete: (n) => apis.topics.delete(n),
        find: (n) => find(n, (p) => apis.topics.list(p)),
      };
    case 'Workflow':
      return {
        create: (r) => apis.workflows.create(r as never),
        update: (r) => apis.workflows.update(r as never),
        delete: (n) => apis.workflows.delete(n),
        find: (n) => find(n, (p, l) => apis.workflows.list(p, l)),
      };
    case 'Trigger':
      return {
        create: (r) => apis.triggers.create(r as never),
        update: (r) => apis.triggers.update(r as never),
        delete: (n) => apis.triggers.delete(n),
        find: (n) => find(n, (p, l) => apis.triggers.list(p, l)),
      };
    case 'SchedulerJob':
      return {
        // A new job starts ENABLED; its state is output only, so pausing is a second call.
        create: async (r) => {
          await apis.schedulerJobs.create(r as never);
          if ((r as SchedulerJobResource).state === 'PAUSED') await apis.schedulerJobs.setState((r as SchedulerJobResource).name, 'PAUSED');
        },
        update: async (r, c) => {
          await apis.schedulerJobs.update(r as never);
          // A job Cloud Scheduler disabled after errors is not resumed blindly (plan says how: scheduler-state.ts).
          const liveState: string | undefined = 'live' in c && c.live.kind === 'SchedulerJob' ? c.live.state : undefined;
          if (liveState !== undefined && NOT_RESUMED_STATES.has(liveState)) return;
          await apis.schedulerJobs.setState((r as SchedulerJobResource).name, (r as SchedulerJobResource).state ?? 'ENABLED');
        },
        delete: (n) => apis.schedulerJobs.delete(n),
        find: (n) => find(n, (p, l) => apis.schedulerJobs.list(p, l)),
      };
    case 'RunSettings':
      return {
        // A create must not overwrite an object someone put there since the plan: only if absent.
        create: (r, c) => apis.runSettings.put(r as never, { ifAbsent: true, ...(c.metadata ? { metadata: c.metadata } : {}) }),
        update: (r, c) => apis.runSettings.put(r as never, c.metadata ? { metadata: c.metadata } : {}),
        delete: (n) => {
          const { bucket, object } = splitGsUrl(n);
          return apis.runSettings.delete(bucket, object);
        },
        find: async (n) => {
          const { bucket, object } = splitGsUrl(n);
          const found = (await apis.runSettings.list(bucket, object)).find((o) => o.name === object);
          return found ? liveRunSettings(found) : undefined;
        },
      };
    case 'ManagedFolder':
      return {
        create: async (r) => {
          const folder = r as ManagedFolderResource;
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
      };
    case 'ResourcePolicy':
      return {
        create: (r) => writeManagedRoles(apis, (r as ResourcePolicyResource).target, (r as ResourcePolicyResource).name, (r as ResourcePolicyResource).bindings),
        update: (r) => writeManagedRoles(apis, (r as ResourcePolicyResource).target, (r as ResourcePolicyResource).name, (r as ResourcePolicyResource).bindings),
        delete: (n) => writeManagedRoles(apis, policyTargetOf(n), n, {}),
        find: async () => undefined,
      };
    case 'ResourceGrant':
      return {
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
      };
    case 'IamBinding':
    case 'AuditConfig':
      throw new Error(`internal: ${kind} changes go through the policy write`);
    case 'SecretAccess':
      throw new Error(`internal: ${kind} changes go through the secret's policy write`);
  }
}


/** Which kind of policy a ResourcePolicy name addresses. */
function policyTargetOf(name: string): PolicyTarget {
  if (name.startsWith('gs://')) return 'managedFolder';
  if (/^projects\/[^/]+\/topics\//.test(name)) return 'topic';
  if (/^projects\/[^/]+\/serviceAccounts\//.test(name)) return 'serviceAccount';
  throw new Error(`internal: not a policy target: ${name}`);
}

/**
 * Removes one member of one binding (role and condition as plan saw them) from a resource's own
 * policy, keeping every other binding and member as read; same etag cycle as writeManagedRoles.
 */
export async function revokeResourceGrant(apis: CloudApis, grant: ResourceGrantResource): Promise<void> {
  for (let cycle = 1; ; cycle++) {
    const current = await apis.resourceIam.getPolicy(grant.target, grant.name);
    if (!current) throw new CloudError('NOT_FOUND', `${grant.name} does not exist, so its IAM policy cannot be changed`);
    const next = withoutGrant(current, grant);
    if (samePolicy(current, next)) return;
    try {
      await apis.resourceIam.setPolicy(grant.target, grant.name, next);
      return;
    } catch (error) {
      if (!isConcurrentEdit(error) || cycle >= POLICY_CYCLES) throw error;
    }
  }
}

/** Read-modify-write cycles of one resource policy before giving up on concurrent edits. */
const POLICY_CYCLES = 5;

/**
 * Sets the roles batch-workflows manages on one resource's policy to `bindings`, keeping every other
 * binding as read. The etag read is the etag sent: a concurrent edit fails the write (ABORTED, 409 or
 * 412) and the cycle starts again from a fresh read, so both changes survive. A resource that is gone
 * rejects with NOT_FOUND (a delete then counts as done).
 */
export async function writeManagedRoles(apis: CloudApis, target: PolicyTarget, name: string, bindings: Readonly<Record<string, readonly string[]>>): Promise<void> {
  for (let cycle = 1; ; cycle++) {
    const current = await apis.resourceIam.getPolicy(target, name);
    if (!current) throw new CloudError('NOT_FOUND', `${name} does not exist, so its IAM policy cannot be set`);
    const next = withManagedBindings(current, target, bindings);
    if (samePolicy(current, next)) return;
    try {
      await apis.resourceIam.setPolicy(target, name, next);
      return;
    } catch (error) {
      if (!isConcurrentEdit(error) || cycle >= POLICY_CYCLES) throw error;
    }
  }
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

