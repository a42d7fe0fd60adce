/**
 * batch-inference: an upload of `PRODUCT/CLIENT/inputs/NAME` to the product bucket becomes one Cloud
 * Batch job reading that file and writing `PRODUCT/CLIENT/outputs/NAME`, and one status message on
 * the client's topic.
 *
 * Started by the client's Eventarc trigger with the audit-log CloudEvent
 * (`google.cloud.audit.log.v1.written`, `storage.objects.create`): the log entry is under `data`,
 * the object under `data.protoPayload.resourceName` = `projects/_/buckets/B/objects/PATH`.
 * https://cloud.google.com/eventarc/docs/workflows/cloudevents
 *
 * Anything else is ignored (logged with its reason, no job): other methods, paths and buckets, bad
 * client names, folder placeholders, and names with a `.`, `..` or empty path segment.
 */
import { WORKFLOW_ENV } from '../src/config/runtime-env.ts';
import { concat, defaultTo, defineWorkflow, len, mainWorkflow, mapFns, not, sys, sysCalls, text, type WorkflowDefinition } from '../src/dsl/index.ts';
import { BATCH_JOB_ID_SUFFIX_LENGTH, CLIENT_NAME_PATTERN } from '../src/names/naming.ts';
import { containerCommands, digestOf } from '../src/dsl/recipes/batch-job.ts';
import { UNSAFE_OBJECT_PATH } from '../src/dsl/recipes/safe-paths.ts';
import { productBatchJobRecipe } from '../src/config/product-recipe.ts';
import { product } from './product.ts';

const recipe = productBatchJobRecipe(product);

/** `projects/_/buckets/B/objects/PRODUCT/CLIENT/inputs/...`: any bucket here; it is compared with BATCH_BUCKET after. */
const INPUT_OBJECT = `^projects/_/buckets/[^/]+/objects/${product.name}/[^/]+/inputs/`;

export const workflow: WorkflowDefinition = defineWorkflow({
  name: 'batch-inference',
  description: `${product.displayName}: runs a Batch job for each file uploaded to ${product.name}/CLIENT/inputs/ and publishes its status to the client's topic`,
  main: mainWorkflow('event', (s) =>
    s
      .assign('read_event', (v) => ({
        bucket: sys.getEnv(WORKFLOW_ENV.bucket),
        resource_name: defaultTo(mapFns.get(v.event, ['data', 'protoPayload', 'resourceName']), ''),
        method_name: defaultTo(mapFns.get(v.event, ['data', 'protoPayload', 'methodName']), ''),
        /**
         * What identifies one upload: the object path plus the time of the audit-log entry that
         * recorded its creation. Eventarc may deliver that entry more than once (and split audit
         * entries arrive as several events), and every copy carries the same entry timestamp, so
         * every copy derives the same job id and only the first creates a job; the others meet
         * HTTP 409. A later re-upload of the same name is a new entry with a new timestamp, hence a
         * new job. (Audit entries carry no object generation; the CloudEvent time and id are the
         * fallbacks if a delivery lacks the entry timestamp.)
         */
        uploaded_at: defaultTo(mapFns.get(v.event, ['data', 'timestamp']), defaultTo(mapFns.get(v.event, 'time'), defaultTo(mapFns.get(v.event, 'id'), ''))),
        reason: '',
      }))
      .switch('accept_only_client_inputs', (v, branch) => [
        branch.when(v.method_name.ne('storage.objects.create'), {
          steps: (b) => b.assign('not_an_upload', (w) => ({ reason: concat('not an object upload: ', w.method_name) }), { next: 'ignore' }),
        }),
        branch.when(not(text.matchRegex(v.resource_name, INPUT_OBJECT)), {
          steps: (b) => b.assign('not_an_input', (w) => ({ reason: concat(`not under ${product.name}/CLIENT/inputs/: `, w.resource_name) }), { next: 'ignore' }),
        }),
        branch.when(text.split(v.resource_name, '/').at(3).ne(v.bucket), {
          steps: (b) => b.assign('other_bucket', (w) => ({ reason: concat('not the product bucket: ', w.resource_name) }), { next: 'ignore' }),
        }),
      ])
      .assign('parse_object', (v) => ({
        client: text.split(v.resource_name, '/').at(6),
        object_path: text.substring(v.resource_name, len(concat('projects/_/buckets/', v.bucket, '/objects/')), len(v.resource_name)),
      }))
      .assign('parse_name', (v) => ({
        name: text.substring(v.object_path, len(concat(`${product.name}/`, v.client, '/inputs/')), len(v.object_path)),
      }))
      .switch('accept_only_valid_names', (v, branch) => [
        branch.when(not(text.matchRegex(v.client, CLIENT_NAME_PATTERN)), {
          steps: (b) => b.assign('bad_client', (w) => ({ reason: concat('not a client name: ', w.client) }), { next: 'ignore' }),
        }),
        branch.when(v.name.eq(''), {
          steps: (b) => b.assign('no_name', { reason: 'no file name after inputs/' }, { next: 'ignore' }),
        }),
        // Consoles create `folder/` placeholder objects; they are not inputs.
        branch.when(text.substring(v.name, len(v.name).minus(1), len(v.name)).eq('/'), {
          steps: (b) => b.assign('folder_placeholder', (w) => ({ reason: concat('a folder, not a file: ', w.object_path) }), { next: 'ignore' }),
        }),
        // `inputs/../../other-client/outputs/x` passes every prefix check (IAM's startsWith included) but
        // names another client's folder to anything reading it as a path: no job (src/dsl/recipes/safe-paths.ts).
        branch.when(text.matchRegex(v.object_path, UNSAFE_OBJECT_PATH), {
          steps: (b) => b.assign('unsafe_path', (w) => ({ reason: concat('a ".", ".." or empty path segment in the object name: ', w.object_path) }), { next: 'ignore' }),
        }),
      ])
      .assign('describe_job', (v) => ({
        input_uri: concat('gs://', v.bucket, '/', v.object_path),
        output_uri: concat('gs://', v.bucket, `/${product.name}/`, v.client, '/outputs/', v.name),
        upload_key: concat(v.bucket, '/', v.object_path, '@', v.uploaded_at),
      }))
      .assign('derive_job_id', (v) => ({
        // Batch job ids: ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$; product and client names already fit it.
        job_id: concat(`${product.name}-`, v.client, '-', digestOf(v.upload_key, BATCH_JOB_ID_SUFFIX_LENGTH)),
      }))
      .call(
        'run_job',
        (v) =>
          recipe.run({
            job_id: v.job_id,
            client: v.client,
            input_uri: v.input_uri,
            output_uri: v.output_uri,
            commands: containerCommands(product.batch.commands, v.input_uri, v.output_uri),
            trigger: 'upload',
          }),
        { result: 'outcome' },
      )
      .return('done', (v) => v.outcome)
      // Reached only by the jumps above: anything that is not a client's input ends successfully, without a job.
      .call('ignore', (v) => sysCalls.log({ json: { message: 'ignored event', reason: v.reason, resource_name: v.resource_name }, severity: 'INFO' }))
      .return('ignored', (v) => ({ status: 'ignored', reason: v.reason })),
  ),
  subworkflows: recipe.subworkflows,
});
