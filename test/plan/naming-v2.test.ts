/**
 * Naming v2 (issue 10 item 10): an unambiguous derivation for two products in one project, and the
 * migration to it from v1 shown by plan as creates, leftovers and (with --prune) deletes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import { differs } from '../../src/plan/summary.ts';
import type { Resource, ResourceDocument } from '../../src/resources/types.ts';
import type { ProductDefinition } from '../../src/config/product.ts';
import { validateClients } from '../../src/config/load-clients.ts';
import { validateProduct } from '../../src/config/validate-product.ts';
import { namingWarnings } from '../../src/config/product-shape.ts';
import { clientAccountId, clientNameRule, productHash, topicId, topicIdAround, triggerId, schedulerJobId, type NamingScheme } from '../../src/names/naming.ts';
import { product } from '../../workflows/product.ts';
import { generateTree } from '../../src/generate/tree.ts';
import { loadGenerateInput, projectLayout } from '../../src/cli/project-files.ts';
import { fileURLToPath } from 'node:url';
import { DEV, productDocuments, scheduled } from './fake-cloud.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { liveOf } from './live-state.ts';

const v = (name: string, naming: NamingScheme | undefined): ProductDefinition => {
  const { naming: _drop, ...rest } = product as ProductDefinition;
  return { ...rest, name, ...(naming ? { naming } : {}) };
};

function documentsOf(definition: ProductDefinition, clients: readonly (string | Client)[]): ResourceDocument[] {
  return productDocuments(definition, clients, (file) => `# ${file}\n`);
}

const names = (docs: readonly ResourceDocument[], kinds: readonly Resource['kind'][]) =>
  docs
    .flatMap((d) => d.resources)
    .filter((r) => kinds.includes(r.kind) && r.owner.client !== undefined)
    .map((r) => ('name' in r ? r.name : ''))
    .sort();

test('under v2, scoring + eu-team-alpha and scoring-eu + team-alpha derive different trigger, topic and job ids', () => {
  assert.is(triggerId('scoring', 'eu-team-alpha', 'v1'), triggerId('scoring-eu', 'team-alpha', 'v1'), 'v1 is ambiguous (the bug)');
  assert.is.not(triggerId('scoring', 'eu-team-alpha', 'v2'), triggerId('scoring-eu', 'team-alpha', 'v2'));
  assert.is.not(topicId('scoring', 'eu-team-alpha', 'v2'), topicId('scoring-eu', 'team-alpha', 'v2'));
  assert.is.not(schedulerJobId('scoring', 'eu-team-alpha', 'v2'), schedulerJobId('scoring-eu', 'team-alpha', 'v2'));
  assert.is(triggerId('scoring', 'eu-team-alpha', 'v2'), 'batch-scoring--eu-team-alpha');
  const a = names(documentsOf(v('scoring', 'v2'), [scheduled('eu-team-alpha')]), ['Topic', 'Trigger', 'SchedulerJob', 'ServiceAccount']);
  const b = names(documentsOf(v('scoring-eu', 'v2'), [scheduled('team-alpha')]), ['Topic', 'Trigger', 'SchedulerJob', 'ServiceAccount']);
  assert.equal(
    a.filter((n) => b.includes(n)),
    [],
  );
});

test("under v2, the same client name in two products gets two service account ids, within Google's 30 characters", () => {
  assert.is(clientAccountId('scoring', 'acme-corp', 'v1'), clientAccountId('ranking', 'acme-corp', 'v1'), 'v1 shares it (the bug)');
  const scoring = clientAccountId('scoring', 'acme-corp', 'v2');
  const ranking = clientAccountId('ranking', 'acme-corp', 'v2');
  assert.is.not(scoring, ranking);
  assert.is(scoring, `acme-corp-${productHash('scoring')}`);
  assert.match(scoring, /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
  assert.match(productHash('scoring'), /^[a-z2-7]{6}$/);
});

test('two v2 products in one project: plan finds no collision where v1 found three', () => {
  const collisionsOf = (naming: NamingScheme) => {
    const theirs = liveOf(documentsOf(v('scoring', naming), [scheduled('eu-team-alpha'), 'acme-corp']), { bindings: 'none' });
    const plan = diff(theirs, documentsOf(v('scoring-eu', naming), [scheduled('team-alpha'), 'acme-corp']));
    return plan.errors.filter((e) => e.message.includes('two products in one project must not derive the same name')).length;
  };
  assert.ok(collisionsOf('v1') >= 4, String(collisionsOf('v1')));
  assert.is(collisionsOf('v2'), 0);
});

test('the workflows publish to the topic apply creates, under either scheme', () => {
  for (const naming of ['v1', 'v2'] as const) {
    const { before, after } = topicIdAround('scoring', naming);
    assert.is(`${before}acme-corp${after}`, topicId('scoring', 'acme-corp', naming));
  }
});

test('a client name with "--" under v2 is refused, located at its name, with a fix', () => {
  const text = '{\n  "name": "team--alpha"\n}\n';
  const { diagnostics } = validateClients([{ file: 'clients/team--alpha.json', text }], v('scoring', 'v2'));
  const problem = diagnostics.find((d) => d.message.includes('"--"'));
  assert.ok(problem, JSON.stringify(diagnostics));
  assert.is(problem!.file, 'clients/team--alpha.json');
  assert.is(problem!.line, 2);
  assert.match(problem!.fix!, '"team-alpha"');
  // Under v1 the same name is accepted (its ids were always ambiguous; nothing new is refused).
  assert.not.ok(validateClients([{ file: 'clients/team--alpha.json', text }], v('scoring', undefined)).diagnostics.some((d) => d.message.includes('"--"')));
});

test('a client name too long for its v2 account id is refused with the limit', () => {
  const name = 'a'.repeat(24);
  const { diagnostics } = validateClients([{ file: `clients/${name}.json`, text: JSON.stringify({ name }) }], v('scoring', 'v2'));
  assert.ok(
    diagnostics.some((d) => d.message.includes('service account id') && d.fix!.includes('at most 23')),
    JSON.stringify(diagnostics),
  );
});

test('the JSON Schema rule of client names under v2 refuses "--" and leaves room for the hash', () => {
  const rule = clientNameRule('v2');
  const accepts = (name: string) => new RegExp(rule.pattern).test(name) && name.length <= rule.maxLength;
  assert.ok(accepts('team-alpha') && accepts('acme-corp'));
  assert.not.ok(accepts('team--alpha') || accepts('team-') || accepts('1team') || accepts('a'.repeat(24)));
  assert.is(rule.maxLength, 23);
  assert.ok(new RegExp(clientNameRule('v1').pattern).test('team--alpha'), 'v1 unchanged');
});

test('a product name with "--" under v2 is refused at its line in product.ts', () => {
  const source = "export const product = defineProduct({\n  name: 'scoring--eu',\n  naming: 'v2',\n});\n";
  const problems = validateProduct(v('scoring--eu', 'v2'), ['batch-inference'], source);
  const problem = problems.find((p) => p.message.includes('"--"'));
  assert.ok(problem, JSON.stringify(problems));
  assert.equal([problem!.file, problem!.line, problem!.path], ['workflows/product.ts', 2, 'name']);
  assert.match(problem!.fix!, '"scoring-eu"');
});

test('an unknown naming value is refused; no naming key is a located warning pointing at the README', () => {
  const bad = validateProduct({ ...v('scoring', undefined), naming: 'v3' as never }, ['batch-inference']);
  assert.ok(
    bad.some((p) => p.path === 'naming'),
    JSON.stringify(bad),
  );
  const source = "export const product = defineProduct({\n  name: 'scoring',\n});\n";
  const [warning] = namingWarnings(v('scoring', undefined), source);
  assert.equal([warning?.file, warning?.line], ['workflows/product.ts', 2]);
  assert.match(warning!.fix!, 'Two products in one project');
  assert.equal(namingWarnings(v('scoring', 'v1'), source), []);
  assert.equal(namingWarnings(v('scoring', 'v2'), source), []);
});

test('plan of a v1 → v2 switch: the new names are creates, the old ones leftovers, deleted with --prune, with the topic warning', () => {
  const deployed = liveOf(documentsOf(v('scoring', undefined), [scheduled('acme-corp')]), { bindings: 'none' });
  const next = documentsOf(v('scoring', 'v2'), [scheduled('acme-corp')]);
  const plan = diff(deployed, next);
  const of = (action: string, kind: string) => plan.changes.filter((c) => c.action === action && c.kind === kind).map((c) => c.name);
  const account = clientAccountId('scoring', 'acme-corp', 'v2');
  assert.equal(of('create', 'Trigger'), [`projects/${DEV.project}/locations/global/triggers/batch-scoring--acme-corp`]);
  assert.equal(of('create', 'Topic'), [`projects/${DEV.project}/topics/batch-scoring--acme-corp-outputs`]);
  assert.equal(of('create', 'SchedulerJob'), [`projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring--acme-corp`]);
  assert.equal(of('create', 'ServiceAccount'), [`projects/${DEV.project}/serviceAccounts/${account}@${DEV.project}.iam.gserviceaccount.com`]);
  assert.equal(of('orphan', 'Trigger'), [`projects/${DEV.project}/locations/global/triggers/batch-scoring-acme-corp`]);
  assert.equal(of('orphan', 'Topic'), [`projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`]);
  assert.equal(of('orphan', 'SchedulerJob'), [`projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring-acme-corp`]);
  assert.equal(of('orphan', 'ServiceAccount'), [`projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`]);
  assert.ok(plan.summary.orphan >= 4 && differs(plan));
  assert.equal(plan.errors, []);
  assert.ok(
    plan.warnings.some((w) => w.message.includes("client acme-corp's topic is renamed") && w.message.includes('subscriptions are not moved')),
    JSON.stringify(plan.warnings),
  );
  assert.ok(plan.warnings.some((w) => w.message.includes("client acme-corp's service account is renamed")));
  // The client's folders move its access to the new account in the same apply (README, migration step 3).
  const folder = plan.changes.find((c) => c.kind === 'ResourcePolicy' && c.name === `IAM policy of gs://${DEV.bucket}/scoring/acme-corp/`);
  assert.ok(folder?.action === 'update', folder?.action);
  const viewers = folder.desired.kind === 'ResourcePolicy' ? folder.desired.bindings['roles/storage.objectViewer'] : [];
  assert.ok(viewers?.includes(`serviceAccount:${account}@${DEV.project}.iam.gserviceaccount.com`));
  assert.not.ok(viewers?.includes(`serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`));
  // The client is not "removed": its file still exists, only its names change.
  assert.equal(plan.removedClients, []);

  const pruned = diff(deployed, next, { prune: true });
  const deleted = pruned.changes
    .filter((c) => c.action === 'delete')
    .map((c) => c.kind)
    .sort();
  assert.ok(
    ['SchedulerJob', 'ServiceAccount', 'Topic', 'Trigger'].every((k) => deleted.includes(k as never)),
    deleted.join(','),
  );
  assert.is(pruned.summary.orphan, 0);
});

test('generate of the example with its naming: line removed: one located warning; with naming v2: none, and the client topic is batch-PRODUCT--CLIENT-outputs', async () => {
  const input = await loadGenerateInput(projectLayout(fileURLToPath(new URL('../..', import.meta.url))));
  const source = input.productSource!.replace(/^\s*naming: 'v1',\n/m, '');
  assert.is.not(source, input.productSource, 'the example names its scheme');
  const result = generateTree({ ...input, product: v('scoring', undefined), productSource: source });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.equal(
    result.warnings.map((w) => [w.file, w.line, w.path]),
    [['workflows/product.ts', source.split('\n').findIndex((l) => /^\s*name: 'scoring'/.test(l)) + 1, 'naming']],
  );
  const v2 = generateTree({ ...input, product: v('scoring', 'v2') });
  assert.ok(v2.ok && v2.warnings.length === 0);
  if (!v2.ok) return;
  assert.match(v2.files.get('dev/clients/acme-corp.yaml')!, `batch-scoring--acme-corp-outputs`);
});

test.run();
