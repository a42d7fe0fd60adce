/**
 * workflows/product.ts is checked as strictly as a client file, at compile time. Each
 * `@ts-expect-error` line must be a compile error, or `tsc --noEmit -p .` (part of `npm test`) fails
 * with "Unused '@ts-expect-error' directive". The runtime test checks the well-typed twin.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineProduct } from '../../src/config/product.ts';
import { product } from '../../workflows/product.ts';

const base = {
  name: 'scoring',
  displayName: 'Batch scoring',
  environments: { dev: { project: 'scoring-dev-4821', region: 'europe-west1' } },
  batch: {
    image: 'europe-west1-docker.pkg.dev/scoring-dev-4821/batch/scoring-app:latest',
    commands: ['python3', 'main.py', '{input}', '{output}'],
    machineType: 'n1-standard-2',
    bootDisk: { sizeGb: 50, image: 'batch-cos' },
    taskCount: 1,
    parallelism: 1,
    maxRunDurationSeconds: 3600,
    waitTimeoutSeconds: 7200,
  },
  serviceAccountRoles: ['roles/batch.jobsEditor'],
  workerServiceAccountRoles: ['roles/batch.agentReporter'],
} as const;

/** Never called: these only have to compile (or, where marked, not compile). */
export function compileTimeCases(): unknown[] {
  return [
    defineProduct({
      ...base,
      // @ts-expect-error an unknown key at the top level
      foo: 1,
    }),
    defineProduct({
      ...base,
      environments: {
        // @ts-expect-error "imgae" under an environment: prod would silently run the default image
        prod: { project: 'scoring-prod-4821', region: 'europe-west1', imgae: 'europe-west1-docker.pkg.dev/p/r/i:1' },
      },
    }),
    defineProduct({
      ...base,
      // @ts-expect-error an unknown key two levels down
      batch: { ...base.batch, bootDisk: { sizeGb: 50, image: 'batch-cos', type: 'pd-ssd' } },
    }),
    defineProduct({
      ...base,
      // @ts-expect-error a machine type that does not exist (n1-standard comes in 1, 2, 4, 8, ...)
      batch: { ...base.batch, machineType: 'n1-standard-3' },
    }),
    defineProduct({
      ...base,
      // @ts-expect-error a region that does not exist
      environments: { dev: { project: 'scoring-dev-4821', region: 'europe-west99' } },
    }),
    defineProduct({
      ...base,
      // @ts-expect-error nor does this one
      environments: { dev: { project: 'scoring-dev-4821', region: 'us-east99' } },
    }),
    // The well-typed twin, with every optional field:
    defineProduct({
      ...base,
      environments: { dev: { project: 'scoring-dev-4821', region: 'us-central1', bucket: 'b-batch', image: `gcr.io/p/i@sha256:${'a'.repeat(64)}`, mlflowUri: 'https://m' } },
      batch: { ...base.batch, entrypoint: '/bin/sh', allowedLocations: ['regions/us-central1'] },
      tracking: { mlflowUri: 'https://mlflow.example.com' },
    }),
  ];
}

test('literal types survive defineProduct: environment names and values are known to the compiler', () => {
  // These assignments compile only if the literal types are kept.
  const prodImage: 'europe-west1-docker.pkg.dev/scoring-prod-4821/batch/scoring-app:1.4.2' = product.environments.prod.image;
  const region: 'europe-west1' = product.environments.dev.region;
  assert.is(prodImage.endsWith(':1.4.2'), true);
  assert.is(region, 'europe-west1');
  assert.is(compileTimeCases().length, 7);
});

test.run();
