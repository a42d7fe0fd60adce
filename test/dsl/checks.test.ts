import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSourceSize, checkWorkflowId, defineWorkflow, literal, mainWorkflow, Steps, subworkflow, variable, type DslProblem, type Step } from '../../src/dsl/index.ts';

/** A workflow from raw steps: the checks exist for what the typed builders cannot rule out. */
function problemsOf(steps: readonly Step[], name = 'demo', subworkflows: Parameters<typeof defineWorkflow>[0]['subworkflows'] = []): readonly DslProblem[] {
  return defineWorkflow({ name, description: '', main: { name: 'main', params: ['args'], steps }, subworkflows }).check();
}

function only(problems: readonly DslProblem[]): DslProblem {
  assert.is(problems.length, 1, `expected one problem, got ${JSON.stringify(problems, null, 1)}`);
  return problems[0] as DslProblem;
}

const ok: Step = { type: 'return', name: 'done', return: 1 };

test('a valid workflow has no problems', () => {
  assert.equal(problemsOf([{ type: 'assign', name: 'a', assign: [['x', variable('args')]] }, ok]), []);
});

test('duplicate step names are located at the second use', () => {
  const p = only(problemsOf([{ type: 'assign', name: 'a', assign: [['x', 1]] }, { type: 'steps', name: 'group', steps: [{ type: 'assign', name: 'a', assign: [['y', 2]] }] }, ok]));
  assert.is(p.path, 'main.steps[1] group.steps[0] a');
  assert.match(p.message, 'step name "a" is already used at main.steps[0] a');
  assert.match(p.fix, 'own name');
});

test('next to a missing step is located at the next field', () => {
  const p = only(problemsOf([{ type: 'assign', name: 'a', assign: [['x', 1]] }, { type: 'call', name: 'create_job', call: 'sys.log', args: { text: 'x' }, next: 'publsh' }, ok]));
  assert.is(p.path, 'main.steps[1] create_job.next');
  assert.is(p.message, 'next: no step named "publsh" in this scope');
});

test('next from a switch condition, into nested steps, and out of a loop', () => {
  const problems = problemsOf([
    { type: 'switch', name: 'route', conditions: [{ condition: true, next: 'missing' }] },
    { type: 'steps', name: 'group', steps: [{ type: 'return', name: 'inner', return: 1 }] },
    { type: 'next', name: 'jump_in', next: 'inner' },
    { type: 'for', name: 'loop', for: { value: 'i', in: [1], steps: [{ type: 'next', name: 'jump_out', next: 'done' }] } },
    ok,
  ]);
  assert.equal(
    problems.map((p) => p.path),
    ['main.steps[0] route.switch[0].next', 'main.steps[2] jump_in.next', 'main.steps[3] loop.for.steps[0] jump_out.next'],
  );
});

test('break and continue only inside a for loop', () => {
  const p = only(problemsOf([{ type: 'next', name: 'stop', next: 'break' }, ok]));
  assert.is(p.path, 'main.steps[0] stop.next');
  assert.match(p.message, 'outside a for loop');
  assert.equal(problemsOf([{ type: 'for', name: 'loop', for: { value: 'i', range: [1, 3], steps: [{ type: 'next', name: 'stop', next: 'break' }] } }, ok]), []);
});

test('a variable read before any assignment in reach', () => {
  const p = only(
    problemsOf([
      { type: 'assign', name: 'init', assign: [['total', variable('count').plus(1)], ['count', 1]] },
      { type: 'return', name: 'done', return: variable('total') },
    ]),
  );
  assert.is(p.path, 'main.steps[0] init.assign[0] total');
  assert.is(p.message, 'reads variable "count" before any assignment in reach');
  assert.match(p.fix, 'assign "count" in an earlier step');
});

test('loop variables and except variables do not outlive their block; try and switch branches share the scope', () => {
  const problems = problemsOf([
    { type: 'for', name: 'loop', for: { value: 'item', in: [1, 2], steps: [{ type: 'assign', name: 'in_loop', assign: [['seen', variable('item')]] }] } },
    { type: 'try', name: 'attempt', steps: [{ type: 'assign', name: 'in_try', assign: [['tried', 1]] }], except: { as: 'e', steps: [{ type: 'assign', name: 'in_except', assign: [['why', variable('e')]] }] } },
    { type: 'switch', name: 'pick', conditions: [{ condition: true, steps: [{ type: 'assign', name: 'in_switch', assign: [['picked', 1]] }] }] },
    { type: 'return', name: 'done', return: [variable('item'), variable('seen'), variable('e'), variable('why'), variable('tried'), variable('picked')] },
  ]);
  assert.equal(
    problems.map((p) => p.message),
    ['reads variable "item" before any assignment in reach', 'reads variable "seen" before any assignment in reach', 'reads variable "e" before any assignment in reach', 'reads variable "why" before any assignment in reach'],
  );
  assert.ok(problems.every((p) => p.path === 'main.steps[3] done.return'));
});

