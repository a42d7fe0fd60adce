/**
 * The simulator's public API beyond the corpus: traces, error locations, set-up errors, limits,
 * the virtual clock and the trace formatter.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatRun } from '../../src/sim/format-trace.ts';
import { fakeConnectors } from '../../src/sim/connectors/fake.ts';
import { SimSyntaxError, SimulationSetupError, VirtualClock, parseWorkflow, runWorkflow, type TraceEvent } from '../../src/sim/index.ts';

test('the trace lists every step with its kind, call target and outcome, and onTrace sees the same events', async () => {
  const seen: TraceEvent[] = [];
  const w = parseWorkflow(`
main:
  steps:
    - init:
        assign:
          - x: 2
    - twice:
        call: double
        args:
          n: \${x}
        result: y
    - log:
        call: sys.log
        args:
          text: \${"y is " + string(y)}
    - done:
        return: \${y}
double:
  params: [n]
  steps:
    - r:
        return: \${n * 2}
`);
  const run = await runWorkflow(w, { onTrace: (e) => seen.push(e) });
  assert.is(run.result, 4);
  assert.equal(seen, run.trace);
  const summary = run.trace.map((e) => `${e.subworkflow}.${e.step}:${e.kind}:${e.outcome}${e.call ? `:${e.call}` : ''}`);
  assert.equal(summary, [
    'main.init:assign:succeeded',
    'main.twice:call:started:double',
    'double.r:return:returned',
    'main.twice:call:succeeded:double',
    'main.log:log:info',
    'main.log:call:succeeded:sys.log',
    'main.done:return:returned',
  ]);
  assert.equal(run.trace.find((e) => e.kind === 'log')!.detail, { severity: 'DEFAULT', data: 'y is 4' });
  assert.is(run.steps, 5);
});

test('a runtime error carries its step, subworkflow stack, line and the failing expression', async () => {
  const w = parseWorkflow(
    `main:
  steps:
    - go:
        call: helper
helper:
  steps:
    - read:
        assign:
          - m: {}
          - v: \${m.a + 1}
`,
    'file.yaml',
  );
  const run = await runWorkflow(w);
  assert.is(run.state, 'FAILED');
  assert.equal((run.error as any).tags, ['KeyError']);
  assert.is(run.errorContext?.step, 'read');
  assert.is(run.errorContext?.subworkflow, 'helper');
  assert.equal(run.errorContext?.stack, ['main', 'helper']);
  assert.is(run.errorContext?.line, 10);
  assert.is(run.errorContext?.expression, 'm.a + 1');
  assert.is(run.errorContext?.offset, 2, 'the offset of the missing key');
  const text = formatRun(run);
  assert.match(text, 'FAILED after');
  assert.match(text, 'KeyError: key not found: a (helper.read, line 10, in ${m.a + 1})');
});

/** The line and column of the SimSyntaxError `yaml` raises. */
function syntaxErrorAt(yaml: string): [number | undefined, number | undefined, string] {
  try {
    parseWorkflow(yaml, 'w.yaml');
  } catch (e) {
    assert.instance(e, SimSyntaxError);
    const s = e as SimSyntaxError;
    return [s.line, s.column, s.reason];
  }
  throw new Error('should have thrown');
}

test('syntax errors in quoted and block scalars, and at empty values, point into the file', () => {
  // Quoted: the column counts from the first character after the quote.
  assert.equal(syntaxErrorAt('- a:\n    assign:\n      - x: "${1 +}"\n').slice(0, 2), [3, 18]);
  // Block scalar: the expression starts on the line after "|".
  assert.equal(syntaxErrorAt('- a:\n    return: |\n      ${1 +}\n').slice(0, 2), [3, 12]);
  // An empty value is where its key's colon leaves off (was line 1, column 0).
  const [line, column, reason] = syntaxErrorAt('- a:\n    assign:\n      - x: 1\n    next:\n');
  assert.match(reason, '"next" must be a step name');
  assert.equal([line, column], [4, 10]);
});

test('syntax errors point at the line and column of the problem', () => {
  try {
    parseWorkflow('- a:\n    assign:\n      - x: ${1 +}\n', 'bad.yaml');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, SimSyntaxError);
    const s = e as SimSyntaxError;
    assert.is(s.file, 'bad.yaml');
    assert.is(s.line, 3);
    assert.is(s.column, 17, 'the column of the character after "+"');
    assert.match(s.message, 'bad.yaml:3:17');
  }
  try {
    parseWorkflow('- a:\n    asign:\n      - x: 1\n', 'typo.yaml');
    assert.unreachable('should have thrown');
  } catch (e) {
    const s = e as SimSyntaxError;
    assert.is(s.line, 2);
    assert.match(s.reason, 'unknown key "asign"');
    assert.ok(s.fix && s.fix.length > 0, 'a syntax error says how to fix it');
  }
});

