/**
 * The steps both batch workflows share, written once: run a Cloud Batch container job, wait for it,
 * and publish the status message of DESIGN.md §3 to the client's topic, on success and on failure.
 *
 * Rendered as subworkflows (run_batch_job, read_run_settings, notify, publish_status,
 * describe_error), so each workflow's YAML carries one copy and its main only decides *what* to run.
 * Product values (name, machine, disk, commands, timeouts) are baked in at generate time; what
 * differs per environment (project, bucket, image, service account, MLflow server) is read at run
 * time from built-ins and userEnvVars, so the YAML is the same in every environment; what differs
 * per client (Batch overrides, notification targets, tracking tags) is read at run time from the
 * client's run-settings object in the product bucket, so adding a client never changes the YAML.
 *
 * One file per subworkflow in batch-job/; what they share is batch-job/common.ts.
 */
import type { CallSpec, Subworkflow } from '../builder.ts';
import type { Value } from '../expr.ts';
import type { BatchRecipeOptions } from './batch-job/common.ts';
import { describeErrorSubworkflow } from './batch-job/describe-error.ts';
import { notifySubworkflow } from './batch-job/notify.ts';
import { publishStatusSubworkflow } from './batch-job/publish-status.ts';
import { readRunSettingsSubworkflow } from './batch-job/read-run-settings.ts';
import { runBatchJobSubworkflow } from './batch-job/run-batch-job.ts';

export {
  type BatchJobDefaults,
  type BatchRecipeOptions,
  type JobState,
  PLATFORM_TRACKING_TAGS,
  clientFolderUri,
  containerCommands,
  digestOf,
  outputsTopic,
} from './batch-job/common.ts';

export interface BatchJobRecipe {
  /** Subworkflows to pass to defineWorkflow (run_batch_job first, then what it calls). */
  readonly subworkflows: readonly Subworkflow<any, any>[];
  /** call run_batch_job with the job map. */
  run(job: { readonly job_id: Value; readonly client: Value; readonly input_uri: Value; readonly output_uri: Value; readonly commands: Value; readonly trigger: 'upload' | 'schedule' }): CallSpec<any>;
}

export function batchJobRecipe(options: BatchRecipeOptions): BatchJobRecipe {
  const describeError = describeErrorSubworkflow();
  const publishStatus = publishStatusSubworkflow();
  const readRunSettings = readRunSettingsSubworkflow(options);
  const notify = notifySubworkflow();
  const runBatchJob = runBatchJobSubworkflow(options, { publishStatus, describeError, readRunSettings, notify });
  return Object.freeze({
    subworkflows: Object.freeze([runBatchJob, readRunSettings, notify, publishStatus, describeError]),
    run: (job: Parameters<BatchJobRecipe['run']>[0]) => runBatchJob.call({ job: { ...job } }),
  });
}
