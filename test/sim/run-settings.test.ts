/**
 * Per-client run settings (issue 5 parts 2 and 3) through the simulator on the generated YAML, with
 * fake connectors: the settings object `gs://BUCKET/scoring/_settings/CLIENT.json` overrides the Batch
 * job, adds MLflow variables, and names notification targets whose webhook URLs live in Secret
 * Manager. A missing object means product defaults; a failing notification never changes the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { fakeConnectors, type FakeJobScript, type HttpRequestSeen } from '../../src/sim/connectors/fake.ts';
import { timeoutError } from '../../src/sim/connectors/types.ts';
import { VirtualClock, parseWorkflow, runWorkflow, type RunResult } from '../../src/sim/index.ts';
import { product } from '../../workflows/product.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = 'scoring-dev-4821';
const LOCATION = 'europe-west1';
const BUCKET = 'scoring-dev-4821-batch';
const IMAGE = 'europe-west1-docker.pkg.dev/scoring-dev-4821/batch/scoring-app:latest';
const SERVICE_ACCOUNT = `scoring@${PROJECT}.iam.gserviceaccount.com`;
const MLFLOW = 'https://mlflow.example.internal';

const SLACK_URL = 'https://hooks.slack.example/services/T000/B000/secret-token-slack';
const TEAMS_URL = 'https://acme.webhook.office.example/webhookb2/secret-token-teams';
const HOOK_URL = 'https://hooks.acme.example/batch?token=secret-token-hook';
const SECRETS = {
  [`projects/${PROJECT}/secrets/acme-slack`]: SLACK_URL,
  [`projects/${PROJECT}/secrets/acme-teams`]: TEAMS_URL,
  [`projects/${PROJECT}/secrets/acme-hook`]: HOOK_URL,
};
const URLS = [SLACK_URL, TEAMS_URL, HOOK_URL];

function load(name: string) {
  return parseWorkflow(readFileSync(join(ROOT, 'generated', 'workflows', name), 'utf8'), `generated/workflows/${name}`);
}
const inference = load('batch-inference.yaml');
const scheduled = load('batch-scheduled.yaml');

function env(workflowId: string, executionId: string, user: Record<string, string> = {}) {
  return {
    builtins: { GOOGLE_CLOUD_PROJECT_ID: PROJECT, GOOGLE_CLOUD_LOCATION: LOCATION, GOOGLE_CLOUD_WORKFLOW_ID: workflowId, GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: executionId },
    user: { BATCH_BUCKET: BUCKET, BATCH_IMAGE: IMAGE, BATCH_SERVICE_ACCOUNT: SERVICE_ACCOUNT, ...user },
  };
}

function upload(object: string) {
  return auditLogUploadEvent({ project: PROJECT, bucket: BUCKET, object, time: '2025-01-15T08:59:58.123Z', insertId: 'entry-1' });
}

/** The settings object as apply writes it (src/config/runtime-env.ts runSettingsObject). */
function settingsKey(client: string) {
  return `${BUCKET}/scoring/_settings/${client}.json`;
}

type NotifyTarget = { type: string; secret: string; on?: string };

function rig(
  options: {
    settings?: Record<string, unknown>;
    client?: string;
    job?: FakeJobScript;
    http?: (req: HttpRequestSeen) => { code?: number; body?: unknown } | undefined;
    secrets?: Record<string, string>;
  } = {},
) {
  const client = options.client ?? 'acme-corp';
  return fakeConnectors({
    batch: () => options.job ?? { runSeconds: 600 },
    objects: options.settings ? { [settingsKey(client)]: options.settings } : {},
    secrets: options.secrets ?? SECRETS,
    ...(options.http ? { http: options.http } : {}),
  });
}
type Fakes = ReturnType<typeof rig>;

async function runInference(fakes: Fakes, options: { user?: Record<string, string>; object?: string } = {}): Promise<RunResult> {
  return runWorkflow(inference, {
    argument: upload(options.object ?? 'scoring/acme-corp/inputs/day1.jsonl'),
    env: env('scoring-batch-inference', 'exec-1', options.user),
    connectors: fakes.registry,
    clock: new VirtualClock(),
  });
}

async function runScheduled(fakes: Fakes, client = 'globex-retail'): Promise<RunResult> {
  return runWorkflow(scheduled, { argument: { client }, env: env('scoring-batch-scheduled', 'exec-s'), connectors: fakes.registry, clock: new VirtualClock(Date.UTC(2025, 2, 3, 6, 0, 0)) });
}

