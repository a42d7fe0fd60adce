/**
 * Run settings objects and secret access grants through plan + apply on the in-memory fake: what a
 * user sees in the plan, what ends up in the bucket and in each secret's policy, and what is never
 * touched (unchanged objects, other members of a secret's policy, the project policy).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { formatPlan } from '../../src/plan/format.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { UserError } from '../../src/diagnostics.ts';
import { product } from '../../workflows/product.ts';
import { secretLabels } from '../../src/names/naming.ts';
import { DEV, client, documentsFor, freshCloud, type FakeCloud } from './fake-cloud.ts';
import { noClock } from '../support/clocks.ts';
import { pending } from '../support/pending.ts';

const SETTINGS = (name: string) => `scoring/_settings/${name}.json`;
const SECRET = (id: string) => `projects/${DEV.project}/secrets/${id}`;
const PRODUCT_SA = `serviceAccount:scoring@${DEV.project}.iam.gserviceaccount.com`;
const ACCESSOR = 'roles/secretmanager.secretAccessor';
/** The labels a client's notification secret carries (plan refuses others): acme-* are acme-corp's, globex-* globex-inc's. */
const LABELS = (id: string) => secretLabels('scoring', id.startsWith('acme') ? 'acme-corp' : 'globex-inc');

async function apply(cloud: FakeCloud, clients: readonly Client[], options: { prune?: boolean; adopt?: boolean } = {}) {
  const outcome = await planAndApply({ documents: documentsFor(clients), apis: cloud.apis, clock: noClock, ...options });
  if (outcome.status === 'applied') assert.ok(outcome.result.ok, JSON.stringify(outcome.result.outcomes.filter((o) => o.status !== 'done')));
  return outcome;
}

function slack(name: string, secret: string, extra: Partial<Client> = {}): Client {
  return client(name, { notify: [{ type: 'slack', secret, on: 'failure' }], ...extra });
}

const settingsOf = (cloud: FakeCloud, name: string) => JSON.parse(cloud.object(DEV.bucket, SETTINGS(name))!.content);

test('apply writes one settings object per client: the settings as JSON, ownership marks and the secrets named', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('acme-slack'), [], LABELS('acme-slack'));
  await apply(cloud, [slack('acme-corp', 'acme-slack', { batch: { machineType: 'n1-highmem-8' } }), client('globex-inc')]);
  const acme = cloud.object(DEV.bucket, SETTINGS('acme-corp'))!;
  const settings = JSON.parse(acme.content);
  assert.is(settings.client, 'acme-corp');
  assert.is(settings.batch.machineType, 'n1-highmem-8');
  assert.equal(settings.notify, [{ type: 'slack', secret: SECRET('acme-slack'), on: 'failure' }]);
  assert.ok(acme.content.endsWith('}\n'));
  assert.equal(acme.metadata, { 'managed-by': 'batch-workflows', product: 'scoring', client: 'acme-corp', secrets: SECRET('acme-slack') });
  assert.equal(cloud.object(DEV.bucket, SETTINGS('globex-inc'))!.metadata, { 'managed-by': 'batch-workflows', product: 'scoring', client: 'globex-inc' });
});

test('a no-change plan compares MD5s from the listing: no object is downloaded', async () => {
  const cloud = freshCloud();
  const clients = Array.from({ length: 20 }, (_, i) => client(`client-${String(i).padStart(3, '0')}`));
  await apply(cloud, clients);
  const mark = cloud.calls.length;
  const plan = await makePlan(cloud.apis, documentsFor(clients), { clock: noClock });
  assert.equal(pending(plan), []);
  const calls = cloud.calls.slice(mark);
  assert.is(calls.filter((c) => c.api === 'storage' && c.method === 'read').length, 0);
  // One objects.list for the settings folder (the managed folders have their own list call).
  assert.is(calls.filter((c) => c.api === 'storage' && c.method === 'list' && !c.target.endsWith('managed folders')).length, 1);
});

