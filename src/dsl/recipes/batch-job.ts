/**
 * The steps both batch workflows share, written once: run a Cloud Batch container job, wait for it,
 * and publish the status message of DESIGN.md §3 to the client's topic, on success and on failure.
 *
 * Rendered as subworkflows (run_batch_job, publish_status, describe_error), so each workflow's YAML
 * carries one copy and its main only decides *what* to run. Product values (name, machine, disk,
 * commands, timeouts) are baked in at generate time; what differs per environment (project, bucket,
 * image, service account) is read at run time from built-ins and userEnvVars, so the YAML is the
 * same in every environment.
 */
import { retry, subworkflow, type CallSpec, type Subworkflow } from '../builder.ts';
import { batch, pubsub, sysCalls, type BatchJobSpec } from '../connectors.ts';
import { concat, literal, type Expr, type Value } from '../expr.ts';
import { base64, defaultTo, getType, hash, json, mapFns, sys, text, time } from '../stdlib.ts';

/** The product's batch settings this recipe needs (structurally the product's BatchDefaults). */
export interface BatchJobDefaults {
  readonly entrypoint?: string;
  /** `{input}` and `{output}` are replaced by the job's gs:// URIs. */
  readonly commands: readonly string[];
  readonly machineType: string;
  readonly bootDisk: { readonly sizeGb: number; readonly image: string };
  readonly allowedLocations?: readonly string[];
  readonly taskCount: number;
  readonly parallelism: number;
  readonly maxRunDurationSeconds: number;
  readonly waitTimeoutSeconds: number;
}

export interface BatchRecipeOptions {
  /** Product name: topic names, labels, bucket folder. */
  readonly product: string;
  readonly batch: BatchJobDefaults;
  /** Names of the userEnvVars holding the environment-specific values. */
  readonly env: { readonly bucket: string; readonly image: string; readonly jobServiceAccount: string };
}

/**
 * Batch job ids are `PRODUCT-CLIENT-SUFFIX` with a suffix of exactly this many characters, so
 * client names must satisfy len(product) + len(client) + 2 + 17 <= 63 (Batch's job id limit).
 */
export const JOB_ID_SUFFIX_LENGTH = 17;

/** Job states published in the status message. */
export type JobState = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** `gs://B/PRODUCT/CLIENT/` as an expression. */
export function clientFolderUri(product: string, bucket: Expr<string>, client: Expr<string>): Expr<string> {
  return concat('gs://', bucket, `/${product}/`, client, '/');
}

/**
 * The container commands with `{input}`/`{output}` replaced: each command becomes a literal or a
 * concatenation, decided at generate time, so no text substitution runs in the workflow.
 */
export function containerCommands(commands: readonly string[], input: Expr<string>, output: Expr<string>): Value[] {
  return commands.map((command) => {
    const parts = command.split(/(\{input\}|\{output\})/).filter((part) => part !== '');
    if (parts.length === 1 && parts[0] === command && !/\{(input|output)\}/.test(command)) return command;
    return concat(...parts.map((part) => (part === '{input}' ? input : part === '{output}' ? output : part)));
  });
}

/**
 * A job id suffix of `length` characters from [a-z0-9], derived from `key` by SHA-256. Workflows has
 * no hex encoder, so the base64 digest is lower-cased and stripped of `+/=`; 16+ characters of it
 * still carry more than 80 bits, far beyond any collision risk for one client's uploads.
 */
export function digestOf(key: Expr<string>, length: number): Expr<string> {
  const digest = base64.encode(hash.computeChecksum(text.encode(key), 'SHA256'));
  return text.substring(text.replaceAllRegex(text.toLower(digest), '[^a-z0-9]', ''), 0, length);
}

/** A client name as the product accepts it (the service account id rule). */
export const CLIENT_NAME_PATTERN = '^[a-z][a-z0-9-]{4,28}[a-z0-9]$';

