import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkSourceSize, checkWorkflowId, defineWorkflow, literal, mainWorkflow, retry, Steps, subworkflow, variable, type DslProblem, type Step } from '../../src/dsl/index.ts';

/** A workflow from raw steps: the checks exist for what the typed builders cannot rule out. */
function problemsOf(steps: readonly Step[], name = 'demo', subworkflows: Parameters<typeof defineWorkflow>[0]['subworkflows'] = []): readonly DslProblem[] {
  return defineWorkflow({ name, description: '', main: { name: 'main', params: ['args'], steps }, subworkflows }).check();
}

function only(problems: readonly DslProblem[]): DslProblem {
  assert.is(problems.length, 1, `expected one problem, got ${JSON.stringify(problems, null, 1)}`);
  return problems[0] as DslProblem;
}

const ok: Step = { kind: 'return', name: 'done', return: 1 };

test('a valid workflow has no problems', () => {
  assert.equal(problemsOf([{ kind: 'assign', name: 'a', assign: [['x', variable('args')]] }, ok]), []);
});

test('duplicate step names are located at the second use', () => {
  const p = only(problemsOf([{ kind: 'assign', name: 'a', assign: [['x', 1]] }, { kind: 'steps', name: 'group', steps: [{ kind: 'assign', name: 'a', assign: [['y', 2]] }] }, ok]));
  assert.is(p.path, 'main.steps[1] group.steps[0] a');
  assert.match(p.message, 'step name "a" is already used at main.steps[0] a');
  assert.match(p.fix, 'own name');
});

test('next to a missing step is located at the next field', () => {
  const p = only(problemsOf([{ kind: 'assign', name: 'a', assign: [['x', 1]] }, { kind: 'call', name: 'create_job', call: 'sys.log', args: { text: 'x' }, next: 'publsh' }, ok]));
  assert.is(p.path, 'main.steps[1] create_job.next');
  assert.is(p.message, 'next: no step named "publsh" in this scope');
});

test('next from a switch condition, into nested steps, and out of a loop', () => {
  const problems = problemsOf([
    { kind: 'switch', name: 'route', conditions: [{ condition: true, next: 'missing' }] },
    { kind: 'steps', name: 'group', steps: [{ kind: 'return', name: 'inner', return: 1 }] },
    { kind: 'next', name: 'jump_in', next: 'inner' },
    { kind: 'for', name: 'loop', for: { value: 'i', in: [1], steps: [{ kind: 'next', name: 'jump_out', next: 'done' }] } },
    ok,
  ]);
  assert.equal(
    problems.map((p) => p.path),
    ['main.steps[0] route.switch[0].next', 'main.steps[2] jump_in.next', 'main.steps[3] loop.for.steps[0] jump_out.next'],
  );
});

test('break and continue only inside a for loop', () => {
  const p = only(problemsOf([{ kind: 'next', name: 'stop', next: 'break' }, ok]));
  assert.is(p.path, 'main.steps[0] stop.next');
  assert.match(p.message, 'outside a for loop');
  assert.equal(problemsOf([{ kind: 'for', name: 'loop', for: { value: 'i', range: [1, 3], steps: [{ kind: 'next', name: 'stop', next: 'break' }] } }, ok]), []);
});

test('a variable read before any assignment in reach', () => {
  const p = only(
    problemsOf([
      {
        kind: 'assign',
        name: 'init',
        assign: [
          ['total', variable('count').plus(1)],
          ['count', 1],
        ],
      },
      { kind: 'return', name: 'done', return: variable('total') },
    ]),
  );
  assert.is(p.path, 'main.steps[0] init.assign[0] total');
  assert.is(p.message, 'reads variable "count" before any assignment in reach');
  assert.match(p.fix, 'assign "count" in an earlier step');
});

