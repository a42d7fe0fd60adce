/**
 * Type-level safety of the DSL. Each `@ts-expect-error` line must be a compile error, or
 * `tsc --noEmit -p .` (part of `npm test`) fails with "Unused '@ts-expect-error' directive"; the
 * line under it shows the mistake the types stop. The runtime tests check the well-typed twins.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { batch, defineWorkflow, http, literal, mainWorkflow, pubsub, secretmanager, storage, subworkflow, sysCalls, type CallSpec, type StorageObject } from '../../src/dsl/index.ts';

const greet = subworkflow('greet', ['name', { greeting: 'Hello' }] as const, (s) => s.return('say', (v) => v.greeting.plus(v.name)));

/** Never called: these only have to compile (or, where marked, not compile). */
export function compileTimeCases(): unknown[] {
  return [
    // --- next to a step that does not exist --------------------------------------------------
    // @ts-expect-error "publsh" is not a step of this workflow
    mainWorkflow((s) => s.assign('a', { x: 1 }, { next: 'publsh' }).return('publish', literal(1))),
    // @ts-expect-error a jump step to a missing name
    mainWorkflow((s) => s.next('jump', 'nowhere').return('done', literal(1))),
    // @ts-expect-error a switch condition's next to a missing name
    mainWorkflow((s) => s.switch('route', (_v, b) => [b.when(true, { next: 'missing' })]).return('done', literal(1))),
    // @ts-expect-error a next inside a condition's nested steps to a missing name
    mainWorkflow((s) => s.switch('route', (_v, b) => [b.otherwise({ steps: (n) => n.next('deep', 'missing') })]).return('done', literal(1))),
    // @ts-expect-error a next inside a try block to a missing name
    mainWorkflow((s) => s.try('attempt', (t) => t.next('j', 'missing')).return('done', literal(1))),
    // @ts-expect-error jumping into another block's nested steps is not allowed either
    mainWorkflow((s) => s.steps('group', (g) => g.return('inner', literal(1))).next('jump', 'inner')),
    // @ts-expect-error a next inside a parallel branch to a missing name
    mainWorkflow((s) => s.parallel('fan', { branches: { a: (b) => b.next('j', 'missing'), b: (b) => b.assign('x', { y: 1 }) } }).return('done', literal(1))),
    // @ts-expect-error a parallel branch cannot jump to a step outside it
    mainWorkflow((s) => s.parallel('fan', { branches: { a: (b) => b.next('j', 'done'), b: (b) => b.assign('x', { y: 1 }) } }).return('done', literal(1))),
    mainWorkflow((s) =>
      // @ts-expect-error continue in a parallel branch, even inside a for loop
      s.forIn('loop', { value: 'i', in: [1] }, (l) => l.parallel('fan', { branches: { a: (b) => b.next('skip', 'continue'), b: (b) => b.assign('x', { y: 1 }) } })).return('done', literal(1)),
    ),
    // @ts-expect-error a for loop's steps cannot jump to a step outside the loop (use break)
    mainWorkflow((s) => s.forIn('loop', { value: 'i', in: [1] }, (l) => l.next('out', 'done')).return('done', literal(1))),
    // @ts-expect-error nor can a parallel iteration's
    mainWorkflow((s) => s.parallelFor('each', { value: 'i', in: [1] }, (l) => l.next('out', 'done')).return('done', literal(1))),
    // @ts-expect-error break outside any for loop
    mainWorkflow((s) => s.switch('route', (_v, b) => [b.when(true, { next: 'break' })]).return('done', literal(1))),
    // @ts-expect-error continue outside any for loop, in a subworkflow
    subworkflow('sub', [] as const, (s) => s.next('skip', 'continue')),
    // Inside their loop (also from a nested switch), break and continue are fine; so are jumps within a branch and end:
    mainWorkflow((s) =>
      s
        .forIn('loop', { value: 'i', in: [1] }, (l) => l.switch('pick', (_v, b) => [b.when(true, { next: 'continue' })]).next('stop', 'break'))
        .parallel('fan', { branches: { a: (b) => b.next('j', 'last').assign('last', { y: 1 }), b: (b) => b.next('stop', 'end') } })
        .return('done', literal(1)),
    ),
    // Forward jumps, jumps out of nested blocks, end/break/continue are fine:
    mainWorkflow((s) =>
      s
        .switch('route', (_v, b) => [b.when(true, { steps: (n) => n.next('out', 'done') })])
        .next('skip', 'end')
        .return('done', literal(1)),
    ),

    // --- a variable read before it is assigned -------------------------------------------------
    // @ts-expect-error "total" has not been assigned yet
    mainWorkflow((s) => s.assign('init', (v) => ({ x: v.total })).assign('later', { total: 1 })),
    // @ts-expect-error the main parameter is "event", not "args"
    mainWorkflow('event', (s) => s.return('done', (v) => v.args)),
    // @ts-expect-error the loop variable does not exist after the loop
    mainWorkflow((s) => s.forIn('loop', { value: 'item', in: [1, 2] }, (b) => b.next('c', 'continue')).return('done', (v) => v.item)),
    // @ts-expect-error the except variable exists only in the except block
    mainWorkflow((s) => s.try('t', (b) => b.assign('a', { y: 1 }), { except: { as: 'err', steps: (e) => e.raise('r', (v) => v.err) } }).return('done', (v) => v.err)),
    // @ts-expect-error a subworkflow sees only its own parameters
    subworkflow('sub', ['a'] as const, (s) => s.return('r', (v) => v.b)),
    // @ts-expect-error a variable assigned in one switch branch is not readable after the switch
    mainWorkflow((s) => s.switch('pick', (_v, b) => [b.when(true, { steps: (n) => n.assign('set', { picked: 1 }) })]).return('done', (v) => v.picked)),
    // @ts-expect-error nor one assigned in a parallel branch after the parallel step
    mainWorkflow((s) => s.parallel('fan', { branches: { a: (b) => b.assign('x', { made: 1 }), b: (b) => b.assign('z', { y: 2 }) } }).return('done', (v) => v.made)),
    // @ts-expect-error shared variables of a parallel step must already exist
    mainWorkflow((s) => s.parallel('fan', { shared: ['total'], branches: { a: (b) => b.assign('x', { y: 1 }), b: (b) => b.assign('z', { y: 2 }) } })),
    // Assigned variables, call results, try-block variables and loop variables inside the loop are readable:
    mainWorkflow('event', (s) =>
      s
        .assign('init', (v) => ({ data: v.event.get('data') }))
        .call('get', http.get({ url: 'https://example.invalid' }), { result: 'response' })
        .try('t', (b) => b.assign('inside', { tried: true }))
        .forIn('loop', { value: 'item', index: 'i', in: [1] }, (b) => b.assign('use', (v) => ({ seen: v.item, at: v.i, d: v.data })))
        .return('done', (v) => [v.data, v.response.get('body'), v.tried]),
    ),

    // --- connectors called with wrong or missing arguments ---------------------------------------
    // @ts-expect-error jobs.create needs parent and body
    batch.jobs.create({ jobId: 'x' }),
    // @ts-expect-error jobs.create has no "job" argument (the job goes in "body")
    batch.jobs.create({ parent: 'p', body: { taskGroups: [] }, job: {} }),
    // @ts-expect-error jobs.get takes "name", not "job"
    batch.jobs.get({ job: 'projects/p/locations/l/jobs/j' }),
    // @ts-expect-error the container image is imageUri
    batch.jobs.create({ parent: 'p', body: { taskGroups: [{ taskSpec: { runnables: [{ container: { image: 'x' } }] } }] } }),
    // @ts-expect-error publish needs body.messages
    pubsub.topics.publish({ topic: 'projects/p/topics/t' }),
    // @ts-expect-error a message's data is base64 text, not a map
    pubsub.topics.publish({ topic: 't', body: { messages: [{ data: { a: 1 } }] } }),
    // @ts-expect-error topics.get takes "topic"
    pubsub.topics.get({ name: 'projects/p/topics/t' }),
    // @ts-expect-error accessString's argument is secret_id
    secretmanager.accessString({ secret: 's' }),
    // @ts-expect-error objects.get needs the bucket
    storage.objects.get({ object: 'a%2Fb' }),
    // @ts-expect-error the object argument is "object", not "name"
    storage.objects.get({ bucket: 'b', name: 'a%2Fb' }),
    // @ts-expect-error alt is "json" or "media"
    storage.objects.get({ bucket: 'b', object: 'o', alt: 'text' }),
    // @ts-expect-error without alt: "media" the result is the object's metadata, not its content
    ((): CallSpec<string> => storage.objects.get({ bucket: 'b', object: 'o' }))(),
    ((): CallSpec<StorageObject> => storage.objects.get({ bucket: 'b', object: 'o', alt: 'json' }))(),
    ((): CallSpec<{ anything: number }> => storage.objects.get({ bucket: 'b', object: 'o', alt: 'media' }))(),
    // @ts-expect-error http.get needs a url
    http.get({ timeout: 10 }),
    // @ts-expect-error sys.log takes one of text, json or data
    sysCalls.log({ text: 'a', json: { b: 1 } }),
    // @ts-expect-error not a Cloud Logging severity
    sysCalls.log({ text: 'a', severity: 'LOUD' }),
    // @ts-expect-error connector_params.timeout is a number of seconds
    batch.jobs.get({ name: 'n', connector_params: { timeout: '1h' } }),
    // @ts-expect-error a subworkflow call must pass its required parameters
    greet.call({ greeting: 'Hi' }),
    // @ts-expect-error and only parameters it has
    greet.call({ name: 'x', nmae: 'y' }),
    greet.call({ name: 'x' }),
  ];
}

test('the well-typed twins build workflows that pass every check', () => {
  const wf = defineWorkflow({
    name: 'typed',
    description: '',
    main: mainWorkflow('event', (s) =>
      s
        .assign('init', (v) => ({ data: v.event.get('data') }))
        // Called before the jump below: a call between the jump and its target would be skipped, and
        // `greeting` read in done unassigned (checks.test.ts: 'a jump over an assignment').
        .call('hello', greet.call({ name: 'x' }), { result: 'greeting' })
        .switch('route', (_v, b) => [b.when(true, { steps: (n) => n.next('out', 'done') })])
        .forIn('loop', { value: 'item', index: 'i', in: [1] }, (b) => b.assign('use', (v) => ({ seen: v.item, at: v.i, d: v.data })))
        .next('skip', 'done')
        .return('done', (v) => [v.data, v.greeting]),
    ),
    subworkflows: [greet],
  });
  assert.equal(wf.check(), []);
  assert.is(compileTimeCases.length, 0);
});

test.run();
