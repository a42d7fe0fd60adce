/**
 * Inputs the generated workflows refuse (issue 9, item 6): object names whose `.`, `..` or empty
 * path segments would lead a path-reading consumer out of the client's folder, and scheduled-run
 * arguments naming gs:// paths outside it. Each refusal starts no job, publishes nothing and logs its
 * reason; ordinary nested names still run. Runs generated/workflows/*.yaml (what is deployed) in
 * the simulator with fake connectors.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clientFolder, scheduledArgProblem } from '../../src/dsl/recipes/safe-paths.ts';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { fakeConnectors } from '../../src/sim/connectors/fake.ts';
import { VirtualClock, parseWorkflow, runWorkflow, type RunResult } from '../../src/sim/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = 'scoring-dev-4821';
const BUCKET = 'scoring-dev-4821-batch';
const FOLDER = `gs://${BUCKET}/scoring/globex-retail/`;

function load(name: string) {
  return parseWorkflow(readFileSync(join(ROOT, 'generated', 'workflows', name), 'utf8'), `generated/workflows/${name}`);
}
const inference = load('batch-inference.yaml');
const scheduled = load('batch-scheduled.yaml');

function env(workflowId: string) {
  return {
    builtins: { GOOGLE_CLOUD_PROJECT_ID: PROJECT, GOOGLE_CLOUD_LOCATION: 'europe-west1', GOOGLE_CLOUD_WORKFLOW_ID: workflowId, GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: 'exec-1' },
    user: { BATCH_BUCKET: BUCKET, BATCH_IMAGE: 'europe-west1-docker.pkg.dev/p/batch/app:1', BATCH_SERVICE_ACCOUNT: `scoring@${PROJECT}.iam.gserviceaccount.com` },
  };
}

type Fakes = ReturnType<typeof fakeConnectors>;
const logs = (run: RunResult) => run.trace.filter((e) => e.kind === 'log').map((e) => e.detail as { severity: string; data: any });

async function upload(object: string, fakes: Fakes): Promise<RunResult> {
  const event = auditLogUploadEvent({ project: PROJECT, bucket: BUCKET, object, time: '2026-12-01T08:00:00.000Z', insertId: 'entry-1' });
  return runWorkflow(inference, { argument: event, env: env('scoring-batch-inference'), connectors: fakes.registry, clock: new VirtualClock() });
}

const Names = suite('batch-inference: object names');

for (const [label, object] of [
  ['traversal into another client', 'scoring/acme-corp/inputs/../../globex-retail/outputs/x.jsonl'],
  ['a ".." segment that stays inside', 'scoring/acme-corp/inputs/a/../b.jsonl'],
  ['a "." segment', 'scoring/acme-corp/inputs/./day.jsonl'],
  ['a final ".." segment', 'scoring/acme-corp/inputs/2026/..'],
  ['a final "." segment', 'scoring/acme-corp/inputs/2026/.'],
  ['an empty segment (a//b)', 'scoring/acme-corp/inputs/a//b.jsonl'],
  ['an empty first segment after inputs/', 'scoring/acme-corp/inputs//b.jsonl'],
] as const) {
  Names(`${label} is ignored, logged, and starts no job`, async () => {
    const fakes = fakeConnectors();
    const run = await upload(object, fakes);
    assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    assert.equal(run.result, { status: 'ignored', reason: `a ".", ".." or empty path segment in the object name: ${object}` });
    assert.is(fakes.batch.created.length, 0, 'no job');
    assert.is(fakes.pubsub.published.length, 0, 'no status message');
    const ignored = logs(run).filter((l) => l.data?.message === 'ignored event');
    assert.is(ignored.length, 1, JSON.stringify(logs(run)));
    assert.equal(ignored[0]!.data, { message: 'ignored event', reason: (run.result as any).reason, resource_name: `projects/_/buckets/${BUCKET}/objects/${object}` });
  });
}

for (const object of [
  'scoring/acme-corp/inputs/2026/12/day.jsonl',
  'scoring/acme-corp/inputs/.hidden',
  'scoring/acme-corp/inputs/a.../...',
  'scoring/acme-corp/inputs/%2e%2e/x',
  'scoring/acme-corp/inputs/a\\..\\b',
]) {
  Names(`${JSON.stringify(object)} runs (ordinary segments; Cloud Storage decodes nothing in a name)`, async () => {
    const fakes = fakeConnectors();
    const run = await upload(object, fakes);
    assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
    assert.is(fakes.batch.created.length, 1);
    const vars = (fakes.batch.created[0]!.body as any).taskGroups[0].taskSpec.environment.variables;
    assert.is(vars.INPUT_URI, `gs://${BUCKET}/${object}`);
    assert.is(vars.OUTPUT_URI, `gs://${BUCKET}/${object.replace('/inputs/', '/outputs/')}`);
  });
}

// Slashes and dots in the client part never reach the segment rule: the prefix or the client-name check refuses them first.
for (const [object, reason] of [
  ['scoring/../inputs/x.jsonl', 'not a client name: ..'],
  ['scoring/acme-corp//inputs/x.jsonl', 'not under scoring/CLIENT/inputs/: '],
  ['scoring//acme-corp/inputs/x.jsonl', 'not under scoring/CLIENT/inputs/: '],
  ['scoring/./inputs/x.jsonl', 'not a client name: .'],
] as const) {
  Names(`${JSON.stringify(object)} is ignored (${reason.replace(/: $/, '')}), logged, and starts no job`, async () => {
    const fakes = fakeConnectors();
    const run = await upload(object, fakes);
    assert.is((run.result as any)?.status, 'ignored', JSON.stringify(run.result ?? run.error));
    assert.ok((run.result as any).reason.startsWith(reason), (run.result as any).reason);
    assert.is(fakes.batch.created.length, 0);
    assert.equal(
      logs(run)
        .filter((l) => l.data?.message === 'ignored event')
        .map((l) => l.data.reason),
      [(run.result as any).reason],
    );
  });
}

Names('a folder placeholder keeps its own reason (checked before the segment rule)', async () => {
  const fakes = fakeConnectors();
  const run = await upload('scoring/acme-corp/inputs/2026/', fakes);
  assert.is((run.result as any).reason, 'a folder, not a file: scoring/acme-corp/inputs/2026/');
  assert.is(fakes.batch.created.length, 0);
});

Names.run();

const Args = suite('batch-scheduled: args naming gs:// paths');
const TOPICS = new Set([`projects/${PROJECT}/topics/batch-scoring-globex-retail-outputs`]);

async function schedule(args: unknown[], fakes: Fakes): Promise<RunResult> {
  return runWorkflow(scheduled, {
    argument: { client: 'globex-retail', run_date: '2026-12-01', args },
    env: env('scoring-batch-scheduled'),
    connectors: fakes.registry,
    clock: new VirtualClock(Date.UTC(2026, 11, 1, 6, 0, 0)),
  });
}

/** [arg, refused because …, or undefined when accepted]. */
const ARGS: readonly (readonly [string, string | undefined])[] = [
  ['--mode', undefined],
  ['./local/relative/../path', undefined],
  [`${FOLDER}models/v3.pkl`, undefined],
  [`--model=${FOLDER}models/v3.pkl`, undefined],
  [`--out=${FOLDER}reports/`, undefined],
  [`--pair=${FOLDER}a,${FOLDER}b`, undefined],
  [`gs://${BUCKET}/scoring/acme-corp/inputs/`, `names a gs:// path outside ${FOLDER}`],
  [`--model=gs://another-bucket/scoring/globex-retail/m.pkl`, `names a gs:// path outside ${FOLDER}`],
  [`gs://${BUCKET}/scoring/globex-retail-two/x`, `names a gs:// path outside ${FOLDER}`],
  [`gs://${BUCKET}/scoring/_settings/globex-retail.json`, `names a gs:// path outside ${FOLDER}`],
  [`--pair=${FOLDER}a,gs://${BUCKET}/scoring/acme-corp/b`, `names a gs:// path outside ${FOLDER}`],
  [`GS://${BUCKET}/scoring/acme-corp/x`, `names a gs:// path outside ${FOLDER}`],
  [`${FOLDER}../acme-corp/outputs/x`, 'has a ".", ".." or empty path segment'],
  [`${FOLDER}inputs/./x`, 'has a ".", ".." or empty path segment'],
  [`${FOLDER}inputs//x`, 'has a ".", ".." or empty path segment'],
  [`--in=${FOLDER}inputs/..,--x`, 'has a ".", ".." or empty path segment'],
];

