import { defineProduct } from '../src/config/product.ts';

/**
 * The example product: batch scoring of uploaded JSONL files. Job spec defaults follow the seed's
 * Batch job (n1-standard-2, 50 GB batch-cos boot disk, `main.py <input> <output>`).
 */
export const product = defineProduct({
  name: 'scoring',
  // The names the seed's gcloud runbook gave this product's clients (batch-scoring-CLIENT, and the
  // client name as its service account id), kept so that its deployed clients are adopted, not
  // renamed. A new product should write naming: 'v2' here: ids that no other product in the
  // project can derive (README, "Two products in one project", also for migrating).
  naming: 'v1',
  displayName: 'Batch scoring',
  environments: {
    dev: { project: 'scoring-dev-4821', region: 'europe-west1' },
    staging: { project: 'scoring-staging-4821', region: 'europe-west1' },
    prod: {
      project: 'scoring-prod-4821',
      region: 'europe-west1',
      image: 'europe-west1-docker.pkg.dev/scoring-prod-4821/batch/scoring-app:1.4.2',
    },
  },
  batch: {
    image: 'europe-west1-docker.pkg.dev/scoring-dev-4821/batch/scoring-app:latest',
    commands: ['python3', 'main.py', '{input}', '{output}'],
    machineType: 'n1-standard-2',
    bootDisk: { sizeGb: 50, image: 'batch-cos' },
    allowedLocations: [],
    taskCount: 1,
    parallelism: 1,
    maxRunDurationSeconds: 3600,
    waitTimeoutSeconds: 7200,
  },
  // The seeds' MLflow tracking server; Batch containers get MLFLOW_TRACKING_URI and MLFLOW_RUN_TAGS.
  tracking: { mlflowUri: 'https://mlflow.scoring.example.com' },
  // Project-level grants that have no narrower resource (README, "Permissions"). Everything else is
  // granted by batch-workflows on a resource's own policy: publishing on each client topic, reading
  // settings on the _settings/ managed folder, acting as the worker on the worker's own policy.
  serviceAccountRoles: [
    // Batch jobs have no IAM policy of their own (google/cloud/batch/v1/batch.proto has no
    // GetIamPolicy/SetIamPolicy): creating, reading and deleting them is granted on the project.
    'roles/batch.jobsEditor',
    // Workflows have no per-workflow policy (google/cloud/workflows/v1/workflows.proto has no IAM
    // methods): triggers and scheduler jobs invoke the workflows with this.
    'roles/workflows.invoker',
    // Eventarc delivers audit-log events as the trigger's service account, which must hold it.
    'roles/eventarc.eventReceiver',
    // sys.log and the execution logs of the workflows.
    'roles/logging.logWriter',
  ],
  workerServiceAccountRoles: [
    // The Batch agent on each VM reports task state as the job's service account.
    'roles/batch.agentReporter',
    // Container stdout/stderr go to Cloud Logging as the job's service account.
    'roles/logging.logWriter',
  ],
});