test('changed settings: updated in place with a field-level diff; unchanged objects are not rewritten', async () => {
  const cloud = freshCloud();
  await apply(cloud, [client('acme-corp'), client('globex-inc')]);
  const globexBefore = cloud.object(DEV.bucket, SETTINGS('globex-inc'))!;
  const edited = [client('acme-corp', { batch: { machineType: 'n1-highmem-8', environment: { MODEL: 'v3' } } }), client('globex-inc')];
  const plan = await makePlan(cloud.apis, documentsFor(edited), { clock: noClock });
  assert.equal(pending(plan), [`update RunSettings gs://${DEV.bucket}/${SETTINGS('acme-corp')}`]);
  const change = plan.changes.find((c) => c.action === 'update')!;
  assert.is(change.impact, 'in-place');
  assert.equal(change.action === 'update' ? change.fields : [], [
    { path: 'settings.batch.environment.MODEL', after: 'v3' },
    { path: 'settings.batch.machineType', before: product.batch.machineType, after: 'n1-highmem-8' },
  ]);
  const text = formatPlan(plan);
  assert.match(text, `  ~ RunSettings gs://${DEV.bucket}/${SETTINGS('acme-corp')}  (in-place)`);
  assert.match(text, `      ~ settings.batch.machineType: "${product.batch.machineType}" → "n1-highmem-8"`);
  // Only the changed object was downloaded, to show that diff.
  assert.equal(
    cloud.calls.filter((c) => c.method === 'read').map((c) => c.target),
    [`gs://${DEV.bucket}/${SETTINGS('acme-corp')}`],
  );

  const mark = cloud.calls.length;
  await apply(cloud, edited);
  assert.equal(
    cloud.calls
      .slice(mark)
      .filter((c) => c.method === 'put')
      .map((c) => c.target),
    [`gs://${DEV.bucket}/${SETTINGS('acme-corp')}`],
  );
  assert.is(settingsOf(cloud, 'acme-corp').batch.machineType, 'n1-highmem-8');
  assert.is(cloud.object(DEV.bucket, SETTINGS('globex-inc')), globexBefore);
  assert.equal(pending(await makePlan(cloud.apis, documentsFor(edited), { clock: noClock })), []);
});

test('a notification target dropped and one added: the plan shows those two targets, not the whole list twice', async () => {
  const cloud = freshCloud();
  const targets = (...t: { type: 'slack' | 'teams' | 'webhook'; secret: string }[]) => client('acme-corp', { notify: t.map((x) => ({ ...x, on: 'failure' as const })) });
  for (const id of ['acme-slack', 'acme-teams', 'acme-hook']) cloud.addSecret(SECRET(id), [], LABELS(id));
  await apply(cloud, [targets({ type: 'slack', secret: 'acme-slack' }, { type: 'teams', secret: 'acme-teams' })]);
  const plan = await makePlan(cloud.apis, documentsFor([targets({ type: 'slack', secret: 'acme-slack' }, { type: 'webhook', secret: 'acme-hook' })]), { clock: noClock });
  const change = plan.changes.find((c) => c.kind === 'RunSettings' && c.action === 'update');
  assert.ok(change?.action === 'update');
  // (metadata.secrets keeps naming acme-teams until its grant is revoked: see the prune tests.)
  assert.equal(
    change.fields.filter((f) => f.path.startsWith('settings.')),
    [
      { path: 'settings.notify[1]', before: { type: 'teams', secret: SECRET('acme-teams'), on: 'failure' } },
      { path: 'settings.notify[1]', after: { type: 'webhook', secret: SECRET('acme-hook'), on: 'failure' } },
    ],
  );
  const text = formatPlan(plan);
  assert.match(text, `      - settings.notify[1] = {"type":"teams","secret":"${SECRET('acme-teams')}","on":"failure"}`);
  assert.match(text, `      + settings.notify[1] = {"type":"webhook","secret":"${SECRET('acme-hook')}","on":"failure"}`);
  assert.not.match(text, 'acme-slack"}', 'the target that stays is not repeated');
});

test('an object whose content is not JSON is shown as a content diff and rewritten', async () => {
  const cloud = freshCloud();
  await apply(cloud, [client('acme-corp')]);
  const marks = cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata;
  cloud.putObject(DEV.bucket, SETTINGS('acme-corp'), 'edited by hand', marks);
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock });
  const change = plan.changes.find((c) => c.action === 'update');
  assert.ok(change && change.action === 'update');
  assert.equal(
    change.fields.map((f) => f.path),
    ['content'],
  );
  assert.is(change.fields[0]!.before, 'edited by hand');
  await apply(cloud, [client('acme-corp')]);
  assert.is(settingsOf(cloud, 'acme-corp').client, 'acme-corp');
});

