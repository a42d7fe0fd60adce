/**
 * The LiveState a project holding exactly `documents`' resources reports, for pure diff and format
 * tests: every resource live and (by default) ours, the project policy holding our bindings as
 * apply would have written them, Data Access logs on, the product bucket present.
 */
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import type { LiveState } from '../../src/plan/types.ts';
import type { Resource, ResourceDocument } from '../../src/resources/types.ts';
import { DEV, liveExtrasOf } from './fake-cloud.ts';

export interface LiveOptions {
  /** The project policy's bindings: ours with their conditions (default), without them, or none. */
  readonly bindings?: 'ours' | 'ours-unconditional' | 'none';
  /** Bindings someone else added to the project policy. */
  readonly extra?: readonly IamPolicyBinding[];
  /** false: every resource exists but carries no ownership mark. */
  readonly owned?: boolean;
  readonly uniformBucketLevelAccess?: boolean;
}

export function liveOf(documents: readonly ResourceDocument[], options: LiveOptions = {}): LiveState {
  const { bindings = 'ours', extra = [], owned = true } = options;
  const resources = documents.flatMap((d) => d.resources);
  const of = <K extends Resource['kind']>(kind: K) =>
    resources.filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind).map((resource) => ({ owned, resource: owned ? resource : { ...resource, owner: { product: '' } } }));
  const ours = resources.flatMap((r) => (r.kind !== 'IamBinding' ? [] : [{ role: r.role, members: [r.member], ...(r.condition && bindings === 'ours' ? { condition: r.condition } : {}) }]));
  return {
    project: DEV.project,
    serviceAccounts: of('ServiceAccount'),
    topics: of('Topic'),
    workflows: of('Workflow'),
    triggers: of('Trigger'),
    schedulerJobs: of('SchedulerJob'),
    policy: { version: 3, etag: 'e', bindings: [...(bindings === 'none' ? [] : ours), ...extra], auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }] }] },
    bucket: { name: DEV.bucket, location: DEV.region, exists: true, ...(options.uniformBucketLevelAccess ? { uniformBucketLevelAccess: true } : {}) },
    ...liveExtrasOf(resources),
  };
}

/**
 * An empty project for a first plan: the bucket, and the clients' notification secrets (labelled, as
 * plan requires, granting nothing yet).
 */
export function emptyProjectOf(documents: readonly ResourceDocument[]): LiveState {
  const secretPolicies = liveOf(documents).secretPolicies.map((s) => ({ ...s, policy: { version: 1, etag: 'e', bindings: [] } }));
  return { ...liveOf([], { uniformBucketLevelAccess: true }), secretPolicies };
}