test('more than 50 assignments in one step', () => {
  const assign = Array.from({ length: 51 }, (_, i) => [`v${i}`, i] as const);
  const p = only(problemsOf([{ type: 'assign', name: 'too_many', assign }, ok]));
  assert.is(p.path, 'main.steps[0] too_many.assign');
  assert.is(p.message, '51 assignments in one step; the limit is 50');
  assert.equal(problemsOf([{ type: 'assign', name: 'fifty', assign: assign.slice(0, 50) }, ok]), []);
});

test('more than 50 switch conditions', () => {
  const conditions = Array.from({ length: 51 }, (_, i) => ({ condition: variable('args').eq(i), return: i }));
  const p = only(problemsOf([{ type: 'switch', name: 'huge', conditions }, ok]));
  assert.is(p.path, 'main.steps[0] huge.switch');
  assert.is(p.message, '51 switch conditions; the limit is 50');
});

test('more than 10 parallel branches', () => {
  const branches = Array.from({ length: 11 }, (_, i) => ({ name: `b${i}`, steps: [{ type: 'assign', name: `s${i}`, assign: [['x', i]] }] as Step[] }));
  const p = only(problemsOf([{ type: 'parallel', name: 'fan', branches }, ok]));
  assert.is(p.path, 'main.steps[0] fan.parallel.branches');
  assert.is(p.message, '11 parallel branches; the limit is 10');
});

test('shared variables must exist before the parallel step', () => {
  const p = only(problemsOf([{ type: 'parallel', name: 'fan', shared: ['total'], branches: [{ name: 'a', steps: [ok] }, { name: 'b', steps: [{ type: 'return', name: 'r2', return: 2 }] }] }]));
  assert.is(p.path, 'main.steps[0] fan.parallel.shared');
  assert.match(p.message, 'shared variable "total" is not assigned before the parallel step');
});

test('invalid workflow ids', () => {
  for (const id of ['9lives', 'has space', 'ends-', 'x'.repeat(65), '', 'dots.not.allowed']) {
    const p = only(checkWorkflowId(id));
    assert.match(p.message, 'is not a valid workflow id');
    assert.match(p.fix, 'a letter first');
  }
  for (const id of ['batch-inference', 'a', 'scoring_batch-scheduled', 'x'.repeat(64)]) assert.equal(checkWorkflowId(id), []);
  const p = only(problemsOf([ok], 'Batch Inference'));
  assert.is(p.path, 'name');
});

test('invalid step names and unknown subworkflows', () => {
  const problems = problemsOf([{ type: 'call', name: 'bad-name', call: 'publish_status', args: {} }, ok]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    [
      ['main.steps[0] bad-name', '"bad-name" is not a valid step name'],
      ['main.steps[0] bad-name.call', 'calls "publish_status", which is neither a subworkflow of this workflow nor a library function'],
    ],
  );
});

test('subworkflow calls must pass required params and no unknown ones', () => {
  const greet = subworkflow('greet', ['name', { greeting: 'Hi' }] as const, (s) => s.return('r', (v) => v.name));
  const problems = problemsOf([{ type: 'call', name: 'hello', call: 'greet', args: { nmae: 'x' } }, ok], 'demo', [greet]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    [
      ['main.steps[0] hello.args', 'missing argument "name" of subworkflow greet'],
      ['main.steps[0] hello.args.nmae', 'subworkflow greet has no parameter "nmae"'],
    ],
  );
});

test('source over 128 KB', () => {
  assert.equal(checkSourceSize('batch-inference', 'main:\n  steps: []\n'), []);
  const exactly = 'x'.repeat(128 * 1024);
  assert.equal(checkSourceSize('batch-inference', exactly), []);
  const p = only(checkSourceSize('batch-inference', `${exactly}y`));
  assert.is(p.path, 'generated/workflows/batch-inference.yaml');
  assert.is(p.message, 'the workflow source is 131073 bytes, over Google\'s limit of 131072 bytes (128 KB)');
  // Bytes, not characters: multi-byte text counts for what it weighs.
  assert.is(checkSourceSize('w', 'é'.repeat(65 * 1024)).length, 1);
});

test('every problem is collected, not only the first', () => {
  const wf = defineWorkflow({
    name: '1bad',
    description: '',
    main: mainWorkflow((s) => Steps.start().assign('a', { x: variable('nope') }).next('j', 'gone' as never) as never),
  });
  assert.equal(
    wf.check().map((p) => p.path),
    ['name', 'main.steps[0] a.assign[0] x', 'main.steps[1] j.next'],
  );
  assert.ok(literal(1));
});

test.run();
