/**
 * Executions that run. An execution created through the Executions API, by an Eventarc trigger or
 * by a Cloud Scheduler job runs the revision deployed when it was created, in the project's
 * interpreter (src/sim), in the background of the sandbox process:
 * - its connectors (Batch, Pub/Sub, Secret Manager, Cloud Storage, http.*) call the sandbox's own
 *   endpoints, with the workflow's service account as their caller (src/local/authz/principal.ts);
 * - its environment is the workflow's userEnvVars and Google's built-in variables
 *   (https://cloud.google.com/workflows/docs/reference/environment-variables);
 * - it ends SUCCEEDED with `result` or FAILED with `error` {payload, context, stackTrace}
 *   (google.cloud.workflows.executions.v1.Execution in
 *   node_modules/@google-cloud/workflows/build/protos/google/cloud/workflows/executions/v1/executions.proto).
 * A cancel, or the sandbox stopping, aborts the run at its next wait (a sleep or a connector call).
 */
import { invalid, foundOr } from './http.ts';
import type { ApiContext } from './context.ts';
import { enumName, now, uuid, validateLabels } from './google-shapes.ts';
import { authorizationFor, serviceAccountMember } from './authz/principal.ts';
import { LOOPBACK_HOSTS, sandboxUrl, servedGoogleHosts } from './api-urls.ts';
import { projectNumber } from './apis/resource-manager.ts';
import type { StoredResource } from './state.ts';
import { restConnectors } from '../sim/connectors/rest.ts';
import { parseWorkflow, runWorkflow, type Clock, type ConnectorRegistry, type ErrorContext, type RunResult } from '../sim/index.ts';

const MAX_ARGUMENT_BYTES = 32 * 1024;
/** google.cloud.workflows.executions.v1.Execution.CallLogLevel, by number. */
const CALL_LOG_LEVELS = ['CALL_LOG_LEVEL_UNSPECIFIED', 'LOG_ALL_CALLS', 'LOG_ERRORS_ONLY', 'LOG_NONE'];

export interface ExecutionRequest {
  /** `projects/P/locations/L/workflows/W`. */
  readonly workflow: string;
  /** JSON text, as Execution.argument. */
  readonly argument?: unknown;
  readonly callLogLevel?: unknown;
  readonly labels?: unknown;
  /** Who asked (`serviceAccount:EMAIL`): a trigger's or job's service account, or the API caller. */
  readonly caller?: string;
}

/** Cancels of running executions, by name. */
const running = new WeakMap<ApiContext, Map<string, AbortController>>();

function runningOf(context: ApiContext): Map<string, AbortController> {
  let map = running.get(context);
  if (!map) running.set(context, (map = new Map()));
  return map;
}

/** The service account an execution runs as: the workflow's, else the Compute Engine default one (Workflow.service_account in workflows.proto). */
export function executionServiceAccount(workflow: StoredResource, project: string): string {
  return workflow.serviceAccount || `projects/${project}/serviceAccounts/${projectNumber(project)}-compute@developer.gserviceaccount.com`;
}

/** Validate, record and start an execution; the record is returned ACTIVE, the run goes on in the background. */
export function createExecution(context: ApiContext, request: ExecutionRequest): StoredResource {
  const { state } = context;
  const workflow = foundOr(state.get('workflows', request.workflow), `Resource '${request.workflow}' was not found`);
  const argument = request.argument;
  if (argument !== undefined) {
    if (typeof argument !== 'string') throw invalid('argument must be a string holding JSON.');
    if (Buffer.byteLength(argument, 'utf8') > MAX_ARGUMENT_BYTES) throw invalid('argument is larger than 32 KiB.');
    try {
      JSON.parse(argument);
    } catch {
      throw invalid(`argument is not valid JSON: ${argument.slice(0, 80)}`);
    }
  }
  validateLabels(request.labels);
  const [, project, , location, , workflowId] = request.workflow.split('/') as [string, string, string, string, string, string];
  const id = uuid();
  const name = `${request.workflow}/executions/${id}`;
  const serviceAccount = executionServiceAccount(workflow, project);
  const execution = {
    name,
    startTime: now(),
    state: 'ACTIVE',
    ...(argument !== undefined ? { argument } : {}),
    workflowRevisionId: workflow.revisionId,
    callLogLevel: enumName(request.callLogLevel, CALL_LOG_LEVELS, 'callLogLevel') ?? 'CALL_LOG_LEVEL_UNSPECIFIED',
    status: { currentSteps: [] },
    ...(request.labels ? { labels: request.labels } : {}),
    // Not in Google's Execution: who it runs as and who started it, for authorization to come.
    _serviceAccount: serviceAccount,
    ...(request.caller ? { _caller: request.caller } : {}),
    // Orders executions started in the same millisecond (startTime has millisecond precision here).
    _sequence: Object.keys(state.all('executions')).length,
  };
  state.put('executions', name, execution);
  const env = {
    builtins: {
      GOOGLE_CLOUD_PROJECT_ID: project,
      GOOGLE_CLOUD_PROJECT_NUMBER: projectNumber(project),
      GOOGLE_CLOUD_LOCATION: location,
      GOOGLE_CLOUD_WORKFLOW_ID: workflowId,
      GOOGLE_CLOUD_WORKFLOW_REVISION_ID: String(workflow.revisionId),
      GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: id,
      GOOGLE_CLOUD_SERVICE_ACCOUNT_NAME: serviceAccount,
    },
    user: { ...((workflow.userEnvVars ?? {}) as Record<string, string>) },
  };
  // The revision deployed now is the one that runs, whatever is deployed later.
  const source = String(workflow.sourceContents ?? '');
  const cancel = new AbortController();
  runningOf(context).set(name, cancel);
  context.background.start(async () => {
    try {
      await run(context, { name, source, workflowId, argument, env, serviceAccount, cancel: cancel.signal });
    } finally {
      runningOf(context).delete(name);
    }
  });
  return execution;
}

