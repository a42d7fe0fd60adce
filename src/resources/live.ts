/**
 * The live model: what the adapters of src/gcp read back from Google, as pure data. Live resources
 * come in the shape of desired ones (./types.ts) with whether they are ours; IAM policies and objects
 * in the shapes the APIs return. Kept out of src/gcp so that the pure diff (src/plan) and the adapters
 * share it without plan importing the I/O folder.
 */
import type { Resource } from './types.ts';

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

/** A secret and its labels. */
export interface LabelledSecret {
  /** `projects/P/secrets/S` */
  readonly secret: string;
  readonly labels: Readonly<Record<string, string>>;
}
