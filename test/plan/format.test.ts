import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import { formatPlan, planToJson, summaryLine } from '../../src/plan/format.ts';
import { DEV, client, documentsFor, scheduled } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';
import { pending } from '../support/pending.ts';

/** A plan with one of each: create, update (a label and the workflow source), orphan, conflict. */
function mixedPlan(prune = false) {
  const before = documentsFor([client('acme-corp'), scheduled('globex-inc')], (f) => `main:\n  steps:\n    - a: {return: 1}\n# ${f}\n`);
  const after = documentsFor([client('acme-corp'), client('initech-llc')], (f) => `main:\n  steps:\n    - a: {return: 2}\n# ${f}\n`);
  const live = liveOf(before);
  const topic = after[2]!.resources.find((r) => r.kind === 'Topic')!;
  const handMade = { owned: false, resource: { ...topic, owner: { product: '' }, labels: {} } } as never;
  return diff({ ...live, topics: [...live.topics, handMade] }, after, { prune });
}

test('text: one line per change with its symbol, field lines, a source diff, orphans and the summary line', () => {
  const text = formatPlan(mixedPlan());
  const lines = text.split('\n');
  assert.ok(lines[0]!.startsWith('Plan for environment dev (project scoring-dev-4821), product scoring'));
  assert.ok(lines.some((l) => l.startsWith(`  + ServiceAccount projects/${DEV.project}/serviceAccounts/initech-llc@`) && l.endsWith('(creates)')));
  // Client grants are on its managed folders (issue 9), listed by role and member.
  const inputs = lines.findIndex((l) => l.startsWith(`  + ResourcePolicy IAM policy of gs://${DEV.bucket}/scoring/initech-llc/inputs/`) && l.includes('(grants-access)'));
  assert.ok(inputs > 0);
  assert.is(lines[inputs + 1], `      + roles/storage.objectCreator: serviceAccount:initech-llc@${DEV.project}.iam.gserviceaccount.com`);
  assert.ok(lines.some((l) => l.startsWith(`  ~ Workflow projects/${DEV.project}/locations/${DEV.region}/workflows/scoring-batch-inference`) && l.endsWith('(in-place)')));
  const sourceAt = lines.findIndex((l) => l.trim() === '~ source:');
  assert.ok(sourceAt > 0);
  // A unified hunk with its context lines (issue 10 item 9: was `@@ line 3 @@` and the changed lines only).
  assert.equal(
    lines.slice(sourceAt + 1, sourceAt + 4).map((l) => l.trim()),
    ['@@ -1,4 +1,4 @@', 'main:', 'steps:'],
  );
  assert.equal(
    lines.slice(sourceAt + 4, sourceAt + 6).map((l) => l.trim()),
    ['-     - a: {return: 1}', '+     - a: {return: 2}'],
  );
  assert.ok(lines.some((l) => l.startsWith(`  ! Topic projects/${DEV.project}/topics/batch-scoring-initech-llc-outputs`) && l.includes('not managed')));
  assert.ok(lines.some((l) => l.trim() === 'with --adopt: + labels.managed-by = "batch-workflows"'));
  assert.ok(lines.some((l) => l.startsWith('  - SchedulerJob') && l.includes('would delete with --prune')));
  assert.ok(lines.some((l) => /^\d+ resources unchanged\.$/.test(l)));
  assert.ok(lines.includes('12 owned resources are no longer in generated/; run with --prune to delete them.'));
  // What only --prune deletes is counted (issue 10 item 4): a summary of "0 to delete" hid it.
  assert.is(lines.at(-1), 'Plan: 10 to create, 2 to update, 0 to delete, 12 to delete with --prune, 1 conflict.');
  assert.ok(
    lines.some((l) => l.startsWith('Client globex-inc has no client file but its access is still live (')),
    'the offboarded client is named',
  );
});

test('summary line counts deletes with prune and pluralises conflicts', () => {
  const plan = mixedPlan(true);
  assert.is(summaryLine(plan), 'Plan: 10 to create, 2 to update, 12 to delete, 1 conflict.');
  assert.is(summaryLine({ ...plan, summary: { ...plan.summary, conflict: 2, adopt: 1 } }), 'Plan: 10 to create, 2 to update, 12 to delete, 1 to adopt, 2 conflicts.');
});

test('JSON: stable shape, no-ops counted not listed, fields with before/after, round-trips through JSON', () => {
  const json = planToJson(mixedPlan());
  assert.equal(Object.keys(json), ['formatVersion', 'environment', 'project', 'product', 'client', 'prune', 'adopt', 'summary', 'changes', 'warnings', 'errors', 'removedClients']);
  assert.is(json.formatVersion, 1);
  assert.ok(json.changes.every((c) => (c.action as string) !== 'no-op'));
  assert.is(json.changes.length, 10 + 2 + 12 + 1);
  const update = json.changes.find((c) => c.action === 'update' && c.kind === 'Workflow');
  assert.ok(update?.fields.some((f) => f.path === 'source' && typeof f.before === 'string' && typeof f.after === 'string'));
  const conflict = json.changes.find((c) => c.action === 'conflict')!;
  assert.equal(Object.keys(conflict), ['action', 'kind', 'key', 'name', 'product', 'client', 'impact', 'blockedBy', 'legacy', 'fields']);
  assert.equal(JSON.parse(JSON.stringify(json)), json);
});

