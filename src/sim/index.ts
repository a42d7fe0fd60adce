/**
 * The Cloud Workflows simulator: parse a workflow file once (parseWorkflow), run it as many times as
 * needed (runWorkflow) with connectors bound to fakes or to the local sandbox, on a virtual clock.
 * It runs the YAML that is deployed, not the DSL that produced it.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, VirtualClock } from './clock.ts';
import type { ConnectorRegistry } from './connectors/types.ts';
import type { ErrorContext } from './errors.ts';
import { Execution } from './interpreter.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import type { TraceEvent } from './trace.ts';
import { fromJs, toJs } from './values.ts';
import type { ParsedWorkflow } from './workflow-ast.ts';

export { parseWorkflow } from './parse-workflow.ts';
export type { ParsedWorkflow, Subworkflow, Step } from './workflow-ast.ts';
export { SimSyntaxError, WorkflowError, type ErrorContext } from './errors.ts';
export { SimulationSetupError } from './errors.ts';
export { DEFAULT_LIMITS, type Limits } from './limits.ts';
export { VirtualClock, realClock, type Clock } from './clock.ts';
export type { TraceEvent } from './trace.ts';
export type { Connector, ConnectorContext, ConnectorRegistry } from './connectors/types.ts';

export interface RunOptions {
  /** The execution argument (the JSON given to `gcloud workflows run --data`), bound to main's parameter. */
  argument?: unknown;
  env?: { builtins?: Record<string, string>; user?: Record<string, string> };
  connectors?: ConnectorRegistry;
  /** Virtual by default (starts 2025-01-15T09:00:00Z). */
  clock?: Clock;
  onTrace?: (event: TraceEvent) => void;
  limits?: Partial<Limits>;
  /** Source of uuid.generate() and of the default execution id; random by default. */
  uuid?: () => string;
}

export interface RunResult {
  state: 'SUCCEEDED' | 'FAILED';
  result?: unknown;
  /** What the workflow raised: Google's error map `{message, tags, ...}` or any raised value. */
  error?: unknown;
  /** Where the error was raised: step, subworkflow, line, failing expression. */
  errorContext?: ErrorContext;
  trace: TraceEvent[];
  /** Steps executed, as Google counts them toward the 100,000-step limit. */
  steps: number;
}

/** The built-in environment variables Google sets for every execution. */
export function defaultBuiltins(workflowId = 'workflow', executionId: string = randomUUID()): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT_ID: 'sim-project',
    GOOGLE_CLOUD_PROJECT_NUMBER: '123456789012',
    GOOGLE_CLOUD_LOCATION: 'us-central1',
    GOOGLE_CLOUD_WORKFLOW_ID: workflowId,
    GOOGLE_CLOUD_WORKFLOW_REVISION_ID: '000001-sim',
    GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: executionId,
  };
}

function workflowIdOf(w: ParsedWorkflow): string {
  const base = w.fileName
    ?.split(/[\\/]/)
    .pop()
    ?.replace(/\.(ya?ml|json)$/, '');
  return base || 'workflow';
}

/**
 * Runs the workflow to its end. A workflow error (anything raised and not caught) gives state FAILED;
 * a problem of the simulation itself (e.g. a connector that was not bound) rejects the promise.
 */
export async function runWorkflow(workflow: ParsedWorkflow, options: RunOptions = {}): Promise<RunResult> {
  const uuid = options.uuid ?? (() => randomUUID());
  const userEnv = options.env?.user ?? {};
  for (const k of Object.keys(userEnv)) {
    if (k.startsWith('GOOGLE') || k.startsWith('WORKFLOWS')) throw new Error(`user environment variable "${k}" may not start with GOOGLE or WORKFLOWS (Google reserves them)`);
  }
  const env = { ...defaultBuiltins(workflowIdOf(workflow), uuid()), ...(options.env?.builtins ?? {}), ...userEnv };
  const execution = new Execution({
    workflow,
    connectors: options.connectors ?? {},
    clock: options.clock ?? new VirtualClock(),
    env,
    limits: { ...DEFAULT_LIMITS, ...(options.limits ?? {}) },
    uuid,
    ...(options.onTrace ? { onTrace: options.onTrace } : {}),
  });
  const outcome = await execution.run(fromJs(options.argument ?? null));
  return {
    state: outcome.state,
    ...(outcome.state === 'SUCCEEDED' ? { result: toJs(outcome.result ?? null) } : {}),
    ...(outcome.error !== undefined ? { error: toJs(outcome.error) } : {}),
    ...(outcome.errorContext ? { errorContext: outcome.errorContext } : {}),
    trace: [...outcome.trace],
    steps: outcome.steps,
  };
}
