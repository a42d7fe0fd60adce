/**
 * Cloud Scheduler job states that neither we nor a user set (google.cloud.scheduler.v1.Job.State,
 * node_modules/@google-cloud/scheduler/build/protos/google/cloud/scheduler/v1/job.proto):
 *
 * - `DISABLED`: "The job is disabled by the system due to error. The user cannot directly set a job
 *   to be disabled." Resuming it blindly would hide the error, so apply leaves it disabled (it still
 *   writes the job's configuration) and plan says why and how to resume it once the cause is known.
 * - `UPDATE_FAILED`: "The job state resulting from a failed CloudScheduler.UpdateJob operation. To
 *   recover a job from this state, retry CloudScheduler.UpdateJob until a successful response is
 *   received." That is what apply's update of the job does, so plan names the state and apply goes on.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Change } from './types.ts';

/** Live job states apply does not resume from (it updates the job's configuration only). */
export const NOT_RESUMED_STATES: ReadonlySet<string> = new Set(['DISABLED']);

export function schedulerStateWarnings(changes: readonly Change[]): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const c of changes) {
    if (c.kind !== 'SchedulerJob' || (c.action !== 'update' && c.action !== 'adopt') || c.live.kind !== 'SchedulerJob') continue;
    const state: string = c.live.state;
    const id = c.name.replace(/^.*\/jobs\//, '');
    const location = /\/locations\/([^/]+)\//.exec(c.name)?.[1] ?? '';
    if (state === 'DISABLED') {
      warnings.push({
        path: c.name,
        message: `the scheduler job is DISABLED: Cloud Scheduler disabled it after errors (a user cannot set this state); apply updates its configuration but does not resume it, so its runs stay stopped`,
        fix: `find the cause (gcloud scheduler jobs describe ${id} --location=${location}: its status and last attempt), fix it, then gcloud scheduler jobs resume ${id} --location=${location}`,
      });
    } else if (state === 'UPDATE_FAILED') {
      warnings.push({
        path: c.name,
        message: `the scheduler job is UPDATE_FAILED: an earlier update of it failed; apply retries the update, which is how Google says to recover it`,
        fix: 'run apply; if the update fails again, its error says why',
      });
    }
  }
  return warnings;
}
