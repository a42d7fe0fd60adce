/**
 * The seam between the pure plan/apply logic and Google's APIs. One adapter per API implements its
 * part (src/gcp/<api>.ts); src/gcp/index.ts builds them all for a target (Google, or the local
 * sandbox). Reads are list calls, so a no-change plan costs a few calls however many clients exist.
 *
 * Live values are returned in the same shape as desired ones (src/resources/types.ts), with ownership
 * decided from labels, description markers and condition titles, so plan can diff them directly.
 */
import type {
  PolicyTarget,
  Resource,
  ServiceAccountResource,
  TopicResource,
  WorkflowResource,
  TriggerResource,
  SchedulerJobResource,
  RunSettingsResource,
} from '../resources/types.ts';

/** A live resource and whether batch-workflows owns it (and for which product/client). */
export interface Live<R extends Resource = Resource> {
  readonly resource: R;
  readonly owned: boolean;
  /**
   * Server-set fields that change whenever the resource does (`revisionId`, `updateTime`, `etag`,
   * `uid`, `uniqueId`, `userUpdateTime`: each under its API field name), as text. Not part of the
   * resource (no desired value has them, diff never sees them): a saved plan records them to tell
   * whether what it read has moved since (src/plan/saved-plan.ts). Absent for kinds that have none.
   */
  readonly revision?: Readonly<Record<string, string>>;
}

/** Project IAM policy, version 3, as Resource Manager returns it. */
export interface IamPolicy {
  readonly version: number;
  readonly etag: string;
  readonly bindings: readonly IamPolicyBinding[];
  readonly auditConfigs?: readonly AuditConfig[];
}
export interface IamPolicyBinding {
  readonly role: string;
  readonly members: readonly string[];
  /** `location` is google.type.Expr's field for error reporting: never ours, kept as read. */
  readonly condition?: { readonly title: string; readonly description?: string; readonly expression: string; readonly location?: string };
}
export interface AuditConfig {
  readonly service: string;
  readonly auditLogConfigs: readonly { readonly logType: string; readonly exemptedMembers?: readonly string[] }[];
}

export interface ServiceAccountsApi {
  list(project: string): Promise<Live<ServiceAccountResource>[]>;
  /** Resolves once the account is visible (new accounts are eventually consistent). */
  create(desired: ServiceAccountResource): Promise<void>;
  update(desired: ServiceAccountResource): Promise<void>;
  delete(name: string): Promise<void>;
}
export interface ProjectIamApi {
  getPolicy(project: string): Promise<IamPolicy>;
  /** Sends the etag it was given; a stale etag rejects with an ABORTED/409 CloudError. */
  setPolicy(project: string, policy: IamPolicy): Promise<IamPolicy>;
}
export interface TopicsApi {
  list(project: string): Promise<Live<TopicResource>[]>;
  create(desired: TopicResource): Promise<void>;
  update(desired: TopicResource): Promise<void>;
  delete(name: string): Promise<void>;
}
export interface WorkflowsApi {
  /** Live workflows carry their source in `sourceContents`. */
  list(project: string, location: string): Promise<Live<WorkflowResource>[]>;
  /** `desired.sourceContents` must be set. Awaits the long-running operation. */
  create(desired: WorkflowResource): Promise<void>;
  update(desired: WorkflowResource): Promise<void>;
  delete(name: string): Promise<void>;
}
export interface TriggersApi {
  list(project: string, location: string): Promise<Live<TriggerResource>[]>;
  create(desired: TriggerResource): Promise<void>;
  /** Patched in place with an update mask, never deleted and recreated. */
  update(desired: TriggerResource): Promise<void>;
  delete(name: string): Promise<void>;
}
export interface SchedulerJobsApi {
  list(project: string, location: string): Promise<Live<SchedulerJobResource>[]>;
  create(desired: SchedulerJobResource): Promise<void>;
  update(desired: SchedulerJobResource): Promise<void>;
  delete(name: string): Promise<void>;
  /** jobs:pause or jobs:resume (the job's state is output only: no create or patch sets it). */
  setState(name: string, state: SchedulerJobResource['state']): Promise<void>;
}
export interface StorageApi {
  bucketExists(bucket: string): Promise<boolean>;
  /** Whether the bucket exists and has uniform bucket-level access on (managed folders need it). */
  bucketAccess(bucket: string): Promise<{ readonly exists: boolean; readonly uniformBucketLevelAccess: boolean }>;
}

