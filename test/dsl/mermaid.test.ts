import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineWorkflow, http, mainWorkflow, retry, sysCalls } from '../../src/dsl/index.ts';
import { mermaidText } from '../../src/dsl/mermaid.ts';
import { workflow as inference } from '../../workflows/batch-inference.ts';
import { workflow as scheduled } from '../../workflows/batch-scheduled.ts';

const small = defineWorkflow({
  name: 'small',
  description: '',
  main: mainWorkflow('args', (s) =>
    s
      .assign('init', (v) => ({ n: v.args.get('n'), total: 0 }))
      .switch('check', (v, b) => [b.when(v.n.lt(0), { raise: 'negative "n"' }), b.when(v.n.eq(0), { return: 0 })])
      .try('fetch', (t) => t.call('get', http.get({ url: 'https://example.invalid' }), { result: 'r' }), {
        retry: retry.httpDefault,
        except: { as: 'e', steps: (x) => x.call('log', sysCalls.log({ text: 'failed' })).next('give_up', 'end') },
      })
      .forRange('count', { value: 'i', range: [1, 3] }, (b) => b.assign('add', (v) => ({ total: v.total.plus(v.i) })))
      .parallel('both', { branches: { left: (b) => b.call('l', sysCalls.log({ text: 'l' })), right: (b) => b.call('r2', sysCalls.log({ text: 'r' })) } })
      .return('done', (v) => v.total),
  ),
});

test('a small workflow: switch conditions as labelled edges, try/except, loop back edge, parallel fork and join, terminals', () => {
  assert.is(
    small.toMermaid(),
    [
      'flowchart TD',
      '  subgraph main_graph["main"]',
      '    direction TB',
      '    main_start(["main(args)"])',
      '    main_end(["end"])',
      '    main_start --> main_init',
      '    main_init["init: assign n, total"]',
      '    main_init --> main_check',
      '    main_check{"check"}',
      '    main_check_raise{{"raise negative #quot;n#quot;"}}',
      '    main_check -->|"n #lt; 0"| main_check_raise',
      '    main_check_return(["return 0"])',
      '    main_check -->|"n == 0"| main_check_return',
      '    main_check -->|"no condition true"| main_fetch',
      '    main_fetch[["fetch: try (retry http.default_retry)"]]',
      '    main_get["get: call http.get → r"]',
      '    main_get --> main_count',
      '    main_fetch --> main_get',
      '    main_log["log: call sys.log"]',
      '    main_log --> main_give_up',
      '    main_give_up["give_up: next end"]',
      '    main_give_up --> main_end',
      '    main_fetch -->|"error as e"| main_log',
      '    main_count[["count: for i range 1..3"]]',
      '    main_add["add: assign total"]',
      '    main_add --> main_count',
      '    main_count -->|"each"| main_add',
      '    main_count -->|"done"| main_both',
      '    main_both[["both: parallel"]]',
      '    main_both_join(("join"))',
      '    main_l["l: call sys.log"]',
      '    main_l --> main_both_join',
      '    main_both -->|"left"| main_l',
      '    main_r2["r2: call sys.log"]',
      '    main_r2 --> main_both_join',
      '    main_both -->|"right"| main_r2',
      '    main_both_join --> main_done',
      '    main_done(["done: return total"])',
      '  end',
      '',
    ].join('\n'),
  );
});

test('labels escape what would end or confuse a Mermaid string', () => {
  assert.is(mermaidText('say "hi" <b> #1 | `x`'), 'say #quot;hi#quot; #lt;b#gt; #35;1 #124; #96;x#96;');
  assert.is(mermaidText('a\n  b'), 'a b');
  assert.is(mermaidText('x'.repeat(100)).length, 72);
});

/** Structural validity: declared nodes, edges between declared nodes, balanced subgraphs, quoted labels. */
function assertValidMermaid(text: string): void {
  const lines = text.trimEnd().split('\n');
  assert.is(lines[0], 'flowchart TD');
  const declared = new Set<string>();
  const edges: [string, string][] = [];
  let depth = 0;
  for (const line of lines.slice(1)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('subgraph ')) {
      depth++;
      continue;
    }
    if (trimmed === 'end') {
      depth--;
      continue;
    }
    if (trimmed === 'direction TB') continue;
    const edge = /^([A-Za-z0-9_]+) -->(?:\|"[^"]*"\|)? ([A-Za-z0-9_]+)$/.exec(trimmed);
    if (edge) {
      edges.push([edge[1] as string, edge[2] as string]);
      continue;
    }
    const node = /^([A-Za-z0-9_]+)(\(\["[^"]*"\]\)|\["[^"]*"\]|\{"[^"]*"\}|\{\{"[^"]*"\}\}|\[\["[^"]*"\]\]|\(\("[^"]*"\)\))$/.exec(trimmed);
    assert.ok(node, `not a node, edge or subgraph line: ${line}`);
    assert.not.ok(declared.has(node[1] as string), `node declared twice: ${node[1]}`);
    declared.add(node[1] as string);
  }
  assert.is(depth, 0);
  for (const [from, to] of edges) assert.ok(declared.has(from) && declared.has(to), `edge to an undeclared node: ${from} --> ${to}`);
}

test('the small diagram and both product workflows are valid, deterministic Mermaid', () => {
  for (const wf of [small, inference, scheduled]) {
    const text = wf.toMermaid();
    assertValidMermaid(text);
    assert.is(wf.toMermaid(), text);
  }
  // Every subworkflow gets a subgraph.
  assert.ok(inference.toMermaid().includes('subgraph run_batch_job_graph["run_batch_job"]'));
  assert.ok(inference.toMermaid().includes('subgraph publish_status_graph["publish_status"]'));
  // Raised errors read as `Tag: message`.
  assert.ok(scheduled.toMermaid().includes('main_validate_request_raise{{"raise InvalidArgument: client must be a string"}}'));
  assert.ok(scheduled.toMermaid().includes('raise UnknownClient: #quot;unknown client #quot; + client'));
});

test.run();
