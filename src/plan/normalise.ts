/**
 * Equality rules: both sides of a comparison are reduced to a normal form (a fresh plain copy, never
 * the value that was passed in) and compared field by field. A field differs only if its normal forms
 * differ, so a plan never shows a change that applying would not make.
 *
 * The rules, per kind. Anything not listed (create/update times, etags, uids, revision ids, state,
 * `sourceFile`, which is a path in generated/ and not a live field) is not compared at all.
 *
 * - All kinds: labels absent ≡ `{}`; a description absent ≡ `""`. Labels are compared as a whole map
 *   (generated/ is authoritative for resources we own: a label added by hand shows as a removal).
 * - ServiceAccount: `displayName`, `description`. Name, email, account id and project are the key.
 * - Topic: `labels`.
 * - Workflow: `description`, `serviceAccount`, source text (exact, byte for byte: it is the reviewed
 *   program), `userEnvVars` (absent ≡ `{}`), `callLogLevel` (absent ≡ `CALL_LOG_LEVEL_UNSPECIFIED` ≡
 *   `LOG_NONE`: Google logs no calls when the level is unspecified), `executionHistoryLevel` (absent ≡
 *   unspecified ≡ `EXECUTION_HISTORY_BASIC`, Google's default), `labels`. A service account may come back as
 *   `projects/P/serviceAccounts/EMAIL`, `projects/-/serviceAccounts/EMAIL` or a bare EMAIL: all ≡ EMAIL.
 * - Trigger: `eventFilters` as a set keyed by attribute (the API returns them in any order; an
 *   attribute appears at most once), operator absent ≡ `""`; `destinationWorkflow`; `serviceAccount`
 *   (same rule as workflows); `labels`.
 * - SchedulerJob: `description`; `schedule` with runs of blanks collapsed; `timeZone` absent ≡
 *   `Etc/UTC` ≡ `UTC` (the API default); `httpTarget.uri`; `httpMethod` absent ≡ `POST`; headers by
 *   lower-cased name, without the ones the API sets itself and never lets callers set (`User-Agent`,
 *   `Content-Length`, `X-Google-*`, `X-AppEngine-*`), and `Content-Type: application/octet-stream`,
 *   which the API fills in when a body has none, ≡ absent; `body` text; OAuth service account email
 *   and scope (absent ≡ `https://www.googleapis.com/auth/cloud-platform`); `state` (absent ≡ ENABLED).
 * - IamBinding: the condition's `title`, `description` (absent ≡ `""`) and `expression` (exact);
 *   role and member are the key.
 * - AuditConfig: the set of log types (order does not matter).
 * - RunSettings: `settings` as a whole JSON value. Plan itself compares them by MD5 and metadata
 *   without reading the content (src/plan/run-settings.ts); this form serves field-level display.
 * - SecretAccess: nothing beyond the key (secret, role, member): a grant exists or it does not.
 */
import type { Resource, SchedulerJobResource, TriggerResource } from '../resources/types.ts';
import type { FieldDiff } from './types.ts';

export const DEFAULT_TIME_ZONE = 'Etc/UTC';
export const DEFAULT_OAUTH_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** A normalised value: JSON-like, object keys sorted, no undefined. */
export type Normal = string | number | boolean | null | readonly Normal[] | { readonly [key: string]: Normal };

/** EMAIL from `projects/P/serviceAccounts/EMAIL`, `projects/-/serviceAccounts/EMAIL` or EMAIL. */
export function serviceAccountEmailOf(value: string): string {
  const match = /^projects\/[^/]+\/serviceAccounts\/(.+)$/.exec(value);
  return match ? match[1]! : value;
}

function sortedRecord(record: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record ?? {}).sort()) out[key] = record![key]!;
  return out;
}

const SERVER_SET_HEADER = /^(user-agent|content-length|x-google-.*|x-appengine-.*)$/;

function normalHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (SERVER_SET_HEADER.test(lower)) continue;
    if (lower === 'content-type' && value === 'application/octet-stream') continue;
    out[lower] = value;
  }
  return sortedRecord(out);
}

function normalTimeZone(timeZone: string | undefined): string {
  return !timeZone || timeZone === 'UTC' ? DEFAULT_TIME_ZONE : timeZone;
}

function normalFilters(filters: TriggerResource['eventFilters']): Record<string, Normal> {
  const out: Record<string, Normal> = {};
  for (const filter of [...filters].sort((a, b) => (a.attribute < b.attribute ? -1 : a.attribute > b.attribute ? 1 : 0))) {
    out[filter.attribute] = { operator: filter.operator ?? '', value: filter.value };
  }
  return out;
}

function normalHttpTarget(target: SchedulerJobResource['httpTarget']): Record<string, Normal> {
  return {
    body: target.body ?? '',
    headers: normalHeaders(target.headers),
    httpMethod: target.httpMethod ?? 'POST',
    oauthToken: {
      scope: target.oauthToken?.scope || DEFAULT_OAUTH_SCOPE,
      serviceAccountEmail: target.oauthToken?.serviceAccountEmail ?? '',
    },
    uri: target.uri,
  };
}

