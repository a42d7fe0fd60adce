/**
 * Conformance corpus: every file in test/sim/corpus/ is a small workflow with its input and the
 * result or error Google documents for it. A case is `<metadata YAML>\n---\n<workflow YAML>`.
 * Cases listed in known-failures.yaml must fail; one that starts passing fails the run, so the list
 * only ever shrinks and never hides a regression.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeConnectors, type FakeJobScript } from '../../src/sim/connectors/fake.ts';
import { VirtualClock } from '../../src/sim/clock.ts';
import { SimSyntaxError, SimulationSetupError, parseWorkflow, runWorkflow, type RunResult } from '../../src/sim/index.ts';

const DIR = join(import.meta.dirname, 'corpus');

interface CaseSpec {
  readonly description?: string;
  readonly argument?: unknown;
  readonly env?: Record<string, string>;
  readonly fakes?: { batch?: FakeJobScript; secrets?: Record<string, string>; http?: { code?: number; body?: unknown }[]; topics?: string[] };
  readonly expect: {
    readonly result?: unknown;
    readonly error?: { tags?: string[]; message?: string; code?: number; equals?: unknown; step?: string; line?: number };
    readonly syntaxError?: string;
    readonly syntaxLine?: number;
    /** The run stops at a call the simulator cannot make (SimulationSetupError), on this line. */
    readonly setupError?: string;
    readonly setupLine?: number;
    readonly elapsedSeconds?: number;
    readonly published?: unknown[];
    readonly jobsCreated?: number;
    readonly httpRequests?: number;
    readonly logs?: unknown[];
    readonly steps?: number;
  };
}

type Outcome = { ok: true } | { ok: false; why: string };

