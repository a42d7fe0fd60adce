/**
 * Pure conversions between what the APIs return/accept and the desired-resource model
 * (src/resources/types.ts). Live values come back in the desired shape so plan can diff them directly;
 * server-set fields (times, etags, uids, state) are dropped here because no desired value has them.
 *
 * The input interfaces are deliberately loose (`| null`, optional): the SDKs' generated types, REST
 * JSON and the gRPC objects all fit them, so one converter serves every transport.
 */
import type { CallLogLevel, ExecutionHistoryLevel, Resource, SchedulerJobResource, ServiceAccountResource, TopicResource, TriggerResource, WorkflowResource, EventFilter } from '../resources/types.ts';
import type { Owner } from '../names/ownership.ts';
import type { AuditConfig, IamPolicy, IamPolicyBinding, Live } from '../resources/live.ts';
import { NO_OWNER, ownerFromDescription, ownerFromLabels } from '../names/ownership.ts';
import { timestampText, type ApiTimestamp } from './timestamp.ts';

type Maybe<T> = T | null | undefined;
type StringMap = Maybe<Readonly<Record<string, string>>>;

function live<R extends Resource>(make: (owner: Owner) => R, owner: Owner | undefined, revision: Record<string, string | undefined> = {}): Live<R> {
  const set = Object.entries(revision).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return { resource: make(owner ?? NO_OWNER), owned: owner !== undefined, ...(set.length > 0 ? { revision: Object.fromEntries(set) } : {}) };
}

/** A fresh, key-sorted copy, so live maps compare independently of the order the API used. */
function stringMap(value: StringMap): Readonly<Record<string, string>> {
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

// ---- Workflows ---------------------------------------------------------------------------------

export interface ApiWorkflow {
  name?: Maybe<string>;
  description?: Maybe<string>;
  serviceAccount?: Maybe<string>;
  sourceContents?: Maybe<string>;
  userEnvVars?: StringMap;
  /** An enum name, or its number when the REST transport sends `enum-encoding=int`. */
  callLogLevel?: Maybe<string | number>;
  executionHistoryLevel?: Maybe<string | number>;
  labels?: StringMap;
  /** Output only (google.cloud.workflows.v1.Workflow, workflows.proto): "000001-a4d", a new one per definition change. */
  revisionId?: Maybe<string>;
  /** Output only: when the workflow was last updated (labels too, which make no new revision). */
  updateTime?: ApiTimestamp;
}

/** google.cloud.workflows.v1.ExecutionHistoryLevel, in enum-number order. */
const EXECUTION_HISTORY_LEVELS = ['EXECUTION_HISTORY_LEVEL_UNSPECIFIED', 'EXECUTION_HISTORY_BASIC', 'EXECUTION_HISTORY_DETAILED'] as const;

/** google.cloud.workflows.v1.Workflow.CallLogLevel, in enum-number order. */
const CALL_LOG_LEVELS = ['CALL_LOG_LEVEL_UNSPECIFIED', 'LOG_ALL_CALLS', 'LOG_ERRORS_ONLY', 'LOG_NONE'] as const;

/** `{ [key]: value }`, or `{}` when the value is undefined (the model leaves unset fields out). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * An enum field as the transports send it: its name, or its number (REST with enum-encoding=int; a
 * number beyond `names` is kept as its digits, to show as a change). Undefined when absent.
 */
function enumNameOf(value: Maybe<string | number>, names: readonly string[]): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return typeof value === 'number' ? (names[value] ?? String(value)) : value;
}

/** An enum field whose unspecified value (number 0) means Google's default: both read as absent. */
function setEnumOf<T extends string>(value: Maybe<string | number>, names: readonly string[]): T | undefined {
  const name = enumNameOf(value, names);
  return name === undefined || name === names[0] ? undefined : (name as T);
}

export function workflowFromApi(w: ApiWorkflow): Live<WorkflowResource> {
  const name = w.name ?? '';
  const labels = stringMap(w.labels);
  return live(
    (owner) => ({
      kind: 'Workflow',
      owner,
      name,
      description: w.description ?? '',
      serviceAccount: fullServiceAccountName(w.serviceAccount ?? '', projectOf(name)),
      // Live workflows have no file; the source itself is what plan compares.
      sourceFile: '',
      sourceContents: w.sourceContents ?? '',
      userEnvVars: stringMap(w.userEnvVars),
      ...optional('callLogLevel', setEnumOf<CallLogLevel>(w.callLogLevel, CALL_LOG_LEVELS)),
      ...optional('executionHistoryLevel', setEnumOf<ExecutionHistoryLevel>(w.executionHistoryLevel, EXECUTION_HISTORY_LEVELS)),
      labels,
    }),
    ownerFromLabels(labels),
    { revisionId: w.revisionId ?? undefined, updateTime: timestampText(w.updateTime) },
  );
}