test('a removed client: its settings object is orphaned, deleted with --prune; objects not ours stay', async () => {
  const cloud = freshCloud();
  await apply(cloud, [client('acme-corp'), client('globex-inc')]);
  cloud.putObject(DEV.bucket, SETTINGS('hand-made'), '{}', { owner: 'someone' });
  const kept = await apply(cloud, [client('acme-corp')]);
  const orphan = kept.plan.changes.find((c) => c.kind === 'RunSettings' && c.action === 'orphan');
  assert.is(orphan?.name, `gs://${DEV.bucket}/${SETTINGS('globex-inc')}`);
  assert.ok(cloud.object(DEV.bucket, SETTINGS('globex-inc')));
  await apply(cloud, [client('acme-corp')], { prune: true });
  assert.is(cloud.object(DEV.bucket, SETTINGS('globex-inc')), undefined);
  assert.ok(cloud.object(DEV.bucket, SETTINGS('acme-corp')));
  assert.is(cloud.object(DEV.bucket, SETTINGS('hand-made'))?.content, '{}');
});

test("an object not ours at a client's settings name is a conflict and left as it is; --adopt takes it over", async () => {
  const cloud = freshCloud();
  cloud.putObject(DEV.bucket, SETTINGS('acme-corp'), '{"client": "acme-corp"}\n');
  const outcome = await planAndApply({ documents: documentsFor([client('acme-corp')]), apis: cloud.apis, clock: noClock });
  assert.ok(outcome.plan.changes.some((c) => c.kind === 'RunSettings' && c.action === 'conflict'));
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.content, '{"client": "acme-corp"}\n');
  await apply(cloud, [client('acme-corp')], { adopt: true });
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata['managed-by'], 'batch-workflows');
});

test('an object created between plan and apply is not overwritten blindly: create is only-if-absent', async () => {
  const cloud = freshCloud();
  const documents = documentsFor([client('acme-corp')]);
  const plan = await makePlan(cloud.apis, documents, { clock: noClock });
  cloud.putObject(DEV.bucket, SETTINGS('acme-corp'), 'someone else', { owner: 'someone' });
  const { execute } = await import('../../src/apply/executor.ts');
  const result = await execute(plan, cloud.apis, { clock: noClock });
  const outcome = result.outcomes.find((o) => o.kind === 'RunSettings');
  assert.is(outcome?.status, 'failed');
  assert.match(outcome?.message ?? '', 'not managed by product scoring');
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.content, 'someone else');
});

test('secret access: the product service account is granted on exactly the named secrets, never on the project', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('acme-slack'), [], LABELS('acme-slack'));
  cloud.addSecret(SECRET('globex-teams'), [], LABELS('globex-teams'));
  cloud.addSecret(SECRET('unrelated'));
  const outcome = await apply(cloud, [slack('acme-corp', 'acme-slack'), client('globex-inc', { notify: [{ type: 'teams', secret: 'globex-teams', on: 'always' }] })]);
  const grants = outcome.plan.changes.filter((c) => c.kind === 'SecretAccess');
  assert.equal(
    grants.map((c) => `${c.action} ${c.impact}`),
    ['create grants-access', 'create grants-access'],
  );
  for (const id of ['acme-slack', 'globex-teams']) {
    assert.equal(cloud.secrets.get(SECRET(id))!.bindings, [{ role: ACCESSOR, members: [PRODUCT_SA] }]);
  }
  assert.equal(cloud.secrets.get(SECRET('unrelated'))!.bindings, []);
  assert.not.ok(JSON.stringify(cloud.policy).includes('secretmanager'));
  assert.equal(
    pending(
      await makePlan(cloud.apis, documentsFor([slack('acme-corp', 'acme-slack'), client('globex-inc', { notify: [{ type: 'teams', secret: 'globex-teams', on: 'always' }] })]), { clock: noClock }),
    ),
    [],
  );
});

