/** run_batch_job(job): the Batch job with the client's settings, its status published and notified. */
import { subworkflow, type Subworkflow } from '../../builder.ts';
import { batch, sysCalls, type BatchJobSpec } from '../../connectors.ts';
import { concat, literal, type Expr, type Value } from '../../expr.ts';
import { defaultTo, json, mapFns, sys, toString } from '../../stdlib.ts';
import { type BatchRecipeOptions, type PlatformTrackingTag, outputsTopic } from './common.ts';
import { statusMessage } from './publish-status.ts';
import { runSetting } from './run-settings.ts';

/**
 * The Batch job. Product defaults are baked in; what a client's run settings may override comes from
 * the variables run_batch_job computes before creating the job.
 */
function jobSpec(
  options: BatchRecipeOptions,
  job: Expr<any>,
  run: { readonly taskCount: Expr<number>; readonly parallelism: Expr<number>; readonly maxRunDuration: Expr<string>; readonly machineType: Expr<string>; readonly environment: Expr<any> },
): BatchJobSpec {
  const b = options.batch;
  return {
    taskGroups: [
      {
        taskCount: run.taskCount,
        parallelism: run.parallelism,
        taskSpec: {
          runnables: [
            {
              container: {
                imageUri: sys.getEnv(options.env.image),
                commands: job.get('commands'),
                ...(b.entrypoint ? { entrypoint: b.entrypoint } : {}),
              },
            },
          ],
          maxRunDuration: run.maxRunDuration,
          environment: { variables: run.environment },
        },
      },
    ],
    allocationPolicy: {
      instances: [{ policy: { machineType: run.machineType, bootDisk: { image: b.bootDisk.image, sizeGb: b.bootDisk.sizeGb } } }],
      ...(b.allowedLocations && b.allowedLocations.length > 0 ? { location: { allowedLocations: [...b.allowedLocations] } } : {}),
      serviceAccount: { email: sys.getEnv(options.env.jobServiceAccount) },
    },
    labels: { 'managed-by': 'batch-workflows', product: options.product, client: job.get('client'), trigger: job.get('trigger') },
    logsPolicy: { destination: 'CLOUD_LOGGING' },
  };
}

/**
 * run_batch_job(job): job = {job_id, client, input_uri, output_uri, commands, trigger}.
 * Reads the client's run settings, runs the job with them, publishes its status and notifies the
 * client's targets. Returns the published status message, or `{status: "duplicate", job_id}` when a
 * job with this id exists already (a duplicate delivery: the first execution reports on it). Any
 * failure (settings unreadable, job creation, job failure, timeout) publishes FAILED, notifies, and
 * re-raises the original error, so the execution fails.
 */