test('a string that is only partly ${...} parses, stays literal, and is reported as a warning', () => {
  const w = parseWorkflow('- a:\n    return: "gs://${bucket}/x"\n', 'w.yaml');
  assert.is(w.warnings.length, 1);
  assert.match(w.warnings[0]!, 'w.yaml:2:14');
});

test('a call to a connector that was not bound rejects with a set-up error naming it', async () => {
  const w = parseWorkflow('- a:\n    call: googleapis.storage.v1.objects.get\n    args:\n      bucket: b\n');
  try {
    await runWorkflow(w);
    assert.unreachable('should have rejected');
  } catch (e) {
    assert.instance(e, SimulationSetupError);
    assert.match((e as Error).message, 'googleapis.storage.v1.objects.get');
  }
});

test('a connector the simulator does not implement stops the run with a set-up error located at the call, with a fix', async () => {
  const w = parseWorkflow('- a:\n    assign:\n      - x: 1\n- deploy:\n    call: gke.request\n    args:\n      cluster_id: c\n', 'k8s.yaml');
  const e = await runWorkflow(w, { connectors: fakeConnectors().registry }).then(
    () => assert.unreachable('should have rejected'),
    (err: unknown) => err,
  );
  assert.instance(e, SimulationSetupError);
  const s = e as SimulationSetupError;
  assert.equal([s.file, s.line, s.column, s.path], ['k8s.yaml', 4, 3, 'main.steps[1].deploy']);
  assert.match(s.reason, 'gke.request');
  assert.match(s.fix ?? '', 'run this workflow on Google Cloud');
});

test('a connector the simulator has but the run was not given says so, and a parallel branch does not swallow it', async () => {
  const w = parseWorkflow(
    '- p:\n    parallel:\n      branches:\n        - b1:\n            steps:\n              - get:\n                  call: googleapis.storage.v1.objects.get\n                  args: {bucket: b, object: o}\n',
  );
  const e = (await runWorkflow(w).catch((err: unknown) => err)) as SimulationSetupError;
  assert.instance(e, SimulationSetupError);
  assert.match(e.reason, 'implements but this run was not given');
  assert.is(e.line, 6);
});

test('limits can be lowered: steps and call depth', async () => {
  const loop = parseWorkflow('- a:\n    assign:\n      - x: 1\n    next: a\n');
  const r1 = await runWorkflow(loop, { limits: { maxSteps: 50 } });
  assert.equal((r1.error as any).tags, ['ResourceLimitError']);
  assert.is(r1.steps, 51);
  const rec = parseWorkflow('main:\n  steps:\n    - r:\n        return: ${f(0)}\nf:\n  params: [n]\n  steps:\n    - r:\n        return: ${f(n + 1)}\n');
  const r2 = await runWorkflow(rec, { limits: { maxCallDepth: 5 } });
  assert.equal((r2.error as any).tags, ['RecursionError']);
});

test("user environment variables may not take Google's reserved prefixes", async () => {
  const w = parseWorkflow('- a:\n    return: 1\n');
  try {
    await runWorkflow(w, { env: { user: { GOOGLE_THING: 'x' } } });
    assert.unreachable('should have rejected');
  } catch (e) {
    assert.match((e as Error).message, 'GOOGLE_THING');
  }
});

test('the virtual clock wakes sleepers in time order and never waits for real', async () => {
  const clock = new VirtualClock(0);
  const woke: string[] = [];
  const started = Date.now();
  await Promise.all([
    clock.sleep(3_600_000).then(() => woke.push(`b@${clock.now()}`)),
    clock.sleep(60_000).then(() => woke.push(`a@${clock.now()}`)),
    clock.sleep(60_000).then(() => woke.push(`a2@${clock.now()}`)),
  ]);
  assert.equal(woke, ['a@60000', 'a2@60000', 'b@3600000']);
  // Real waiting would take at least the shortest sleep (60 s); half of it leaves room for a loaded machine.
  assert.ok(Date.now() - started < 30_000);
});

test('parallel branches interleave between steps, deterministically, in declaration order', async () => {
  const w = parseWorkflow(`
- init:
    assign:
      - order: []
- par:
    parallel:
      shared: [order]
      branches:
        - a:
            steps:
              - a1:
                  assign:
                    - order: \${list.concat(order, "a1")}
              - a2:
                  assign:
                    - order: \${list.concat(order, "a2")}
        - b:
            steps:
              - b1:
                  assign:
                    - order: \${list.concat(order, "b1")}
              - b2:
                  assign:
                    - order: \${list.concat(order, "b2")}
- r:
    return: \${order}
`);
  const first = await runWorkflow(w);
  const second = await runWorkflow(w);
  assert.equal(first.result, second.result);
  assert.equal([...(first.result as string[])].sort(), ['a1', 'a2', 'b1', 'b2']);
  assert.ok((first.result as string[]).indexOf('a1') < (first.result as string[]).indexOf('a2'));
});

test.run();
