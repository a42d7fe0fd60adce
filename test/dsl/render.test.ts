import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batch, defineWorkflow, http, literal, mainWorkflow, pubsub, retry, secretmanager, Steps, storage, subworkflow, sys, sysCalls, text, type Step } from '../../src/dsl/index.ts';
import { renderSteps } from '../../src/dsl/render.ts';
import { toYaml } from '../../src/generate/yaml.ts';
import { load } from 'js-yaml';

function render(steps: Steps<any, any, any>) {
  return renderSteps(steps.list);
}

test('assign: ordered list of single-key maps, optional next', () => {
  const steps = Steps.start<{ x: number }>().assign('init', (v) => ({ a: 1, b: v.x.plus(1), c: 'text' }), { next: 'end' });
  assert.equal(render(steps), [{ init: { assign: [{ a: 1 }, { b: '${x + 1}' }, { c: 'text' }], next: 'end' } }]);
});

test('call: args, result, connector_params inside args, undefined args left out', () => {
  const steps = Steps.start().call(
    'create',
    batch.jobs.create({
      parent: 'projects/p/locations/l',
      jobId: 'job-1',
      requestId: undefined,
      body: { taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'img' } }] } }] },
      connector_params: { timeout: 60, skip_polling: false },
    }),
    { result: 'job' },
  );
  assert.equal(render(steps), [
    {
      create: {
        call: 'googleapis.batch.v1.projects.locations.jobs.create',
        args: {
          parent: 'projects/p/locations/l',
          jobId: 'job-1',
          body: { taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'img' } }] } }] },
          connector_params: { timeout: 60, skip_polling: false },
        },
        result: 'job',
      },
    },
  ]);
});

test("storage.objects.get: Google's call name and arguments; the object name URL-encoded by text.url_encode", () => {
  const steps = Steps.start<{ client: string }>()
    .assign('locate', (v) => ({ object: text.urlEncode(v.client.plus('/settings.json')) }))
    .call('read', (v) => storage.objects.get({ bucket: 'b', object: v.object, alt: 'media', connector_params: { timeout: 60 } }), { result: 'content' })
    .call('meta', storage.objects.get({ bucket: 'b', object: 'a%2Fb', generation: '12' }), { result: 'metadata' })
    .return('done', (v) => [v.content, v.metadata.get('generation')]);
  assert.equal(render(steps), [
    { locate: { assign: [{ object: '${text.url_encode(client + "/settings.json")}' }] } },
    { read: { call: 'googleapis.storage.v1.objects.get', args: { bucket: 'b', object: '${object}', alt: 'media', connector_params: { timeout: 60 } }, result: 'content' } },
    { meta: { call: 'googleapis.storage.v1.objects.get', args: { bucket: 'b', object: 'a%2Fb', generation: '12' }, result: 'metadata' } },
    { done: { return: ['${content}', '${metadata.generation}'] } },
  ]);
});

test('connectors and stdlib calls use Google names and argument names', () => {
  const steps = Steps.start<{ t: string }>()
    .call('get_job', batch.jobs.get({ name: 'projects/p/locations/l/jobs/j' }))
    .call('delete_job', batch.jobs.delete({ name: 'n', reason: 'r' }))
    .call('publish', (v) => pubsub.topics.publish({ topic: v.t, body: { messages: [{ data: 'ZGF0YQ==', attributes: { k: 'v' } }] } }))
    .call('get_topic', pubsub.topics.get({ topic: 'projects/p/topics/t' }))
    .call('secret', secretmanager.accessString({ secret_id: 's', version: 'latest', project_id: 'p' }), { result: 'value' })
    .call('fetch', http.get({ url: 'https://example.invalid/x', auth: { type: 'OIDC' }, timeout: 30 }))
    .call('send', http.post({ url: 'https://example.invalid/y', body: { a: 1 } }))
    .call('log', sysCalls.log({ text: 'hello', severity: 'INFO' }))
    .call('env', sysCalls.getEnv({ name: 'X' }), { result: 'x' });
  assert.equal(
    render(steps).map((s) => Object.values(s)[0]),
    [
      { call: 'googleapis.batch.v1.projects.locations.jobs.get', args: { name: 'projects/p/locations/l/jobs/j' } },
      { call: 'googleapis.batch.v1.projects.locations.jobs.delete', args: { name: 'n', reason: 'r' } },
      { call: 'googleapis.pubsub.v1.projects.topics.publish', args: { topic: '${t}', body: { messages: [{ data: 'ZGF0YQ==', attributes: { k: 'v' } }] } } },
      { call: 'googleapis.pubsub.v1.projects.topics.get', args: { topic: 'projects/p/topics/t' } },
      { call: 'googleapis.secretmanager.v1.projects.secrets.versions.accessString', args: { secret_id: 's', version: 'latest', project_id: 'p' }, result: 'value' },
      { call: 'http.get', args: { url: 'https://example.invalid/x', auth: { type: 'OIDC' }, timeout: 30 } },
      { call: 'http.post', args: { url: 'https://example.invalid/y', body: { a: 1 } } },
      { call: 'sys.log', args: { text: 'hello', severity: 'INFO' } },
      { call: 'sys.get_env', args: { name: 'X' }, result: 'x' },
    ],
  );
});