const FAILING_JOB: FakeJobScript = { runSeconds: 90, outcome: 'FAILED', failureMessage: 'Task failed: exit code 3 <OOM & killed>' };
const EXECUTION_LINK = `https://console.cloud.google.com/workflows/workflow/${LOCATION}/scoring-batch-inference/execution/exec-1?project=${PROJECT}`;

function jobBody(fakes: Fakes): any {
  assert.is(fakes.batch.created.length, 1, 'one job');
  return fakes.batch.created[0]!.body;
}

function logs(run: RunResult): { severity: string; data: any }[] {
  return run.trace.filter((e) => e.kind === 'log').map((e) => e.detail as { severity: string; data: any });
}

/** The webhook URLs are secrets: never in a log line, the result, the error or a published message. */
function assertNoUrlLeaks(run: RunResult, fakes: Fakes) {
  const visible = JSON.stringify([logs(run), run.result ?? null, run.error ?? null, fakes.pubsub.published]);
  for (const url of URLS) assert.not.ok(visible.includes(url), `leaked ${url}`);
  assert.not.ok(visible.includes('secret-token'), 'leaked a token');
}

// ---------------------------------------------------------------------------------------------

const Notify = suite('notifications (batch-inference.yaml)');

Notify('a failure with on: failure posts exactly one Slack message with the error quoted and the execution link; the run fails with its own error', async () => {
  const fakes = rig({ job: FAILING_JOB, settings: { client: 'acme-corp', notify: [{ type: 'slack', secret: `projects/${PROJECT}/secrets/acme-slack`, on: 'failure' }] } });
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['OperationError']);
  assert.match((run.error as any).message, 'exit code 3');

  assert.is(fakes.http.requests.length, 1);
  const post = fakes.http.requests[0]!;
  assert.is(post.method, 'POST');
  assert.is(post.url, SLACK_URL);
  const text = (post.body as any).text as string;
  assert.type(text, 'string');
  assert.ok(text.includes(fakes.batch.created[0]!.jobId), 'names the job');
  assert.ok(text.includes('acme-corp'), 'names the client');
  // The run's error message, quoted in a code block, with Slack's control characters escaped.
  const quoted = String((run.error as any).message)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  assert.ok(quoted.endsWith('Task failed: exit code 3 &lt;OOM &amp; killed&gt;'), quoted);
  assert.ok(text.includes(`\`\`\`\n${quoted}\n\`\`\``), text);
  assert.ok(text.includes(`<${EXECUTION_LINK}|`), text);
  // Notified after the FAILED status was published.
  assert.is(fakes.pubsub.published.length, 1);
  assert.is((fakes.pubsub.published[0]!.json as any).job_state, 'FAILED');
  const publishAt = run.trace.find((e) => e.call === 'googleapis.pubsub.v1.projects.topics.publish')!.seq;
  const postAt = run.trace.find((e) => e.call === 'http.post')!.seq;
  assert.ok(publishAt < postAt);
  assertNoUrlLeaks(run, fakes);
});

Notify('a success with on: failure posts nothing and reads no secret', async () => {
  const fakes = rig({ settings: { notify: [{ type: 'slack', secret: 'acme-slack', on: 'failure' }] } });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is(fakes.http.requests.length, 0);
  assert.not.ok(
    run.trace.some((e) => e.call?.startsWith('googleapis.secretmanager')),
    'no secret read',
  );
});

Notify('on: always posts on success (job, client, duration, link) and on failure', async () => {
  const settings = { notify: [{ type: 'slack', secret: 'acme-slack', on: 'always' }] };
  const ok = rig({ settings });
  const success = await runInference(ok);
  assert.is(success.state, 'SUCCEEDED', JSON.stringify(success.error));
  assert.is(ok.http.requests.length, 1);
  const text = (ok.http.requests[0]!.body as any).text as string;
  assert.ok(text.includes(ok.batch.created[0]!.jobId) && text.includes('acme-corp'), text);
  // The job ran 600 virtual seconds; the connector noticed at its next poll.
  assert.match(text, /succeeded in 1\dm \d{1,2}s/);
  assert.ok(text.includes(EXECUTION_LINK), text);

  const bad = rig({ settings, job: FAILING_JOB });
  const failure = await runInference(bad);
  assert.is(failure.state, 'FAILED');
  assert.is(bad.http.requests.length, 1);
  assert.match((bad.http.requests[0]!.body as any).text, 'exit code 3');
});

