/**
 * A fresh sandbox (with the dev product bucket) and the real adapters pointed at it, for the apply
 * tests; stopped after the body, so nothing is shared between tests or left running.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/local/index.ts';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import type { Plan } from '../../src/plan/types.ts';
import { DEV } from '../plan/fake-cloud.ts';
import { secretLabels } from '../../src/resources/naming.ts';
import { yieldingClock } from '../support/clocks.ts';

export interface SandboxEnv {
  readonly sandbox: Sandbox;
  readonly apis: GcpCloudApis;
}

/**
 * No real waits: the sandbox's faults are instantaneous, so a retry need only let the sandbox's
 * servers (in this process) run first; the jitter is seeded, so runs replay.
 */
export const quickClock = yieldingClock(7);

export async function withSandbox(options: SandboxOptions, body: (env: SandboxEnv) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox(options);
  // Uniform bucket-level access, as plan requires (client access goes through managed folders).
  sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
  const apis = createCloudApis(
    { kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind },
    { projectId: DEV.project, serviceAccountVisibility: { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 10_000 }, operationPolling: { initialDelayMs: 5, maxDelayMs: 50, timeoutMs: 30_000 } },
  );
  try {
    await body({ sandbox, apis });
  } finally {
    await apis.close();
    await sandbox.stop();
  }
}

/**
 * A notification secret set up as its client's: a version holding `value`, and the labels plan
 * requires (batch-workflows-product, batch-workflows-client).
 */
export function addClientSecret(sandbox: Sandbox, id: string, value: string, client: string, product = 'scoring'): void {
  sandbox.state.addSecretVersion(DEV.project, id, value);
  const name = `projects/${DEV.project}/secrets/${id}`;
  sandbox.state.put('secrets', name, { ...sandbox.state.get('secrets', name)!, labels: secretLabels(product, client) });
}

/** The changes a plan would make, as `action key` lines. */
export const pending = (plan: Plan) => plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.key}`);