test("other members and bindings of a secret's policy are kept exactly; a concurrent edit is retried with a fresh read", async () => {
  const cloud = freshCloud();
  const foreign = [
    { role: ACCESSOR, members: ['group:oncall@example.com'] },
    { role: 'roles/secretmanager.admin', members: ['user:ops@example.com'], condition: { title: 'office hours', expression: 'request.time.getHours("Europe/Paris") < 18' } },
  ];
  cloud.addSecret(SECRET('acme-slack'), foreign, LABELS('acme-slack'));
  cloud.beforeNextSecretSetPolicy = (_secret, policy) => ({ ...policy, bindings: [...policy.bindings, { role: 'roles/secretmanager.viewer', members: ['user:late@example.com'] }] });
  await apply(cloud, [slack('acme-corp', 'acme-slack')]);
  const bindings = cloud.secrets.get(SECRET('acme-slack'))!.bindings;
  assert.equal(bindings, [{ role: ACCESSOR, members: ['group:oncall@example.com', PRODUCT_SA] }, foreign[1], { role: 'roles/secretmanager.viewer', members: ['user:late@example.com'] }]);
  assert.is(cloud.calls.filter((c) => c.method === 'setIamPolicy' && c.api === 'secretmanager').length, 2);
});

test('a secret no client names any more: listed as "would revoke", and only our member removed with --prune', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('acme-slack'), [{ role: ACCESSOR, members: ['group:oncall@example.com'] }], LABELS('acme-slack'));
  await apply(cloud, [slack('acme-corp', 'acme-slack')]);
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, [{ role: ACCESSOR, members: ['group:oncall@example.com', PRODUCT_SA] }]);

  // The client stops notifying: generated/ no longer names the secret, but the live settings object does.
  const kept = await apply(cloud, [client('acme-corp')]);
  const orphan = kept.plan.changes.find((c) => c.kind === 'SecretAccess');
  assert.is(orphan?.action, 'orphan');
  assert.match(formatPlan(kept.plan), `  - SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${PRODUCT_SA}  no client names this secret any more; would revoke with --prune`);
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, [{ role: ACCESSOR, members: ['group:oncall@example.com', PRODUCT_SA] }]);
  // The settings no longer name the secret, but the object keeps listing it while the grant lasts,
  // so a later --prune still finds it; and the plan is settled meanwhile.
  assert.equal(settingsOf(cloud, 'acme-corp').notify, []);
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata.secrets, SECRET('acme-slack'));
  const settled = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock });
  assert.equal(pending(settled), [`orphan SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${PRODUCT_SA}`]);

  const pruned = await apply(cloud, [client('acme-corp')], { prune: true });
  const revoke = pruned.plan.changes.find((c) => c.kind === 'SecretAccess');
  assert.equal([revoke?.action, revoke?.impact], ['delete', 'revokes-access']);
  // The settings object stops listing the secret only once the grant is revoked.
  assert.match(
    formatPlan(pruned.plan),
    `  ~ RunSettings gs://${DEV.bucket}/${SETTINGS('acme-corp')}  (in-place)\n      only after: SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${PRODUCT_SA}\n      - metadata.secrets = "${SECRET('acme-slack')}"`,
  );
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, [{ role: ACCESSOR, members: ['group:oncall@example.com'] }]);
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata.secrets, undefined);
  assert.equal(pending(await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock, prune: true })), []);
});

test('a revocation that fails holds back the settings change that would forget the secret', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('acme-slack'), [], LABELS('acme-slack'));
  await apply(cloud, [slack('acme-corp', 'acme-slack')]);
  cloud.failure = (c) => (c.api === 'secretmanager' && c.method === 'setIamPolicy' ? { code: 'PERMISSION_DENIED' } : undefined);
  const outcome = await planAndApply({ documents: documentsFor([client('acme-corp')]), apis: cloud.apis, clock: noClock, prune: true });
  assert.is(outcome.status, 'applied');
  if (outcome.status !== 'applied') return;
  assert.equal(
    outcome.result.outcomes.map((o) => `${o.kind} ${o.status}`),
    ['SecretAccess failed', 'RunSettings skipped'],
  );
  assert.is(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata.secrets, SECRET('acme-slack'));
  cloud.failure = () => undefined;
  await apply(cloud, [client('acme-corp')], { prune: true });
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, []);
  assert.equal(settingsOf(cloud, 'acme-corp').notify, []);
});

