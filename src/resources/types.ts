/**
 * The desired-resource model: what `generate` writes to generated/<env>/ and what `plan` compares with
 * what is live. Every field here is a field `apply` sends (or a value it derives a field from), so a
 * reviewer reading generated/ sees exactly what will be deployed.
 *
 * Ownership (docs/design.md §4): labels where the API has labels (topics, workflows, triggers), a
 * description marker where it has none (service accounts, scheduler jobs), the condition title for
 * conditional IAM bindings. Unconditional bindings are owned when their member is a service account
 * this product owns (the product service account).
 */

import type { Labels, Owner } from '../names/ownership.ts';
import type { RunSettings } from '../dsl/recipes/batch-job/run-settings.ts';

interface ResourceBase {
  readonly owner: Owner;
}

/** https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts */
export interface ServiceAccountResource extends ResourceBase {
  readonly kind: 'ServiceAccount';
  /** `projects/P/serviceAccounts/EMAIL` */
  readonly name: string;
  readonly project: string;
  readonly accountId: string;
  readonly email: string;
  readonly displayName: string;
  /** Ends with the ownership marker (see ownershipMarker in src/names/ownership.ts). */
  readonly description: string;
}

export interface IamCondition {
  /** Ownership key for conditional bindings: `batch-workflows:PRODUCT[:CLIENT]:PURPOSE`. */
  readonly title: string;
  readonly description: string;
  readonly expression: string;
}

/** One (role, member, condition) grant in the project IAM policy. */
export interface IamBindingResource extends ResourceBase {
  readonly kind: 'IamBinding';
  readonly project: string;
  readonly role: string;
  /** `serviceAccount:EMAIL` */
  readonly member: string;
  /** Absent for unconditional grants (product service account roles). */
  readonly condition?: IamCondition;
}

/** Data Access audit logs must be on for storage.googleapis.com or audit-log triggers never fire. */
export interface AuditConfigResource extends ResourceBase {
  readonly kind: 'AuditConfig';
  readonly project: string;
  readonly service: string;
  readonly logTypes: readonly ('ADMIN_READ' | 'DATA_READ' | 'DATA_WRITE')[];
}

/** https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics */
export interface TopicResource extends ResourceBase {
  readonly kind: 'Topic';
  /** `projects/P/topics/T` */
  readonly name: string;
  readonly labels: Labels;
}

/** https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows */
export interface WorkflowResource extends ResourceBase {
  readonly kind: 'Workflow';
  /** `projects/P/locations/L/workflows/W` */
  readonly name: string;
  readonly description: string;
  /** `projects/P/serviceAccounts/EMAIL` */
  readonly serviceAccount: string;
  /** Path of the deployable source, relative to generated/ (e.g. `workflows/batch-inference.yaml`). */
  readonly sourceFile: string;
  /** The source text itself: filled in when desired state is loaded from generated/ and when live state is read. */
  readonly sourceContents?: string;
  readonly userEnvVars: Readonly<Record<string, string>>;
  /**
   * Which connector and HTTP calls Cloud Logging records for every execution. Absent ≡ `LOG_NONE`
   * (what Google does when the level is unspecified).
   */
  readonly callLogLevel?: CallLogLevel;
  /**
   * What the execution history keeps of each step. Absent ≡ `EXECUTION_HISTORY_BASIC` (Google's
   * default); DETAILED keeps in-scope variable values.
   */
  readonly executionHistoryLevel?: ExecutionHistoryLevel;
  readonly labels: Labels;
}

export type CallLogLevel = 'LOG_NONE' | 'LOG_ERRORS_ONLY' | 'LOG_ALL_CALLS';
export type ExecutionHistoryLevel = 'EXECUTION_HISTORY_BASIC' | 'EXECUTION_HISTORY_DETAILED';

export interface EventFilter {
  readonly attribute: string;
  readonly value: string;
  readonly operator?: 'match-path-pattern';
}

