/**
 * batch-scheduled: a client's scheduled run. Cloud Scheduler starts it through the Workflow
 * Executions API with the argument `{"client": "...", "run_date"?: "YYYY-MM-DD", "args"?: [...]}`;
 * it runs the product's container over all of the client's inputs (`gs://B/PRODUCT/CLIENT/inputs/`)
 * into `gs://B/PRODUCT/CLIENT/outputs/scheduled/RUN_DATE/`, with `args` appended to the commands,
 * and publishes the same status message as batch-inference.
 *
 * A bad argument or an unknown client fails the execution before any job, with an error tagged
 * `InvalidArgument` or `UnknownClient` and no status message (there is no job to report on, and an
 * unknown client has no topic): the failed execution is what the operator sees. An argument naming
 * a gs:// path outside `gs://B/PRODUCT/CLIENT/`, or with a `.`, `..` or empty path segment, is such
 * a bad argument, and is also logged (WARNING) with its reason.
 */
import { WORKFLOW_ENV } from '../src/config/runtime-env.ts';
import { concat, defaultTo, defineWorkflow, getType, len, listFns, mainWorkflow, mapFns, not, pubsub, sys, sysCalls, text, time, toString, type WorkflowDefinition } from '../src/dsl/index.ts';
import { CLIENT_NAME_PATTERN } from '../src/names/naming.ts';
import { clientFolderUri, containerCommands, digestOf, outputsTopic } from '../src/dsl/recipes/batch-job.ts';
import { GS_SCHEME_ANY_CASE, UNSAFE_ARG_PATH } from '../src/dsl/recipes/safe-paths.ts';
import { productBatchJobRecipe, productClientTopic } from '../src/config/product-recipe.ts';
import { product } from './product.ts';

const recipe = productBatchJobRecipe(product);

function invalidArgument(message: ReturnType<typeof concat> | string) {
  return { message, tags: ['InvalidArgument'] };
}