for (const [arg, refusal] of ARGS) {
  Args(`${JSON.stringify(arg)} is ${refusal ? 'refused' : 'accepted'} by the workflow and by client-file validation alike`, async () => {
    assert.is(scheduledArgProblem(arg, FOLDER), refusal, 'client-file validation (src/dsl/recipes/safe-paths.ts)');
    const fakes = fakeConnectors({ topics: TOPICS });
    const run = await schedule(['--mode', 'daily', arg], fakes);
    if (refusal === undefined) {
      assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
      assert.equal((fakes.batch.created[0]!.body as any).taskGroups[0].taskSpec.runnables[0].container.commands.slice(-3), ['--mode', 'daily', arg]);
      return;
    }
    assert.is(run.state, 'FAILED');
    assert.equal((run.error as any).tags, ['InvalidArgument']);
    assert.is((run.error as any).message, `args[2] ${refusal}: ${arg}`);
    assert.is(fakes.batch.created.length, 0, 'no job');
    assert.is(fakes.pubsub.published.length, 0, 'no status message');
    const refused = logs(run).filter((l) => l.severity === 'WARNING');
    assert.equal(
      refused.map((l) => l.data),
      [{ message: 'scheduled run refused, no job started', reason: `args[2] ${refusal}`, arg, client: 'globex-retail' }],
    );
  });
}

Args("the folder compared with is the run's own bucket, product and client", () => {
  assert.is(clientFolder(BUCKET, 'scoring', 'globex-retail'), FOLDER);
});

Args.run();
