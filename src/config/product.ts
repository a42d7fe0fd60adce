/**
 * The product definition written in workflows/product.ts. A plain, typed value: TypeScript checks its
 * shape, and validateProduct (src/config/validate-product.ts) checks what types cannot (id formats).
 */
import type { BatchJobDefaults } from '../dsl/recipes/batch-job.ts';

export interface EnvironmentDefinition {
  /** GCP project id. */
  readonly project: string;
  /** Region of the workflows, scheduler jobs and Batch jobs, e.g. `europe-west1`. */
  readonly region: string;
  /** Product bucket; defaults to `<project>-batch`. A precondition, not a managed resource. */
  readonly bucket?: string;
  /** Container image for this environment; defaults to the product's `batch.image`. */
  readonly image?: string;
  /** MLflow tracking server of this environment; defaults to the product's `tracking.mlflowUri`. */
  readonly mlflowUri?: string;
}

/** The Batch job settings both workflows build jobs from (their fields are documented in the recipe), plus the image. */
export interface BatchDefaults extends BatchJobDefaults {
  /** Container image URI run by every Batch job. */
  readonly image: string;
}

export interface ProductDefinition {
  /** Product name: prefix of workflow ids, topic and trigger names, bucket folders; service account id. */
  readonly name: string;
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

/** Identity helper that gives workflows/product.ts completion and checking. */
export function defineProduct<const P extends ProductDefinition>(product: P): P {
  return Object.freeze(product);
}