test('switch: next, steps, return, raise and a default branch', () => {
  const steps = Steps.start<{ n: number }>()
    .switch(
      'route',
      (v, branch) => [
        branch.when(v.n.lt(0), { raise: { message: 'negative', tags: ['ValueError'] } }),
        branch.when(v.n.eq(0), { return: 'zero' }),
        branch.when(v.n.eq(1), { next: 'one' }),
        branch.when(v.n.eq(2), { steps: (s) => s.assign('two', { label: 'two' }), next: 'one' }),
        branch.otherwise({ steps: (s) => s.assign('many', { label: 'many' }) }),
      ],
      { next: 'one' },
    )
    .return('one', literal('one'));
  assert.equal(render(steps), [
    {
      route: {
        switch: [
          { condition: '${n < 0}', raise: { message: 'negative', tags: ['ValueError'] } },
          { condition: '${n == 0}', return: 'zero' },
          { condition: '${n == 1}', next: 'one' },
          { condition: '${n == 2}', steps: [{ two: { assign: [{ label: 'two' }] } }], next: 'one' },
          { condition: true, steps: [{ many: { assign: [{ label: 'many' }] } }] },
        ],
        next: 'one',
      },
    },
    { one: { return: 'one' } },
  ]);
});

test('try with a predefined retry policy and except', () => {
  const steps = Steps.start().try('attempt', (s) => s.call('get', http.get({ url: 'https://example.invalid' }), { result: 'r' }), {
    retry: retry.httpDefault,
    except: { as: 'e', steps: (s) => s.raise('fail', (v) => v.e) },
  });
  assert.equal(render(steps), [
    {
      attempt: {
        try: { steps: [{ get: { call: 'http.get', args: { url: 'https://example.invalid' }, result: 'r' } }] },
        retry: '${http.default_retry}',
        except: { as: 'e', steps: [{ fail: { raise: '${e}' } }] },
      },
    },
  ]);
  const nonIdempotent = Steps.start().try('post', (s) => s.call('p', http.post({ url: 'https://example.invalid' })), { retry: retry.httpDefaultNonIdempotent });
  assert.is((render(nonIdempotent)[0] as any).post.retry, '${http.default_retry_non_idempotent}');
});

test('try with a custom predicate subworkflow and backoff', () => {
  const retryOn500 = subworkflow('retry_on_500', ['e'] as const, (s) => s.switch('is_500', (v, branch) => [branch.when(v.e.get('code').eq(500), { return: true })]).return('no', literal(false)));
  const steps = Steps.start().try('call_api', (s) => s.call('get', http.get({ url: 'https://example.invalid' })), {
    retry: retry.custom(retryOn500, 5, { initialDelay: 1, maxDelay: 60, multiplier: 1.5 }),
  });
  assert.equal((render(steps)[0] as any).call_api.retry, { predicate: '${retry_on_500}', max_retries: 5, backoff: { initial_delay: 1, max_delay: 60, multiplier: 1.5 } });
  const always = Steps.start().try('x', (s) => s.call('g', http.get({ url: 'u' })), { retry: retry.custom('retry.always', 3, { initialDelay: 2, maxDelay: 10, multiplier: 2 }) });
  assert.is((render(always)[0] as any).x.retry.predicate, '${retry.always}');
});

