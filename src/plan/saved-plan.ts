/**
 * Saved plans (`npm run plan -- --out FILE`, then `npm run apply -- FILE`), as Terraform's
 * `plan -out`: a plan file records what the plan read, so apply can refuse when anything moved since
 * the review. Pure: the fingerprint of a live state, digests of generated/'s files, the comparisons
 * and the sentences that say what moved. The file's shape and parsing are in saved-plan-file.ts; its
 * reading and writing in src/cli/saved-plan.ts.
 *
 * The fingerprint is one entry per live resource the plan depends on: resources of this product or
 * at a name generated/ asks for (diff ignores every other one), every IAM policy read, the settings
 * objects, the bucket. Each entry has the server's version fields where the API has them (policies'
 * `etag`, objects' `generation`/`metageneration`, workflows' `revisionId`/`updateTime`, triggers'
 * `uid`/`updateTime`, scheduler jobs' `userUpdateTime`, service accounts' `uniqueId`) and a digest of
 * what was read (Pub/Sub topics have no version field: their digest is all there is).
 */
import { createHash } from 'node:crypto';
import type { IamPolicy, Live } from '../resources/live.ts';
import { resourceKey, type ResourceDocument } from '../resources/types.ts';
import { planToJson } from './format.ts';
import type { Change, LiveState, Plan, PlanSummary } from './types.ts';

export const SAVED_PLAN_FORMAT_VERSION = 1;
/** What a saved plan says it is, so `plan --json` output or another JSON file is told apart. */
export const SAVED_PLAN_KIND = 'batch-workflows saved plan';

export interface LiveFingerprintEntry {
  /** `Workflow projects/P/locations/L/workflows/W`, `IAM policy of projects/P`, `Object gs://B/O`… */
  readonly id: string;
  /** Server version fields under their API names (`etag`, `updateTime`…), when the API has them. */
  readonly revision?: Readonly<Record<string, string>>;
  /** `sha256:` of what was read, server version fields aside. */
  readonly digest: string;
}

/** A planned change as the file lists it: identity and kind, no field values (they may be long, and are in the digest). */
export interface SavedChange {
  readonly action: Exclude<Change['action'], 'no-op'>;
  readonly kind: string;
  readonly key: string;
  readonly name: string;
  readonly client: string | null;
  readonly impact: string;
}

export interface SavedPlan {
  readonly formatVersion: typeof SAVED_PLAN_FORMAT_VERSION;
  readonly kind: typeof SAVED_PLAN_KIND;
  /** batch-workflows' version (package.json): another version may plan differently, so it is refused. */
  readonly toolVersion: string;
  readonly environment: string;
  readonly project: string;
  readonly product: string;
  readonly target: 'gcp' | 'sandbox';
  /** The running sandbox planned against (--sandbox-url), or null. */
  readonly sandboxUrl: string | null;
  /** The options that change a plan. */
  readonly options: { readonly prune: boolean; readonly adopt: boolean; readonly client: string | null };
  /** `sha256:` of each file of generated/ the plan read, by its path under generated/ (`dev/product.yaml`). */
  readonly documents: Readonly<Record<string, string>>;
  /** Sorted by id. */
  readonly live: readonly LiveFingerprintEntry[];
  readonly plan: {
    /** `sha256:` of the plan's JSON (`plan --json`, field values included). */
    readonly digest: string;
    readonly summary: PlanSummary;
    readonly changes: readonly SavedChange[];
  };
}

/** JSON with every object's keys sorted: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

const digestOf = (value: unknown): string => sha256(canonicalJson(value));

/** `sha256:` of each file's text, by path, sorted. */
export function documentDigests(files: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, text]) => [path, sha256(text)]));
}

function byId(a: LiveFingerprintEntry, b: LiveFingerprintEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function entry(id: string, revision: Readonly<Record<string, string | undefined>> | undefined, read: unknown): LiveFingerprintEntry {
  const set = Object.entries(revision ?? {})
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return { id, ...(set.length > 0 ? { revision: Object.fromEntries(set) } : {}), digest: digestOf(read) };
}

function policyEntry(id: string, policy: IamPolicy | undefined, extra: unknown = {}): LiveFingerprintEntry {
  if (!policy) return entry(id, undefined, { absent: true, extra });
  const { etag, bindings, ...rest } = policy;
  // The etag is the policy's version; the digest is taken in a canonical order (members and bindings
  // sorted), so an API listing the same policy in another order does not read as a change.
  const canonical = bindings.map((b) => canonicalJson({ ...b, members: [...b.members].sort() })).sort();
  return entry(id, { etag }, { policy: { ...rest, bindings: canonical }, extra });
}

/** The fingerprint of a live state for a plan of `documents`: see the header for what is in it. */
export function liveFingerprint(live: LiveState, documents: readonly ResourceDocument[]): LiveFingerprintEntry[] {
  const product = documents[0]?.product;
  const desiredKeys = new Set(documents.flatMap((d) => d.resources.map(resourceKey)));
  const entries: LiveFingerprintEntry[] = [];
  const listed: readonly Live[] = [...live.serviceAccounts, ...live.topics, ...live.workflows, ...live.triggers, ...live.schedulerJobs];
  for (const l of listed) {
    const key = resourceKey(l.resource);
    // diff never looks at a resource that is neither ours nor at a desired name: nor does the fingerprint.
    if (!(l.owned && l.resource.owner.product === product) && !desiredKeys.has(key)) continue;
    entries.push(entry(key, l.revision, { owned: l.owned, resource: l.resource }));
  }
  entries.push(policyEntry(`IAM policy of projects/${live.project}`, live.policy));
  entries.push(entry(`Bucket gs://${live.bucket.name}`, undefined, live.bucket));
  for (const o of live.runSettings) {
    entries.push(entry(`Object gs://${o.bucket}/${o.name}`, { generation: o.generation, metageneration: o.metageneration }, { md5Hash: o.md5Hash, metadata: o.metadata, content: o.content }));
  }
  for (const p of live.secretPolicies) entries.push(policyEntry(`IAM policy of ${p.secret}`, p.policy, { labels: p.labels }));
  for (const f of live.managedFolders ?? []) entries.push(policyEntry(`IAM policy of gs://${f.bucket}/${f.folder}`, f.policy));
  for (const r of live.resourcePolicies ?? []) entries.push(policyEntry(`IAM policy of ${r.name}`, r.policy, { target: r.target }));
  // The same id twice (a secret named now and formerly cannot be, but a list could repeat a name): keep the first.
  const seen = new Set<string>();
  return entries.filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true))).sort(byId);
}

