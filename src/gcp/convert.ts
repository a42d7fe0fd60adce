/**
 * Pure conversions between what the APIs return/accept and the desired-resource model
 * (src/resources/types.ts). Live values come back in the desired shape so plan can diff them directly;
 * server-set fields (times, etags, uids, state) are dropped here because no desired value has them.
 *
 * The input interfaces are deliberately loose (`| null`, optional): the SDKs' generated types, REST
 * JSON and the gRPC objects all fit them, so one converter serves every transport.
 *
 * This file holds the reading rules every API shares (absent and empty alike, enums by name or
 * number, key-sorted maps, ownership and server version fields beside the resource) and the two
 * resources that need nothing more: IAM service accounts and Pub/Sub topics. One file per other API
 * family: convert-workflows.ts (Workflows, Eventarc triggers), convert-scheduler.ts (Cloud Scheduler),
 * convert-policy.ts (the project IAM policy).
 */
import type { Resource, ServiceAccountResource, TopicResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import { NO_OWNER, ownerFromDescription, ownerFromLabels, type Owner } from '../names/ownership.ts';

export type Maybe<T> = T | null | undefined;
export type StringMap = Maybe<Readonly<Record<string, string>>>;

/**
 * A live resource: `make` given its owner (undefined: unmarked, so not ours), and its server version
 * fields beside it in `Live.revision` (those the API left empty dropped), for saved plans.
 */
export function live<R extends Resource>(make: (owner: Owner) => R, owner: Owner | undefined, revision: Record<string, Maybe<string>> = {}): Live<R> {
  const set = Object.entries(revision).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== null && e[1] !== '');
  return { resource: make(owner ?? NO_OWNER), owned: owner !== undefined, ...(set.length > 0 ? { revision: Object.fromEntries(set) } : {}) };
}

/** A fresh, key-sorted copy, so live maps compare independently of the order the API used. */
export function stringMap(value: StringMap): Readonly<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const key of Object.keys(value ?? {}).sort()) result[key] = String(value![key]);
  return result;
}

/** `projects/P/...` → P (empty when the name has another shape). */
export function projectOf(name: string): string {
  return /^projects\/([^/]+)\//.exec(name)?.[1] ?? '';
}

/**
 * Workflows accepts `EMAIL`, `projects/-/serviceAccounts/EMAIL` or the full name, and answers with
 * the full name; desired values always use the full name, so live ones are brought to it too.
 */
export function fullServiceAccountName(value: string, project: string): string {
  if (!value) return '';
  const match = /^projects\/([^/]+)\/serviceAccounts\/(.+)$/.exec(value);
  if (match) return match[1] === '-' && project ? `projects/${project}/serviceAccounts/${match[2]}` : value;
  return project ? `projects/${project}/serviceAccounts/${value}` : value;
}

/** `{ [key]: value }`, or `{}` when the value is undefined (the model leaves unset fields out). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * An enum field as the transports send it: its name, or its number (REST with enum-encoding=int; a
 * number beyond `names` is kept as its digits, to show as a change). Undefined when absent.
 */
export function enumNameOf(value: Maybe<string | number>, names: readonly string[]): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return typeof value === 'number' ? (names[value] ?? String(value)) : value;
}

/** An enum field whose unspecified value (number 0) means Google's default: both read as absent. */
export function setEnumOf<T extends string>(value: Maybe<string | number>, names: readonly string[]): T | undefined {
  const name = enumNameOf(value, names);
  return name === undefined || name === names[0] ? undefined : (name as T);
}

// ---- IAM service accounts (REST JSON) -------------------------------------------------------------

export interface ApiServiceAccount {
  name?: Maybe<string>;
  projectId?: Maybe<string>;
  email?: Maybe<string>;
  displayName?: Maybe<string>;
  description?: Maybe<string>;
  /** Output only (iam v1 ServiceAccount, gcloud's iam_v1_messages.py), stable until deleted; its `etag` is "Deprecated. Do not use.". */
  uniqueId?: Maybe<string>;
}

export function serviceAccountFromApi(a: ApiServiceAccount): Live<ServiceAccountResource> {
  const email = a.email ?? '';
  const name = a.name ?? '';
  const project = a.projectId || projectOf(name);
  const description = a.description ?? '';
  return live(
    (owner) => ({
      kind: 'ServiceAccount',
      owner,
      name,
      project,
      accountId: email.split('@')[0] ?? '',
      email,
      displayName: a.displayName ?? '',
      description,
    }),
    ownerFromDescription(description),
    { uniqueId: a.uniqueId },
  );
}

// ---- Pub/Sub topics --------------------------------------------------------------------------------

export interface ApiTopic {
  name?: Maybe<string>;
  labels?: StringMap;
}

export function topicFromApi(t: ApiTopic): Live<TopicResource> {
  const labels = stringMap(t.labels);
  return live((owner) => ({ kind: 'Topic', owner, name: t.name ?? '', labels }), ownerFromLabels(labels));
}
