import { defineProduct } from '../src/config/product.ts';

/**
 * The example product: batch scoring of uploaded JSONL files. Job spec defaults follow the seed's
 * Batch job (n1-standard-2, 50 GB batch-cos boot disk, `main.py <input> <output>`).
 */
export const product = defineProduct({
  name: 'scoring',
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
  serviceAccountRoles: [
    'roles/batch.jobsEditor',
    'roles/batch.agentReporter',
    'roles/logging.logWriter',
    'roles/pubsub.publisher',
    // batch-scheduled checks that the client's topic exists (topics.get) before it starts a job.
    'roles/pubsub.viewer',
    'roles/workflows.invoker',
    'roles/eventarc.eventReceiver',
    'roles/iam.serviceAccountUser',
  ],
});