export function runBatchJobSubworkflow(
  options: BatchRecipeOptions,
  subs: {
    readonly publishStatus: Subworkflow<readonly ['topic', 'status']>;
    readonly describeError: Subworkflow<readonly ['error']>;
    readonly readRunSettings: Subworkflow<readonly ['client']>;
    readonly notify: Subworkflow<readonly ['settings', 'status', 'started_at']>;
  },
) {
  const location = sys.getEnv('GOOGLE_CLOUD_LOCATION');
  const project = sys.getEnv('GOOGLE_CLOUD_PROJECT_ID');
  const b = options.batch;
  return subworkflow('run_batch_job', ['job'] as const, (s) =>
    s
      .assign('prepare', (v) => ({
        topic: outputsTopic(options.clientTopic, project, v.job.get('client')),
        job_name: concat('projects/', project, '/locations/', location, '/jobs/', v.job.get('job_id')),
        started_at: sys.now(),
        // Until read: no client settings (the defaults), so a failure to read them notifies no one.
        settings: {},
      }))
      .try(
        'run_job',
        (t) =>
          t
            .call('read_settings', (v) => subs.readRunSettings.call({ client: v.job.get('client') }), { result: 'settings' })
            .assign('apply_settings', (v) => ({
              task_count: defaultTo(runSetting(v.settings, 'batch', 'taskCount'), b.taskCount),
              parallelism: defaultTo(runSetting(v.settings, 'batch', 'parallelism'), b.parallelism),
              max_run_duration: concat(toString(defaultTo(runSetting(v.settings, 'batch', 'maxRunDurationSeconds'), b.maxRunDurationSeconds)), 's'),
              machine_type: defaultTo(runSetting(v.settings, 'batch', 'machineType'), b.machineType),
              container_env: defaultTo(runSetting(v.settings, 'batch', 'environment'), {}),
            }))
            .switch('add_tracking', (_v, branch) =>
              options.env.mlflowTrackingUri === undefined
                ? []
                : [
                    // The MLflow run links back to this execution; the platform's tags win over a client's.
                    branch.when(sys.getEnv(options.env.mlflowTrackingUri, '').ne(''), {
                      steps: (d) =>
                        d.assign('tracking_env', (w) => ({
                          container_env: mapFns.merge(w.container_env, {
                            MLFLOW_TRACKING_URI: sys.getEnv(options.env.mlflowTrackingUri!, ''),
                            MLFLOW_RUN_TAGS: json.encodeToString(
                              mapFns.merge(defaultTo(runSetting(w.settings, 'tracking', 'tags'), {}), {
                                product: options.product,
                                client: w.job.get('client'),
                                workflow_execution_id: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
                                input_uri: w.job.get('input_uri'),
                              } satisfies Record<PlatformTrackingTag, Value>),
                            ),
                          }),
                        })),
                    }),
                  ],
            )
            // The job's own input and output always win over a client's variables of the same name.
            .assign('job_env', (v) => ({ container_env: mapFns.merge(v.container_env, { INPUT_URI: v.job.get('input_uri'), OUTPUT_URI: v.job.get('output_uri') }) }))
            .call(
              'create_job',
              (v) =>
                batch.jobs.create({
                  parent: concat('projects/', project, '/locations/', location),
                  jobId: v.job.get('job_id'),
                  body: jobSpec(options, v.job, { taskCount: v.task_count, parallelism: v.parallelism, maxRunDuration: v.max_run_duration, machineType: v.machine_type, environment: v.container_env }),
                  // The connector polls until the job ends; the timeout is the product's wait limit.
                  // Slow polling: a job runs for minutes to hours and each poll is a billed step.
                  connector_params: { timeout: options.batch.waitTimeoutSeconds, polling_policy: { initial_delay: 10, multiplier: 2, max_delay: 120 } },
                }),
              { result: 'finished_job' },
            ),
        {
          except: {
            as: 'failure',
            steps: (e) =>
              e
                .switch('already_exists', (v, branch) => [
                  // A second delivery of the same upload: the execution that created the job reports on it.
                  branch.when(defaultTo(mapFns.get(v.failure, 'code'), 0).eq(409), {
                    steps: (d) =>
                      d
                        .call('log_duplicate', (w) =>
                          sysCalls.log({ json: { message: 'batch job exists already: duplicate delivery, not started again', job_id: w.job.get('job_id') }, severity: 'NOTICE' }),
                        )
                        .return('duplicate', (w) => ({ status: 'duplicate', job_id: w.job.get('job_id') })),
                  }),
                ])
                .call('describe_failure', (v) => subs.describeError.call({ error: v.failure }), { result: 'failure_info' })
                .switch('timed_out', (v, branch) => [
                  // The wait ended, the job did not: stop it so it does not write outputs after FAILED was published.
                  branch.when(literal('TimeoutError').in(v.failure_info.get('tags')), {
                    steps: (d) =>
                      d.try('stop_job', (t2) => t2.call('delete_job', (w) => batch.jobs.delete({ name: w.job_name, reason: 'workflow wait timeout', connector_params: { skip_polling: true } })), {
                        except: {
                          as: 'stop_error',
                          steps: (x) =>
                            x.call('log_stop_error', (w) => sysCalls.log({ json: { message: 'could not stop timed-out job', job_name: w.job_name, error: w.stop_error }, severity: 'WARNING' })),
                        },
                      }),
                  }),
                ])
                .assign('failed_status', (v) => ({ status: statusMessage(options.product, v.job, 'FAILED', v.failure_info) }))
                // A failure to publish must not hide the job's failure: log it and raise the original.
                .try('publish_failed', (t2) => t2.call('publish_failed_status', (v) => subs.publishStatus.call({ topic: v.topic, status: v.status })), {
                  except: {
                    as: 'publish_error',
                    steps: (x) =>
                      x.call('log_publish_error', (w) => sysCalls.log({ json: { message: 'could not publish the FAILED status', topic: w.topic, error: w.publish_error }, severity: 'ERROR' })),
                  },
                })
                .call('notify_failed', (v) => subs.notify.call({ settings: v.settings, status: v.status, started_at: v.started_at }))
                .raise('reraise', (v) => v.failure),
          },
        },
      )
      .call('publish_succeeded', (v) => subs.publishStatus.call({ topic: v.topic, status: statusMessage(options.product, v.job, 'SUCCEEDED', null) }), { result: 'status' })
      .call('notify_succeeded', (v) => subs.notify.call({ settings: v.settings, status: v.status, started_at: v.started_at }))
      .return('succeeded', (v) => v.status),
  );
}
