/** Workflows and the Eventarc triggers that start them, converted as convert.ts explains. */
import type { CallLogLevel, EventFilter, ExecutionHistoryLevel, TriggerResource, WorkflowResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import { ownerFromLabels } from '../names/ownership.ts';
import { fullServiceAccountName, live, optional, projectOf, setEnumOf, stringMap, type Maybe, type StringMap } from './convert.ts';
import { timestampText, type ApiTimestamp } from './timestamp.ts';

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
    { revisionId: w.revisionId, updateTime: timestampText(w.updateTime) },
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
    { uid: t.uid, updateTime: t.updateTime, etag: t.etag },
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
