/**
 * User environment variables the generated workflows read with `sys.get_env`, set per environment in
 * each workflow deployment's `userEnvVars` (src/resources/product.ts). They are what differs between
 * dev, staging and prod, so the reviewed workflow YAML is byte-identical in every environment. Project
 * id, location, workflow id and execution id come from Google's built-ins (GOOGLE_CLOUD_PROJECT_ID, ...).
 */
export const WORKFLOW_ENV = {
  /** Product bucket name (no gs://). */
  bucket: 'BATCH_BUCKET',
  /** Container image URI for Batch jobs. */
  image: 'BATCH_IMAGE',
  /** Email of the service account Batch jobs run as: the worker, never the orchestrator that runs the workflow. */
  jobServiceAccount: 'BATCH_SERVICE_ACCOUNT',
  /** MLflow tracking server URI; absent when the product has no tracking (then no MLFLOW_* variables are set). */
  mlflowTrackingUri: 'BATCH_MLFLOW_TRACKING_URI',
} as const;

/**
 * Where each client's run settings live in the product bucket: outside every client's readable
 * prefix (`PRODUCT/CLIENT/`), inside the product service account's (`PRODUCT/`). Client names start
 * with a letter, so `_settings` can never be a client folder.
 */
export function runSettingsObject(product: string, client: string): string {
  return `${product}/_settings/${client}.json`;
}