/** Abort a running execution (its record is set CANCELLED by the caller). */
export function abortExecution(context: ApiContext, name: string): void {
  runningOf(context).get(name)?.abort();
}

class Aborted extends Error {}

const STOPPED_ERROR = errorOf({ message: 'The sandbox stopped while this execution ran; executions do not outlive the sandbox process.', tags: ['SandboxStopped'] }, undefined);

function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

interface RunInput {
  readonly name: string;
  readonly source: string;
  readonly workflowId: string;
  readonly argument: string | undefined;
  readonly env: { builtins: Record<string, string>; user: Record<string, string> };
  readonly serviceAccount: string;
  readonly cancel: AbortSignal;
}

export interface SandboxConnectorOptions {
  /** Real wait between polls of a Batch job. */
  readonly pollIntervalMs: number;
  /** The caller the sandbox's APIs see (an email or projects/P/serviceAccounts/EMAIL); none: anonymous. */
  readonly serviceAccount?: string;
  /** Ends every call and wait (a cancel, the sandbox stopping). */
  readonly signal?: AbortSignal;
  readonly maxJobWaitSeconds?: number;
}

/**
 * The REST connectors (src/sim/connectors/rest.ts) pointed at a sandbox's endpoints: Batch, Pub/Sub,
 * Secret Manager, Cloud Storage, and http.* to loopback or to a `*.googleapis.com` API the sandbox
 * serves. Used by the sandbox's own executions and by `npm run simulate`.
 */
export function sandboxConnectors(endpoints: Readonly<Record<string, string>>, options: SandboxConnectorOptions): ConnectorRegistry {
  const own = Object.values(endpoints).map((base) => base.replace(/\/+$/, ''));
  const authorization = options.serviceAccount ? authorizationFor(serviceAccountMember(options.serviceAccount)) : undefined;
  const signal = options.signal;
  const sandboxFetch: typeof fetch = (input, init = {}) => {
    const target = String(input instanceof Request ? input.url : input);
    const url = sandboxUrl(target, endpoints) ?? target;
    const headers = new Headers(init.headers);
    // Only the sandbox's own APIs get the identity, as Google's connectors authenticate only to Google APIs.
    if (authorization && own.some((base) => url.startsWith(base)) && !headers.has('authorization')) headers.set('authorization', authorization);
    const signals = [init.signal, signal].filter((s): s is AbortSignal => s !== undefined && s !== null);
    return fetch(url, { ...init, headers, ...(signals.length ? { signal: AbortSignal.any(signals) } : {}) });
  };
  const registry = restConnectors(
    { batch: endpoints.batch, pubsub: endpoints.pubsub, secretManager: endpoints.secretmanager, storage: endpoints.storage },
    {
      pollIntervalMs: options.pollIntervalMs,
      fetch: sandboxFetch,
      allowedHttpHosts: [...LOOPBACK_HOSTS, ...servedGoogleHosts(endpoints)],
      ...(options.maxJobWaitSeconds !== undefined ? { maxJobWaitSeconds: options.maxJobWaitSeconds } : {}),
    },
  );
  if (!signal) return registry;
  return Object.fromEntries(Object.entries(registry).map(([callName, connector]) => [callName, (args, ctx) => abortable(connector(args, ctx), signal)]));
}

function abortableClock(clock: Clock, signal: AbortSignal): Clock {
  return { now: () => clock.now(), sleep: (ms) => abortable(clock.sleep(ms), signal) };
}

