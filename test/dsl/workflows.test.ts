import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSourceSize, type WorkflowDefinition } from '../../src/dsl/index.ts';
import { BATCH_JOB_ID_SUFFIX_LENGTH } from '../../src/names/naming.ts';
import { workflow as inference } from '../../workflows/batch-inference.ts';
import { workflow as scheduled } from '../../workflows/batch-scheduled.ts';
import { product } from '../../workflows/product.ts';

const WORKFLOWS: readonly WorkflowDefinition[] = [inference, scheduled];

// ---------------------------------------------------------------------------------------------
// A small structural JSON Schema (draft-07) validator: the keywords the reference schema uses.

type Schema = boolean | { readonly [keyword: string]: any };

function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema =>
    ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<any>((node, key) => node[key], root);
  const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  const matchesType = (v: unknown, t: string): boolean => typeOf(v) === t || (t === 'number' && typeOf(v) === 'integer');

  function check(schema: Schema, v: unknown, path: string): string[] {
    if (schema === true) return [];
    if (schema === false) return [`${path}: not allowed`];
    const out: string[] = [];
    if (schema.$ref) out.push(...check(resolve(schema.$ref), v, path));
    if (schema.type && !(Array.isArray(schema.type) ? schema.type : [schema.type]).some((t: string) => matchesType(v, t))) out.push(`${path}: expected ${schema.type}, got ${typeOf(v)}`);
    if (schema.enum && !schema.enum.some((e: unknown) => JSON.stringify(e) === JSON.stringify(v))) out.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
    if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) out.push(`${path}: must be ${JSON.stringify(schema.const)}`);
    if (typeof v === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${path}: does not match ${schema.pattern}`);
    if (typeof v === 'number') {
      if (schema.maximum !== undefined && v > schema.maximum) out.push(`${path}: above ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (schema.minItems !== undefined && v.length < schema.minItems) out.push(`${path}: fewer than ${schema.minItems} items`);
      if (schema.maxItems !== undefined && v.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`);
      if (schema.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length) out.push(`${path}: items not unique`);
      if (schema.items) v.forEach((item, i) => out.push(...check(schema.items, item, `${path}[${i}]`)));
      if (schema.contains && !v.some((item) => check(schema.contains, item, path).length === 0)) out.push(`${path}: no item matches "contains"`);
    }
    if (typeOf(v) === 'object') {
      const object = v as Record<string, unknown>;
      const keys = Object.keys(object);
      if (schema.minProperties !== undefined && keys.length < schema.minProperties) out.push(`${path}: fewer than ${schema.minProperties} properties`);
      if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) out.push(`${path}: more than ${schema.maxProperties} properties`);
      for (const key of schema.required ?? []) if (!(key in object)) out.push(`${path}: missing "${key}"`);
      for (const [key, deps] of Object.entries(schema.dependencies ?? {})) {
        if (key in object && Array.isArray(deps)) for (const dep of deps) if (!(dep in object)) out.push(`${path}: "${key}" requires "${dep}"`);
      }
      for (const key of keys) {
        const at = `${path}.${key}`;
        let covered = false;
        if (schema.properties && key in schema.properties) {
          covered = true;
          out.push(...check(schema.properties[key], object[key], at));
        }
        for (const [pattern, sub] of Object.entries(schema.patternProperties ?? {})) {
          if (new RegExp(pattern, 'u').test(key)) {
            covered = true;
            out.push(...check(sub as Schema, object[key], at));
          }
        }
        if (!covered && schema.additionalProperties !== undefined) out.push(...check(schema.additionalProperties, object[key], at));
      }
    }
    if (schema.anyOf && !schema.anyOf.some((s: Schema) => check(s, v, path).length === 0)) out.push(`${path}: matches none of anyOf`);
    if (schema.oneOf) {
      const matching = schema.oneOf.filter((s: Schema) => check(s, v, path).length === 0).length;
      if (matching !== 1) out.push(`${path}: matches ${matching} of oneOf, not exactly one`);
    }
    if (schema.allOf) for (const s of schema.allOf) out.push(...check(s, v, path));
    return out;
  }
  errors.push(...check(root, value, '$'));
  return errors;
}

// SchemaStore's Workflows schema, vendored with its provenance (reference/workflows.schema.SOURCE.md).
const schemaPath = fileURLToPath(new URL('./reference/workflows.schema.json', import.meta.url));
const schema: Schema = JSON.parse(readFileSync(schemaPath, 'utf8'));

// ---------------------------------------------------------------------------------------------

/** The body of the first step with this name anywhere in the document. */
function findStep(node: unknown, name: string): any {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findStep(item, name);
      if (found !== undefined) return found;
    }
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === name && value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
      const found = findStep(value, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

test('both workflows render and pass every generate-time check', () => {
  for (const wf of WORKFLOWS) {
    assert.equal(wf.check(), [], wf.name);
    const doc = wf.render();
    assert.equal(Object.keys(doc), ['main', 'run_batch_job', 'read_run_settings', 'notify', 'publish_status', 'describe_error']);
    assert.equal(wf.render(), doc, 'render is deterministic');
    assert.equal(checkSourceSize(wf.name, dump(doc, { lineWidth: 120 })), []);
  }
  assert.is(inference.name, 'batch-inference');
  assert.is(scheduled.name, 'batch-scheduled');
});

test('both workflows are valid Workflows syntax per the reference schema', () => {
  for (const wf of WORKFLOWS) assert.equal(validate(schema, JSON.parse(JSON.stringify(wf.render()))), [], wf.name);
});

test('the schema validator is not vacuous: it rejects broken documents', () => {
  const broken = [
    { main: { steps: [{ a: { assign: [{ x: 1 }] }, b: { return: 1 } }] } },
    { main: { steps: [{ a: { args: { x: 1 } } }] } },
    { main: { steps: [{ a: { bogus: 1 } }] } },
    { main: { params: ['a', 'b'], steps: [{ a: { return: 1 } }] } },
    { main: { steps: [{ a: { for: { value: 'x', steps: [{ b: { return: 1 } }] } } }] } },
    { main: { steps: [{ a: { switch: [{ next: 'x' }] } }] } },
  ];
  for (const doc of broken) assert.ok(validate(schema, doc).length > 0, JSON.stringify(doc));
});

test('the YAML is identical for every environment: nothing environment-specific is baked in', () => {
  for (const wf of WORKFLOWS) {
    const text = JSON.stringify(wf.render());
    for (const [name, env] of Object.entries(product.environments)) {
      assert.not.ok(text.includes(env.project), `${wf.name} contains the ${name} project id`);
      if ('image' in env && env.image) assert.not.ok(text.includes(env.image), `${wf.name} contains the ${name} image`);
    }
    assert.not.ok(text.includes(product.batch.image), 'the image comes from BATCH_IMAGE');
    for (const env of ['GOOGLE_CLOUD_PROJECT_ID', 'GOOGLE_CLOUD_LOCATION', 'GOOGLE_CLOUD_WORKFLOW_ID', 'GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID', 'BATCH_BUCKET', 'BATCH_IMAGE', 'BATCH_SERVICE_ACCOUNT']) {
      assert.ok(text.includes(`sys.get_env(\\"${env}\\")`), `${wf.name} reads ${env}`);
    }
  }
});

test('product batch defaults are baked into the job spec, as fallbacks for the client run settings', () => {
  const create = findStep(inference.render(), 'create_job');
  assert.is(create.call, 'googleapis.batch.v1.projects.locations.jobs.create');
  assert.is(create.args.jobId, '${job.job_id}');
  assert.is(create.args.connector_params.timeout, product.batch.waitTimeoutSeconds);
  const group = create.args.body.taskGroups[0];
  // The job spec reads the values run_batch_job resolved from the client settings and the product defaults.
  assert.is(group.taskCount, '${task_count}');
  assert.is(group.parallelism, '${parallelism}');
  assert.is(group.taskSpec.maxRunDuration, '${max_run_duration}');
  assert.is(group.taskSpec.environment.variables, '${container_env}');
  assert.equal(create.args.body.allocationPolicy.instances[0].policy, { machineType: '${machine_type}', bootDisk: { image: 'batch-cos', sizeGb: 50 } });
  assert.equal(findStep(inference.render(), 'apply_settings').assign, [
    { task_count: `\${default(map.get(settings, ["batch", "taskCount"]), ${product.batch.taskCount})}` },
    { parallelism: `\${default(map.get(settings, ["batch", "parallelism"]), ${product.batch.parallelism})}` },
    { max_run_duration: `\${string(default(map.get(settings, ["batch", "maxRunDurationSeconds"]), ${product.batch.maxRunDurationSeconds})) + "s"}` },
    { machine_type: `\${default(map.get(settings, ["batch", "machineType"]), "${product.batch.machineType}")}` },
    { container_env: '${default(map.get(settings, ["batch", "environment"]), {})}' },
  ]);
  // INPUT_URI/OUTPUT_URI are merged last, so a client's variables never replace them.
  assert.equal(findStep(inference.render(), 'job_env').assign, [{ container_env: '${map.merge(container_env, {"INPUT_URI": job.input_uri, "OUTPUT_URI": job.output_uri})}' }]);
  assert.is(create.args.body.allocationPolicy.serviceAccount.email, '${sys.get_env("BATCH_SERVICE_ACCOUNT")}');
  assert.equal(create.args.body.labels, { 'managed-by': 'batch-workflows', product: 'scoring', client: '${job.client}', trigger: '${job.trigger}' });
  // {input}/{output} become the job's URIs.
  assert.equal(findStep(inference.render(), 'run_job').args.job.commands, ['python3', 'main.py', '${input_uri}', '${output_uri}']);
  assert.equal(findStep(scheduled.render(), 'base_commands').assign, [{ commands: ['python3', 'main.py', '${input_uri}', '${output_uri}'] }]);
});

test('run settings are read from the product bucket at run time: no client is named in the YAML', () => {
  for (const wf of WORKFLOWS) {
    const doc = wf.render();
    assert.equal(findStep(doc, 'locate_settings').assign[1], { object: '${"scoring/_settings/" + client + ".json"}' });
    const get = findStep(doc, 'get_settings_object');
    assert.equal(get, { call: 'googleapis.storage.v1.objects.get', args: { bucket: '${bucket}', object: '${text.url_encode(object)}', alt: 'media' }, result: 'content' });
    assert.is(findStep(doc, 'no_settings').switch[0].condition, '${default(map.get(read_error, "code"), 0) == 404}');
    // Read inside the job's try block, so an unreadable settings object fails the run with a FAILED status.
    const runJob = (doc as any).run_batch_job.steps.find((s: any) => 'run_job' in s).run_job;
    assert.equal(Object.keys(runJob.try.steps[0]), ['read_settings']);
    const text = JSON.stringify(doc);
    for (const client of ['acme-corp', 'globex-retail']) assert.not.ok(text.includes(client), `${wf.name} names ${client}`);
    assert.ok(text.includes('sys.get_env(\\"BATCH_MLFLOW_TRACKING_URI\\", \\"\\")'), `${wf.name} reads the MLflow URI with a default`);
  }
});

test('batch-inference accepts only PRODUCT/CLIENT/inputs/NAME in the product bucket, and ignores the rest with a reason', () => {
  const doc = inference.render();
  const accept = findStep(doc, 'accept_only_client_inputs');
  assert.equal(
    accept.switch.map((c: any) => c.condition),
    [
      '${method_name != "storage.objects.create"}',
      '${not text.match_regex(resource_name, "^projects/_/buckets/[^/]+/objects/scoring/[^/]+/inputs/")}',
      '${text.split(resource_name, "/")[3] != bucket}',
    ],
  );
  assert.ok(accept.switch.every((c: any) => c.steps[0][Object.keys(c.steps[0])[0] as string].next === 'ignore'));
  assert.equal(findStep(doc, 'ignored'), { return: { status: 'ignored', reason: '${reason}' } });
  assert.is(findStep(doc, 'ignore').call, 'sys.log');
  assert.equal(findStep(doc, 'describe_job').assign.slice(0, 2), [
    { input_uri: '${"gs://" + bucket + "/" + object_path}' },
    { output_uri: '${"gs://" + bucket + "/scoring/" + client + "/outputs/" + name}' },
  ]);
});

test('job ids: a duplicate delivery meets 409 and ends without a second job or message', () => {
  const run = findStep(inference.render(), 'run_job');
  const failure = findStep(inference.render(), 'already_exists').switch[0];
  assert.is(failure.condition, '${default(map.get(failure, "code"), 0) == 409}');
  const [log, ret] = failure.steps;
  assert.is(log.log_duplicate.call, 'sys.log');
  assert.equal(ret.duplicate.return, { status: 'duplicate', job_id: '${job.job_id}' });
  assert.ok(run);
});

test('job ids always satisfy Batch rules, even for the longest client names', () => {
  // The workflow's digest: base64(sha256(key)), lower-cased, non-alphanumerics removed, first N characters.
  const digest = (key: string, length: number) =>
    createHash('sha256')
      .update(key, 'utf8')
      .digest('base64')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, length);
  const longestClient = `${'c'.repeat(29)}9`;
  const batchJobId = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
  for (let i = 0; i < 2000; i++) {
    const upload = digest(`bucket/scoring/${longestClient}/inputs/file ${i} ✓.jsonl@2024-05-0${i % 9}T00:00:00.${i}Z`, BATCH_JOB_ID_SUFFIX_LENGTH);
    assert.is(upload.length, BATCH_JOB_ID_SUFFIX_LENGTH);
    assert.match(`${product.name}-${longestClient}-${upload}`, batchJobId);
    const run = `${product.name}-${longestClient}-20240501-${digest(`execution-${i}`, 8)}`;
    assert.match(run, batchJobId);
    assert.is(run.length - product.name.length - longestClient.length - 2, BATCH_JOB_ID_SUFFIX_LENGTH);
  }
  // The same upload gives the same id; a re-upload (new entry timestamp) another.
  assert.is(digest('b/o@t1', 17), digest('b/o@t1', 17));
  assert.is.not(digest('b/o@t1', 17), digest('b/o@t2', 17));
});

test('failures publish FAILED with message and tags, never hide the original error, then re-raise it', () => {
  for (const wf of WORKFLOWS) {
    const doc = wf.render();
    const runJob = (doc as any).run_batch_job.steps.find((s: any) => 'run_job' in s).run_job;
    assert.is(runJob.except.as, 'failure');
    const names = runJob.except.steps.map((s: any) => Object.keys(s)[0]);
    assert.equal(names, ['already_exists', 'describe_failure', 'timed_out', 'failed_status', 'publish_failed', 'notify_failed', 'reraise']);
    const publishFailed = findStep(doc, 'publish_failed');
    assert.is(publishFailed.try.steps[0].publish_failed_status.args.status, '${status}');
    const status = findStep(doc, 'failed_status').assign[0].status;
    assert.is(status.job_state, 'FAILED');
    assert.is(status.error, '${failure_info}');
    assert.equal(Object.keys(status), ['job_id', 'project_id', 'product', 'client', 'workflow', 'execution_id', 'job_state', 'input_uri', 'output_uri', 'timestamp', 'error']);
    // The publish failure is caught and logged; the original error is raised after.
    assert.is(publishFailed.except.steps[0].log_publish_error.call, 'sys.log');
    assert.equal(findStep(doc, 'reraise'), { raise: '${failure}' });
    // A timeout stops the job (best effort) before FAILED is published.
    assert.is(findStep(doc, 'timed_out').switch[0].condition, '${"TimeoutError" in failure_info.tags}');
    assert.is(findStep(doc, 'delete_job').call, 'googleapis.batch.v1.projects.locations.jobs.delete');
    // The message: base64 JSON data, filterable attributes.
    const message = findStep(doc, 'publish_message').args.body.messages[0];
    assert.equal(message, { data: '${base64.encode(json.encode(status))}', attributes: { job_state: '${status.job_state}', client: '${status.client}', product: '${status.product}' } });
    assert.is(findStep(doc, 'publish_succeeded').args.status.job_state, 'SUCCEEDED');
    assert.is(findStep(doc, 'publish_succeeded').args.status.error, null);
  }
});

test('batch-scheduled validates its argument and the client before any job', () => {
  const doc = scheduled.render();
  const readRequest = findStep(doc, 'read_request').assign;
  assert.equal(readRequest[2], { run_date: '${default(map.get(request, "run_date"), text.substring(time.format(sys.now()), 0, 10))}' });
  const tags = findStep(doc, 'validate_request').switch.map((c: any) => c.raise.tags);
  assert.ok(tags.length === 5 && tags.every((t: string[]) => t[0] === 'InvalidArgument'));
  const unknown = findStep(doc, 'unknown_client').switch[0];
  assert.is(unknown.condition, '${default(map.get(topic_error, "code"), 0) == 404}');
  assert.equal(unknown.raise.tags, ['UnknownClient']);
  assert.is(findStep(doc, 'get_topic').call, 'googleapis.pubsub.v1.projects.topics.get');
  assert.equal(findStep(doc, 'describe_job').assign.slice(0, 2), [
    { input_uri: '${"gs://" + bucket + "/scoring/" + client + "/inputs/"}' },
    { output_uri: '${"gs://" + bucket + "/scoring/" + client + "/outputs/scheduled/" + run_date + "/"}' },
  ]);
  assert.equal(findStep(doc, 'append_arg').assign, [{ commands: '${list.concat(commands, arg)}' }]);
  // Validation comes first: the job runs only after every check step.
  const order = (doc as any).main.steps.map((s: any) => Object.keys(s)[0]);
  assert.ok(order.indexOf('run_job') > order.indexOf('check_client_exists'));
  assert.ok(order.indexOf('check_client_exists') > order.indexOf('validate_request'));
});

test.run();
