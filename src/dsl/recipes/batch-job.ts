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
 */
import { retry, subworkflow, type CallSpec, type Subworkflow } from '../builder.ts';
import { batch, http, pubsub, secretmanager, storage, sysCalls, type BatchJobSpec } from '../connectors.ts';
import { concat, literal, not, or, type Expr, type Value } from '../expr.ts';
import { base64, defaultTo, getType, hash, ifElse, json, len, mapFns, sys, text, time, toInt, toString } from '../stdlib.ts';

/** The product's Batch defaults this recipe builds jobs from (the product's BatchDefaults extends it). */
export interface BatchJobDefaults {
  /** Container entrypoint; empty means the image's own. */
  readonly entrypoint?: string;
  /** Container commands; `{input}` and `{output}` are replaced by the gs:// URIs at run time. */
  readonly commands: readonly string[];
  readonly machineType: string;
  readonly bootDisk: { readonly sizeGb: number; readonly image: string };
  /** Batch `allocationPolicy.location.allowedLocations`, e.g. `regions/europe-west1`. Empty: the job's region. */
  readonly allowedLocations?: readonly string[];
  readonly taskCount: number;
  readonly parallelism: number;
  /** Maximum run time of one task, in seconds. */
  readonly maxRunDurationSeconds: number;
  /** How long the workflow waits for the job to end before it fails the run, in seconds. */
  readonly waitTimeoutSeconds: number;
}

export interface BatchRecipeOptions {
  /** Product name: labels, bucket folder, job ids. */
  readonly product: string;
  /** The client topic's id around the client name (src/resources/naming.ts topicIdAround). */
  readonly clientTopic: ClientTopicId;
  readonly batch: BatchJobDefaults;
  /** Names of the userEnvVars holding the environment-specific values. */
  readonly env: {
    readonly bucket: string;
    readonly image: string;
    readonly jobServiceAccount: string;
    /** When set and non-empty at run time, jobs get MLFLOW_TRACKING_URI and MLFLOW_RUN_TAGS. */
    readonly mlflowTrackingUri?: string;
  };
  /**
   * The client's run-settings object in the product bucket, with `{client}` where the name goes
   * (e.g. `scoring/_settings/{client}.json`). Its JSON: `{batch?: {machineType?, taskCount?,
   * parallelism?, maxRunDurationSeconds?, environment?}, notify?: [{type, secret, on}], tracking?:
   * {tags?}}`. A missing object means product defaults, no notifications, no extra tags.
   */
  readonly settingsObject: string;
}

/**
 * Batch job ids are `PRODUCT-CLIENT-SUFFIX` with a suffix of exactly this many characters, so
 * client names must satisfy len(product) + len(client) + 2 + 17 <= 63 (Batch's job id limit).
 */
export const JOB_ID_SUFFIX_LENGTH = 17;

/** MLFLOW_RUN_TAGS keys the workflows set on every run (a client's tags may not use them). */
export const PLATFORM_TRACKING_TAGS = ['product', 'client', 'workflow_execution_id', 'input_uri'] as const;
type PlatformTrackingTag = (typeof PLATFORM_TRACKING_TAGS)[number];

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

/**
 * The client's topic, `projects/P/topics/` + `before` + CLIENT + `after`: src/resources/naming.ts
 * topicIdAround gives the two parts for the product's naming scheme (`batch-PRODUCT-` and
 * `-outputs` under v1; `batch-PRODUCT--` under v2), so the workflows and apply agree on it.
 */
