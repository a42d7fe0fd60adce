/**
 * Google's Batch `jobs.create` connector does not return when the job is created: it polls the job
 * until it ends (connector_params.polling_policy, default 1 s growing ×1.25 to 60 s) and returns the
 * final Job when it SUCCEEDED. A FAILED job raises OperationError with the job as `operation`; a job
 * still running after connector_params.timeout (default 1800 s) raises TimeoutError. Both the fakes
 * and the REST client share this loop; only `get` and the clock differ.
 * Docs: https://cloud.google.com/workflows/docs/reference/googleapis/batch/v1/projects.locations.jobs/create
 */
import type { Clock } from '../clock.ts';
import { type ConnectorParams, operationError, timeoutError } from './types.ts';

export type BatchJob = Record<string, unknown> & { name?: string; status?: { state?: string; statusEvents?: { description?: string; type?: string; eventTime?: string }[]; runDuration?: string } };

export const TERMINAL_FAILURE_STATES = new Set(['FAILED', 'CANCELLED', 'DELETION_IN_PROGRESS']);

export function stateOf(job: BatchJob): string {
  return job.status?.state ?? 'STATE_UNSPECIFIED';
}

/** The most telling line of a failed job: its last status event, as the Batch console shows it. */
export function failureSummary(job: BatchJob): string {
  const events = job.status?.statusEvents ?? [];
  const last = [...events].reverse().find((e) => e.description);
  return last?.description ?? 'no status event explains the failure';
}

export async function waitForBatchJob(opts: {
  readonly created: BatchJob;
  readonly get: () => Promise<BatchJob>;
  readonly params: ConnectorParams;
  /** Clock for the timeout and the waits; `waitMs` overrides the policy's wait (REST uses a short real interval). */
  readonly clock: Clock;
  readonly waitMs?: (policyDelaySeconds: number) => number;
  readonly note?: (message: string) => void;
}): Promise<BatchJob> {
  const { params, clock } = opts;
  const deadline = clock.now() + params.timeout * 1000;
  let job = opts.created;
  let delay = params.pollingPolicy.initialDelay;
  let lastState = '';
  while (true) {
    const state = stateOf(job);
    if (state !== lastState) {
      opts.note?.(`job ${job.name ?? '?'} is ${state}`);
      lastState = state;
    }
    if (state === 'SUCCEEDED') return job;
    if (TERMINAL_FAILURE_STATES.has(state)) {
      throw operationError(`Batch job ${job.name ?? '?'} ended in state ${state}: ${failureSummary(job)}`, job);
    }
    const wait = opts.waitMs ? opts.waitMs(delay) : delay * 1000;
    if (clock.now() + wait > deadline) {
      await clock.sleep(Math.max(0, deadline - clock.now()));
      throw timeoutError(`Batch job ${job.name ?? '?'} did not finish within the connector timeout of ${params.timeout} s (last state ${state})`);
    }
    await clock.sleep(wait);
    delay = Math.min(delay * params.pollingPolicy.multiplier, params.pollingPolicy.maxDelay);
    job = await opts.get();
  }
}