export function savedChanges(plan: Plan): SavedChange[] {
  return plan.changes.flatMap((c) => (c.action === 'no-op' ? [] : [{ action: c.action, kind: c.kind, key: c.key, name: c.name, client: c.owner.client ?? null, impact: c.impact }]));
}

/** `sha256:` of the plan as `plan --json` prints it: equal digests, equal plans, field values included. */
export function planDigest(plan: Plan): string {
  return digestOf(planToJson(plan));
}

export interface SavedPlanInput {
  readonly plan: Plan;
  readonly live: LiveState;
  readonly documents: readonly ResourceDocument[];
  /** The files of generated/ the plan read, by path under generated/. */
  readonly files: ReadonlyMap<string, string>;
  readonly target: 'gcp' | 'sandbox';
  readonly sandboxUrl?: string;
  readonly toolVersion: string;
}

export function makeSavedPlan(input: SavedPlanInput): SavedPlan {
  const { plan } = input;
  return {
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    kind: SAVED_PLAN_KIND,
    toolVersion: input.toolVersion,
    environment: plan.environment,
    project: plan.project,
    product: plan.product,
    target: input.target,
    sandboxUrl: input.sandboxUrl ?? null,
    options: { prune: plan.prune, adopt: plan.adopt, client: plan.clientFilter ?? null },
    documents: documentDigests(input.files),
    live: liveFingerprint(input.live, input.documents),
    plan: { digest: planDigest(plan), summary: plan.summary, changes: savedChanges(plan) },
  };
}

/** What changed in generated/ since the plan, a sentence per file; empty when nothing did. */
export function documentsMoved(saved: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const path of [...new Set([...Object.keys(saved), ...Object.keys(now)])].sort()) {
    const before = saved[path];
    const after = now[path];
    if (before === after) continue;
    if (after === undefined) out.push(`generated/${path} was removed since the plan`);
    else if (before === undefined) out.push(`generated/${path} was added since the plan`);
    else out.push(`generated/${path} changed since the plan (${short(before)} → ${short(after)})`);
  }
  return out;
}

function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** What moved in the live state since the plan, a sentence per resource; empty when nothing did. */
export function liveMoved(saved: readonly LiveFingerprintEntry[], now: readonly LiveFingerprintEntry[]): string[] {
  const current = new Map(now.map((e) => [e.id, e]));
  const before = new Map(saved.map((e) => [e.id, e]));
  const out: string[] = [];
  for (const id of [...new Set([...before.keys(), ...current.keys()])].sort()) {
    const was = before.get(id);
    const is = current.get(id);
    if (!is) out.push(`${id}: gone since the plan`);
    else if (!was) out.push(`${id}: appeared since the plan`);
    else {
      const fields = [...new Set([...Object.keys(was.revision ?? {}), ...Object.keys(is.revision ?? {})])].sort();
      const changed = fields.filter((f) => was.revision?.[f] !== is.revision?.[f]);
      if (changed.length > 0) out.push(`${id}: ${changed.map((f) => `${f} ${was.revision?.[f] ?? '(none)'} → ${is.revision?.[f] ?? '(none)'}`).join(', ')}`);
      else if (was.digest !== is.digest) {
        out.push(`${id}: changed since the plan (its fields as read differ${fields.length > 0 ? `, though its ${fields.join(' and ')} did not` : ''})`);
      }
    }
  }
  return out;
}

/**
 * How the plan recomputed now differs from the saved one, a sentence per change (or one about field
 * values when the lists agree); empty when they are equal.
 */
export function planMismatch(saved: SavedPlan['plan'], plan: Plan): string[] {
  if (planDigest(plan) === saved.digest) return [];
  const now = new Map(savedChanges(plan).map((c) => [c.key, c]));
  const then = new Map(saved.changes.map((c) => [c.key, c]));
  const out: string[] = [];
  for (const key of [...new Set([...then.keys(), ...now.keys()])].sort()) {
    const was = then.get(key);
    const is = now.get(key);
    if (!is) out.push(`${was!.action} ${key}: planned, not in the plan now`);
    else if (!was) out.push(`${is.action} ${key}: in the plan now, not planned`);
    else if (canonicalJson(was) !== canonicalJson(is)) out.push(`${key}: planned as ${was.action} (${was.impact}), now ${is.action} (${is.impact})`);
  }
  if (out.length === 0) out.push('the same changes, but with other field values, warnings or errors than were planned');
  return out;
}