/** https://cloud.google.com/eventarc/docs/reference/rest/v1/projects.locations.triggers */
export interface TriggerResource extends ResourceBase {
  readonly kind: 'Trigger';
  /** `projects/P/locations/global/triggers/T` */
  readonly name: string;
  readonly eventFilters: readonly EventFilter[];
  /** `projects/P/locations/L/workflows/W` */
  readonly destinationWorkflow: string;
  /** Service account email the trigger invokes the workflow as. */
  readonly serviceAccount: string;
  readonly labels: Labels;
}

/** https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs */
export interface SchedulerJobResource extends ResourceBase {
  readonly kind: 'SchedulerJob';
  /** `projects/P/locations/L/jobs/J` */
  readonly name: string;
  /** Ends with the ownership marker. */
  readonly description: string;
  readonly schedule: string;
  readonly timeZone: string;
  /**
   * `ENABLED`, or `PAUSED` when the client file asks for it. Output only in the API (job.proto,
   * `State state = 10 [OUTPUT_ONLY]`): apply sets it with jobs:pause / jobs:resume. Live, also
   * `DISABLED` or `UPDATE_FAILED` (job.proto enum State), both drift from ENABLED.
   */
  readonly state: 'ENABLED' | 'PAUSED';
  readonly httpTarget: {
    /** Workflow Executions API: `https://workflowexecutions.googleapis.com/v1/WORKFLOW/executions` */
    readonly uri: string;
    readonly httpMethod: 'POST';
    readonly headers: Readonly<Record<string, string>>;
    /** The request body as text (the REST API carries it base64-encoded): `{"argument":"<json string>"}` */
    readonly body: string;
    readonly oauthToken: { readonly serviceAccountEmail: string; readonly scope: string };
  };
}

/**
 * Per-client run settings, read by both workflows at the start of each execution from the product
 * bucket (outside every client's readable prefix). They carry what differs between the clients of
 * one product without growing the shared workflow source (128 KB) or using user env vars (20 max).
 * A missing object means the product defaults baked into the workflows. The type is the recipe's,
 * the reader's: one type for the writer (resources/index.ts) and the workflows.
 */
export type { RunSettings };

/** https://cloud.google.com/storage/docs/json_api/v1/objects — one JSON object per client. */
export interface RunSettingsResource extends ResourceBase {
  readonly kind: 'RunSettings';
  readonly bucket: string;
  /** `PRODUCT/_settings/CLIENT.json` */
  readonly object: string;
  readonly settings: RunSettings;
}

/**
 * The product service account may read one secret named by a client's notification target: a
 * binding on the secret itself (resource-level), never project-wide. Owned because the member is the
 * product service account; other members of the same binding are never touched.
 * https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/setIamPolicy
 */
export interface SecretAccessResource extends ResourceBase {
  readonly kind: 'SecretAccess';
  /** `projects/P/secrets/S` */
  readonly secret: string;
  readonly role: 'roles/secretmanager.secretAccessor';
  /** `serviceAccount:PRODUCT@P...` */
  readonly member: string;
}

/**
 * A Cloud Storage managed folder (https://cloud.google.com/storage/docs/json_api/v1/managedFolder):
 * a folder with its own IAM policy. Its JSON resource has no labels and no description (kind, id,
 * selfLink, name, bucket, createTime, updateTime, metageneration), so its ownership mark is in its
 * policy: see ResourcePolicyResource and src/plan/resource-policies.ts.
 */
export interface ManagedFolderResource extends ResourceBase {
  readonly kind: 'ManagedFolder';
  readonly bucket: string;
  /** The folder path with its trailing slash, e.g. `scoring/acme-corp/inputs/`. */
  readonly folder: string;
}

/** Resources with their own IAM policy that batch-workflows writes grants on. */
export type PolicyTarget = 'managedFolder' | 'topic' | 'serviceAccount';

/**
 * The grants batch-workflows makes on the own IAM policy of one resource it owns (a managed folder,
 * a client topic, one of its service accounts): role → members, for the roles it manages on that
 * kind of resource (MANAGED_ROLES). Those roles' unconditional bindings are ours wholesale, so a
 * member removed from a client file is revoked; every other binding of the policy is left as read.
 */
export interface ResourcePolicyResource extends ResourceBase {
  readonly kind: 'ResourcePolicy';
  readonly target: PolicyTarget;
  /** `gs://BUCKET/FOLDER/`, `projects/P/topics/T` or `projects/P/serviceAccounts/EMAIL`. */
  readonly name: string;
  /** Role → sorted members; roles without members are left out. */
  readonly bindings: Readonly<Record<string, readonly string[]>>;
}