Notify('a webhook answering 500 is logged as a WARNING without its URL; SUCCEEDED stays SUCCEEDED', async () => {
  const fakes = rig({
    settings: { notify: [{ type: 'webhook', secret: `projects/${PROJECT}/secrets/acme-hook`, on: 'always' }] },
    http: () => ({ code: 500, body: 'internal error' }),
  });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is((run.result as any).job_state, 'SUCCEEDED');
  assert.is(fakes.http.requests.length, 1);
  const warnings = logs(run).filter((l) => l.severity === 'WARNING');
  assert.is(warnings.length, 1);
  assert.equal({ type: warnings[0]!.data.type, secret: warnings[0]!.data.secret, code: warnings[0]!.data.code }, { type: 'webhook', secret: `projects/${PROJECT}/secrets/acme-hook`, code: 500 });
  assert.match(warnings[0]!.data.message, 'webhook');
  assertNoUrlLeaks(run, fakes);
});

Notify('a webhook answering 500 on a FAILED run: the run still fails with the original error', async () => {
  const fakes = rig({ job: FAILING_JOB, settings: { notify: [{ type: 'webhook', secret: 'acme-hook' }] }, http: () => ({ code: 500 }) });
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['OperationError']);
  assert.match((run.error as any).message, 'exit code 3');
  assert.is(run.errorContext?.step, 'reraise');
  assert.is(logs(run).filter((l) => l.severity === 'WARNING').length, 1);
  assertNoUrlLeaks(run, fakes);
});

Notify('a missing secret or a timeout is logged, and the other targets are still notified', async () => {
  const targets: NotifyTarget[] = [
    { type: 'slack', secret: 'deleted-secret', on: 'always' },
    { type: 'teams', secret: 'acme-teams', on: 'always' },
    { type: 'webhook', secret: 'acme-hook', on: 'always' },
  ];
  const fakes = rig({
    settings: { notify: targets },
    http: (req) => {
      if (req.url === TEAMS_URL) throw timeoutError(`POST ${req.url} timed out after 30 s`);
      return { code: 200 };
    },
  });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.equal(
    fakes.http.requests.map((r) => r.url),
    [TEAMS_URL, HOOK_URL],
  );
  const warnings = logs(run).filter((l) => l.severity === 'WARNING');
  assert.equal(
    warnings.map((w) => [w.data.type, w.data.secret, w.data.code, w.data.tags]),
    [
      ['slack', 'deleted-secret', 404, ['HttpError']],
      ['teams', 'acme-teams', null, ['TimeoutError']],
    ],
  );
  assertNoUrlLeaks(run, fakes);
});

Notify('Teams gets a MessageCard with facts and a link to the execution', async () => {
  const fakes = rig({ job: FAILING_JOB, settings: { notify: [{ type: 'teams', secret: 'acme-teams' }] } });
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.is(fakes.http.requests.length, 1);
  assert.is(fakes.http.requests[0]!.url, TEAMS_URL);
  const card = fakes.http.requests[0]!.body as any;
  assert.is(card['@type'], 'MessageCard');
  assert.is(card['@context'], 'https://schema.org/extensions');
  const jobId = fakes.batch.created[0]!.jobId;
  assert.ok(card.summary.includes(jobId) && card.summary.includes('FAILED'), card.summary);
  assert.match(card.themeColor, /^[0-9A-F]{6}$/);
  assert.ok(card.title.includes('acme-corp'), card.title);
  assert.match(card.text, 'exit code 3');
  const facts = Object.fromEntries(card.sections[0].facts.map((f: any) => [f.name, f.value]));
  assert.is(facts.Client, 'acme-corp');
  assert.is(facts.Job, jobId);
  assert.is(facts.State, 'FAILED');
  assert.equal(card.potentialAction, [{ '@type': 'OpenUri', name: 'Open the workflow execution', targets: [{ os: 'default', uri: EXECUTION_LINK }] }]);
});

Notify('a webhook gets the status message JSON itself', async () => {
  const fakes = rig({ settings: { notify: [{ type: 'webhook', secret: 'acme-hook', on: 'always' }] } });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is(fakes.http.requests.length, 1);
  assert.is(fakes.http.requests[0]!.url, HOOK_URL);
  assert.equal(fakes.http.requests[0]!.body, fakes.pubsub.published[0]!.json);
  assert.equal(fakes.http.requests[0]!.body, run.result);
});

Notify('no settings object: no notification, nothing read from Secret Manager', async () => {
  const fakes = rig({ job: FAILING_JOB });
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['OperationError']);
  assert.is(fakes.http.requests.length, 0);
  assert.is(logs(run).filter((l) => l.severity === 'WARNING').length, 0);
});

Notify.run();

// ---------------------------------------------------------------------------------------------

const Settings = suite('run settings (batch-inference.yaml)');