async function runCase(file: string): Promise<Outcome> {
  const text = readFileSync(join(DIR, file), 'utf8');
  const sep = text.indexOf('\n---\n');
  if (sep < 0) throw new Error(`${file}: a case is metadata, a line "---", then the workflow`);
  const spec = load(text.slice(0, sep)) as CaseSpec;
  const workflowText = text.slice(sep + 5);
  const lineOffset = text.slice(0, sep + 5).split('\n').length - 1;
  const why = (msg: string): Outcome => ({ ok: false, why: msg });

  let parsed;
  try {
    parsed = parseWorkflow(workflowText, file);
  } catch (e) {
    if (!(e instanceof SimSyntaxError)) throw e;
    if (spec.expect.syntaxError === undefined) return why(`unexpected syntax error: ${e.message}`);
    if (!e.message.includes(spec.expect.syntaxError)) return why(`syntax error ${JSON.stringify(e.message)} does not mention ${JSON.stringify(spec.expect.syntaxError)}`);
    if (spec.expect.syntaxLine !== undefined && (e.line ?? 0) + lineOffset !== spec.expect.syntaxLine)
      return why(`syntax error on line ${(e.line ?? 0) + lineOffset}, expected ${spec.expect.syntaxLine}`);
    return { ok: true };
  }
  if (spec.expect.syntaxError !== undefined) return why('expected a syntax error, but the workflow parsed');

  let httpIndex = 0;
  const fakes = fakeConnectors({
    batch: () => spec.fakes?.batch ?? {},
    ...(spec.fakes?.secrets ? { secrets: spec.fakes.secrets } : {}),
    ...(spec.fakes?.topics ? { topics: new Set(spec.fakes.topics) } : {}),
    http: () => spec.fakes?.http?.[Math.min(httpIndex++, (spec.fakes?.http?.length ?? 1) - 1)] ?? { code: 200, body: null },
  });
  const clock = new VirtualClock();
  const start = clock.now();
  let run: RunResult;
  try {
    run = await runWorkflow(parsed, {
      argument: spec.argument,
      env: { user: spec.env ?? {}, builtins: { GOOGLE_CLOUD_PROJECT_ID: 'corpus-project', GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID: 'exec-1' } },
      connectors: fakes.registry,
      clock,
      uuid: () => '00000000-0000-4000-8000-000000000000',
    });
  } catch (e) {
    if (!(e instanceof SimulationSetupError)) throw e;
    if (spec.expect.setupError === undefined) return why(`unexpected set-up error: ${e.message}`);
    if (!e.reason.includes(spec.expect.setupError)) return why(`set-up error ${JSON.stringify(e.reason)} does not mention ${JSON.stringify(spec.expect.setupError)}`);
    if (e.file !== file || !e.fix) return why(`set-up error not located in ${file} with a fix: ${e.message}`);
    if (spec.expect.setupLine !== undefined && (e.line ?? 0) + lineOffset !== spec.expect.setupLine)
      return why(`set-up error on line ${(e.line ?? 0) + lineOffset}, expected ${spec.expect.setupLine}`);
    return { ok: true };
  }
  if (spec.expect.setupError !== undefined) return why(`expected a set-up error, got ${run.state}`);
  const x = spec.expect;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (x.error) {
    if (run.state !== 'FAILED') return why(`expected an error, got result ${JSON.stringify(run.result)}`);
    const err = run.error as { tags?: string[]; message?: string; code?: number } | string;
    if (x.error.equals !== undefined && !same(err, x.error.equals)) return why(`error ${JSON.stringify(err)} is not ${JSON.stringify(x.error.equals)}`);
    if (x.error.tags && (typeof err !== 'object' || !same(err.tags, x.error.tags)))
      return why(`error tags ${JSON.stringify(typeof err === 'object' ? err.tags : err)}, expected ${JSON.stringify(x.error.tags)}`);
    if (x.error.message && (typeof err !== 'object' || !String(err.message).includes(x.error.message)))
      return why(`error message ${JSON.stringify(typeof err === 'object' ? err.message : err)} lacks ${JSON.stringify(x.error.message)}`);
    if (x.error.code !== undefined && (typeof err !== 'object' || err.code !== x.error.code)) return why(`error code ${typeof err === 'object' ? err.code : '-'}, expected ${x.error.code}`);
    if (x.error.step !== undefined && run.errorContext?.step !== x.error.step) return why(`error in step ${run.errorContext?.step}, expected ${x.error.step}`);
    if (x.error.line !== undefined && (run.errorContext?.line ?? 0) + lineOffset !== x.error.line) return why(`error on line ${(run.errorContext?.line ?? 0) + lineOffset}, expected ${x.error.line}`);
  } else {
    if (run.state !== 'SUCCEEDED') return why(`expected success, got ${JSON.stringify(run.error)} at ${JSON.stringify(run.errorContext)}`);
    if ('result' in x && !same(run.result, x.result)) return why(`result ${JSON.stringify(run.result)}, expected ${JSON.stringify(x.result)}`);
  }
  if (x.elapsedSeconds !== undefined && (clock.now() - start) / 1000 !== x.elapsedSeconds) return why(`virtual time advanced ${(clock.now() - start) / 1000} s, expected ${x.elapsedSeconds}`);
  if (
    x.published !== undefined &&
    !same(
      fakes.pubsub.published.map((p) => ({ topic: p.topic, data: p.json ?? p.text, attributes: p.attributes })),
      x.published,
    )
  )
    return why(`published ${JSON.stringify(fakes.pubsub.published)}`);
  if (x.jobsCreated !== undefined && fakes.batch.created.length !== x.jobsCreated) return why(`${fakes.batch.created.length} jobs created, expected ${x.jobsCreated}`);
  if (x.httpRequests !== undefined && fakes.http.requests.length !== x.httpRequests) return why(`${fakes.http.requests.length} HTTP requests, expected ${x.httpRequests}`);
  if (
    x.logs !== undefined &&
    !same(
      run.trace.filter((e) => e.kind === 'log').map((e) => e.detail),
      x.logs,
    )
  )
    return why(`logs ${JSON.stringify(run.trace.filter((e) => e.kind === 'log').map((e) => e.detail))}`);
  if (x.steps !== undefined && run.steps !== x.steps) return why(`${run.steps} steps, expected ${x.steps}`);
  return { ok: true };
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && f !== 'known-failures.yaml')
  .sort();
const known = new Map(Object.entries((load(readFileSync(join(DIR, 'known-failures.yaml'), 'utf8')) ?? {}) as Record<string, string>));

test('the corpus holds at least 60 cases and every known failure names an existing case', () => {
  assert.ok(files.length >= 60, `only ${files.length} cases`);
  for (const name of known.keys()) assert.ok(files.includes(name), `known-failures.yaml lists ${name}, which is not in the corpus`);
});

for (const file of files) {
  test(`corpus: ${file}`, async () => {
    const outcome = await runCase(file);
    const reason = known.get(file);
    if (reason !== undefined) {
      assert.ok(!outcome.ok, `${file} is listed as a known failure (${reason}) but now passes: remove it from known-failures.yaml`);
    } else if (!outcome.ok) {
      assert.unreachable(`${file}: ${outcome.why}`);
    }
  });
}

test.run();
