/**
 * A google.protobuf.Timestamp as the transports send it: RFC 3339 text over REST JSON, or
 * `{ seconds, nanos }` from the SDKs (seconds a number, a string or a Long). Read into RFC 3339 text
 * for saved plans' fingerprints (src/plan/saved-plan.ts), where a value is only ever compared with
 * one read the same way.
 */
import type { Maybe } from './convert.ts';

export type ApiTimestamp = Maybe<string | { seconds?: Maybe<number | string | { toString(): string }>; nanos?: Maybe<number> }>;

/** RFC 3339 text (nanoseconds for the SDKs' form); undefined when absent. */
export function timestampText(value: ApiTimestamp): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  const seconds = Number(String(value.seconds ?? 0));
  if (!Number.isFinite(seconds)) return undefined;
  const whole = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${whole}.${String(value.nanos ?? 0).padStart(9, '0')}Z`;
}