/**
 * Cloud Storage managed folders over the JSON API (the Node SDK has none):
 * https://cloud.google.com/storage/docs/json_api/v1/managedFolder.
 */
export interface ManagedFoldersApi {
  /** Names (with their trailing "/") of the managed folders under `prefix`, every page. */
  list(bucket: string, prefix: string): Promise<string[]>;
  create(bucket: string, folder: string): Promise<void>;
  /** Deletes the folder, not its objects (`allowNonEmpty`); they fall back to the bucket's policy. */
  delete(bucket: string, folder: string): Promise<void>;
}

/**
 * The own IAM policy of a managed folder (`gs://B/F/`), a topic (`projects/P/topics/T`) or a service
 * account (`projects/P/serviceAccounts/E`), version 3 asked for.
 */
export interface ResourceIamApi {
  /** Undefined when the resource does not exist. */
  getPolicy(target: PolicyTarget, name: string): Promise<IamPolicy | undefined>;
  /** Sends the etag it was given; a stale etag rejects with an ABORTED/409/412 CloudError. */
  setPolicy(target: PolicyTarget, name: string, policy: IamPolicy): Promise<IamPolicy>;
}

/** An object as objects.list describes it: no content, its MD5 (base64), generation and custom metadata. */
export interface LiveObject {
  readonly bucket: string;
  readonly name: string;
  readonly md5Hash: string;
  readonly generation: string;
  /** Bumped by metadata-only updates, which leave `generation` as it is (storage v1 Object). */
  readonly metageneration?: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Per-client run settings objects in the product bucket (src/gcp/run-settings.ts). */
export interface RunSettingsApi {
  /** Every object under `prefix` (one call per 1,000); a missing bucket rejects with NOT_FOUND. */
  list(bucket: string, prefix: string): Promise<LiveObject[]>;
  /** The object's content as text; undefined when there is no such object. */
  read(bucket: string, name: string): Promise<string | undefined>;
  /**
   * Writes the settings with their custom metadata (`metadata`, or the ownership marks and the secrets
   * the settings name); with ifAbsent, an existing object rejects with ALREADY_EXISTS.
   */
  put(desired: RunSettingsResource, options?: { readonly ifAbsent?: boolean; readonly metadata?: Readonly<Record<string, string>> }): Promise<void>;
  /** Deleting an object that is already gone is not an error. */
  delete(bucket: string, name: string): Promise<void>;
}

/** A secret and its labels. */
export interface LabelledSecret {
  /** `projects/P/secrets/S` */
  readonly secret: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** IAM policies of single Secret Manager secrets (`projects/P/secrets/S`). */
export interface SecretManagerApi {
  /** Every secret of the project carrying all of `labels` (one list call per page). */
  listLabelled(project: string, labels: Readonly<Record<string, string>>): Promise<LabelledSecret[]>;
  /** The secret's labels; undefined when it does not exist. */
  getSecret(secret: string): Promise<LabelledSecret | undefined>;
  /** The secret's policy (version 3 asked for); undefined when the secret does not exist. */
  getPolicy(secret: string): Promise<IamPolicy | undefined>;
  /** Sends the etag it was given; a stale etag rejects with an ABORTED/409 CloudError. */
  setPolicy(secret: string, policy: IamPolicy): Promise<IamPolicy>;
}

export interface CloudApis {
  readonly serviceAccounts: ServiceAccountsApi;
  readonly projectIam: ProjectIamApi;
  readonly topics: TopicsApi;
  readonly workflows: WorkflowsApi;
  readonly triggers: TriggersApi;
  readonly schedulerJobs: SchedulerJobsApi;
  readonly storage: StorageApi;
  readonly runSettings: RunSettingsApi;
  readonly secrets: SecretManagerApi;
  readonly managedFolders: ManagedFoldersApi;
  readonly resourceIam: ResourceIamApi;
  /** Release clients (gRPC channels, sockets). */
  close(): Promise<void>;
}

/**
 * Every error an adapter throws, whatever the transport (gRPC codes from SDKs, HTTP statuses from
 * REST/GaxiosError): classified once here so apply's retry rules are written against one vocabulary.
 */
export type CloudErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL'
  | 'UNKNOWN';

export class CloudError extends Error {
  constructor(
    readonly code: CloudErrorCode,
    message: string,
    readonly httpStatus?: number,
    /** The API called (`workflows`, `iam`, ...: its service is `<api>.googleapis.com`), when known. */
    readonly api?: string,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}