export const workflow: WorkflowDefinition = defineWorkflow({
  name: 'batch-scheduled',
  description: `${product.displayName}: the scheduled Batch job of one client, started by Cloud Scheduler; publishes its status to the client's topic`,
  main: mainWorkflow('request', (s) =>
    s
      .switch('require_a_map', (v, branch) => [
        branch.when(getType(v.request).ne('map'), { raise: invalidArgument('the argument must be a map: {"client": "...", "run_date"?: "YYYY-MM-DD", "args"?: [...]}') }),
      ])
      .assign('read_request', (v) => ({
        bucket: sys.getEnv(WORKFLOW_ENV.bucket),
        client: defaultTo(mapFns.get(v.request, 'client'), ''),
        // No run_date: the execution's own date (UTC), like the seed's scheduled runs defaulting to today.
        run_date: defaultTo(mapFns.get(v.request, 'run_date'), text.substring(time.format(sys.now()), 0, 10)),
        extra_args: defaultTo(mapFns.get(v.request, 'args'), []),
      }))
      .switch('validate_request', (v, branch) => [
        branch.when(getType(v.client).ne('string'), { raise: invalidArgument('client must be a string') }),
        branch.when(not(text.matchRegex(v.client, CLIENT_NAME_PATTERN)), { raise: invalidArgument(concat('not a client name: ', v.client)) }),
        branch.when(getType(v.run_date).ne('string'), { raise: invalidArgument('run_date must be a string YYYY-MM-DD') }),
        branch.when(not(text.matchRegex(v.run_date, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')), { raise: invalidArgument(concat('run_date must be YYYY-MM-DD, not ', v.run_date)) }),
        branch.when(getType(v.extra_args).ne('list'), { raise: invalidArgument('args must be a list of strings') }),
      ])
      .try('check_run_date', (t) => t.assign('parse_run_date', (v) => ({ run_day_start: time.parse(concat(v.run_date, 'T00:00:00Z')) })), {
        except: { as: 'date_error', steps: (e) => e.raise('bad_run_date', (v) => invalidArgument(concat('run_date is not a calendar date: ', v.run_date))) },
      })
      .assign('name_client_folder', (v) => ({ client_folder: clientFolderUri(product.name, v.bucket, v.client) }))
      .forIn('check_args', { value: 'arg', index: 'arg_index', in: (v) => v.extra_args }, (body) =>
        body
          .switch('require_string_arg', (v, branch) => [branch.when(getType(v.arg).ne('string'), { raise: invalidArgument('args must be a list of strings') })])
          /**
           * A gs:// path in an argument must stay inside this client's folder, whatever the scheduler
           * job's body says (it can be edited by hand): the container runs as the product's identity,
           * which reaches every client's data. The same rule as client-file validation
           * (src/dsl/recipes/safe-paths.ts scheduledArgProblem), checked in the same order.
           */
          .assign('start_arg_check', { arg_refusal: '' })
          .switch('check_arg_paths', (v, branch) => [
            branch.when(len(text.findAllRegex(v.arg, GS_SCHEME_ANY_CASE)).ne(len(text.findAll(v.arg, v.client_folder))), {
              steps: (d) => d.assign('outside_client_folder', (w) => ({ arg_refusal: concat('names a gs:// path outside ', w.client_folder) })),
            }),
            branch.when(text.matchRegex(v.arg, GS_SCHEME_ANY_CASE).and(text.matchRegex(text.replaceAllRegex(v.arg, GS_SCHEME_ANY_CASE, ''), UNSAFE_ARG_PATH)), {
              steps: (d) => d.assign('unsafe_arg_path', { arg_refusal: 'has a ".", ".." or empty path segment' }),
            }),
          ])
          .switch('refuse_arg', (v, branch) => [
            branch.when(v.arg_refusal.ne(''), {
              steps: (d) =>
                d
                  .call('log_refused_arg', (w) =>
                    sysCalls.log({
                      json: { message: 'scheduled run refused, no job started', reason: concat('args[', toString(w.arg_index), '] ', w.arg_refusal), arg: w.arg, client: w.client },
                      severity: 'WARNING',
                    }),
                  )
                  .raise('refused_arg', (w) => invalidArgument(concat('args[', toString(w.arg_index), '] ', w.arg_refusal, ': ', w.arg))),
            }),
          ]),
      )
      .assign('name_topic', (v) => ({ topic: outputsTopic(productClientTopic(product), sys.getEnv('GOOGLE_CLOUD_PROJECT_ID'), v.client) }))
      // A client exists when its topic does: that is where its status goes, and apply creates it with the client.
      .try('check_client_exists', (t) => t.call('get_topic', (v) => pubsub.topics.get({ topic: v.topic })), {
        except: {
          as: 'topic_error',
          steps: (e) =>
            e
              .switch('unknown_client', (v, branch) => [
                branch.when(defaultTo(mapFns.get(v.topic_error, 'code'), 0).eq(404), {
                  raise: {
                    message: concat('unknown client ', v.client, ': its topic ', v.topic, ' does not exist; add clients/', v.client, '.json and apply'),
                    tags: ['UnknownClient'],
                  },
                }),
              ])
              .raise('topic_check_failed', (v) => v.topic_error),
        },
      })
      .assign('describe_job', (v) => ({
        input_uri: concat(clientFolderUri(product.name, v.bucket, v.client), 'inputs/'),
        output_uri: concat(clientFolderUri(product.name, v.bucket, v.client), 'outputs/scheduled/', v.run_date, '/'),
        /**
         * One execution is one scheduled run, so the job id comes from the execution id: Scheduler
         * retries only requests that created no execution, and a deliberate re-run (a new
         * execution) must start a new job, which a date-based id would refuse with 409.
         */
        run_key: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
      }))
      .assign('derive_job_id', (v) => ({
        job_id: concat(`${product.name}-`, v.client, '-', text.replaceAll(v.run_date, '-', ''), '-', digestOf(v.run_key, 8)),
      }))
      .assign('base_commands', (v) => ({ commands: containerCommands(product.batch.commands, v.input_uri, v.output_uri) }))
      .forIn('append_args', { value: 'arg', in: (v) => v.extra_args }, (body) => body.assign('append_arg', (v) => ({ commands: listFns.concat(v.commands, v.arg) })))
      .call('run_job', (v) => recipe.run({ job_id: v.job_id, client: v.client, input_uri: v.input_uri, output_uri: v.output_uri, commands: v.commands, trigger: 'schedule' }), {
        result: 'outcome',
      })
      .return('done', (v) => v.outcome),
  ),
  subworkflows: recipe.subworkflows,
});