export function workflowToApi(desired: WorkflowResource): Required<Omit<ApiWorkflow, 'labels' | 'userEnvVars' | 'callLogLevel' | 'executionHistoryLevel' | 'revisionId' | 'updateTime'>> & {
  labels: Record<string, string>;
  userEnvVars: Record<string, string>;
  callLogLevel: CallLogLevel;
  executionHistoryLevel: ExecutionHistoryLevel;
} {
  if (desired.sourceContents === undefined) {
    throw new Error(`internal: workflow ${desired.name} has no sourceContents (load it from generated/${desired.sourceFile} first)`);
  }
  return {
    name: desired.name,
    description: desired.description,
    serviceAccount: desired.serviceAccount,
    sourceContents: desired.sourceContents,
    userEnvVars: { ...desired.userEnvVars },
    callLogLevel: desired.callLogLevel ?? 'LOG_NONE',
    executionHistoryLevel: desired.executionHistoryLevel ?? 'EXECUTION_HISTORY_BASIC',
    labels: { ...desired.labels },
  };
}

/** The fields apply manages, as update-mask paths (snake_case: gRPC wants it, gax converts for REST). */
export const WORKFLOW_UPDATE_PATHS = ['description', 'source_contents', 'service_account', 'user_env_vars', 'call_log_level', 'execution_history_level', 'labels'] as const;

// ---- Eventarc triggers (REST JSON) ---------------------------------------------------------------

export interface ApiTrigger {
  name?: Maybe<string>;
  eventFilters?: Maybe<readonly { attribute?: Maybe<string>; value?: Maybe<string>; operator?: Maybe<string> }[]>;
  destination?: Maybe<{ workflow?: Maybe<string> }>;
  serviceAccount?: Maybe<string>;
  labels?: StringMap;
  /** Output only (eventarc v1 Trigger, gcloud's eventarc_v1_messages.py); `etag` "might be sent only on create requests". */
  uid?: Maybe<string>;
  updateTime?: Maybe<string>;
  etag?: Maybe<string>;
}

export function triggerFromApi(t: ApiTrigger): Live<TriggerResource> {
  const labels = stringMap(t.labels);
  const eventFilters: EventFilter[] = (t.eventFilters ?? []).map((f) => ({
    attribute: f.attribute ?? '',
    value: f.value ?? '',
    ...(f.operator ? { operator: f.operator as 'match-path-pattern' } : {}),
  }));
  return live(
    (owner) => ({
      kind: 'Trigger',
      owner,
      name: t.name ?? '',
      eventFilters,
      destinationWorkflow: t.destination?.workflow ?? '',
      serviceAccount: t.serviceAccount ?? '',
      labels,
    }),
    ownerFromLabels(labels),
    { uid: t.uid ?? undefined, updateTime: t.updateTime ?? undefined, etag: t.etag ?? undefined },
  );
}

export function triggerToApi(desired: TriggerResource): Record<string, unknown> {
  return {
    name: desired.name,
    eventFilters: desired.eventFilters.map((f) => ({
      attribute: f.attribute,
      value: f.value,
      ...(f.operator ? { operator: f.operator } : {}),
    })),
    destination: { workflow: desired.destinationWorkflow },
    serviceAccount: desired.serviceAccount,
    labels: { ...desired.labels },
  };
}

/** REST update mask (camelCase, it goes into a query string as is). */
export const TRIGGER_UPDATE_MASK = 'eventFilters,destination,serviceAccount,labels';

// ---- Cloud Scheduler -----------------------------------------------------------------------------

const HTTP_METHODS = ['HTTP_METHOD_UNSPECIFIED', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** google.cloud.scheduler.v1.Job.State, in number order (job.proto). */
const JOB_STATES = ['STATE_UNSPECIFIED', 'ENABLED', 'PAUSED', 'DISABLED', 'UPDATE_FAILED'] as const;

export interface ApiSchedulerJob {
  name?: Maybe<string>;
  state?: Maybe<string | number>;
  description?: Maybe<string>;
  schedule?: Maybe<string>;
  timeZone?: Maybe<string>;
  httpTarget?: Maybe<{
    uri?: Maybe<string>;
    httpMethod?: Maybe<string | number>;
    headers?: StringMap;
    /** Bytes from the SDK, base64 text from REST JSON. */
    body?: Maybe<Uint8Array | string>;
    oauthToken?: Maybe<{ serviceAccountEmail?: Maybe<string>; scope?: Maybe<string> }>;
  }>;
  /** Output only (google.cloud.scheduler.v1.Job, job.proto); not scheduleTime/lastAttemptTime, which move every run. */
  userUpdateTime?: ApiTimestamp;
}

function bodyText(body: Maybe<Uint8Array | string>): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return Buffer.from(body, 'base64').toString('utf8');
  return Buffer.from(body).toString('utf8');
}

