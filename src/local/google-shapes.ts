/**
 * Conventions shared by Google's resource APIs (https://google.aip.dev): list pagination (AIP-158),
 * update masks (AIP-134), long-running operations (AIP-151), timestamps and generated ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { invalid, type ApiRequest } from './http.ts';

export function now(): string {
  return new Date().toISOString();
}

export interface PageLimits {
  /** Page size when the request gives none (or 0). */
  readonly defaultSize: number;
  /** Larger requested sizes are coerced down to this, as the APIs document. */
  readonly maxSize: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken?: string;
}

/**
 * One page of `items` (already in the API's order). Tokens are opaque to clients: here the offset,
 * base64url-encoded with the page size so a token replayed with another filter is still harmless.
 */
export function paginate<T>(items: readonly T[], pageSizeParam: string | undefined, pageToken: string | undefined, limits: PageLimits): Page<T> {
  const requested = pageSizeParam === undefined || pageSizeParam === '' ? 0 : Number(pageSizeParam);
  if (!Number.isInteger(requested) || requested < 0) throw invalid(`Invalid page_size: ${pageSizeParam}; it must be a non-negative integer.`);
  const size = requested === 0 ? limits.defaultSize : Math.min(requested, limits.maxSize);
  let offset = 0;
  if (pageToken) {
    const decoded = /^o(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalid(`Invalid page_token: ${pageToken}`);
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(`o${offset + size}`).toString('base64url') : undefined;
  return next ? { items: slice, nextPageToken: next } : { items: slice };
}

export function byName(a: { readonly name?: unknown }, b: { readonly name?: unknown }): number {
  const x = String(a.name);
  const y = String(b.name);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The top-level fields an update mask names. Absent mask → `fallback` (each API documents its own
 * default: "all fields", or "the fields present in the request"). `*` means all of `allowed`.
 */
export function maskFields(mask: string | undefined, allowed: readonly string[], fallback: readonly string[]): string[] {
  if (mask === undefined || mask.trim() === '') return [...fallback];
  const fields = mask
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.includes('*')) return [...allowed];
  const out: string[] = [];
  for (const field of fields) {
    const top = camelCase(field.split('.')[0]!);
    if (!allowed.includes(top)) throw invalid(`Invalid update mask path: "${field}". Allowed fields: ${allowed.join(', ')}.`);
    if (!out.includes(top)) out.push(top);
  }
  return out;
}

export function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Copy `fields` of `patch` over `current`; a field absent from `patch` is cleared (AIP-134). */
export function applyMask<T extends Record<string, unknown>>(current: T, patch: Record<string, unknown>, fields: readonly string[]): T {
  const next: Record<string, unknown> = { ...current };
  for (const field of fields) {
    if (patch[field] === undefined) delete next[field];
    else next[field] = patch[field];
  }
  return next as T;
}

export function hexId(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function uuid(): string {
  return randomUUID();
}

/** An etag in the style Google uses for IAM policies and service accounts: 8 random bytes, base64. */
export function etag(): string {
  return randomBytes(8).toString('base64');
}

/**
 * Whether two etags of a `bytes` field (google.iam.v1.Policy.etag, iam v1 ServiceAccount.etag) are
 * the same bytes. In JSON a bytes field is base64, and Google's parsers accept "either standard or
 * URL-safe base64 encoding with/without paddings" (https://protobuf.dev/programming-guides/json,
 * the `bytes` row), so the text a client sends back need not be the text it read: gcloud decodes
 * the etag and re-encodes it URL-safe (apitools encoding_helper: base64.urlsafe_b64encode), turning
 * `+`/`/` into `-`/`_`. String etags (Eventarc triggers, secrets) are compared as strings instead.
 * Text that is not base64 in either alphabet matches nothing.
 */
export function sameEtag(a: unknown, b: unknown): boolean {
  const x = etagBytes(a);
  const y = etagBytes(b);
  return x !== undefined && y !== undefined && x.equals(y);
}

const BASE64_EITHER_ALPHABET = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;

function etagBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || !BASE64_EITHER_ALPHABET.test(value)) return undefined;
  // Node's base64 decoder reads both alphabets, padded or not.
  return Buffer.from(value, 'base64');
}

/** A Google operation as the REST APIs return it (google.longrunning.Operation). */
export interface Operation {
  readonly name: string;
  readonly metadata: Record<string, unknown>;
  readonly done: boolean;
  readonly response?: Record<string, unknown>;
  readonly error?: { code: number; message: string };
}

/**
 * A finished operation: the sandbox applies every change synchronously, so operations are born done
 * (clients that poll still find them under their name).
 */
export function doneOperation(args: {
  readonly location: string /* projects/P/locations/L */;
  readonly metadataType: string;
  readonly target: string;
  readonly verb: 'create' | 'update' | 'delete';
  readonly responseType: string;
  readonly response: Record<string, unknown>;
  readonly startTime: string;
}): Operation {
  return {
    name: `${args.location}/operations/operation-${Date.now()}-${hexId(8)}`,
    metadata: {
      '@type': args.metadataType,
      createTime: args.startTime,
      endTime: now(),
      target: args.target,
      verb: args.verb,
      apiVersion: 'v1',
    },
    done: true,
    response: { '@type': args.responseType, ...args.response },
  };
}

/** Mulberry32: small, seeded, good enough for reproducible fault injection. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Labels per https://cloud.google.com/resource-manager/docs/labels-overview#requirements. */
export function validateLabels(labels: unknown, where = 'labels'): void {
  if (labels === undefined) return;
  if (!isRecord(labels)) throw invalid(`${where} must be a map of strings.`);
  const entries = Object.entries(labels);
  if (entries.length > 64) throw invalid(`${where}: at most 64 labels are allowed, got ${entries.length}.`);
  for (const [key, value] of entries) {
    if (!/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u.test(key)) {
      throw invalid(`${where}: invalid label key "${key}": keys start with a lowercase letter and hold at most 63 lowercase letters, digits, underscores and dashes.`);
    }
    if (typeof value !== 'string' || !/^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u.test(value)) {
      throw invalid(`${where}: invalid value for label "${key}": values hold at most 63 lowercase letters, digits, underscores and dashes.`);
    }
  }
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * An enum field as a name. The SDKs in REST mode ask for `enum-encoding=int` and send enums as
 * numbers; gcloud and curl send names. `names[i]` is the name of value i (from the API's proto).
 */
export function enumName(value: unknown, names: readonly string[], field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const name = names[Number(value)];
    if (name === undefined) throw invalid(`Invalid value for ${field}: ${value}.`);
    return name;
  }
  if (typeof value !== 'string' || !names.includes(value)) throw invalid(`Invalid value for ${field}: "${String(value)}"; expected one of ${names.join(', ')}.`);
  return value;
}

/** An update's body may name its resource (AIP-134), but only the one in the URL: `field` is e.g. `workflow.name`. */
function requireSameName(body: { readonly name?: unknown }, name: string, field: string): void {
  if (body.name !== undefined && body.name !== name) throw invalid(`${field} "${String(body.name)}" does not match the URL (${name}).`);
}

/**
 * An update of `name` whose new resource is the body and whose fields are the `updateMask` query
 * parameter: the body (naming, if anything, `name`: `nameField` is e.g. `workflow.name`) and the
 * fields to take from it. Without a mask every updatable field is taken from the request (the
 * Workflows reference: "all fields will be updated"; Cloud Scheduler's likewise).
 */
export function maskedUpdate(req: ApiRequest, name: string, nameField: string, updatable: readonly string[]): { body: Record<string, any>; fields: string[] } {
  const body = req.json();
  requireSameName(body, name, nameField);
  return { body, fields: maskFields(req.param('updateMask'), updatable, updatable) };
}

/**
 * A collection's `list` response (AIP-132): the resources named under `prefix` (their parent), in
 * name order, one page of them as `view` shows them, under `field`.
 */
export function listUnder<T extends { readonly name?: any }>(
  resources: Readonly<Record<string, T>>,
  prefix: string,
  query: { param(name: string): string | undefined },
  limits: PageLimits,
  field: string,
  view: (resource: T) => unknown,
): Record<string, unknown> {
  const all = Object.values(resources)
    .filter((r) => r.name.startsWith(prefix))
    .sort(byName);
  const page = paginate(all, query.param('pageSize'), query.param('pageToken'), limits);
  return listBody(field, page.items.map(view), page.nextPageToken);
}

/** A list response as Google serialises it: empty repeated fields and the last page's token omitted. */
export function listBody(field: string, items: readonly unknown[], nextPageToken?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...(items.length ? { [field]: items } : {}), ...(nextPageToken ? { nextPageToken } : {}), ...extra };
}
