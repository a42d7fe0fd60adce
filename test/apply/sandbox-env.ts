/**
 * A fresh sandbox (with the dev product bucket) and the real adapters pointed at it, for the apply
 * tests; stopped after the body, so nothing is shared between tests or left running.
 */
import * as assert from 'uvu/assert';
import type { ApplyResult, planAndApply } from '../../src/apply/index.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/local/index.ts';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import type { PollClock } from '../../src/gcp/rest.ts';
import { DEV } from '../plan/fake-cloud.ts';
import { secretLabels } from '../../src/names/naming.ts';
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

/**
 * The sandbox's clock and the adapters' polling clock, one time line: when an adapter waits (for an
 * operation, for a new service account to become visible) the sandbox's time moves on by that much at
 * once, so nothing sleeps. Without a clock of the test's own, the time line is the real time plus the
 * waits skipped so far.
 */
function sharedTimeLine(own: SandboxOptions['clock']): { sandbox: { now(): number }; polling: PollClock } {
  let skipped = 0;
  const sandbox = own ?? { now: () => Date.now() + skipped };
  const advance = own && 'advance' in own && typeof own.advance === 'function' ? (ms: number) => (own.advance as (ms: number) => void)(ms) : (ms: number) => void (skipped += ms);
  return { sandbox, polling: { now: () => sandbox.now(), sleep: (ms) => (advance(ms), new Promise<void>((resolve) => setImmediate(resolve))) } };
}

export async function withSandbox(options: SandboxOptions, body: (env: SandboxEnv) => Promise<void>): Promise<void> {
  const time = sharedTimeLine(options.clock);
  const sandbox = await startSandbox({ ...options, clock: time.sandbox });
  // Uniform bucket-level access, as plan requires (client access goes through managed folders).
  sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
  const apis = createCloudApis(
    { kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind },
    {
      projectId: DEV.project,
      serviceAccountVisibility: { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 60_000, clock: time.polling },
      operationPolling: { initialDelayMs: 5, maxDelayMs: 50, timeoutMs: 30_000, clock: time.polling },
    },
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

export { pending } from '../support/pending.ts';

/** The apply succeeded; if not, the message lists the changes that did not finish. */
export function assertAllDone(result: ApplyResult, label = ''): void {
  assert.ok(
    result.ok,
    `${label} ${JSON.stringify(
      result.outcomes.filter((o) => o.status !== 'done'),
      null,
      1,
    )}`,
  );
}

/** planAndApply applied (not refused), and every operation is done. */
export function assertApplied(outcome: Awaited<ReturnType<typeof planAndApply>>, label = ''): void {
  assert.is(outcome.status, 'applied', label);
  if (outcome.status === 'applied') assertAllDone(outcome.result, label);
}