test('text: two edits 85 lines apart of a workflow source both appear, each hunk with its context', () => {
  const source = (first: string, second: string) => (f: string) =>
    ['main:', '  steps:', `    - first: {return: ${first}}`, ...Array.from({ length: 84 }, (_, i) => `    - s${i}: {assign: [{x: ${i}}]}`), `    - second: {return: ${second}}`, `# ${f}`, ''].join(
      '\n',
    );
  const before = documentsFor([client('acme-corp')], source('1', '1'));
  const after = documentsFor([client('acme-corp')], source('2', '2'));
  const lines = formatPlan(diff(liveOf(before), after))
    .split('\n')
    .map((l) => l.trim());
  const at = lines.indexOf('~ source:');
  assert.ok(at > 0);
  // Up to the next change or field line (the other workflow has the same source).
  const end = lines.findIndex((l, i) => i > at && /^(~ [A-Za-z]|~ source:)/.test(l) && !l.startsWith('~ - ') && !l.startsWith('~ + '));
  const hunk = lines.slice(at + 1, end);
  // Line 3 and line 88 changed: two hunks, three lines of context either side (the file ends one line below the second).
  assert.equal(
    hunk.filter((l) => l.startsWith('@@')),
    ['@@ -1,6 +1,6 @@', '@@ -85,5 +85,5 @@'],
  );
  assert.ok(hunk.includes('-     - first: {return: 1}') && hunk.includes('+     - first: {return: 2}'));
  assert.ok(hunk.includes('-     - second: {return: 1}') && hunk.includes('+     - second: {return: 2}'));
  assert.ok(hunk.includes('- s83: {assign: [{x: 83}]}'), 'context line above the second edit');
  assert.not.ok(lines.some((l) => l.includes('more lines')));
});

test('JSON: a create lists every field it sets, before null', () => {
  const docs = documentsFor([client('acme-corp')]);
  const json = planToJson(diff(liveOf(documentsFor([])), docs));
  const topic = json.changes.find((c) => c.action === 'create' && c.kind === 'Topic')!;
  assert.equal(
    topic.fields.map((f) => [f.path, f.before, f.after]),
    [
      ['labels.client', null, 'acme-corp'],
      ['labels.managed-by', null, 'batch-workflows'],
      ['labels.product', null, 'scoring'],
      ['name', null, `projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`],
    ],
  );
  const account = json.changes.find((c) => c.action === 'create' && c.kind === 'ServiceAccount')!;
  assert.ok(account.fields.some((f) => f.path === 'accountId' && f.after === 'acme-corp'));
  assert.ok(account.fields.some((f) => f.path === 'displayName' && typeof f.after === 'string'));
  assert.ok(json.changes.filter((c) => c.action === 'create').every((c) => c.fields.length > 0 && c.fields.every((f) => f.before === null)));
});

test('errors and warnings are printed with their fix', () => {
  const docs = documentsFor([client('acme-corp')]);
  const plan = diff({ ...liveOf(docs), bucket: { name: DEV.bucket, location: DEV.region, exists: false } }, docs);
  const text = formatPlan(plan);
  assert.match(text, `error: gs://${DEV.bucket}: the product bucket gs://${DEV.bucket} does not exist`);
  assert.match(text, `    fix: create it: gcloud storage buckets create gs://${DEV.bucket}`);
});

test('text: a resource another product owns is a conflict that --adopt does not take, and the plan says whose it is', () => {
  const docs = documentsFor([client('acme-corp')]);
  const live = liveOf(docs);
  const topic = docs[1]!.resources.find((r) => r.kind === 'Topic')!;
  const theirs = {
    owned: true,
    resource: { ...topic, owner: { product: 'ranking', client: 'acme-corp' }, labels: { 'managed-by': 'batch-workflows', product: 'ranking', client: 'acme-corp' } },
  } as never;
  for (const adopt of [false, true]) {
    const plan = diff({ ...live, topics: [theirs] }, docs, { adopt });
    // The topic's policy shares the topic's owner: another product's, so it is not adopted either.
    const name = 'name' in topic ? topic.name : '';
    assert.equal(pending(plan), [`conflict Topic ${name}`, `conflict ResourcePolicy ${name}`]);
    const text = formatPlan(plan);
    assert.match(text, "is managed by product ranking; left untouched (--adopt does not take another product's resources)");
    assert.not.match(text, 'with --adopt:');
  }
});

test.run();