export function schedulerJobFromApi(j: ApiSchedulerJob): Live<SchedulerJobResource> {
  const t = j.httpTarget ?? {};
  const method = enumNameOf(t.httpMethod, HTTP_METHODS) ?? '';
  const description = j.description ?? '';
  return live(
    (owner) => ({
      kind: 'SchedulerJob',
      owner,
      name: j.name ?? '',
      description,
      schedule: j.schedule ?? '',
      timeZone: j.timeZone ?? '',
      // google.cloud.scheduler.v1.Job.State (job.proto): a number over gRPC, a name over REST.
      state: (enumNameOf(j.state, JOB_STATES) ?? 'STATE_UNSPECIFIED') as 'ENABLED',
      httpTarget: {
        uri: t.uri ?? '',
        // The model only ever asks for POST; a foreign job may use another verb and is shown as it is.
        httpMethod: method as 'POST',
        headers: stringMap(t.headers),
        body: bodyText(t.body),
        oauthToken: {
          serviceAccountEmail: t.oauthToken?.serviceAccountEmail ?? '',
          scope: t.oauthToken?.scope ?? '',
        },
      },
    }),
    ownerFromDescription(description),
    { userUpdateTime: timestampText(j.userUpdateTime) },
  );
}

export function schedulerJobToApi(desired: SchedulerJobResource) {
  const t = desired.httpTarget;
  return {
    name: desired.name,
    description: desired.description,
    schedule: desired.schedule,
    timeZone: desired.timeZone,
    httpTarget: {
      uri: t.uri,
      httpMethod: t.httpMethod,
      headers: { ...t.headers },
      body: Buffer.from(t.body, 'utf8'),
      oauthToken: { serviceAccountEmail: t.oauthToken.serviceAccountEmail, scope: t.oauthToken.scope },
    },
  };
}

export const SCHEDULER_UPDATE_PATHS = ['description', 'schedule', 'time_zone', 'http_target'] as const;

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
    { uniqueId: a.uniqueId ?? undefined },
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

// ---- Project IAM policy -----------------------------------------------------------------------------

export interface ApiPolicy {
  version?: Maybe<number>;
  /** Bytes from the SDK; base64 text in REST JSON. */
  etag?: Maybe<Uint8Array | string>;
  bindings?: Maybe<
    readonly {
      role?: Maybe<string>;
      members?: Maybe<readonly string[]>;
      condition?: Maybe<{ title?: Maybe<string>; description?: Maybe<string>; expression?: Maybe<string>; location?: Maybe<string> }>;
    }[]
  >;
  auditConfigs?: Maybe<
    readonly {
      service?: Maybe<string>;
      auditLogConfigs?: Maybe<readonly { logType?: Maybe<string | number>; exemptedMembers?: Maybe<readonly string[]> }[]>;
    }[]
  >;
}

const LOG_TYPES = ['LOG_TYPE_UNSPECIFIED', 'ADMIN_READ', 'DATA_WRITE', 'DATA_READ'] as const;

/** The etag travels as bytes in the SDKs and as base64 in REST: we keep the REST form. */
export function etagText(etag: Maybe<Uint8Array | string>): string {
  if (etag === null || etag === undefined) return '';
  return typeof etag === 'string' ? etag : Buffer.from(etag).toString('base64');
}

export function policyFromApi(p: ApiPolicy): IamPolicy {
  const bindings: IamPolicyBinding[] = (p.bindings ?? []).map((b) => {
    const c = b.condition;
    // Proto3 reads fill absent messages with null and absent strings with '': both mean "not set".
    const condition =
      c && (c.expression || c.title)
        ? {
            title: c.title ?? '',
            ...(c.description ? { description: c.description } : {}),
            expression: c.expression ?? '',
            ...(c.location ? { location: c.location } : {}),
          }
        : undefined;
    return { role: b.role ?? '', members: [...(b.members ?? [])], ...(condition ? { condition } : {}) };
  });
  const auditConfigs: AuditConfig[] = (p.auditConfigs ?? []).map((a) => ({
    service: a.service ?? '',
    auditLogConfigs: (a.auditLogConfigs ?? []).map((l) => ({
      logType: enumNameOf(l.logType, LOG_TYPES) ?? '',
      ...(l.exemptedMembers && l.exemptedMembers.length > 0 ? { exemptedMembers: [...l.exemptedMembers] } : {}),
    })),
  }));
  return {
    version: p.version ?? 0,
    etag: etagText(p.etag),
    bindings,
    ...(p.auditConfigs && p.auditConfigs.length > 0 ? { auditConfigs } : {}),
  };
}

/** The SDK form (etag as bytes) of a policy to send. */
export function policyToApi(policy: IamPolicy) {
  return {
    version: policy.version,
    ...(policy.etag ? { etag: Buffer.from(policy.etag, 'base64') } : {}),
    bindings: policy.bindings.map((b) => ({
      role: b.role,
      members: [...b.members],
      ...(b.condition
        ? {
            condition: {
              title: b.condition.title,
              ...(b.condition.description ? { description: b.condition.description } : {}),
              expression: b.condition.expression,
              ...(b.condition.location ? { location: b.condition.location } : {}),
            },
          }
        : {}),
    })),
    ...(policy.auditConfigs
      ? {
          auditConfigs: policy.auditConfigs.map((a) => ({
            service: a.service,
            auditLogConfigs: a.auditLogConfigs.map((l) => ({
              logType: l.logType,
              ...(l.exemptedMembers ? { exemptedMembers: [...l.exemptedMembers] } : {}),
            })),
          })),
        }
      : {}),
  };
}
