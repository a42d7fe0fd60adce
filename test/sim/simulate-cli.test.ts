/**
 * `npm run simulate`: argument handling, runs of the generated workflows on a throw-away sandbox (the
 * default) and with fakes, --json, located syntax errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSimulateArgs, simulate } from '../../src/cli/simulate.ts';
import { userErrorOf } from '../support/user-error.ts';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';

const Cli = suite('simulate command');
let dir = '';
let eventFile = '';

Cli.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'simulate-'));
  eventFile = join(dir, 'event.json');
  writeFileSync(
    eventFile,
    JSON.stringify(auditLogUploadEvent({ project: 'scoring-dev-4821', bucket: 'scoring-dev-4821-batch', object: 'scoring/acme-corp/inputs/a.jsonl', time: '2025-01-15T08:00:00Z', insertId: 'x' })),
  );
});
Cli.after(() => rmSync(dir, { recursive: true, force: true }));

Cli('needs a workflow and exactly one of --event-file and --args', async () => {
  assert.match((await userErrorOf(parseSimulateArgs(['--args', '{}']))).message, '--workflow is required');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml']))).message, 'exactly one of --event-file, --uploaded and --args');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}', '--event-file', 'e.json']))).message, 'exactly one');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{oops']))).message, 'not JSON');
});

Cli("--uploaded runs on the audit-log event of that upload, made for the environment's project", async () => {
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--uploaded', 'scoring/acme-corp/inputs/a.jsonl']))).message, 'not a gs://BUCKET/OBJECT URI');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--uploaded', 'gs://b/o', '--args', '{}']))).message, 'exactly one');
  const options = await parseSimulateArgs([
    '--workflow',
    'generated/workflows/batch-inference.yaml',
    '--uploaded',
    'gs://scoring-dev-4821-batch/scoring/globex-retail/inputs/day 1/a.jsonl',
    '--fakes',
    '--json',
  ]);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode, run } = await simulate(options, (l) => lines.push(l));
  assert.is(exitCode, 0, lines.join('\n'));
  assert.is((run.result as any).client, 'globex-retail');
  assert.is((run.result as any).input_uri, 'gs://scoring-dev-4821-batch/scoring/globex-retail/inputs/day 1/a.jsonl');
  assert.is((run.result as any).output_uri, 'gs://scoring-dev-4821-batch/scoring/globex-retail/outputs/day 1/a.jsonl');
});

Cli('fake-only and sandbox-only options say which mode they need', async () => {
  const outcome = await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}', '--job-outcome', 'FAILED']));
  assert.is(outcome.diagnostics[0]!.path, '--job-outcome');
  assert.match(outcome.diagnostics[0]!.fix ?? '', '--fakes');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}', '--fakes', '--sandbox-url', 'http://127.0.0.1:1']))).message, 'exclude each other');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}', '--fakes', '--no-input']))).message, 'throw-away sandbox');
  assert.match((await userErrorOf(parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}', '--input', join(dir, 'missing.jsonl')]))).message, 'cannot read the input file');
  const defaults = await parseSimulateArgs(['--workflow', 'w.yaml', '--args', '{}']);
  assert.ok(defaults !== 'help' && defaults.target.kind === 'throw-away-sandbox', 'the default is a throw-away sandbox');
});

Cli('by default the run goes to a throw-away sandbox with generated/dev applied: the job processes the uploaded input, the topic and Slack get the outcome', async () => {
  const spaced = join(dir, 'spaced-event.json');
  writeFileSync(
    spaced,
    JSON.stringify(
      auditLogUploadEvent({ project: 'scoring-dev-4821', bucket: 'scoring-dev-4821-batch', object: 'scoring/acme-corp/inputs/2025 Q1/naïve file.jsonl', time: '2025-01-15T08:00:00Z', insertId: 'y' }),
    ),
  );
  const input = join(dir, 'input.jsonl');
  writeFileSync(input, '{"text": "from my file"}\n');
  const options = await parseSimulateArgs(['--workflow', 'generated/workflows/batch-inference.yaml', '--event-file', spaced, '--input', input]);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode, run } = await simulate(options, (l) => lines.push(l));
  const out = lines.join('\n');
  assert.is(run.state, 'SUCCEEDED', out);
  assert.is(exitCode, 0);
  assert.match(out, 'throw-away local sandbox');
  assert.match(out, /applied generated\/dev\/ to a throw-away sandbox \(\d+ changes/);
  assert.match(out, `uploaded ${input} (25 bytes) to gs://scoring-dev-4821-batch/scoring/acme-corp/inputs/2025 Q1/naïve file.jsonl`);
  assert.match(out, '"output_uri": "gs://scoring-dev-4821-batch/scoring/acme-corp/outputs/2025 Q1/naïve file.jsonl"');
  assert.match(out, '1 notification(s) received');
  assert.match(out, /Slack message received: .*acme-corp\* succeeded/);
});

Cli('--no-input: the sandbox Batch job fails, the run publishes FAILED, notifies and exits 1', async () => {
  const options = await parseSimulateArgs(['--workflow', 'generated/workflows/batch-scheduled.yaml', '--args', '{"client": "globex-retail", "run_date": "2025-01-15"}', '--no-input']);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode, run } = await simulate(options, (l) => lines.push(l));
  const out = lines.join('\n');
  assert.is(exitCode, 1);
  assert.is(run.state, 'FAILED');
  assert.match(out, 'No input objects under gs://scoring-dev-4821-batch/scoring/globex-retail/inputs/');
  assert.match(out, /Teams card received: .*globex-retail: FAILED/);
  assert.match(out, /Webhook received: .*"job_state":"FAILED"/);
});

Cli('runs the generated batch-inference with fakes and prints the trace and the result', async () => {
  const options = await parseSimulateArgs(['--workflow', 'generated/workflows/batch-inference.yaml', '--event-file', eventFile, '--env', 'dev', '--fakes']);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode, run } = await simulate(options, (l) => lines.push(l));
  assert.is(exitCode, 0);
  assert.is(run.state, 'SUCCEEDED');
  const out = lines.join('\n');
  assert.match(out, 'main.read_event');
  assert.match(out, 'googleapis.batch.v1.projects.locations.jobs.create →');
  assert.match(out, 'googleapis.pubsub.v1.projects.topics.publish →');
  assert.match(out, /SUCCEEDED in \d+ steps/);
  assert.match(out, '"job_state": "SUCCEEDED"');
  // The environment came from generated/dev/: the dev project and the product bucket.
  assert.match(out, 'gs://scoring-dev-4821-batch/scoring/acme-corp/outputs/a.jsonl');
});

Cli('--json prints only the outcome; a failed job exits 1', async () => {
  const options = await parseSimulateArgs(['--workflow', 'generated/workflows/batch-inference.yaml', '--event-file', eventFile, '--json', '--fakes', '--job-outcome', 'FAILED']);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode } = await simulate(options, (l) => lines.push(l));
  assert.is(exitCode, 1);
  assert.is(lines.length, 1);
  const printed = JSON.parse(lines[0]!);
  assert.equal(Object.keys(printed), ['state', 'error']);
  assert.is(printed.state, 'FAILED');
  assert.equal(printed.error.tags, ['OperationError']);
});

Cli('an unknown client of batch-scheduled fails as it would live, because the fakes know the deployed topics', async () => {
  const options = await parseSimulateArgs(['--workflow', 'generated/workflows/batch-scheduled.yaml', '--args', '{"client": "nobody-here"}', '--json', '--fakes']);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const { exitCode } = await simulate(options, (l) => lines.push(l));
  assert.is(exitCode, 1);
  assert.equal(JSON.parse(lines[0]!).error.tags, ['UnknownClient']);
});

Cli('a workflow with a syntax error is a located user error', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'main:\n  steps:\n    - a:\n        return: ${1 +* 2}\n');
  const options = await parseSimulateArgs(['--workflow', bad, '--args', 'null']);
  assert.ok(options !== 'help');
  const e = await userErrorOf(simulate(options, () => undefined));
  assert.is(e.diagnostics[0]!.line, 4);
  assert.match(e.diagnostics[0]!.message, 'invalid expression');
});

Cli('a connector the simulator does not implement is a located user error naming it, not an internal error', async () => {
  const gke = join(dir, 'gke.yaml');
  writeFileSync(
    gke,
    'main:\n  steps:\n    - start:\n        assign:\n          - n: 1\n    - create_deployment:\n        call: gke.request\n        args:\n          cluster_id: c\n          method: GET\n          path: /api/v1/namespaces\n',
  );
  const options = await parseSimulateArgs(['--workflow', gke, '--args', 'null', '--fakes']);
  assert.ok(options !== 'help');
  const lines: string[] = [];
  const e = await userErrorOf(simulate(options, (l) => lines.push(l)));
  const d = e.diagnostics[0]!;
  assert.match(d.file ?? '', 'gke.yaml');
  assert.is(d.line, 6);
  assert.is(d.column, 7);
  assert.match(d.message, 'calls gke.request, a connector the simulator does not implement');
  assert.match(d.fix ?? '', 'googleapis.batch.v1.projects.locations.jobs.create');
  assert.ok(
    lines.some((l) => l.includes('start')),
    'the steps before the call ran and were traced',
  );
});

Cli.run();
