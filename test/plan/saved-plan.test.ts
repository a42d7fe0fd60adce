/**
 * The pure parts of saved plans: the live fingerprint (what it holds, what it ignores), the
 * comparisons and the sentences naming what moved, the file's fixed text and its located parsing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/diagnostics.ts';
import { timestampText } from '../../src/gcp/timestamp.ts';
import { diff } from '../../src/plan/diff.ts';
import { planToJson } from '../../src/plan/format.ts';
import { parseSavedPlan, savedPlanText } from '../../src/plan/saved-plan-file.ts';
import { documentDigests, documentsMoved, liveFingerprint, liveMoved, makeSavedPlan, planMismatch, type SavedPlan } from '../../src/plan/saved-plan.ts';
import type { LiveState } from '../../src/plan/types.ts';
import { client, documentsFor, DEV } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';

const documents = documentsFor([client('acme-corp', { notify: [{ type: 'slack', secret: 'acme-corp-slack', on: 'always' }] } as never), client('globex')]);
const workflowName = documents.flatMap((d) => d.resources).find((r) => r.kind === 'Workflow')!.name;

/** The live state of documents, with server version fields on the workflows as the adapters read them. */
function live(): LiveState {
  const state = liveOf(documents);
  return { ...state, workflows: state.workflows.map((w) => ({ ...w, revision: { revisionId: '000001-a4d', updateTime: '2026-12-01T10:00:00.000000000Z' } })) };
}

const files = new Map([
  ['dev/product.yaml', 'product: scoring\n'],
  ['dev/clients/globex.yaml', 'client: globex\n'],
  ['dev/clients/acme-corp.yaml', 'client: acme-corp\n'],
]);

function saved(state: LiveState = live()): SavedPlan {
  return makeSavedPlan({ plan: diff(state, documents), live: state, documents, files, target: 'sandbox', sandboxUrl: 'http://127.0.0.1:9', toolVersion: '0.1.0' });
}

test('the fingerprint covers every listed resource of ours, every policy, the objects and the bucket, sorted by id', () => {
  const entries = liveFingerprint(live(), documents);
  const ids = entries.map((e) => e.id);
  assert.equal(ids, [...ids].sort());
  assert.ok(ids.includes(`Workflow ${workflowName}`));
  assert.ok(ids.includes(`IAM policy of projects/${DEV.project}`));
  assert.ok(ids.includes(`Bucket gs://${DEV.bucket}`));
  assert.ok(ids.some((id) => id.startsWith(`Object gs://${DEV.bucket}/scoring/_settings/`)));
  assert.ok(ids.includes(`IAM policy of projects/${DEV.project}/secrets/acme-corp-slack`));
  assert.ok(ids.some((id) => id.startsWith('Topic ')) && ids.some((id) => id.startsWith('ServiceAccount ')));
  assert.equal(entries.find((e) => e.id === `Workflow ${workflowName}`)?.revision, { revisionId: '000001-a4d', updateTime: '2026-12-01T10:00:00.000000000Z' });
  assert.equal(entries.find((e) => e.id === `IAM policy of projects/${DEV.project}`)?.revision, { etag: 'e' });
  for (const e of entries) assert.match(e.digest, /^sha256:[0-9a-f]{64}$/);
});

test('the fingerprint does not depend on list order, and ignores resources that are neither ours nor at a desired name', () => {
  const state = live();
  const reversed: LiveState = { ...state, topics: [...state.topics].reverse(), serviceAccounts: [...state.serviceAccounts].reverse(), runSettings: [...state.runSettings].reverse() };
  assert.equal(liveFingerprint(reversed, documents), liveFingerprint(state, documents));
  const reorderedPolicy: LiveState = { ...state, policy: { ...state.policy, bindings: [...state.policy.bindings].reverse().map((b) => ({ ...b, members: [...b.members].reverse() })) } };
  assert.ok(state.policy.bindings.length > 1);
  assert.equal(liveFingerprint(reorderedPolicy, documents), liveFingerprint(state, documents), 'the same policy listed in another order');
  const someoneElses = { owned: false, resource: { kind: 'Topic' as const, owner: { product: '' }, name: `projects/${DEV.project}/topics/team-ml-events`, labels: { team: 'ml' } } };
  const anotherProducts = { owned: true, resource: { kind: 'Topic' as const, owner: { product: 'ranking' }, name: `projects/${DEV.project}/topics/batch-ranking-x`, labels: {} } };
  const withForeign: LiveState = { ...state, topics: [...state.topics, someoneElses, anotherProducts] };
  assert.equal(liveMoved(liveFingerprint(state, documents), liveFingerprint(withForeign, documents)), []);
});

