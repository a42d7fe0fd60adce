/**
 * Google's predefined retry policies and predicates, usable as `retry: ${http.default_retry}` or as
 * `predicate: ${http.default_retry_predicate}` in a custom policy.
 * Docs: https://cloud.google.com/workflows/docs/reference/syntax/retrying#default-retry-policies
 */
import { tagsOf } from './errors.ts';
import { type Value, isMap } from './values.ts';

export interface BackoffNumbers {
  readonly maxRetries: number;
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
}

function codeOf(e: Value): unknown {
  return isMap(e) ? e.get('code') : undefined;
}

/** Idempotent requests may be repeated after any transient failure, even one after the request was sent. */
function idempotentTransient(e: Value): boolean {
  const tags = tagsOf(e);
  if (tags.includes('ConnectionError') || tags.includes('ConnectionFailedError') || tags.includes('TimeoutError')) return true;
  return tags.includes('HttpError') && [429, 502, 503, 504].includes(codeOf(e) as number);
}

/** Non-idempotent requests are repeated only when the server surely did not act on them. */
function nonIdempotentTransient(e: Value): boolean {
  const tags = tagsOf(e);
  if (tags.includes('ConnectionFailedError')) return true;
  return tags.includes('HttpError') && [429, 503].includes(codeOf(e) as number);
}

export const RETRY_PREDICATES: ReadonlyMap<string, (e: Value) => boolean> = new Map([
  ['http.default_retry_predicate', idempotentTransient],
  ['http.default_retry_predicate_non_idempotent', nonIdempotentTransient],
  ['retry.always', () => true],
  ['retry.never', () => false],
]);

/**
 * Google's default backoff, retry.default_backoff: "initial backoff of 1 second, max backoff of 1
 * minute, and a multiplier of 1.25" (https://cloud.google.com/workflows/docs/reference/stdlib/retry/default_backoff);
 * http.default_retry "uses max_retries of 5, and backoff as per retry.default_backoff"
 * (https://cloud.google.com/workflows/docs/reference/stdlib/http/default_retry). A custom policy's
 * missing backoff fields take these values too (parse-retry.ts).
 */
export const DEFAULT_BACKOFF = { initialDelay: 1, maxDelay: 60, multiplier: 1.25 } as const;

export const RETRY_POLICIES: ReadonlyMap<string, { readonly predicate: string } & BackoffNumbers> = new Map([
  ['http.default_retry', { predicate: 'http.default_retry_predicate', maxRetries: 5, ...DEFAULT_BACKOFF }],
  ['http.default_retry_non_idempotent', { predicate: 'http.default_retry_predicate_non_idempotent', maxRetries: 5, ...DEFAULT_BACKOFF }],
]);
