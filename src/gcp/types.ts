/**
 * The seam between the pure plan/apply logic and Google's APIs. One adapter per API implements its
 * part (src/gcp/<api>.ts); src/gcp/index.ts builds them all for a target (Google, or the local
 * sandbox). Reads are list calls, so a no-change plan costs a few calls however many clients exist.
 *
 * Live values are returned in the same shape as desired ones (src/resources/types.ts), with ownership
 * decided from labels, description markers and condition titles, so plan can diff them directly; the
 * live model itself (Live, IamPolicy, LiveObject, ...) is pure data in src/resources/live.ts, so plan
 * never imports this folder.
 */
import type { IamPolicy, LabelledSecret, Live, LiveObject } from '../resources/live.ts';
import type { PolicyTarget, ServiceAccountResource, TopicResource, WorkflowResource, TriggerResource, SchedulerJobResource, RunSettingsResource } from '../resources/types.ts';

/** The writes every managed kind has: each resolves once the API has done it. */
export interface ResourceWrites<R> {
  create(desired: R): Promise<void>;
  update(desired: R): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface ServiceAccountsApi extends ResourceWrites<ServiceAccountResource> {
  list(project: string): Promise<Live<ServiceAccountResource>[]>;
  /** Resolves once the account is visible (new accounts are eventually consistent). */
  create(desired: ServiceAccountResource): Promise<void>;
}
export interface ProjectIamApi {
  getPolicy(project: string): Promise<IamPolicy>;
  /** Sends the etag it was given; a stale etag rejects with an ABORTED/409 CloudError. */
  setPolicy(project: string, policy: IamPolicy): Promise<IamPolicy>;
}
export interface TopicsApi extends ResourceWrites<TopicResource> {
  list(project: string): Promise<Live<TopicResource>[]>;
}
export interface WorkflowsApi extends ResourceWrites<WorkflowResource> {
  /** Live workflows carry their source in `sourceContents`. */
  list(project: string, location: string): Promise<Live<WorkflowResource>[]>;
  /** `desired.sourceContents` must be set. Awaits the long-running operation. */
  create(desired: WorkflowResource): Promise<void>;
}
export interface TriggersApi extends ResourceWrites<TriggerResource> {
  list(project: string, location: string): Promise<Live<TriggerResource>[]>;
  /** Patched in place with an update mask, never deleted and recreated. */
  update(desired: TriggerResource): Promise<void>;
}
export interface SchedulerJobsApi extends ResourceWrites<SchedulerJobResource> {
  list(project: string, location: string): Promise<Live<SchedulerJobResource>[]>;
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

/** Per-client run settings objects in the product bucket (src/gcp/run-settings.ts; the serialisation is src/resources/run-settings.ts). */
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