test('loop variables and except variables do not outlive their block; try and switch branches share the scope', () => {
  const problems = problemsOf([
    { kind: 'for', name: 'loop', for: { value: 'item', in: [1, 2], steps: [{ kind: 'assign', name: 'in_loop', assign: [['seen', variable('item')]] }] } },
    {
      kind: 'try',
      name: 'attempt',
      steps: [{ kind: 'assign', name: 'in_try', assign: [['tried', 1]] }],
      except: { as: 'e', steps: [{ kind: 'assign', name: 'in_except', assign: [['why', variable('e')]] }] },
    },
    { kind: 'switch', name: 'pick', conditions: [{ condition: true, steps: [{ kind: 'assign', name: 'in_switch', assign: [['picked', 1]] }] }] },
    { kind: 'return', name: 'done', return: [variable('item'), variable('seen'), variable('e'), variable('why'), variable('tried'), variable('picked')] },
  ]);
  assert.equal(
    problems.map((p) => p.message),
    [
      'reads variable "item" before any assignment in reach',
      'reads variable "seen" before any assignment in reach',
      'reads variable "e" before any assignment in reach',
      'reads variable "why" before any assignment in reach',
      // In scope after the try, but the except block falls through: when the try failed, "tried" was never assigned.
      'reads variable "tried", which is not assigned on every path to this step (a switch branch, a jump or a failed try skips its assignment)',
    ],
  );
  assert.ok(problems.every((p) => p.path === 'main.steps[3] done.return'));
});

test('more than 50 assignments in one step', () => {
  const assign = Array.from({ length: 51 }, (_, i) => [`v${i}`, i] as const);
  const p = only(problemsOf([{ kind: 'assign', name: 'too_many', assign }, ok]));
  assert.is(p.path, 'main.steps[0] too_many.assign');
  assert.is(p.message, '51 assignments in one step; the limit is 50');
  assert.equal(problemsOf([{ kind: 'assign', name: 'fifty', assign: assign.slice(0, 50) }, ok]), []);
});

test('more than 50 switch conditions', () => {
  const conditions = Array.from({ length: 51 }, (_, i) => ({ condition: variable('args').eq(i), return: i }));
  const p = only(problemsOf([{ kind: 'switch', name: 'huge', conditions }, ok]));
  assert.is(p.path, 'main.steps[0] huge.switch');
  assert.is(p.message, '51 switch conditions; the limit is 50');
});

test('more than 10 parallel branches', () => {
  const branches = Array.from({ length: 11 }, (_, i) => ({ name: `b${i}`, steps: [{ kind: 'assign', name: `s${i}`, assign: [['x', i]] }] as Step[] }));
  const p = only(problemsOf([{ kind: 'parallel', name: 'fan', branches }, ok]));
  assert.is(p.path, 'main.steps[0] fan.parallel.branches');
  assert.is(p.message, '11 parallel branches; the limit is 10');
});

test('shared variables must exist before the parallel step', () => {
  const p = only(
    problemsOf([
      {
        kind: 'parallel',
        name: 'fan',
        shared: ['total'],
        branches: [
          { name: 'a', steps: [ok] },
          { name: 'b', steps: [{ kind: 'return', name: 'r2', return: 2 }] },
        ],
      },
    ]),
  );
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
  const problems = problemsOf([{ kind: 'call', name: 'bad-name', call: 'publish_status', args: {} }, ok]);
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
  const problems = problemsOf([{ kind: 'call', name: 'hello', call: 'greet', args: { nmae: 'x' } }, ok], 'demo', [greet]);
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
  assert.is(p.message, "the workflow source is 131073 bytes, over Google's limit of 131072 bytes (128 KB)");
  // Bytes, not characters: multi-byte text counts for what it weighs.
  assert.is(checkSourceSize('w', 'é'.repeat(65 * 1024)).length, 1);
});