Settings('a missing settings object (404) runs with the product defaults', async () => {
  const fakes = rig();
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  // Read once, from the product bucket, the object name encoded as one path segment.
  assert.equal(fakes.storage.reads, [{ bucket: BUCKET, object: 'scoring/_settings/acme-corp.json', alt: 'media' }]);
  const getCalls = run.trace.filter((e) => e.call === 'googleapis.storage.v1.objects.get');
  assert.is((getCalls[0]!.args as any).object, 'scoring%2F_settings%2Facme-corp.json');
  const body = jobBody(fakes);
  const group = body.taskGroups[0];
  assert.is(group.taskCount, product.batch.taskCount);
  assert.is(group.parallelism, product.batch.parallelism);
  assert.is(group.taskSpec.maxRunDuration, `${product.batch.maxRunDurationSeconds}s`);
  assert.is(body.allocationPolicy.instances[0].policy.machineType, product.batch.machineType);
  const input = `gs://${BUCKET}/scoring/acme-corp/inputs/day1.jsonl`;
  assert.equal(group.taskSpec.environment.variables, { INPUT_URI: input, OUTPUT_URI: `gs://${BUCKET}/scoring/acme-corp/outputs/day1.jsonl` });
});

Settings('overrides reach the Batch job spec: machine type, task count, parallelism, max run duration, env vars (INPUT_URI/OUTPUT_URI win)', async () => {
  const fakes = rig({
    settings: {
      client: 'acme-corp',
      batch: { machineType: 'n1-standard-8', taskCount: 4, parallelism: 2, maxRunDurationSeconds: 7200, environment: { MODEL: 'v2', INPUT_URI: 'gs://elsewhere/x' } },
      notify: [],
      tracking: { tags: { team: 'fraud' } },
    },
  });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  const body = jobBody(fakes);
  const group = body.taskGroups[0];
  assert.is(group.taskCount, 4);
  assert.is(group.parallelism, 2);
  assert.is(group.taskSpec.maxRunDuration, '7200s');
  assert.is(body.allocationPolicy.instances[0].policy.machineType, 'n1-standard-8');
  assert.equal(group.taskSpec.environment.variables, {
    MODEL: 'v2',
    INPUT_URI: `gs://${BUCKET}/scoring/acme-corp/inputs/day1.jsonl`,
    OUTPUT_URI: `gs://${BUCKET}/scoring/acme-corp/outputs/day1.jsonl`,
  });
  // What the settings do not override stays the product's.
  assert.equal(body.allocationPolicy.instances[0].policy.bootDisk, { image: 'batch-cos', sizeGb: 50 });
  // Without an MLflow server, tracking tags add nothing.
  assert.not.ok('MLFLOW_RUN_TAGS' in group.taskSpec.environment.variables);
});

Settings('partial overrides keep the other defaults; settings are per client', async () => {
  const fakes = fakeConnectors({
    objects: { [settingsKey('acme-corp')]: { batch: { machineType: 'n2-highmem-4' } }, [settingsKey('other-client')]: { batch: { taskCount: 9 } } },
  });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  const body = jobBody(fakes);
  assert.is(body.allocationPolicy.instances[0].policy.machineType, 'n2-highmem-4');
  assert.is(body.taskGroups[0].taskCount, product.batch.taskCount);
  assert.is(body.taskGroups[0].taskSpec.maxRunDuration, `${product.batch.maxRunDurationSeconds}s`);
});

Settings('a settings object stored as text (not application/json) is parsed too', async () => {
  const fakes = fakeConnectors({ objects: { [settingsKey('acme-corp')]: JSON.stringify({ batch: { taskCount: 3, parallelism: 3 } }) } });
  const run = await runInference(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is(jobBody(fakes).taskGroups[0].taskCount, 3);
});

Settings('an unreadable settings object (403) fails the run with a FAILED status, before any job', async () => {
  const fakes = rig();
  fakes.storage.failures.set(settingsKey('acme-corp'), 403);
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.is((run.error as any).code, 403);
  assert.is(fakes.batch.created.length, 0);
  assert.is(fakes.pubsub.published.length, 1);
  const status = fakes.pubsub.published[0]!.json as any;
  assert.is(status.job_state, 'FAILED');
  assert.equal(status.error.tags, ['HttpError']);
});

Settings('a settings object that is not a JSON object fails the run with a FAILED status naming it', async () => {
  const fakes = fakeConnectors({ objects: { [settingsKey('acme-corp')]: '["not", "a", "map"]' } });
  const run = await runInference(fakes);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['ValueError']);
  assert.match((run.error as any).message, `gs://${BUCKET}/scoring/_settings/acme-corp.json`);
  assert.is((fakes.pubsub.published[0]!.json as any).job_state, 'FAILED');
  assert.is(fakes.batch.created.length, 0);
});