test('raise, return and next (end, break, continue)', () => {
  const steps = Steps.start<{ x: number }>()
    .raise('fail', { code: 1, message: 'boom' })
    .return('give', (v) => ({ value: v.x }))
    .next('stop', 'end');
  assert.equal(render(steps), [{ fail: { raise: { code: 1, message: 'boom' } } }, { give: { return: { value: '${x}' } } }, { stop: { next: 'end' } }]);
  const loop = Steps.start().forIn('loop', { value: 'i', in: [1, 2] }, (s) => s.next('skip', 'continue').next('leave', 'break'));
  assert.equal(render(loop), [{ loop: { for: { value: 'i', in: [1, 2], steps: [{ skip: { next: 'continue' } }, { leave: { next: 'break' } }] } } }]);
});

test('for: in with index, range with numbers, range with expressions as one list expression', () => {
  const steps = Steps.start<{ items: string[]; n: number }>()
    .forIn('each', { value: 'item', index: 'i', in: (v) => v.items }, (s) => s.assign('use', (v) => ({ last: v.item, at: v.i })))
    .forRange('count', { value: 'k', range: [1, 9] }, (s) => s.assign('k2', (v) => ({ twice: v.k.times(2) })))
    .forRange('dynamic', { value: 'k', range: (v) => [0, v.n.minus(1)] }, (s) => s.next('nothing', 'continue'));
  assert.equal(render(steps), [
    { each: { for: { value: 'item', index: 'i', in: '${items}', steps: [{ use: { assign: [{ last: '${item}' }, { at: '${i}' }] } }] } } },
    { count: { for: { value: 'k', range: [1, 9], steps: [{ k2: { assign: [{ twice: '${k * 2}' }] } }] } } },
    { dynamic: { for: { value: 'k', range: '${[0, n - 1]}', steps: [{ nothing: { next: 'continue' } }] } } },
  ]);
});

test('parallel: branches with shared, exception policy, concurrency limit; parallel for', () => {
  const steps = Steps.start<{ total: number; ids: string[] }>()
    .parallel('fan_out', {
      shared: ['total'],
      exceptionPolicy: 'continueAll',
      concurrencyLimit: 2,
      branches: {
        first: (s) => s.assign('add_one', (v) => ({ total: v.total.plus(1) })),
        second: (s) => s.assign('add_two', (v) => ({ total: v.total.plus(2) })),
      },
    })
    .parallelFor('each_id', { value: 'id', in: (v) => v.ids, shared: ['total'] }, (s) => s.call('log_id', (v) => sysCalls.log({ text: v.id })));
  assert.equal(render(steps), [
    {
      fan_out: {
        parallel: {
          exception_policy: 'continueAll',
          shared: ['total'],
          concurrency_limit: 2,
          branches: [{ first: { steps: [{ add_one: { assign: [{ total: '${total + 1}' }] } }] } }, { second: { steps: [{ add_two: { assign: [{ total: '${total + 2}' }] } }] } }],
        },
      },
    },
    { each_id: { parallel: { shared: ['total'], for: { value: 'id', in: '${ids}', steps: [{ log_id: { call: 'sys.log', args: { text: '${id}' } } }] } } } },
  ]);
});

test('nested steps', () => {
  const steps = Steps.start().steps('group', (s) => s.assign('inner', { a: 1 }), { next: 'end' });
  assert.equal(render(steps), [{ group: { steps: [{ inner: { assign: [{ a: 1 }] } }], next: 'end' } }]);
});

test('subworkflows: params with defaults, main first, call with named args', () => {
  const greet = subworkflow('greet', ['name', { greeting: 'Hello' }] as const, (s) => s.return('say', (v) => v.greeting.plus(' ').plus(v.name)));
  const wf = defineWorkflow({
    name: 'greeter',
    description: 'demo',
    main: mainWorkflow('args', (s) => s.call('hello', (v) => greet.call({ name: v.args.get('name') }), { result: 'text' }).return('out', (v) => v.text)),
    subworkflows: [greet],
  });
  const doc = wf.render();
  assert.equal(Object.keys(doc), ['main', 'greet']);
  assert.equal(doc, {
    main: {
      params: ['args'],
      steps: [{ hello: { call: 'greet', args: { name: '${args.name}' }, result: 'text' } }, { out: { return: '${text}' } }],
    },
    greet: { params: ['name', { greeting: 'Hello' }], steps: [{ say: { return: '${greeting + " " + name}' } }] },
  });
  assert.equal(wf.check(), []);
  const noParams = defineWorkflow({ name: 'x', description: '', main: mainWorkflow((s) => s.return('r', sys.getEnv('GOOGLE_CLOUD_LOCATION'))) });
  assert.equal(noParams.render(), { main: { steps: [{ r: { return: '${sys.get_env("GOOGLE_CLOUD_LOCATION")}' } }] } });
});

