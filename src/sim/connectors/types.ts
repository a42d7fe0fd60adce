/**
 * Connectors are how a workflow reaches the outside world: `call: googleapis.batch.v1.projects.locations.jobs.create`,
 * `call: http.post`, ... The interpreter looks the call target up in a registry of async functions,
 * so tests bind scripted fakes (fake.ts) and `simulate` binds REST clients of the local sandbox (rest.ts).
 * A connector receives the step's `args` as plain JSON-like data and returns plain data (the step's
 * `result`). To fail the way Google's connector would, it throws a WorkflowError carrying Google's
 * error map (see httpErrorValue, operationError, timeoutError below).
 */
import type { Clock } from '../clock.ts';
import { Tag, WorkflowError, errorValue, httpErrorValue } from '../errors.ts';

export interface ConnectorContext {
  readonly clock: Clock;
  /** The calling step and subworkflow, for messages and traces. */
  readonly step: string;
  readonly subworkflow: string;
  /** Built-in and user environment variables of the execution (GOOGLE_CLOUD_PROJECT_ID, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Adds a line to the execution trace (e.g. "job RUNNING"), shown by format-trace. */
  readonly note: (message: string) => void;
}

export type Connector = (args: Readonly<Record<string, unknown>>, ctx: ConnectorContext) => Promise<unknown>;

/** Full call name (e.g. `googleapis.pubsub.v1.projects.topics.publish`) → implementation. */
export type ConnectorRegistry = Readonly<Record<string, Connector>>;

export const CONNECTOR = {
  batchCreate: 'googleapis.batch.v1.projects.locations.jobs.create',
  batchGet: 'googleapis.batch.v1.projects.locations.jobs.get',
  batchDelete: 'googleapis.batch.v1.projects.locations.jobs.delete',
  pubsubPublish: 'googleapis.pubsub.v1.projects.topics.publish',
  pubsubGetTopic: 'googleapis.pubsub.v1.projects.topics.get',
  secretAccessString: 'googleapis.secretmanager.v1.projects.secrets.versions.accessString',
  storageGetObject: 'googleapis.storage.v1.objects.get',
  httpGet: 'http.get',
  httpPost: 'http.post',
  httpPut: 'http.put',
  httpPatch: 'http.patch',
  httpDelete: 'http.delete',
  httpRequest: 'http.request',
} as const;

/** `{code, message, headers, body, tags: ["HttpError"]}`, as a failed HTTP call or connector raises it. */
export function httpError(code: number, body: unknown = null, headers: Record<string, string> = {}): WorkflowError {
  return new WorkflowError(httpErrorValue(code, body, headers));
}

/** A long-running operation (here: a Batch job) that ended unsuccessfully: `{message, tags: ["OperationError"], operation}`. */
export function operationError(message: string, operation: unknown): WorkflowError {
  return new WorkflowError(errorValue([Tag.OperationError], message, { operation }));
}

export function timeoutError(message: string): WorkflowError {
  return new WorkflowError(errorValue([Tag.TimeoutError], message));
}

export function connectionError(message: string, failedToConnect: boolean): WorkflowError {
  return new WorkflowError(errorValue([failedToConnect ? Tag.ConnectionFailedError : Tag.ConnectionError], message));
}

/** The connector_params block every googleapis connector accepts. */
export interface ConnectorParams {
  /** Seconds the whole call (including waiting for a long-running operation) may take. Default 1800. */
  readonly timeout: number;
  readonly pollingPolicy: { readonly initialDelay: number; readonly multiplier: number; readonly maxDelay: number };
  readonly skipPolling: boolean;
}

/** Google's defaults: https://cloud.google.com/workflows/docs/connectors#long-running_operations */
export function connectorParamsOf(args: Readonly<Record<string, unknown>>): ConnectorParams {
  const raw = (args['connector_params'] ?? {}) as Record<string, unknown>;
  const policy = (raw['polling_policy'] ?? {}) as Record<string, unknown>;
  const n = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  return {
    timeout: n(raw['timeout'], 1800),
    pollingPolicy: { initialDelay: n(policy['initial_delay'], 1), multiplier: n(policy['multiplier'], 1.25), maxDelay: n(policy['max_delay'], 60) },
    skipPolling: raw['skip_polling'] === true,
  };
}