Settings('MLflow variables appear only when BATCH_MLFLOW_TRACKING_URI is set, with product, client, execution, input and client tags', async () => {
  const settings = { tracking: { tags: { team: 'fraud', client: 'spoofed' } }, batch: { environment: { MODEL: 'v2' } } };
  const input = `gs://${BUCKET}/scoring/acme-corp/inputs/day1.jsonl`;

  const withUri = rig({ settings });
  assert.is((await runInference(withUri, { user: { BATCH_MLFLOW_TRACKING_URI: MLFLOW } })).state, 'SUCCEEDED');
  const vars = jobBody(withUri).taskGroups[0].taskSpec.environment.variables;
  assert.is(vars.MLFLOW_TRACKING_URI, MLFLOW);
  assert.is(vars.MODEL, 'v2');
  assert.type(vars.MLFLOW_RUN_TAGS, 'string');
  // The platform's tags win: a client cannot relabel its runs as another client's.
  assert.equal(JSON.parse(vars.MLFLOW_RUN_TAGS), { team: 'fraud', product: 'scoring', client: 'acme-corp', workflow_execution_id: 'exec-1', input_uri: input });

  for (const user of [{}, { BATCH_MLFLOW_TRACKING_URI: '' }] as Record<string, string>[]) {
    const without = rig({ settings });
    assert.is((await runInference(without, { user })).state, 'SUCCEEDED');
    const plain = jobBody(without).taskGroups[0].taskSpec.environment.variables;
    assert.equal(Object.keys(plain).sort(), ['INPUT_URI', 'MODEL', 'OUTPUT_URI'], JSON.stringify(user));
  }

  // No settings object: the tags are the platform's only.
  const bare = rig();
  await runInference(bare, { user: { BATCH_MLFLOW_TRACKING_URI: MLFLOW } });
  assert.equal(JSON.parse(jobBody(bare).taskGroups[0].taskSpec.environment.variables.MLFLOW_RUN_TAGS), { product: 'scoring', client: 'acme-corp', workflow_execution_id: 'exec-1', input_uri: input });
});

Settings.run();

// ---------------------------------------------------------------------------------------------

const Scheduled = suite('run settings and notifications (batch-scheduled.yaml)');

Scheduled('overrides reach the scheduled job', async () => {
  const fakes = rig({ client: 'globex-retail', settings: { batch: { machineType: 'c2-standard-16', taskCount: 8, parallelism: 4, maxRunDurationSeconds: 86400, environment: { MODE: 'daily' } } } });
  const run = await runScheduled(fakes);
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.equal(
    fakes.storage.reads.map((r) => r.object),
    ['scoring/_settings/globex-retail.json'],
  );
  const body = jobBody(fakes);
  assert.is(body.taskGroups[0].taskCount, 8);
  assert.is(body.taskGroups[0].parallelism, 4);
  assert.is(body.taskGroups[0].taskSpec.maxRunDuration, '86400s');
  assert.is(body.allocationPolicy.instances[0].policy.machineType, 'c2-standard-16');
  assert.equal(body.taskGroups[0].taskSpec.environment.variables, {
    MODE: 'daily',
    INPUT_URI: `gs://${BUCKET}/scoring/globex-retail/inputs/`,
    OUTPUT_URI: `gs://${BUCKET}/scoring/globex-retail/outputs/scheduled/2025-03-03/`,
  });
});

Scheduled('a failed scheduled run posts one Slack message with the error and its execution link; a success with on: failure posts nothing', async () => {
  const settings = { notify: [{ type: 'slack', secret: 'globex-slack', on: 'failure' }] };
  const secrets = { [`projects/${PROJECT}/secrets/globex-slack`]: SLACK_URL };
  const bad = rig({ client: 'globex-retail', settings, secrets, job: FAILING_JOB });
  const run = await runScheduled(bad);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['OperationError']);
  assert.is(bad.http.requests.length, 1);
  const text = (bad.http.requests[0]!.body as any).text as string;
  assert.ok(text.includes('globex-retail') && text.includes(bad.batch.created[0]!.jobId), text);
  assert.match(text, 'exit code 3');
  assert.ok(text.includes(`https://console.cloud.google.com/workflows/workflow/${LOCATION}/scoring-batch-scheduled/execution/exec-s?project=${PROJECT}`), text);
  assertNoUrlLeaks(run, bad);

  const ok = rig({ client: 'globex-retail', settings, secrets });
  assert.is((await runScheduled(ok)).state, 'SUCCEEDED');
  assert.is(ok.http.requests.length, 0);
});

Scheduled.run();
