/**
 * Retries with jittered exponential backoff ("full jitter": a random delay up to the exponential
 * bound, so many clients retrying at once spread out instead of hammering the API in lockstep).
 * Sleep and randomness are injected so tests run in no time and deterministically.
 */
import pLimit from 'p-limit';
import { CloudError, type CloudErrorCode } from '../gcp/types.ts';

/** Failures that say nothing about the request itself: the same request may succeed later. */
export const TRANSIENT_CODES: ReadonlySet<CloudErrorCode> = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'INTERNAL']);

export function isTransient(error: unknown): boolean {
  return error instanceof CloudError && TRANSIENT_CODES.has(error.code);
}

export function errorCode(error: unknown): CloudErrorCode | undefined {
  return error instanceof CloudError ? error.code : undefined;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** No single wait is longer than this. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 20_000 };

export interface Clock {
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1). */
  readonly random: () => number;
}

export const realClock: Clock = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The wait before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Never zero: half the bound is fixed, the other half is jitter.
  return Math.round(bound / 2 + random() * (bound / 2));
}

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/**
 * Runs `operation` until it succeeds, fails with an error `shouldRetry` refuses, or runs out of
 * attempts (then the last error is thrown).
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    readonly policy?: RetryPolicy;
    readonly clock?: Clock;
    readonly shouldRetry?: (error: unknown) => boolean;
    readonly onRetry?: (info: RetryInfo) => void;
  } = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const clock = options.clock ?? realClock;
  const shouldRetry = options.shouldRetry ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= policy.maxAttempts || !shouldRetry(error)) throw error;
      const delayMs = backoffDelay(attempt, policy, clock.random);
      options.onRetry?.({ attempt, delayMs, error });
      await clock.sleep(delayMs);
    }
  }
}

/** Runs `worker` over `items` with at most `limit` running at once; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const bounded = pLimit(Math.max(1, limit));
  return settledAll(items.map((item, index) => bounded(() => worker(item, index))));
}

/**
 * Promise.all that settles every promise before it rejects with the first rejection. Promise.all
 * rejects at the first failure and leaves the other calls running, detached: a plan refused at its
 * first 403 would return, and its caller close the clients, while other reads were still in flight
 * (and retrying against a closed connection). Here nothing is left running when the promise settles.
 */
export async function settledAll<const T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