async function run(context: ApiContext, input: RunInput): Promise<void> {
  const { state } = context;
  const signal = AbortSignal.any([input.cancel, context.background.signal]);
  let outcome: RunResult | { readonly setupError: string };
  try {
    const workflow = parseWorkflow(input.source, `${input.workflowId}.yaml`);
    let lastStep = '';
    outcome = await runWorkflow(workflow, {
      argument: input.argument === undefined ? null : JSON.parse(input.argument),
      env: input.env,
      connectors: sandboxConnectors(context.endpoints, { pollIntervalMs: context.executionPollMs, serviceAccount: input.serviceAccount, signal }),
      clock: abortableClock(context.executionClock(), signal),
      uuid: () => uuid(),
      onTrace: (event) => {
        // Execution.status.currentSteps: the step running now, or the last one run.
        if (event.kind === 'log' || event.kind === 'note' || `${event.subworkflow}.${event.step}` === lastStep) return;
        lastStep = `${event.subworkflow}.${event.step}`;
        const current = state.get('executions', input.name);
        if (current?.state === 'ACTIVE') state.put('executions', input.name, { ...current, status: { currentSteps: [{ routine: event.subworkflow, step: event.step }] } });
      },
    });
  } catch (error) {
    if (error instanceof Aborted) {
      // Cancelled: the cancel already recorded it. Stopped: say so rather than leave it ACTIVE for ever.
      if (!input.cancel.aborted) finish(context, input.name, { state: 'FAILED', error: STOPPED_ERROR });
      return;
    }
    outcome = { setupError: (error as Error).message };
  }
  if ('setupError' in outcome) {
    // The workflow uses something the interpreter cannot run (or does not parse): a failure of this execution, with the reason.
    finish(context, input.name, { state: 'FAILED', error: errorOf({ message: `The sandbox could not run this workflow: ${outcome.setupError}`, tags: ['SandboxError'] }, undefined) });
  } else if (outcome.state === 'SUCCEEDED') {
    finish(context, input.name, { state: 'SUCCEEDED', result: JSON.stringify(outcome.result ?? null) });
  } else {
    finish(context, input.name, { state: 'FAILED', error: errorOf(outcome.error, outcome.errorContext) });
  }
  // Nothing else may flush soon (no request needs to come): persist the outcome now.
  await state.flush();
}

/** The first line of what was raised, as Google's error context begins. */
function summary(raised: unknown): string {
  if (raised && typeof raised === 'object' && typeof (raised as { message?: unknown }).message === 'string') {
    const tags = (raised as { tags?: unknown }).tags;
    const tag = Array.isArray(tags) && typeof tags[0] === 'string' ? `${tags[0]}: ` : '';
    return `${tag}${(raised as { message: string }).message}`;
  }
  return JSON.stringify(raised) ?? 'null';
}

/**
 * Execution.Error: `payload` the raised value as JSON, `context` a human-readable stack trace,
 * `stackTrace.elements` the frames (step, routine, position; int64 fields as strings, the proto3
 * JSON mapping). The context's wording follows what gcloud shows for failed executions
 * (`in step "S", routine "R", line: N`); Google does not specify it.
 */
export function errorOf(raised: unknown, where: ErrorContext | undefined): Record<string, unknown> {
  const frames = where
    ? [
        {
          step: where.step,
          routine: where.subworkflow,
          ...(where.line !== undefined ? { position: { line: String(where.line), column: String(where.column ?? 1), length: String(where.expression?.length ?? 0) } } : {}),
        },
      ]
    : [];
  const context = [summary(raised), ...frames.map((f) => `in step "${f.step}", routine "${f.routine}"${f.position ? `, line: ${f.position.line}` : ''}`)].join('\n');
  return { payload: JSON.stringify(raised) ?? 'null', context, stackTrace: { elements: frames } };
}

/** Record the end of an execution, unless it already ended (a cancel wins over a late finish). */
export function finish(context: ApiContext, name: string, outcome: { state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED'; result?: string; error?: Record<string, unknown> }): void {
  const execution = context.state.get('executions', name);
  if (!execution || (execution.state !== 'ACTIVE' && execution.state !== 'QUEUED')) return;
  const endTime = now();
  context.state.put('executions', name, {
    ...execution,
    state: outcome.state,
    endTime,
    duration: `${Math.max(0, (Date.parse(endTime) - Date.parse(execution.startTime)) / 1000)}s`,
    ...(outcome.result !== undefined ? { result: outcome.result } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
  });
}

/** At start-up: executions a previous sandbox process left ACTIVE cannot resume; they end FAILED, saying why. */
export function abandonExecutions(context: ApiContext): void {
  for (const execution of Object.values(context.state.all('executions'))) {
    if (execution.state !== 'ACTIVE' && execution.state !== 'QUEUED') continue;
    finish(context, execution.name, { state: 'FAILED', error: STOPPED_ERROR });
  }
}