test('what moved: a workflow revision, a topic label (no version field), a policy etag, an object generation, a deletion, an appearance', () => {
  const state = live();
  const before = liveFingerprint(state, documents);
  assert.equal(liveMoved(before, liveFingerprint(state, documents)), [], 'nothing moved, nothing said');

  const revised: LiveState = {
    ...state,
    workflows: state.workflows.map((w) => (w.resource.name === workflowName ? { ...w, revision: { revisionId: '000002-b17', updateTime: '2026-12-02T09:00:00.000000000Z' } } : w)),
  };
  assert.equal(liveMoved(before, liveFingerprint(revised, documents)), [
    `Workflow ${workflowName}: revisionId 000001-a4d → 000002-b17, updateTime 2026-12-01T10:00:00.000000000Z → 2026-12-02T09:00:00.000000000Z`,
  ]);

  const topic = state.topics[0]!;
  const relabelled: LiveState = { ...state, topics: [{ ...topic, resource: { ...topic.resource, labels: { ...topic.resource.labels, team: 'x' } } }, ...state.topics.slice(1)] };
  assert.equal(liveMoved(before, liveFingerprint(relabelled, documents)), [`Topic ${topic.resource.name}: changed since the plan (its fields as read differ)`]);

  // A labels-only edit of a workflow keeps its revision but not its update time; a source edit behind an unchanged revision is still seen.
  const sameRevision: LiveState = {
    ...state,
    workflows: state.workflows.map((w) => (w.resource.name === workflowName ? { ...w, resource: { ...w.resource, description: 'edited' } } : w)),
  };
  assert.equal(liveMoved(before, liveFingerprint(sameRevision, documents)), [
    `Workflow ${workflowName}: changed since the plan (its fields as read differ, though its revisionId and updateTime did not)`,
  ]);

  const bound: LiveState = { ...state, policy: { ...state.policy, etag: 'f', bindings: [...state.policy.bindings, { role: 'roles/viewer', members: ['user:x@example.com'] }] } };
  assert.equal(liveMoved(before, liveFingerprint(bound, documents)), [`IAM policy of projects/${DEV.project}: etag e → f`]);

  const object = state.runSettings[0]!;
  const rewritten: LiveState = { ...state, runSettings: [{ ...object, generation: '2' }, ...state.runSettings.slice(1)] };
  assert.equal(liveMoved(before, liveFingerprint(rewritten, documents)), [`Object gs://${object.bucket}/${object.name}: generation 1 → 2`]);

  const deleted: LiveState = { ...state, topics: state.topics.slice(1) };
  assert.equal(liveMoved(before, liveFingerprint(deleted, documents)), [`Topic ${topic.resource.name}: gone since the plan`]);
  assert.equal(liveMoved(liveFingerprint(deleted, documents), before), [`Topic ${topic.resource.name}: appeared since the plan`]);
});

test('what changed in generated/: each file named, changed, added or removed', () => {
  const before = documentDigests(files);
  assert.equal(documentsMoved(before, documentDigests(new Map(files))), []);
  const after = new Map(files);
  after.set('dev/clients/globex.yaml', 'client: globex\ndisplayName: Renamed\n');
  after.delete('dev/clients/acme-corp.yaml');
  after.set('dev/clients/initech.yaml', 'client: initech\n');
  const moved = documentsMoved(before, documentDigests(after));
  assert.is(moved.length, 3);
  assert.match(moved[0]!, /^generated\/dev\/clients\/acme-corp\.yaml was removed since the plan$/);
  assert.match(moved[1]!, /^generated\/dev\/clients\/globex\.yaml changed since the plan \([0-9a-f]{12} → [0-9a-f]{12}\)$/);
  assert.match(moved[2]!, /^generated\/dev\/clients\/initech\.yaml was added since the plan$/);
});