export interface ClientTopicId {
  readonly before: string;
  readonly after: string;
}
export function outputsTopic(topicId: ClientTopicId, project: Expr<string>, client: Expr<string>): Expr<string> {
  return concat('projects/', project, `/topics/${topicId.before}`, client, topicId.after);
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

/** The object name of a client's run settings, from the `{client}` template. */
function settingsObjectName(template: string, client: Expr<string>): Expr<string> {
  const parts = template.split('{client}');
  if (parts.length !== 2) throw new Error(`internal: settingsObject must contain {client} exactly once: ${template}`);
  return concat(parts[0]!, client, parts[1]!);
}

/**
 * read_run_settings(client) → the client's run settings map, or `{}` when there is no settings
 * object (HTTP 404): then the product defaults apply, nothing is notified, no tags are added. Any
 * other error is raised, so the run fails like on any API error.
 */
function readRunSettingsSubworkflow(options: BatchRecipeOptions, template: string): Subworkflow<readonly ['client']> {
  return subworkflow('read_run_settings', ['client'] as const, (s) =>
    s
      .assign('locate_settings', (v) => ({ bucket: sys.getEnv(options.env.bucket), object: settingsObjectName(template, v.client) }))
      .try(
        'read_settings_object',
        (t) =>
          t.call(
            'get_settings_object',
            // The connector puts `object` into the URL path as given: the `/` in the name must be encoded.
            (v) => storage.objects.get({ bucket: v.bucket, object: text.urlEncode(v.object), alt: 'media' }),
            { result: 'content' },
          ),
        {
          retry: retry.httpDefault,
          except: {
            as: 'read_error',
            steps: (e) =>
              e
                .switch('no_settings', (v, branch) => [branch.when(defaultTo(mapFns.get(v.read_error, 'code'), 0).eq(404), { return: {} })])
                .raise('settings_unreadable', (v) => v.read_error),
          },
        },
      )
      // A JSON object comes back parsed; stored with another content type it comes back as text.
      .switch('parse_settings', (v, branch) => [
        branch.when(or(getType(v.content).eq('string'), getType(v.content).eq('bytes')), {
          steps: (d) => d.assign('decode_settings', (w) => ({ content: json.decode(w.content) })),
        }),
      ])
      .switch('require_settings_map', (v, branch) => [branch.when(getType(v.content).eq('map'), { return: v.content })])
      .raise('settings_not_a_map', (v) => ({ message: concat('run settings gs://', v.bucket, '/', v.object, ' are not a JSON object'), tags: ['ValueError'] })),
  );
}

/** Slack mrkdwn: `&`, `<` and `>` are control characters, and a code block ends at the next ```. */
function slackEscape(value: Expr<string>): Expr<string> {
  return text.replaceAll(text.replaceAll(text.replaceAll(text.replaceAll(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '```', "'''");
}

/**
 * notify(settings, status, started_at): after the status message is published, announces the run
 * to each target of `settings.notify` whose `on` matches (`always`, or `failure` when the job did
 * not succeed). The webhook URL is read from Secret Manager per target and used only as the POST
 * URL: it is never logged, returned, or put in a message. A failing target (missing secret, HTTP
 * error, timeout) is logged as a WARNING naming its type and secret, and the next target is tried;
 * nothing here can change the run's outcome or hide its error.
 */
function notifySubworkflow(): Subworkflow<readonly ['settings', 'status', 'started_at']> {
  const project = sys.getEnv('GOOGLE_CLOUD_PROJECT_ID');
  return subworkflow('notify', ['settings', 'status', 'started_at'] as const, (s) =>
    s.try(
      'notify_targets',
      (t) =>
        t
          .assign('find_targets', (v) => ({ targets: defaultTo(mapFns.get(v.settings, 'notify'), []) }))
          // Most clients have no targets: no messages to compose (each step is billed).
          .switch('no_targets', (v, branch) => [branch.when(len(v.targets).eq(0), { return: null })])
          .assign('describe_run', (v) => ({
            failed: v.status.get('job_state').ne('SUCCEEDED'),
            seconds: toInt(sys.now().minus(v.started_at)),
            error_message: defaultTo(mapFns.get(defaultTo(v.status.get('error'), {}), 'message'), ''),
            execution_url: concat(
              'https://console.cloud.google.com/workflows/workflow/',
              sys.getEnv('GOOGLE_CLOUD_LOCATION'),
              '/',
              sys.getEnv('GOOGLE_CLOUD_WORKFLOW_ID'),
              '/execution/',
              sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
              '?project=',
              project,
            ),
          }))
          .assign('format_duration', (v) => ({
            duration: concat(
              ifElse(v.seconds.ge(3600), concat(toString(v.seconds.floorDividedBy(3600)), 'h '), ''),
              ifElse(v.seconds.ge(60), concat(toString(v.seconds.modulo(3600).floorDividedBy(60)), 'm '), ''),
              toString(v.seconds.modulo(60)),
              's',
            ),
          }))
          // The Slack text in parts: one expression holding all of it is over Google's 400-character limit.
          .assign('compose_slack_parts', (v) => ({
            slack_job: concat('Batch job *', v.status.get('job_id'), '* for client *', v.status.get('client'), '*'),
            slack_link: concat('<', v.execution_url, '|Workflow execution ', v.status.get('execution_id'), '>'),
            slack_error: slackEscape(v.error_message),
          }))
          .assign('compose_messages', (v) => ({
            // Slack incoming webhook, the seeds' notice. Success: job, client, duration; failure: the error quoted.
            slack_text: ifElse(
              v.failed,
              concat(':x: ', v.slack_job, ' ', text.toLower(v.status.get('job_state')), ' after ', v.duration, ':\n```\n', v.slack_error, '\n```\n', v.slack_link),
              concat(':white_check_mark: ', v.slack_job, ' succeeded in ', v.duration, '.\n', v.slack_link),
            ),
            // Microsoft Teams incoming webhook: a MessageCard.
            teams_card: {
              '@type': 'MessageCard',
              '@context': 'https://schema.org/extensions',
              summary: concat('Batch job ', v.status.get('job_id'), ' ', v.status.get('job_state')),
              themeColor: ifElse(v.failed, 'D13438', '2EB67D'),
              title: concat('Batch job ', v.status.get('job_id'), ' for client ', v.status.get('client'), ': ', v.status.get('job_state')),
              text: ifElse(v.failed, v.error_message, concat('Succeeded in ', v.duration, '.')),
              sections: [
                {
                  facts: [
                    { name: 'Client', value: v.status.get('client') },
                    { name: 'Job', value: v.status.get('job_id') },
                    { name: 'State', value: v.status.get('job_state') },
                    { name: 'Duration', value: v.duration },
                    { name: 'Input', value: v.status.get('input_uri') },
                  ],
                },
              ],
              potentialAction: [{ '@type': 'OpenUri', name: 'Open the workflow execution', targets: [{ os: 'default', uri: v.execution_url }] }],
            },
          }))
          .forIn('each_target', { value: 'target', in: (v) => v.targets }, (body) =>
            body
              .assign('read_target', (v) => ({
                target_type: defaultTo(mapFns.get(v.target, 'type'), ''),
                target_secret: defaultTo(mapFns.get(v.target, 'secret'), ''),
                target_on: defaultTo(mapFns.get(v.target, 'on'), 'failure'),
                stage: 'reading the secret',
              }))
              .switch('skip_unwanted', (v, branch) => [branch.when(not(or(v.target_on.eq('always'), v.failed.and(v.target_on.eq('failure')))), { next: 'continue' })])
              .try(
                'send_notice',
                (n) =>
                  n
                    // The secret: a full name `projects/P/secrets/S`, or an id in the workflow's project.
                    .assign('locate_secret', (v) => ({ secret_project: project, secret_id: v.target_secret }))
                    .switch('full_secret_name', (v, branch) => [
                      branch.when(text.matchRegex(v.target_secret, '^projects/[^/]+/secrets/[^/]+$'), {
                        steps: (d) => d.assign('split_secret_name', (w) => ({ secret_project: text.split(w.target_secret, '/').at(1), secret_id: text.split(w.target_secret, '/').at(3) })),
                      }),
                    ])
                    .call('read_webhook_url', (v) => secretmanager.accessString({ secret_id: v.secret_id, version: 'latest', project_id: v.secret_project }), { result: 'webhook_url' })
                    .assign('start_post', { stage: 'posting' })
                    // No retry: a notice posted twice is worse than one logged as failed.
                    .switch('post_by_type', (v, branch) => [
                      branch.when(v.target_type.eq('slack'), { steps: (d) => d.call('post_slack', (w) => http.post({ url: w.webhook_url, body: { text: w.slack_text }, timeout: 30 })) }),
                      branch.when(v.target_type.eq('teams'), { steps: (d) => d.call('post_teams', (w) => http.post({ url: w.webhook_url, body: w.teams_card, timeout: 30 })) }),
                      branch.when(v.target_type.eq('webhook'), { steps: (d) => d.call('post_webhook', (w) => http.post({ url: w.webhook_url, body: w.status, timeout: 30 })) }),
                      branch.otherwise({ raise: { message: concat('unknown notification type "', v.target_type, '"'), tags: ['ValueError'] } }),
                    ]),
                {
                  except: {
                    as: 'notice_error',
                    // Code and tags only: an error's message may carry the URL it failed to reach.
                    steps: (e) =>
                      e.call('log_notice_error', (v) =>
                        sysCalls.log({
                          json: {
                            message: concat('could not notify the ', v.target_type, ' target (', v.stage, ' failed); the run is not affected'),
                            type: v.target_type,
                            secret: v.target_secret,
                            job_id: v.status.get('job_id'),
                            code: defaultTo(mapFns.get(v.notice_error, 'code'), null),
                            tags: defaultTo(mapFns.get(v.notice_error, 'tags'), []),
                          },
                          severity: 'WARNING',
                        }),
                      ),
                  },
                },
              ),
          ),
      {
        except: {
          // Only settings of an unexpected shape get here: each target's own failure is caught above.
          as: 'notify_error',
          steps: (e) =>
            e.call('log_notify_error', (v) =>
              sysCalls.log({ json: { message: 'could not send notifications; the run is not affected', job_id: v.status.get('job_id'), error: v.notify_error }, severity: 'WARNING' }),
            ),
        },
      },
    ),
  );
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
 * Reads the client's run settings, runs the job with them, publishes its status and notifies the
 * client's targets. Returns the published status message, or `{status: "duplicate", job_id}` when a
 * job with this id exists already (a duplicate delivery: the first execution reports on it). Any
 * failure (settings unreadable, job creation, job failure, timeout) publishes FAILED, notifies, and
 * re-raises the original error, so the execution fails.
 */
function runBatchJobSubworkflow(
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
  const setting = (settings: Expr<any>, ...path: string[]) => mapFns.get(settings, ['batch', ...path]);
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
              task_count: defaultTo(setting(v.settings, 'taskCount'), b.taskCount),
              parallelism: defaultTo(setting(v.settings, 'parallelism'), b.parallelism),
              max_run_duration: concat(toString(defaultTo(setting(v.settings, 'maxRunDurationSeconds'), b.maxRunDurationSeconds)), 's'),
              machine_type: defaultTo(setting(v.settings, 'machineType'), b.machineType),
              container_env: defaultTo(setting(v.settings, 'environment'), {}),
            }))
            .switch('add_tracking', (v, branch) =>
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
                              mapFns.merge(defaultTo(mapFns.get(w.settings, ['tracking', 'tags']), {}), {
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
                        .call('log_duplicate', (w) => sysCalls.log({ json: { message: 'batch job exists already: duplicate delivery, not started again', job_id: w.job.get('job_id') }, severity: 'NOTICE' }))
                        .return('duplicate', (w) => ({ status: 'duplicate', job_id: w.job.get('job_id') })),
                  }),
                ])
                .call('describe_failure', (v) => subs.describeError.call({ error: v.failure }), { result: 'failure_info' })
                .switch('timed_out', (v, branch) => [
                  // The wait ended, the job did not: stop it so it does not write outputs after FAILED was published.
                  branch.when(literal('TimeoutError').in(v.failure_info.get('tags')), {
                    steps: (d) =>
                      d.try('stop_job', (t2) => t2.call('delete_job', (w) => batch.jobs.delete({ name: w.job_name, reason: 'workflow wait timeout', connector_params: { skip_polling: true } })), {
                        except: { as: 'stop_error', steps: (x) => x.call('log_stop_error', (w) => sysCalls.log({ json: { message: 'could not stop timed-out job', job_name: w.job_name, error: w.stop_error }, severity: 'WARNING' })) },
                      }),
                  }),
                ])
                .assign('failed_status', (v) => ({ status: statusMessage(options.product, v.job, 'FAILED', v.failure_info) }))
                // A failure to publish must not hide the job's failure: log it and raise the original.
                .try('publish_failed', (t2) => t2.call('publish_failed_status', (v) => subs.publishStatus.call({ topic: v.topic, status: v.status })), {
                  except: {
                    as: 'publish_error',
                    steps: (x) => x.call('log_publish_error', (w) => sysCalls.log({ json: { message: 'could not publish the FAILED status', topic: w.topic, error: w.publish_error }, severity: 'ERROR' })),
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
  const readRunSettings = readRunSettingsSubworkflow(options, options.settingsObject);
  const notify = notifySubworkflow();
  const runBatchJob = runBatchJobSubworkflow(options, { publishStatus, describeError, readRunSettings, notify });
  return Object.freeze({
    subworkflows: Object.freeze([runBatchJob, readRunSettings, notify, publishStatus, describeError]),
    run: (job: Parameters<BatchJobRecipe['run']>[0]) => runBatchJob.call({ job: { ...job } }),
  });
}