/**
 * One grant on the own policy of a resource we own (a managed folder, a client topic, one of our
 * service accounts), held by one of our accounts, that is not one of the grants we make there: a
 * conditional binding, or a role outside MANAGED_ROLES. Never desired: live only, as legacy access
 * (src/plan/legacy-policies.ts), revoked by `--prune` for its member alone.
 */
export interface ResourceGrantResource extends ResourceBase {
  readonly kind: 'ResourceGrant';
  readonly target: PolicyTarget;
  /** The policy's resource, as ResourcePolicyResource names it (`gs://B/F/`, `projects/P/topics/T`, …). */
  readonly name: string;
  readonly role: string;
  readonly member: string;
  readonly condition?: { readonly title: string; readonly expression: string; readonly description?: string };
}

/**
 * The roles whose unconditional bindings batch-workflows owns on each kind of policy target. Roles
 * from src/iam/roles-data.json; each one's use is said where it is granted (src/resources/access.ts).
 */
export const MANAGED_ROLES: Readonly<Record<PolicyTarget, readonly string[]>> = {
  managedFolder: ['roles/storage.objectCreator', 'roles/storage.objectUser', 'roles/storage.objectViewer'],
  topic: ['roles/pubsub.publisher', 'roles/pubsub.subscriber', 'roles/pubsub.viewer'],
  serviceAccount: ['roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser'],
};

export type Resource =
  | ServiceAccountResource
  | ManagedFolderResource
  | ResourcePolicyResource
  | ResourceGrantResource
  | IamBindingResource
  | SecretAccessResource
  | RunSettingsResource
  | AuditConfigResource
  | TopicResource
  | WorkflowResource
  | TriggerResource
  | SchedulerJobResource;

export type ResourceKind = Resource['kind'];

/** Apply order (docs/design.md §4): service accounts → IAM → topics → managed folders → their policies → settings → workflows → triggers → scheduler jobs. */
export const APPLY_ORDER: readonly ResourceKind[] = [
  'ServiceAccount',
  'IamBinding',
  'AuditConfig',
  'SecretAccess',
  'Topic',
  'ManagedFolder',
  'ResourcePolicy',
  'ResourceGrant',
  'RunSettings',
  'Workflow',
  'Trigger',
  'SchedulerJob',
];

/** One generated/<env>/*.yaml document: the product's or one client's resources in one environment. */
export interface ResourceDocument {
  readonly environment: string;
  readonly project: string;
  readonly region: string;
  readonly product: string;
  /** Absent for generated/<env>/product.yaml. */
  readonly client?: string;
  /** product.yaml only: the project quotas product.ts declares raised (plan's quota errors use them). */
  readonly quotas?: { readonly serviceAccounts?: number };
  readonly resources: readonly Resource[];
}

/** A stable identity for a resource, used to match desired with live. */
export function resourceKey(resource: Resource): string {
  switch (resource.kind) {
    case 'ServiceAccount':
    case 'Topic':
    case 'Workflow':
    case 'Trigger':
    case 'SchedulerJob':
      return `${resource.kind} ${resource.name}`;
    case 'IamBinding':
      return `IamBinding projects/${resource.project} ${resource.role} ${resource.member}${resource.condition ? ` [${resource.condition.title}]` : ''}`;
    case 'AuditConfig':
      return `AuditConfig projects/${resource.project} ${resource.service}`;
    case 'SecretAccess':
      return `SecretAccess ${resource.secret} ${resource.role} ${resource.member}`;
    case 'RunSettings':
      return `RunSettings gs://${resource.bucket}/${resource.object}`;
    case 'ManagedFolder':
      return `ManagedFolder gs://${resource.bucket}/${resource.folder}`;
    case 'ResourcePolicy':
      return `ResourcePolicy ${resource.name}`;
    case 'ResourceGrant':
      return `ResourceGrant ${resource.name} ${resource.role} ${resource.member}${resource.condition ? ` [${resource.condition.title}]` : ''}`;
  }
}
