/**
 * An ApiContext for tests that build the sandbox's route modules without starting servers: empty
 * in-memory state, a clock that stands still, no endpoints, nothing running in the background.
 */
import { Background, type ApiContext } from '../../src/local/context.ts';
import { SandboxState, upperCaseRunner } from '../../src/local/index.ts';
import { realClock } from '../../src/sim/clock.ts';

export async function testApiContext(): Promise<ApiContext> {
  return {
    state: await SandboxState.open(undefined),
    clock: { now: () => 0 },
    serviceAccountVisibilityDelayMs: 0,
    batchRunner: upperCaseRunner,
    batchStepMs: 0,
    takePendingIamChange: () => undefined,
    background: new Background(),
    endpoints: {},
    executionClock: () => realClock,
    executionPollMs: 1,
  };
}