test("a removed client's secret grant is found through its live settings object and pruned with it", async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('globex-slack'), [], LABELS('globex-slack'));
  await apply(cloud, [client('acme-corp'), slack('globex-inc', 'globex-slack')]);
  const pruned = await apply(cloud, [client('acme-corp')], { prune: true });
  assert.ok(pruned.plan.changes.some((c) => c.kind === 'SecretAccess' && c.action === 'delete'));
  assert.equal(cloud.secrets.get(SECRET('globex-slack'))!.bindings, []);
  assert.is(cloud.object(DEV.bucket, SETTINGS('globex-inc')), undefined);
});

test('a secret that does not exist is a precondition error with the command that creates it; nothing is written', async () => {
  const cloud = freshCloud();
  const documents = documentsFor([slack('acme-corp', 'acme-slack')]);
  const plan = await makePlan(cloud.apis, documents, { clock: noClock });
  assert.is(plan.errors.length, 1);
  const error = plan.errors[0]!;
  assert.is(error.path, SECRET('acme-slack'));
  assert.match(error.message, 'the secret acme-slack does not exist in project scoring-dev-4821');
  assert.match(error.message, 'acme-corp (slack)');
  // The set-up command labels the secret for its client (issue 9), so the next plan accepts it.
  assert.is(
    error.fix,
    `create it with the webhook URL as its value, labelled for its client: printf %s 'https://hooks.slack.com/services/…' | gcloud secrets create acme-slack --project=${DEV.project} --labels=batch-workflows-product=scoring,batch-workflows-client=acme-corp --data-file=-`,
  );
  const refused = await planAndApply({ documents, apis: cloud.apis, clock: noClock }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(refused, UserError);
  assert.equal(cloud.mutatingCalls(), []);
});

test('a secret a client names must be labelled for that client: unlabelled or labelled for another, a precondition error with the fix', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('prod-db-root-password'));
  cloud.addSecret(SECRET('globex-slack'), [], LABELS('globex-slack'));
  const documents = documentsFor([slack('acme-corp', 'prod-db-root-password'), slack('globex-inc', 'globex-slack'), slack('initech-co', 'globex-slack')]);
  const plan = await makePlan(cloud.apis, documents, { clock: noClock });
  assert.equal(
    plan.errors.map((e) => [e.path, e.message.split(':')[0]]),
    [
      [SECRET('globex-slack'), 'client initech-co names the secret globex-slack for its slack notifications, but the secret is labelled for client "globex-inc"'],
      [SECRET('prod-db-root-password'), 'client acme-corp names the secret prod-db-root-password for its slack notifications, but the secret is not labelled batch-workflows-product=scoring'],
    ],
  );
  assert.is(
    plan.errors[1]!.fix,
    `if prod-db-root-password really is acme-corp's webhook secret: gcloud secrets update prod-db-root-password --project=${DEV.project} --update-labels=batch-workflows-product=scoring,batch-workflows-client=acme-corp; otherwise name the client's own secret`,
  );
  const refused = await planAndApply({ documents, apis: cloud.apis, clock: noClock }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(refused, UserError);
  assert.equal(cloud.mutatingCalls(), [], "no grant is written while any named secret is not provably its client's");
});

test('an apply interrupted right after a new grant: with the client file reverted, apply --prune still finds and removes the grant', async () => {
  const cloud = freshCloud();
  cloud.addSecret(SECRET('acme-slack'), [], LABELS('acme-slack'));
  await apply(cloud, [client('acme-corp')]);
  // The apply that adds the target is stopped once the secret's policy is written: the settings
  // object, written later, never records the secret.
  const controller = new AbortController();
  const outcome = await planAndApply({
    documents: documentsFor([slack('acme-corp', 'acme-slack')]),
    apis: cloud.apis,
    clock: noClock,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === 'outcome' && e.outcome.kind === 'SecretAccess' && e.outcome.status === 'done') controller.abort();
    },
  });
  assert.is(outcome.status, 'applied');
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, [{ role: ACCESSOR, members: [PRODUCT_SA] }]);
  assert.not.ok(cloud.object(DEV.bucket, SETTINGS('acme-corp'))!.metadata.secrets, 'the settings object does not name the secret');

  // The client file is reverted: only the label listing can find the grant now.
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock });
  assert.equal(pending(plan), [`orphan SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${PRODUCT_SA}`]);
  await apply(cloud, [client('acme-corp')], { prune: true });
  assert.equal(cloud.secrets.get(SECRET('acme-slack'))!.bindings, []);
  assert.equal(pending(await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock, prune: true })), []);
});

test.run();