/** The compared fields of a resource, normalised. Keys of every object are in sorted order. */
export function normalise(resource: Resource): Record<string, Normal> {
  switch (resource.kind) {
    case 'ServiceAccount':
      return { description: resource.description ?? '', displayName: resource.displayName ?? '' };
    case 'Topic':
      return { labels: sortedRecord(resource.labels) };
    case 'Workflow':
      return {
        description: resource.description ?? '',
        labels: sortedRecord(resource.labels),
        serviceAccount: serviceAccountEmailOf(resource.serviceAccount ?? ''),
        source: resource.sourceContents ?? '',
        userEnvVars: sortedRecord(resource.userEnvVars),
        callLogLevel: resource.callLogLevel ?? 'LOG_NONE',
        executionHistoryLevel: resource.executionHistoryLevel ?? 'EXECUTION_HISTORY_BASIC',
      };
    case 'Trigger':
      return {
        destinationWorkflow: resource.destinationWorkflow,
        eventFilters: normalFilters(resource.eventFilters ?? []),
        labels: sortedRecord(resource.labels),
        serviceAccount: serviceAccountEmailOf(resource.serviceAccount ?? ''),
      };
    case 'SchedulerJob':
      return {
        description: resource.description ?? '',
        httpTarget: normalHttpTarget(resource.httpTarget),
        schedule: (resource.schedule ?? '').trim().replace(/\s+/g, ' '),
        // A job paused in the console is drift (apply resumes it), unless the client asks for it.
        state: resource.state ?? 'ENABLED',
        timeZone: normalTimeZone(resource.timeZone),
      };
    case 'IamBinding':
      return resource.condition
        ? {
            condition: {
              description: resource.condition.description ?? '',
              expression: resource.condition.expression,
              title: resource.condition.title,
            },
          }
        : { condition: null };
    case 'AuditConfig':
      return { logTypes: [...new Set(resource.logTypes)].sort() };
    case 'RunSettings':
      return { settings: resource.settings as unknown as Normal };
    case 'SecretAccess':
    case 'ManagedFolder':
    case 'ResourceGrant':
      return {};
    case 'ResourcePolicy': {
      // Members are a set: Google keeps them in no promised order. Roles without members are absent.
      const bindings: Record<string, Normal> = {};
      for (const role of Object.keys(resource.bindings).sort()) {
        const members = [...new Set(resource.bindings[role] ?? [])].sort();
        if (members.length > 0) bindings[role] = members;
      }
      return { bindings };
    }
  }
}

function isRecord(value: Normal | undefined): value is { readonly [key: string]: Normal } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Leaf-level differences between two normal forms. Objects are walked key by key (so a label change
 * is one line); arrays and scalars are compared whole.
 */
export function fieldDiffs(before: Normal | undefined, after: Normal | undefined, path = ''): FieldDiff[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => fieldDiffs(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (isRecord(before) && after === undefined) return fieldDiffs(before, {}, path);
  if (before === undefined && isRecord(after)) return fieldDiffs({}, after, path);
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const listed = listDiffs(before, after, path);
    if (listed.length > 0) return listed;
  }
  return [{ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

/**
 * A list that gained or lost items (notification targets, say) is shown item by item: `path[i]` with
 * only `after` for an item added at index i of the new list, only `before` for one removed from index
 * i of the old list. Items in both are not shown. A list whose items only moved yields nothing here,
 * and the caller shows it whole.
 */
function listDiffs(before: readonly Normal[], after: readonly Normal[], path: string): FieldDiff[] {
  return [...unmatched(before, after).map((i) => ({ path: `${path}[${i}]`, before: before[i] })), ...unmatched(after, before).map((i) => ({ path: `${path}[${i}]`, after: after[i] }))];
}

/** Indexes of the items of `items` that `other` does not also hold (counting repeats). */
function unmatched(items: readonly Normal[], other: readonly Normal[]): number[] {
  const available = new Map<string, number>();
  for (const item of other) available.set(JSON.stringify(item), (available.get(JSON.stringify(item)) ?? 0) + 1);
  const indexes: number[] = [];
  items.forEach((item, i) => {
    const left = available.get(JSON.stringify(item)) ?? 0;
    if (left > 0) available.set(JSON.stringify(item), left - 1);
    else indexes.push(i);
  });
  return indexes;
}

/** Field differences between a live resource and the desired one, after normalising both. */
export function diffResource(live: Resource, desired: Resource): FieldDiff[] {
  return fieldDiffs(normalise(live), normalise(desired));
}

/**
 * Every field a create sets, as `FieldDiff`s with only `after`: the compared fields under the same
 * paths an update would show them, plus the identity fields (name, role, member, …) that are not
 * compared because they name the resource. Not the ownership (the document says it) nor the kind;
 * a workflow's source appears once, as `source`.
 */
export function createdFields(desired: Resource): FieldDiff[] {
  const normal = normalise(desired);
  const identity: Record<string, Normal> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'owner' || key === 'kind' || key === 'sourceContents' || key in normal || value === undefined) continue;
    identity[key] = value as Normal;
  }
  return fieldDiffs(undefined, { ...identity, ...normal });
}