/** `projects/P/topics/batch-PRODUCT-CLIENT-outputs` (src/resources/naming.ts topicId). */
export function outputsTopic(product: string, project: Expr<string>, client: Expr<string>): Expr<string> {
  return concat('projects/', project, `/topics/batch-${product}-`, client, '-outputs');
}

/** The error map every failure is reduced to before publishing: `{message, tags}`. */
function describeErrorSubworkflow(): Subworkflow<readonly ['error']> {
  return subworkflow('describe_error', ['error'] as const, (s) =>
    s
      // Errors raised by Google are maps with message and tags; a workflow may also raise a plain string.
      .switch('by_type', (v, branch) => [
        branch.when(getType(v.error).eq('map'), {
          return: { message: defaultTo(mapFns.get(v.error, 'message'), json.encodeToString(v.error)), tags: defaultTo(mapFns.get(v.error, 'tags'), []) },
        }),
        branch.when(getType(v.error).eq('string'), { return: { message: v.error, tags: [] } }),
      ])
      .return('other', (v) => ({ message: json.encodeToString(v.error), tags: [] })),
  );
}

function publishStatusSubworkflow(): Subworkflow<readonly ['topic', 'status']> {
  return subworkflow('publish_status', ['topic', 'status'] as const, (s) =>
    s
      // Publishing is not idempotent (a retry may duplicate the message), so only the retries that
      // are safe for non-idempotent calls; subscribers key on job_id + job_state.
      .try(
        'publish',
        (t) =>
          t.call(
            'publish_message',
            (v) =>
              pubsub.topics.publish({
                topic: v.topic,
                body: {
                  messages: [
                    {
                      data: base64.encode(json.encode(v.status)),
                      attributes: { job_state: v.status.get('job_state'), client: v.status.get('client'), product: v.status.get('product') },
                    },
                  ],
                },
              }),
            { result: 'published' },
          ),
        { retry: retry.httpDefaultNonIdempotent },
      )
      .return('published_status', (v) => v.status),
  );
}

function jobSpec(options: BatchRecipeOptions, job: Expr<any>): BatchJobSpec {
  const b = options.batch;
  return {
    taskGroups: [
      {
        taskCount: b.taskCount,
        parallelism: b.parallelism,
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
          maxRunDuration: `${b.maxRunDurationSeconds}s`,
          environment: { variables: { INPUT_URI: job.get('input_uri'), OUTPUT_URI: job.get('output_uri') } },
        },
      },
    ],
    allocationPolicy: {
      instances: [{ policy: { machineType: b.machineType, bootDisk: { image: b.bootDisk.image, sizeGb: b.bootDisk.sizeGb } } }],
      ...(b.allowedLocations && b.allowedLocations.length > 0 ? { location: { allowedLocations: [...b.allowedLocations] } } : {}),
      serviceAccount: { email: sys.getEnv(options.env.jobServiceAccount) },
    },
    labels: { 'managed-by': 'batch-workflows', product: options.product, client: job.get('client'), trigger: job.get('trigger') },
    logsPolicy: { destination: 'CLOUD_LOGGING' },
  };
}

/** DESIGN.md §3 status message. */
function statusMessage(product: string, job: Expr<any>, state: JobState, error: Value): Value {
  return {
    job_id: job.get('job_id'),
    project_id: sys.getEnv('GOOGLE_CLOUD_PROJECT_ID'),
    product,
    client: job.get('client'),
    workflow: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_ID'),
    execution_id: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
    job_state: state,
    input_uri: job.get('input_uri'),
    output_uri: job.get('output_uri'),
    timestamp: time.format(sys.now()),
    error,
  };
}

/**
 * run_batch_job(job): job = {job_id, client, input_uri, output_uri, commands, trigger}.
 * Returns the published status message, or `{status: "duplicate", job_id}` when a job with this id
 * exists already (a duplicate delivery: the first execution reports on it). Any failure publishes
 * FAILED and re-raises the original error, so the execution fails.
 */
