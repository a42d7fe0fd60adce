/**
 * The plan: typed differences between what is live and what generated/ asks for (after aws-cdk's
 * cloudformation-diff). A Plan is a plain immutable value: `diff` computes it without I/O, `format`
 * renders it, the executor carries it out. Nothing here knows how it was read.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Owner } from '../names/ownership.ts';
import type { Resource, ResourceDocument, ResourceKind, SchedulerJobResource, ServiceAccountResource, TopicResource, TriggerResource, WorkflowResource } from '../resources/types.ts';
import type { IamPolicy, Live, LiveObject } from '../resources/live.ts';
import type { LiveManagedFolder, LiveResourcePolicy } from './resource-policies.ts';

/** A live run-settings object: what objects.list says, plus its content when plan downloaded it. */
export interface LiveSettingsObject extends LiveObject {
  /** Read only for owned objects whose MD5 differs from the desired one, to show a field-level diff. */
  readonly content?: string;
}

/** One secret's IAM policy, read because a client names the secret now or a live settings object did. */
export interface LiveSecretPolicy {
  /** `projects/P/secrets/S` */
  readonly secret: string;
  /** Undefined when the secret does not exist. */
  readonly policy?: IamPolicy;
  /** Its labels, when it was found by listing the secrets labelled for this product. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Everything plan reads from the APIs in one environment: a few list calls, one policy read. */
export interface LiveState {
  readonly project: string;
  readonly serviceAccounts: readonly Live<ServiceAccountResource>[];
  readonly topics: readonly Live<TopicResource>[];
  readonly workflows: readonly Live<WorkflowResource>[];
  readonly triggers: readonly Live<TriggerResource>[];
  readonly schedulerJobs: readonly Live<SchedulerJobResource>[];
  /** The project policy read with requestedPolicyVersion 3 (a v1 read would drop conditions). */
  readonly policy: IamPolicy;
  /** `uniformBucketLevelAccess` undefined: not read (managed folders need it on). */
  readonly bucket: { readonly name: string; readonly location: string; readonly exists: boolean; readonly uniformBucketLevelAccess?: boolean };
  /** The managed folders under the product's folder, with their policies. */
  readonly managedFolders?: readonly LiveManagedFolder[];
  /** Own policies of the topics and service accounts desired or ours. */
  readonly resourcePolicies?: readonly LiveResourcePolicy[];
  /** Objects under each product's `_settings/` folder of the bucket (one list call per 1,000). */
  readonly runSettings: readonly LiveSettingsObject[];
  /** Policies of the secrets desired now or named by live settings objects (one read per secret). */
  readonly secretPolicies: readonly LiveSecretPolicy[];
}

export interface DiffOptions {
  /** Owned resources that are no longer desired are deleted only with prune; otherwise listed. */
  readonly prune?: boolean;
  /** Take ownership of unowned resources whose names collide with desired ones, instead of a conflict. */
  readonly adopt?: boolean;
  /** Narrow the plan to one client's resources. */
  readonly clientFilter?: string;
}

/**
 * What a change does beyond its action, for a reviewer deciding whether to approve it:
 * - none: nothing changes (no-op, or an adoption that only adds ownership marks);
 * - creates: a new resource appears;
 * - in-place: an existing resource is patched where it is (a trigger filter change is one: it is never
 *   deleted and recreated, so no upload falls between two triggers);
 * - grants-access / revokes-access / changes-access: someone gains, loses, or has different IAM rights;
 * - enables-audit-logs: Data Access logs are turned on (they are billed);
 * - destroys: a resource and what hangs on it (subscriptions, keys, run history) go away.
 */
export type Impact = 'none' | 'creates' | 'in-place' | 'grants-access' | 'revokes-access' | 'changes-access' | 'enables-audit-logs' | 'destroys';

export interface FieldDiff {
  /** Dotted path of the normalised field, e.g. `labels.client`, `eventFilters.resourceName.value`. */
  readonly path: string;
  /** Absent on one side means the field is unset there. */
  readonly before?: unknown;
  readonly after?: unknown;
}

interface ChangeBase {
  /** resourceKey of the resource (unique in a plan). */
  readonly key: string;
  readonly kind: ResourceKind;
  /** Human-readable identity, e.g. the resource name or `role member [title]`. */
  readonly name: string;
  readonly owner: Owner;
  readonly impact: Impact;
  /**
   * Key of a conflicting resource this change needs (e.g. the bindings of a service account someone
   * else owns): apply skips it rather than grant rights to, or run as, an identity that is not ours.
   */
  readonly blockedBy?: string;
  /** Keys of other changes of this plan that must succeed first (a settings object that stops listing a secret waits for that secret's revocation). */
  readonly needs?: readonly string[];
  /** RunSettings: the custom metadata apply writes (marks, and the secrets whose grants it must still be able to find). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * A grant held by one of our client service accounts that batch-workflows did not make (no mark:
   * a runbook's unconditional or foreign-titled binding, kept through `--adopt`) and generated/ does
   * not ask for: listed as an orphan, revoked (that member only) with --prune.
   */
  readonly legacy?: boolean;
}

export interface CreateChange extends ChangeBase {
  readonly action: 'create';
  readonly desired: Resource;
}
export interface UpdateChange extends ChangeBase {
  readonly action: 'update';
  readonly desired: Resource;
  readonly live: Resource;
  readonly fields: readonly FieldDiff[];
}
/** An owned resource no longer in generated/: deleted with --prune, listed as `orphan` without it. */
export interface DeleteChange extends ChangeBase {
  readonly action: 'delete';
  readonly live: Resource;
}
export interface OrphanChange extends ChangeBase {
  readonly action: 'orphan';
  readonly live: Resource;
}
export interface NoOpChange extends ChangeBase {
  readonly action: 'no-op';
  readonly desired: Resource;
}
/**
 * A resource with a desired name exists but is not ours: left untouched. `fields` is what --adopt
 * would change on it (ownership marks included); --adopt never takes one another product owns.
 */
export interface ConflictChange extends ChangeBase {
  readonly action: 'conflict';
  readonly desired: Resource;
  readonly live: Resource;
  readonly fields: readonly FieldDiff[];
  /** Set when the resource carries another product's marks: then --adopt does not take it either. */
  readonly otherProduct?: string;
}
/** A conflict taken over with --adopt: `fields` are brought to the desired values, marks added. */
export interface AdoptChange extends ChangeBase {
  readonly action: 'adopt';
  readonly desired: Resource;
  readonly live: Resource;
  readonly fields: readonly FieldDiff[];
}

export type Change = CreateChange | UpdateChange | DeleteChange | OrphanChange | NoOpChange | ConflictChange | AdoptChange;
export type ChangeAction = Change['action'];

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly adopt: number;
  readonly conflict: number;
  readonly orphan: number;
  /** Of the orphans and deletions: legacy access (see ChangeBase.legacy). */
  readonly legacy: number;
  readonly unchanged: number;
}

export interface Plan {
  readonly environment: string;
  readonly project: string;
  readonly product: string;
  readonly clientFilter?: string;
  readonly prune: boolean;
  readonly adopt: boolean;
  /** In apply order: service accounts, IAM, audit config, topics, workflows, triggers, scheduler jobs. */
  readonly changes: readonly Change[];
  /** Limits being approached or exceeded where the API would refuse later, IAM pitfalls. */
  readonly warnings: readonly Diagnostic[];
  /** Preconditions that fail (missing bucket, a policy over its limits): apply refuses to start. */
  readonly errors: readonly Diagnostic[];
  readonly summary: PlanSummary;
  /**
   * Clients with no client file in generated/ whose resources or access are still live (offboarded
   * but not pruned, or being pruned now), sorted.
   */
  readonly removedClients: readonly string[];
}

export type { Resource, ResourceDocument };