test('the plan recomputed must equal the saved one: other changes are named, other field values said', () => {
  const state = liveOf(documentsFor([client('globex')]));
  const plan = saved(state);
  assert.equal(planMismatch(plan.plan, diff(state, documents)), []);
  assert.ok(plan.plan.changes.length > 0, 'acme-corp is to create');
  const none = diff(live(), documents);
  const mismatch = planMismatch(plan.plan, none);
  assert.is(mismatch.length, plan.plan.changes.length);
  assert.match(mismatch[0]!, /^create .+: planned, not in the plan now$/);
  const edited = { ...plan.plan, digest: `sha256:${'0'.repeat(64)}` };
  assert.equal(planMismatch(edited, diff(state, documents)), ['the same changes, but with other field values, warnings or errors than were planned']);
});

test('the file: fixed key order, the same bytes for the same inputs, read back equal; no field values in it', () => {
  const a = savedPlanText(saved());
  const reordered = new Map([...files].reverse());
  const b = savedPlanText(makeSavedPlan({ plan: diff(live(), documents), live: live(), documents, files: reordered, target: 'sandbox', sandboxUrl: 'http://127.0.0.1:9', toolVersion: '0.1.0' }));
  assert.is(a, b);
  assert.equal(Object.keys(JSON.parse(a)), ['formatVersion', 'kind', 'toolVersion', 'environment', 'project', 'product', 'target', 'sandboxUrl', 'options', 'documents', 'live', 'plan']);
  assert.ok(a.endsWith('}\n'));
  assert.equal(parseSavedPlan(a, 'plans/dev.plan.json'), JSON.parse(a));
  // A plan with a client to create holds its names, never its fields' values.
  const withCreates = savedPlanText(saved(liveOf(documentsFor([client('globex')]))));
  assert.not.ok(withCreates.includes('acme-corp-slack"') && withCreates.includes('"fields"'), 'no field diffs in the file');
  assert.not.ok(withCreates.includes('"before"') || withCreates.includes('"after"'));
});

function refusal(text: string): UserError {
  try {
    parseSavedPlan(text, 'plans/dev.plan.json');
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('accepted');
}

test('a corrupted, foreign or other-version file is a located UserError with a fix', () => {
  const text = savedPlanText(saved());
  const truncated = refusal(text.slice(0, 200));
  assert.is(truncated.diagnostics[0]!.file, 'plans/dev.plan.json');
  assert.ok(truncated.diagnostics[0]!.line! > 1);
  assert.match(truncated.message, 'not a readable saved plan (corrupted or truncated?)');
  assert.match(truncated.message, 'fix: make a new one: npm run plan');

  const v2 = refusal(text.replace('"formatVersion": 1', '"formatVersion": 2'));
  assert.match(v2.message, 'plans/dev.plan.json:2:20: formatVersion: saved plan format version 2 is not one this batch-workflows reads (it reads 1)');

  const jsonPlan = refusal(JSON.stringify(planToJson(diff(live(), documents))));
  assert.match(jsonPlan.message, 'this is `plan --json` output, not a saved plan');

  const editedDigest = refusal(text.replace(/"digest": "sha256:[0-9a-f]{64}"/, '"digest": "sha256:abc"'));
  assert.match(editedDigest.message, /plans\/dev\.plan\.json:\d+:\d+: live\[0\]\.digest: not a valid saved plan \(edited or corrupted\?\)/);

  assert.match(refusal('[]').message, 'not a saved plan: the file is not a JSON object');
  assert.match(refusal('{"kind": "something else"}').message, 'not a saved plan: "kind" is "something else"');
});

test('timestamps read the same whichever transport sent them: RFC 3339 text kept, { seconds, nanos } written as it', () => {
  assert.is(timestampText('2026-12-01T10:00:00.123Z'), '2026-12-01T10:00:00.123Z');
  assert.is(timestampText({ seconds: 1_796_000_000, nanos: 5 }), '2026-11-30T00:53:20.000000005Z');
  assert.is(timestampText({ seconds: '1796000000', nanos: 123_000_000 }), '2026-11-30T00:53:20.123000000Z');
  assert.is(timestampText(null), undefined);
  assert.is(timestampText(undefined), undefined);
});

test.run();