test('canonical key order: the step keyword first, next last', () => {
  const steps = Steps.start().call('c', sysCalls.log({ text: 'x' }), { result: 'r', next: 'end' });
  const body = (render(steps)[0] as any).c;
  assert.equal(Object.keys(body), ['call', 'args', 'result', 'next']);
});

test('builders are immutable: every call returns a new frozen value', () => {
  const base = Steps.start().assign('one', { a: 1 });
  const longer = base.assign('two', { b: 2 });
  assert.is(base.list.length, 1);
  assert.is(longer.list.length, 2);
  assert.ok(Object.isFrozen(base) && Object.isFrozen(base.list) && Object.isFrozen(base.list[0]));
  const step = base.list[0] as Step & { assign: unknown[] };
  assert.throws(() => (step.assign as unknown[]).push(['c', 3]));
});

test('strings survive the YAML serializer: ": ", "#", newlines, unicode, YAML 1.1 booleans, ${ at any depth', () => {
  const tricky = [
    'a: b',
    'x #y',
    '#c',
    'line1\nline2\n',
    'ünïcödé ✓ 日本',
    '\u2028',
    'tab\tx',
    'yes',
    'no',
    'on',
    'off',
    'y',
    'N',
    '~',
    'null',
    '1e3',
    '0x10',
    '012',
    '2024-01-01',
    '12:30:00',
    '- x',
    '*a',
    '&a',
    '!t',
    '|',
    '>',
    ' lead',
    'trail ',
    '',
    "it's",
    'a"b',
    '{a}',
    '[a]',
  ];
  const nested = { list: [{ deep: ['${a}', { deeper: 'cost: ${5}' }] }], plain: 'no $ here' };
  const wf = defineWorkflow({
    name: 'quoting',
    description: '',
    main: mainWorkflow('args', (s) =>
      s
        .assign('computed', (v) => ({ e: v.args.get('x').plus('a: b #c\n${d}') }))
        .assign('values', Object.fromEntries(tricky.map((value, i) => [`v${i}`, value])))
        .call('send', http.post({ url: 'https://example.invalid', body: nested }))
        .return('done', literal('${not evaluated}')),
    ),
  });
  assert.equal(wf.check(), []);
  const text = toYaml(wf.render());
  const loaded = load(text) as any;
  assert.equal(loaded, JSON.parse(JSON.stringify(wf.render())), 'the YAML reads back as the rendered document');
  const assigned = loaded.main.steps[1].values.assign.map((entry: Record<string, unknown>) => Object.values(entry)[0]);
  assert.equal(assigned, tricky);
  // Words a YAML 1.1 reader would take for booleans, null or numbers are quoted, not left plain.
  for (const word of ['yes', 'no', 'on', 'off', 'y', 'N', '~', 'null', '1e3', '0x10', '012', '2024-01-01', '12:30:00']) {
    assert.ok(text.includes(`: "${word}"\n`), `${word} is quoted`);
  }
  // ${ in a list in a map in a list in the body: a string-literal expression, never evaluated.
  const body = loaded.main.steps[2].send.args.body;
  assert.equal(body, { list: [{ deep: ['${"${a}"}', { deeper: '${"cost: ${5}"}' }] }], plain: 'no $ here' });
  assert.is(JSON.parse(body.list[0].deep[0].slice(2, -1)), '${a}');
  assert.is(loaded.main.steps[0].computed.assign[0].e, '${args.x + "a: b #c\\n${d}"}');
  assert.is(loaded.main.steps[3].done.return, '${"${not evaluated}"}');
});

test.run();