test('an expression over 400 characters, counted as rendered (quotes and escapes included), is located', () => {
  // 392 characters of text: "${" + '"' + 392 + '"' + "}" = 397 rendered, fine.
  assert.equal(problemsOf([{ kind: 'assign', name: 'a', assign: [['x', literal('a').plus(literal('b'.repeat(384)))]] }, ok]), []);
  const long = literal('"quoted"')
    .plus(variable('args'))
    .plus(literal('b'.repeat(400)));
  const p = only(
    problemsOf([
      {
        kind: 'assign',
        name: 'a',
        assign: [
          ['x', 1],
          ['y', long],
        ],
      },
      ok,
    ]),
  );
  assert.is(p.path, 'main.steps[0].a.assign[1].y');
  assert.match(p.message, /an expression of 4\d\d characters, over Google's limit of 400/);
  assert.match(p.fix, 'earlier assignments');
});

test('every problem is collected, not only the first', () => {
  const wf = defineWorkflow({
    name: '1bad',
    description: '',
    main: mainWorkflow(
      () =>
        Steps.start()
          .assign('a', { x: variable('nope') })
          .next('j', 'gone' as never) as never,
    ),
  });
  assert.equal(
    wf.check().map((p) => p.path),
    ['name', 'main.steps[0] a.assign[0] x', 'main.steps[1] j.next'],
  );
  assert.ok(literal(1));
});

// ---------------------------------------------------------------------------------------------
// Reads on some paths only: switch branches, jumps and failed tries that skip an assignment.

const NOT_EVERY_PATH = (name: string) => `reads variable "${name}", which is not assigned on every path to this step (a switch branch, a jump or a failed try skips its assignment)`;
const x = variable('x');
const raiseIt: Step = { kind: 'raise', name: 'fail', raise: 'no' };

test('a variable assigned in one switch branch only, then read after the switch', () => {
  const p = only(
    problemsOf([
      { kind: 'switch', name: 'pick', conditions: [{ condition: variable('args').eq(1), steps: [{ kind: 'assign', name: 'set_x', assign: [['x', 1]] }] }] },
      { kind: 'return', name: 'done', return: x },
    ]),
  );
  assert.is(p.path, 'main.steps[1] done.return');
  assert.is(p.message, NOT_EVERY_PATH('x'));
  assert.match(p.fix, 'assign "x" a default before the branching step');
  // Every branch assigns it and a default branch exists, or the other branches do not fall through: fine.
  const both = (other: Partial<{ steps: Step[]; raise: string; next: string }>): Step => ({
    kind: 'switch',
    name: 'pick',
    conditions: [
      { condition: variable('args').eq(1), steps: [{ kind: 'assign', name: 'set_x', assign: [['x', 1]] }] },
      { condition: true, ...other },
    ],
  });
  assert.equal(problemsOf([both({ steps: [{ kind: 'assign', name: 'set_x2', assign: [['x', 2]] }] }), { kind: 'return', name: 'done', return: x }]), []);
  assert.equal(problemsOf([both({ raise: 'unknown' }), { kind: 'return', name: 'done', return: x }]), []);
  // A default branch that assigns nothing still skips x.
  assert.equal(
    problemsOf([both({ steps: [{ kind: 'assign', name: 'other', assign: [['y', 2]] }] }), { kind: 'return', name: 'done', return: x }]).map((q) => q.message),
    [NOT_EVERY_PATH('x')],
  );
  // A branch that jumps past the read is not a path to it.
  assert.equal(problemsOf([both({ next: 'skip' }), { kind: 'return', name: 'done', return: x }, { kind: 'return', name: 'skip', return: 0 }]), []);
});

test('a jump over an assignment: forward, and backward around a loop made of next', () => {
  const forward = only(
    problemsOf([
      { kind: 'switch', name: 'route', conditions: [{ condition: variable('args').eq(1), next: 'use' }] },
      { kind: 'assign', name: 'set_x', assign: [['x', 1]] },
      { kind: 'return', name: 'use', return: x },
    ]),
  );
  assert.is(forward.path, 'main.steps[2] use.return');
  assert.is(forward.message, NOT_EVERY_PATH('x'));
  // A next step (not only a switch) and a step's own next.
  assert.equal(
    problemsOf([
      { kind: 'next', name: 'skip', next: 'use' },
      { kind: 'assign', name: 'set_x', assign: [['x', 1]] },
      { kind: 'return', name: 'use', return: x },
    ]).map((q) => q.path),
    ['main.steps[2] use.return'],
  );
  assert.equal(
    problemsOf([
      { kind: 'assign', name: 'a', assign: [['y', 1]], next: 'use' },
      { kind: 'assign', name: 'set_x', assign: [['x', 1]] },
      { kind: 'return', name: 'use', return: x },
    ]).map((q) => q.path),
    ['main.steps[2] use.return'],
  );
  // A counter loop built from a backward jump: n is assigned before the loop, so every read is fine.
  const counter: Step[] = [
    { kind: 'assign', name: 'init', assign: [['n', 0]] },
    { kind: 'assign', name: 'again', assign: [['n', variable('n').plus(1)]] },
    { kind: 'switch', name: 'more', conditions: [{ condition: variable('n').lt(3), next: 'again' }] },
    { kind: 'return', name: 'done', return: variable('n') },
  ];
  assert.equal(problemsOf(counter), []);
  // A backward jump to a step that reads what only a later step assigns: found once the jump is followed.
  const backward = problemsOf([
    { kind: 'assign', name: 'init', assign: [['n', 0]] },
    { kind: 'switch', name: 'first', conditions: [{ condition: variable('args').eq(1), next: 'late' }] },
    { kind: 'assign', name: 'use', assign: [['n', variable('late_value')]] },
    { kind: 'return', name: 'out', return: variable('n') },
    { kind: 'assign', name: 'late', assign: [['late_value', 1]], next: 'use' },
  ]);
  assert.equal(
    backward.map((q) => [q.path, q.message]),
    [['main.steps[2] use.assign[0] n', 'reads variable "late_value" before any assignment in reach']],
  );
  const backwardSometimes = problemsOf([
    { kind: 'assign', name: 'init', assign: [['n', 0]] },
    { kind: 'switch', name: 'first', conditions: [{ condition: variable('args').eq(1), next: 'late' }] },
    { kind: 'assign', name: 'set_x', assign: [['x', 1]] },
    { kind: 'return', name: 'out', return: x },
    { kind: 'assign', name: 'late', assign: [['n', 2]], next: 'out' },
  ]);
  assert.equal(
    backwardSometimes.map((q) => [q.path, q.message]),
    [['main.steps[3] out.return', NOT_EVERY_PATH('x')]],
  );
});

test('after a try: what the try assigns is sure only when the except block does not fall through', () => {
  const attempt = (except: Step[]): Step => ({
    kind: 'try',
    name: 'attempt',
    steps: [{ kind: 'call', name: 'get', call: 'http.get', args: { url: 'u' }, result: 'x' }],
    except: { as: 'e', steps: except },
  });
  assert.equal(problemsOf([attempt([raiseIt]), { kind: 'return', name: 'done', return: x }]), []);
  assert.equal(problemsOf([attempt([{ kind: 'return', name: 'give_up', return: null }]), { kind: 'return', name: 'done', return: x }]), []);
  const logged = only(problemsOf([attempt([{ kind: 'call', name: 'log', call: 'sys.log', args: { data: variable('e') } }]), { kind: 'return', name: 'done', return: x }]));
  assert.is(logged.message, NOT_EVERY_PATH('x'));
  // Assigning the fallback inside except does not help: it is local to the except block.
  const fallback = only(problemsOf([attempt([{ kind: 'assign', name: 'fallback', assign: [['x', null]] }]), { kind: 'return', name: 'done', return: x }]));
  assert.is(fallback.message, NOT_EVERY_PATH('x'));
  // Assigning it before the try (Google's advice) does.
  assert.equal(
    problemsOf([{ kind: 'assign', name: 'init', assign: [['x', null]] }, attempt([{ kind: 'assign', name: 'fallback', assign: [['x', 1]] }]), { kind: 'return', name: 'done', return: x }]),
    [],
  );
  // Inside the except block, what the try assigned is not sure either.
  const inExcept = only(problemsOf([attempt([{ kind: 'return', name: 'give_up', return: x }]), ok]));
  assert.is(inExcept.path, 'main.steps[0] attempt.except.steps[0] give_up.return');
  // A jump out of the except block leaves its local variables behind.
  const jumped = only(
    problemsOf([
      { kind: 'try', name: 'attempt', steps: [{ kind: 'assign', name: 'a', assign: [['y', 1]] }], except: { as: 'e', steps: [{ kind: 'assign', name: 'note', assign: [['why', 1]], next: 'out' }] } },
      { kind: 'return', name: 'out', return: variable('why') },
    ]),
  );
  assert.is(jumped.message, 'reads variable "why" before any assignment in reach');
});

// ---------------------------------------------------------------------------------------------

test('jumps into nested scopes: switch branch steps, try and except blocks, loops and branches', () => {
  const inner = (name: string): Step[] => [{ kind: 'assign', name, assign: [[`${name}_value`, 1]] }];
  const problems = problemsOf([
    { kind: 'next', name: 'j1', next: 'in_branch' },
    { kind: 'next', name: 'j2', next: 'in_try' },
    { kind: 'next', name: 'j3', next: 'in_except' },
    { kind: 'next', name: 'j4', next: 'in_loop' },
    { kind: 'next', name: 'j5', next: 'in_parallel' },
    { kind: 'switch', name: 'pick', conditions: [{ condition: true, steps: inner('in_branch') }] },
    { kind: 'try', name: 'attempt', steps: inner('in_try'), except: { as: 'e', steps: inner('in_except') } },
    { kind: 'for', name: 'loop', for: { value: 'i', in: [1], steps: inner('in_loop') } },
    {
      kind: 'parallel',
      name: 'fan',
      branches: [
        { name: 'a', steps: inner('in_parallel') },
        { name: 'b', steps: inner('other') },
      ],
    },
    ok,
  ]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    ['in_branch', 'in_try', 'in_except', 'in_loop', 'in_parallel'].map((target, i) => [`main.steps[${i}] j${i + 1}.next`, `next: no step named "${target}" in this scope`]),
  );
});

test('break and continue in a parallel branch, even inside a for loop, are rejected', () => {
  const p = only(
    problemsOf([
      {
        kind: 'for',
        name: 'loop',
        for: {
          value: 'i',
          in: [1, 2],
          steps: [
            {
              kind: 'parallel',
              name: 'fan',
              branches: [
                { name: 'a', steps: [{ kind: 'next', name: 'skip', next: 'continue' }] },
                { name: 'b', steps: [{ kind: 'next', name: 'stop', next: 'end' }] },
              ],
            },
          ],
        },
      },
      ok,
    ]),
  );
  assert.is(p.path, 'main.steps[0] loop.for.steps[0] fan.parallel.branches[0] a.steps[0] skip.next');
  assert.match(p.message, '"next: continue" outside a for loop');
});

test('parallel branches may assign a parent variable only when it is shared', () => {
  const problems = problemsOf([
    {
      kind: 'assign',
      name: 'init',
      assign: [
        ['total', 0],
        ['input', 1],
      ],
    },
    {
      kind: 'parallel',
      name: 'fan',
      shared: ['total'],
      branches: [
        {
          name: 'a',
          steps: [
            {
              kind: 'assign',
              name: 'add',
              assign: [
                ['total', variable('total').plus(1)],
                ['local_a', 1],
              ],
            },
          ],
        },
        {
          name: 'b',
          steps: [
            { kind: 'assign', name: 'clobber', assign: [['input', 5]] },
            { kind: 'call', name: 'get', call: 'http.get', args: { url: 'u' }, result: 'input' },
          ],
        },
      ],
    },
    { kind: 'parallel', name: 'each', for: { value: 'i', in: [1, 2], steps: [{ kind: 'assign', name: 'in_each', assign: [['input', variable('i')]] }] } },
    ok,
  ]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    [
      ['main.steps[1] fan.parallel.branches[1] b.steps[0] clobber.assign[0]', 'assigns "input", a variable of the enclosing scope that parallel step "fan" does not declare shared'],
      ['main.steps[1] fan.parallel.branches[1] b.steps[1] get.result', 'assigns "input", a variable of the enclosing scope that parallel step "fan" does not declare shared'],
      ['main.steps[2] each.parallel.for.steps[0] in_each.assign[0]', 'assigns "input", a variable of the enclosing scope that parallel step "each" does not declare shared'],
    ],
  );
});

test('structure Workflows rejects: empty blocks and assignments, a single parallel branch, duplicate branch names', () => {
  const problems = problemsOf([
    { kind: 'assign', name: 'nothing', assign: [] },
    { kind: 'steps', name: 'group', steps: [] },
    { kind: 'for', name: 'loop', for: { value: 'i', in: [1], steps: [] } },
    { kind: 'parallel', name: 'solo', branches: [{ name: 'a', steps: [{ kind: 'assign', name: 's1', assign: [['y', 1]] }] }] },
    {
      kind: 'parallel',
      name: 'twins',
      branches: [
        { name: 'a', steps: [{ kind: 'assign', name: 's2', assign: [['y', 1]] }] },
        { name: 'a', steps: [{ kind: 'assign', name: 's3', assign: [['y', 1]] }] },
      ],
    },
    ok,
  ]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    [
      ['main.steps[0] nothing.assign', 'an assign step with no assignments'],
      ['main.steps[1] group.steps', 'an empty list of steps'],
      ['main.steps[2] loop.for.steps', 'an empty list of steps'],
      ['main.steps[3] solo.parallel.branches', '1 parallel branch; a parallel step needs at least 2'],
      ['main.steps[4] twins.parallel.branches[1] a', 'branch name "a" is used twice in this parallel step'],
    ],
  );
});

test('step names that are jump keywords or subworkflow names', () => {
  const greet = subworkflow('greet', ['name'] as const, (s) => s.return('r', (v) => v.name));
  const problems = problemsOf([{ kind: 'assign', name: 'end', assign: [['y', 1]] }, { kind: 'call', name: 'greet', call: 'greet', args: { name: 'x' } }, ok], 'demo', [greet]);
  assert.equal(
    problems.map((p) => [p.path, p.message]),
    [
      ['main.steps[0] end', 'a step named "end" cannot be jumped to: "next: end" means the keyword'],
      ['main.steps[1] greet', 'step name "greet" is also the name of a subworkflow'],
    ],
  );
});

test('a retry predicate subworkflow must exist and take the error map', () => {
  const attempt = (predicate: string): Step => ({
    kind: 'try',
    name: 'attempt',
    steps: [{ kind: 'call', name: 'get', call: 'http.get', args: { url: 'u' } }],
    retry: { kind: 'custom', predicate, maxRetries: 3, backoff: { initialDelay: 1, maxDelay: 10, multiplier: 2 } },
  });
  const missing = only(problemsOf([attempt('retry_on_500'), ok]));
  assert.is(missing.path, 'main.steps[0] attempt.retry.predicate');
  assert.is(missing.message, 'retry predicate "retry_on_500" is not a subworkflow of this workflow');
  // Built with retry.custom(subworkflow) but the subworkflow was not passed to the workflow.
  const pred = subworkflow('retry_on_500', ['e'] as const, (s) => s.return('r', (v) => v.e.get('code').eq(500)));
  const wf = defineWorkflow({
    name: 'demo',
    description: '',
    main: mainWorkflow((s) =>
      s.try('attempt', (t) => t.call('get', { call: 'http.get', args: { url: 'u' } } as never), { retry: retry.custom(pred, 3, { initialDelay: 1, maxDelay: 10, multiplier: 2 }) }),
    ),
  });
  assert.equal(
    wf.check().map((p) => p.message),
    ['retry predicate "retry_on_500" is not a subworkflow of this workflow'],
  );
  assert.equal(problemsOf([attempt('retry_on_500'), ok], 'demo', [pred]), []);
  const twoParams = subworkflow('retry_on_500', ['e', 'f'] as const, (s) => s.return('r', true));
  assert.equal(
    problemsOf([attempt('retry_on_500'), ok], 'demo', [twoParams]).map((p) => p.message),
    ['retry predicate "retry_on_500" must take exactly one required parameter (the error map), not 2'],
  );
  assert.equal(problemsOf([attempt('http.default_retry_predicate'), ok]), []);
});

test.run();