function runBatchJobSubworkflow(options: BatchRecipeOptions, publishStatus: Subworkflow<readonly ['topic', 'status']>, describeError: Subworkflow<readonly ['error']>) {
  const location = sys.getEnv('GOOGLE_CLOUD_LOCATION');
  const project = sys.getEnv('GOOGLE_CLOUD_PROJECT_ID');
  return subworkflow('run_batch_job', ['job'] as const, (s) =>
    s
      .assign('prepare', (v) => ({
        topic: outputsTopic(options.product, project, v.job.get('client')),
        job_name: concat('projects/', project, '/locations/', location, '/jobs/', v.job.get('job_id')),
      }))
      .try(
        'run_job',
        (t) =>
          t.call(
            'create_job',
            (v) =>
              batch.jobs.create({
                parent: concat('projects/', project, '/locations/', location),
                jobId: v.job.get('job_id'),
                body: jobSpec(options, v.job),
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
                        .call('log_duplicate', (w) => sysCalls.log({ json: { message: 'batch job exists already: duplicate delivery, not started again', job_id: w.job.get('job_id') }, severity: 'NOTICE' }))
                        .return('duplicate', (w) => ({ status: 'duplicate', job_id: w.job.get('job_id') })),
                  }),
                ])
                .call('describe_failure', (v) => describeError.call({ error: v.failure }), { result: 'failure_info' })
                .switch('timed_out', (v, branch) => [
                  // The wait ended, the job did not: stop it so it does not write outputs after FAILED was published.
                  branch.when(literal('TimeoutError').in(v.failure_info.get('tags')), {
                    steps: (d) =>
                      d.try('stop_job', (t2) => t2.call('delete_job', (w) => batch.jobs.delete({ name: w.job_name, reason: 'workflow wait timeout', connector_params: { skip_polling: true } })), {
                        except: { as: 'stop_error', steps: (x) => x.call('log_stop_error', (w) => sysCalls.log({ json: { message: 'could not stop timed-out job', job_name: w.job_name, error: w.stop_error }, severity: 'WARNING' })) },
                      }),
                  }),
                ])
                // A failure to publish must not hide the job's failure: log it and raise the original.
                .try('publish_failed', (t2) => t2.call('publish_failed_status', (v) => publishStatus.call({ topic: v.topic, status: statusMessage(options.product, v.job, 'FAILED', v.failure_info) })), {
                  except: {
                    as: 'publish_error',
                    steps: (x) => x.call('log_publish_error', (w) => sysCalls.log({ json: { message: 'could not publish the FAILED status', topic: w.topic, error: w.publish_error }, severity: 'ERROR' })),
                  },
                })
                .raise('reraise', (v) => v.failure),
          },
        },
      )
      .call('publish_succeeded', (v) => publishStatus.call({ topic: v.topic, status: statusMessage(options.product, v.job, 'SUCCEEDED', null) }), { result: 'status' })
      .return('succeeded', (v) => v.status),
  );
}

export interface BatchJobRecipe {
  /** Subworkflows to pass to defineWorkflow (run_batch_job first, then what it calls). */
  readonly subworkflows: readonly Subworkflow<any, any>[];
  /** call run_batch_job with the job map. */
  run(job: {
    readonly job_id: Value;
    readonly client: Value;
    readonly input_uri: Value;
    readonly output_uri: Value;
    readonly commands: Value;
    readonly trigger: 'upload' | 'schedule';
  }): CallSpec<any>;
}

export function batchJobRecipe(options: BatchRecipeOptions): BatchJobRecipe {
  const describeError = describeErrorSubworkflow();
  const publishStatus = publishStatusSubworkflow();
  const runBatchJob = runBatchJobSubworkflow(options, publishStatus, describeError);
  return Object.freeze({
    subworkflows: Object.freeze([runBatchJob, publishStatus, describeError]),
    run: (job: Parameters<BatchJobRecipe['run']>[0]) => runBatchJob.call({ job: { ...job } }),
  });
}

