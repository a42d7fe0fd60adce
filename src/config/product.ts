/**
 * The product definition written in workflows/product.ts. A plain, typed value: TypeScript checks its
 * shape (exactly: an unknown key is a compile error, see NoExtra), and validateProduct
 * (src/config/validate-product.ts, src/config/product-shape.ts) checks it again at generate time,
 * which runs the file without type-checking it, plus what types cannot (id formats, images).
 */
import type { BatchJobDefaults } from '../dsl/recipes/batch-job.ts';
import type { MachineType } from './machine-types.ts';
import type { ProductRegion } from './regions-data.ts';
import type { NamingScheme } from '../names/naming.ts';

export interface EnvironmentDefinition {
  /** GCP project id. */
  readonly project: string;
  /** Region of the workflows, scheduler jobs and Batch jobs, e.g. `europe-west1`: one offering Workflows and Batch (src/config/regions-data.ts). */
  readonly region: ProductRegion;
  /** Product bucket; defaults to `<project>-batch`. A precondition, not a managed resource. */
  readonly bucket?: string;
  /** Container image for this environment; defaults to the product's `batch.image`. */
  readonly image?: string;
  /** MLflow tracking server of this environment; defaults to the product's `tracking.mlflowUri`. */
  readonly mlflowUri?: string;
  /**
   * Quotas Google raised for this environment's project: plan refuses an apply that would exceed
   * the project's quota, and uses these values instead of Google's defaults.
   */
  readonly quotas?: QuotaDefinition;
}

/** Raised project quotas, as granted in the console's Quotas page. */
export interface QuotaDefinition {
  /** Service accounts in the project; Google's default is 100 (https://cloud.google.com/iam/quotas). */
  readonly serviceAccounts?: number;
}

/** The Batch job settings both workflows build jobs from (their fields are documented in the recipe), plus the image. */
export interface BatchDefaults extends BatchJobDefaults {
  /** Container image URI run by every Batch job. */
  readonly image: string;
  /** A predefined Compute Engine machine type (src/config/machine-types.ts), e.g. `n1-standard-2`. */
  readonly machineType: MachineType;
}

export interface ProductDefinition {
  /** Product name: prefix of workflow ids, topic and trigger names, bucket folders; service account id. */
  readonly name: string;
  /**
   * How per-client ids are derived (src/names/naming.ts): `'v2'` joins product and client with
   * `--` and gives client service accounts the product's hash, so two products can share a project;
   * absent means `'v1'`, the seed runbook's names, which deployed products keep until they migrate
   * (README, "Two products in one project").
   */
  readonly naming?: NamingScheme;
  readonly displayName: string;
  readonly environments: Readonly<Record<string, EnvironmentDefinition>>;
  readonly batch: BatchDefaults;
  /** Experiment tracking: Batch containers get MLFLOW_TRACKING_URI and MLFLOW_RUN_TAGS. */
  readonly tracking?: { readonly mlflowUri: string };
  /**
   * Project roles of the orchestrator `PRODUCT@P`, which runs the workflows and is the identity of
   * the triggers and scheduler jobs. Only roles that have no narrower resource to be granted on
   * belong here (README, "Permissions"): generate refuses basic roles and the roles that let an
   * account act as every service account of the project.
   */
  readonly serviceAccountRoles: readonly string[];
  /** Project roles of the worker `PRODUCT-worker@P`, the identity the Batch containers run as; same rules. */
  readonly workerServiceAccountRoles: readonly string[];
}

/**
 * The keys of each object of a product definition, for the same check at generate time
 * (src/config/product-shape.ts). `KeysOf` makes tsc fail here when a field is added to an interface
 * above and not to its list, so the two checks cannot drift apart.
 */
type KeysOf<T> = readonly (keyof T)[];
type Covers<T, L extends KeysOf<T>> = Exclude<keyof T, L[number]> extends never ? L : { missing: Exclude<keyof T, L[number]> };
const keys =
  <T>() =>
  <const L extends KeysOf<T>>(list: L & Covers<T, L>): readonly string[] =>
    list as readonly string[];
export const PRODUCT_KEYS = {
  product: keys<ProductDefinition>()(['name', 'naming', 'displayName', 'environments', 'batch', 'tracking', 'serviceAccountRoles', 'workerServiceAccountRoles']),
  environment: keys<EnvironmentDefinition>()(['project', 'region', 'bucket', 'image', 'mlflowUri', 'quotas']),
  quotas: keys<QuotaDefinition>()(['serviceAccounts']),
  batch: keys<BatchDefaults>()(['image', 'entrypoint', 'commands', 'machineType', 'bootDisk', 'allowedLocations', 'taskCount', 'parallelism', 'maxRunDurationSeconds', 'waitTimeoutSeconds']),
  bootDisk: keys<BatchDefaults['bootDisk']>()(['sizeGb', 'image']),
  tracking: keys<NonNullable<ProductDefinition['tracking']>>()(['mlflowUri']),
} as const;

/** What an unknown key's value must be: no value is, so tsc reports the key, with this text. */
interface UnknownKey<K> {
  readonly 'is not a key here: remove it or fix its spelling (see src/config/product.ts)': K;
}

/**
 * `T` where every key that `Shape` does not have, at any depth, requires an impossible value. The
 * `const P extends ProductDefinition` generic keeps literal types (environment names, values) for
 * callers but turns off TypeScript's excess-property check; this restores it.
 */
export type NoExtra<T, Shape> = T extends readonly unknown[] ? T : T extends object ? { readonly [K in keyof T]: K extends keyof Shape ? NoExtra<T[K], NonNullable<Shape[K]>> : UnknownKey<K> } : T;

/** Identity helper that gives workflows/product.ts completion and checking. */
export function defineProduct<const P extends ProductDefinition>(product: P & NoExtra<P, ProductDefinition>): P {
  return Object.freeze(product);
}
