/**
 * Clocks for apply's retries (src/apply/retry.ts Clock) that never wait on the real clock: backoff
 * is decided (and can be asserted) but not slept.
 */
import type { Clock } from '../../src/apply/retry.ts';
import { seededRandom } from './random.ts';

/** Retries at once, with the jitter fixed at its midpoint: for the fake cloud, where nothing runs in the background. */
export const noClock: Clock = { sleep: async () => {}, random: () => 0.5 };

/**
 * Against the in-process sandbox: a retry yields to the event loop once (so the sandbox's servers,
 * in this same process, answer in between) instead of sleeping, with a seeded jitter.
 */
export const yieldingClock = (seed = 1): Clock => ({ sleep: () => new Promise<void>((resolve) => setImmediate(resolve)), random: seededRandom(seed) });
