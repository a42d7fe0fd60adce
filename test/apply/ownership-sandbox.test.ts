/**
 * Adversarial ownership tests through the real adapters against the local sandbox: a second product
 * sharing the project and the bucket, look-alike condition titles, mixed bindings, prefix client
 * names, --client narrowing and --adopt. Each asserts what a user would see in their project.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import type { Client } from '../../src/config/client-schema.ts';
import type { IamPolicy, IamPolicyBinding } from '../../src/gcp/types.ts';
import { buildDesiredResources } from '../../src/resources/index.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { product } from '../../workflows/product.ts';
import { DEV, WORKFLOWS, client, documentsFor } from '../plan/fake-cloud.ts';
import { pending, quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

type Env = SandboxEnv;

/** A second product deployed to the same project and bucket. */
const ranking = { ...product, name: 'ranking', displayName: 'Batch ranking' };
function rankingDocuments(clients: readonly Client[]): ResourceDocument[] {
  return buildDesiredResources(ranking, clients, 'dev', WORKFLOWS).map((doc) => ({
    ...doc,
    resources: doc.resources.map((r) => (r.kind === 'Workflow' ? { ...r, sourceContents: `# ranking ${r.sourceFile}\nmain:\n  steps:\n    - done:\n        return: 2\n` } : r)),
  }));
}

const SA = (id: string) => `serviceAccount:${id}@${DEV.project}.iam.gserviceaccount.com`;
const SECRET = (id: string) => `projects/${DEV.project}/secrets/${id}`;
const ACCESSOR = 'roles/secretmanager.secretAccessor';

interface ApplyOptions {
  prune?: boolean;
  adopt?: boolean;
  clientFilter?: string;
}

async function applyDocs(env: Env, documents: readonly ResourceDocument[], options: ApplyOptions = {}) {
  return planAndApply({ documents, apis: env.apis, clock: quickClock, ...options });
}

function assertOk(outcome: Awaited<ReturnType<typeof applyDocs>>, label = ''): void {
  if (outcome.status === 'applied') {
    assert.ok(outcome.result.ok, `${label} ${JSON.stringify(outcome.result.outcomes.filter((o) => o.status !== 'done'), null, 1)}`);
  } else {
    assert.is(outcome.status, 'no-changes', label);
  }
}

/** Everything live in the sandbox project, for before/after comparisons. */
async function snapshot(env: Env) {
  const { apis } = env;
  const [accounts, topics, workflows, triggers, jobs, policy] = await Promise.all([
    apis.serviceAccounts.list(DEV.project),
    apis.topics.list(DEV.project),
    apis.workflows.list(DEV.project, DEV.region),
    apis.triggers.list(DEV.project, 'global'),
    apis.schedulerJobs.list(DEV.project, DEV.region),
    apis.projectIam.getPolicy(DEV.project),
  ]);
  const objects = env.sandbox.state.listObjects(DEV.bucket, '').map((o) => ({ name: o.name, md5: o.md5Hash, metadata: o.metadata }));
  return { accounts, topics, workflows, triggers, jobs, bindings: policy.bindings, auditConfigs: policy.auditConfigs, objects };
}

/** The live things of one product (by its marks) in a snapshot. */
function ofProduct(snap: Awaited<ReturnType<typeof snapshot>>, name: string) {
  const mine = <T extends { owned: boolean; resource: { owner: { product: string } } }>(list: readonly T[]) => list.filter((l) => l.owned && l.resource.owner.product === name);
  return {
    accounts: mine(snap.accounts),
    topics: mine(snap.topics),
    workflows: mine(snap.workflows),
    triggers: mine(snap.triggers),
    jobs: mine(snap.jobs),
    // Its grants: under its condition titles, or unconditional to its product account.
    grants: snap.bindings
      .flatMap((b) => b.members.map((m) => ({ role: b.role, member: m, condition: b.condition })))
      .filter((g) => (g.condition ? g.condition.title.startsWith(`batch-workflows:${name}:`) : g.member === SA(name))),
    objects: snap.objects.filter((o) => o.metadata?.product === name),
  };
}

async function setPolicy(env: Env, change: (policy: IamPolicy) => IamPolicy): Promise<IamPolicy> {
  const current = await env.apis.projectIam.getPolicy(DEV.project);
  return env.apis.projectIam.setPolicy(DEV.project, change(current));
}

test('--adopt never takes over what another product owns (its client service account, topic, settings object)', async () => {
  await withSandbox({}, async (env) => {
    // ranking deployed acme-corp first: the client's service account id is the client name in both products.
    assertOk(await applyDocs(env, rankingDocuments([client('acme-corp')])));
    const ours = documentsFor([client('acme-corp')]);
    const topic = ours[1]!.resources.find((r) => r.kind === 'Topic')!;
    if (topic.kind !== 'Topic') throw new Error('unreachable');
    // A topic and a settings object at our names, marked as ranking's (e.g. a copy-pasted product definition).
    await env.apis.topics.create({ ...topic, owner: { product: 'ranking', client: 'acme-corp' }, labels: { 'managed-by': 'batch-workflows', product: 'ranking', client: 'acme-corp' } });
    env.sandbox.state.putObject(DEV.bucket, 'scoring/_settings/acme-corp.json', '{"ranking":true}', 'application/json', { 'managed-by': 'batch-workflows', product: 'ranking', client: 'acme-corp' });
    const before = await snapshot(env);

    for (const adopt of [false, true]) {
      const outcome = await applyDocs(env, ours, { adopt });
      assert.is(outcome.status, 'applied');
      const conflicts = outcome.plan.changes.filter((c) => c.action === 'conflict').map((c) => c.key);
      assert.equal(
        conflicts.sort(),
        [`RunSettings gs://${DEV.bucket}/scoring/_settings/acme-corp.json`, `ServiceAccount projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`, `Topic ${topic.name}`].sort(),
        `adopt=${adopt}`,
      );
      assert.equal(outcome.plan.summary.adopt, 0, `adopt=${adopt}`);
      if (outcome.status === 'applied') assert.not.ok(outcome.result.ok);
      const after = await snapshot(env);
      assert.equal(ofProduct(after, 'ranking'), ofProduct(before, 'ranking'), `adopt=${adopt}`);
      // Nothing was granted to ranking's account under our titles.
      assert.not.ok(after.bindings.some((b) => b.condition?.title.startsWith('batch-workflows:scoring:acme-corp:')), `adopt=${adopt}`);
    }
    // ranking still sees nothing to change: scoring's runs did not touch its resources.
    const rankingPlan = await makePlan(env.apis, rankingDocuments([client('acme-corp')]));
    assert.equal(pending(rankingPlan).filter((p) => !p.startsWith('orphan ')), []);
  });
});

test('two products in one project and bucket: pruning every client of one leaves the other product whole', async () => {
  await withSandbox({}, async (env) => {
    const { state } = env.sandbox;
    state.addSecretVersion(DEV.project, 'shared-slack', 'https://hooks.slack.com/services/T/B/shared');
    const slack = (name: string): Client => client(name, { notify: [{ type: 'slack', secret: 'shared-slack', on: 'failure' }] });
    assertOk(await applyDocs(env, rankingDocuments([slack('globex-inc'), client('initech-llc', { schedule: { cron: '0 6 * * *', timeZone: 'Etc/UTC' } })])));
    assertOk(await applyDocs(env, documentsFor([slack('acme-corp'), client('hooli-xyz', { schedule: { cron: '0 7 * * *', timeZone: 'Etc/UTC' } })])));
    const before = await snapshot(env);
    assert.ok(ofProduct(before, 'ranking').objects.length === 2 && ofProduct(before, 'scoring').objects.length === 2);
    const secretBefore = await env.apis.secrets.getPolicy(SECRET('shared-slack'));
    assert.equal(secretBefore!.bindings, [{ role: ACCESSOR, members: [SA('ranking'), SA('scoring')] }]);

    const pruned = await applyDocs(env, documentsFor([]), { prune: true });
    assertOk(pruned);
    assert.ok(pruned.plan.summary.delete > 10, `${pruned.plan.summary.delete} deletes`);
    assert.ok(pruned.plan.changes.every((c) => c.owner.product === 'scoring'));
    const after = await snapshot(env);
    assert.equal(ofProduct(after, 'ranking'), ofProduct(before, 'ranking'));
    assert.equal(after.auditConfigs, before.auditConfigs);
    // scoring's clients are gone; its product-level resources stay.
    const scoring = ofProduct(after, 'scoring');
    assert.equal(scoring.topics, []);
    assert.equal(scoring.objects, []);
    assert.equal(scoring.accounts.map((a) => a.resource.accountId), ['scoring']);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('shared-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('ranking')] }]);
    assert.equal(pending(await makePlan(env.apis, rankingDocuments([slack('globex-inc'), client('initech-llc', { schedule: { cron: '0 6 * * *', timeZone: 'Etc/UTC' } })]), { prune: true })), []);
  });
});

test('--client acme-co --prune removes only acme-co: not acme-corp (a name it prefixes), not other clients, not product resources', async () => {
  await withSandbox({}, async (env) => {
    const all = [client('acme-co'), client('acme-corp'), client('globex-inc', { schedule: { cron: '0 6 * * *', timeZone: 'Etc/UTC' } })];
    assertOk(await applyDocs(env, documentsFor(all)));
    const before = await snapshot(env);
    // Every client removed from generated/, but the run is narrowed to acme-co.
    const outcome = await applyDocs(env, documentsFor([]), { prune: true, clientFilter: 'acme-co' });
    assertOk(outcome);
    assert.ok(outcome.plan.changes.length > 0);
    assert.ok(outcome.plan.changes.every((c) => c.action === 'no-op' || c.owner.client === 'acme-co'), JSON.stringify(pending(outcome.plan)));
    const after = await snapshot(env);
    const without = (list: readonly { resource: { owner: { client?: string } } }[]) => list.filter((l) => l.resource.owner.client !== 'acme-co');
    assert.equal(after.accounts, without(before.accounts));
    assert.equal(after.topics, without(before.topics));
    assert.equal(after.triggers, without(before.triggers));
    assert.equal(after.jobs, before.jobs);
    assert.equal(after.workflows, before.workflows);
    assert.equal(after.objects, before.objects.filter((o) => o.metadata?.client !== 'acme-co'));
    assert.equal(after.bindings, before.bindings.filter((b) => !b.condition?.title.startsWith('batch-workflows:scoring:acme-co:')));
    assert.ok(after.bindings.some((b) => b.condition?.title === 'batch-workflows:scoring:acme-corp:read'));
    assert.equal(after.auditConfigs, before.auditConfigs);
  });
});

test('look-alike condition titles and grants to our accounts made by others survive apply --prune of their client', async () => {
  await withSandbox({}, async (env) => {
    assertOk(await applyDocs(env, documentsFor([client('acme-corp'), client('acme-co')])));
    const policy = await env.apis.projectIam.getPolicy(DEV.project);
    const read = policy.bindings.find((b) => b.condition?.title === 'batch-workflows:scoring:acme-corp:read')!;
    const member = SA('acme-corp');
    const lookalike = (title: string): IamPolicyBinding => ({ role: read.role, members: [member], condition: { ...read.condition!, title } });
    const foreign: IamPolicyBinding[] = [
      lookalike('batch-workflows:scoring:acme-corp:read:v2'),
      lookalike('batch-workflows:scoring:acme-corp:read (copy)'),
      lookalike('batch-workflows:scoringx:acme-corp:read'),
      lookalike('batch-workflows:ranking:acme-corp:read'),
      lookalike('Batch-workflows:scoring:acme-corp:read'),
      lookalike(' batch-workflows:scoring:acme-corp:read'),
      { role: read.role, members: ['user:auditor@example.com', member] },
      { role: 'roles/storage.objectCreator', members: [member, 'group:ops@example.com'], condition: { title: 'expires', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' } },
      // Our other client's account and a person, under a title that is not ours but reads like it.
      { role: read.role, members: ['user:bob@example.com', SA('acme-co')], condition: { ...read.condition!, title: 'batch-workflows scoring acme-corp read' } },
    ];
    await setPolicy(env, (p) => ({ ...p, bindings: [...p.bindings, ...foreign], auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_READ', exemptedMembers: [member] }] }] }));

    const outcome = await applyDocs(env, documentsFor([client('acme-co')]), { prune: true });
    assertOk(outcome);
    const after = await env.apis.projectIam.getPolicy(DEV.project);
    for (const binding of foreign) assert.ok(after.bindings.some((b) => JSON.stringify(b) === JSON.stringify(binding)), `lost ${JSON.stringify(binding)}`);
    assert.not.ok(after.bindings.some((b) => /^batch-workflows:scoring:acme-corp:(read|upload|list)$/.test(b.condition?.title ?? '')), JSON.stringify(after.bindings));
    // The audit config is only ever added to: DATA_WRITE joins, the exemption stays.
    assert.equal(after.auditConfigs, [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_READ', exemptedMembers: [member] }, { logType: 'DATA_WRITE' }] }]);
    assert.equal(pending(await makePlan(env.apis, documentsFor([client('acme-co')]), { prune: true })), []);
  });
});

test('a person added to one of our conditional bindings keeps the grant: a change of its condition and a prune take out only our account', async () => {
  await withSandbox({}, async (env) => {
    assertOk(await applyDocs(env, documentsFor([client('acme-corp')])));
    const bob = 'user:bob@example.com';
    // What `gcloud projects add-iam-policy-binding --member=user:bob --condition=<ours, copied>` does: same binding.
    await setPolicy(env, (p) => ({ ...p, bindings: p.bindings.map((b) => (b.condition?.title === 'batch-workflows:scoring:acme-corp:read' ? { ...b, members: [...b.members, bob] } : b)) }));
    const plan = await makePlan(env.apis, documentsFor([client('acme-corp')]), { prune: true });
    assert.equal(pending(plan), []);
    // A new version of generated/ narrows our condition: our account moves to the new one, bob stays on the old.
    const narrowed = documentsFor([client('acme-corp')]).map((d) => ({
      ...d,
      resources: d.resources.map((r) =>
        r.kind === 'IamBinding' && r.condition?.title === 'batch-workflows:scoring:acme-corp:read'
          ? { ...r, condition: { ...r.condition, expression: r.condition.expression.replace('/acme-corp/', '/acme-corp/outputs/') } }
          : r,
      ),
    }));
    const old = (await env.apis.projectIam.getPolicy(DEV.project)).bindings.find((b) => b.members.includes(bob))!;
    const changed = await applyDocs(env, narrowed, { prune: true });
    assertOk(changed);
    assert.equal(pending(changed.plan), [`update IamBinding projects/${DEV.project} roles/storage.objectViewer ${SA('acme-corp')} [batch-workflows:scoring:acme-corp:read]`]);
    const moved = await env.apis.projectIam.getPolicy(DEV.project);
    assert.ok(moved.bindings.some((b) => JSON.stringify(b) === JSON.stringify({ ...old, members: [bob] })), JSON.stringify(moved.bindings));
    assert.ok(moved.bindings.some((b) => b.condition?.expression.includes('/acme-corp/outputs/') && JSON.stringify(b.members) === JSON.stringify([SA('acme-corp')])));
    const pruned = await applyDocs(env, documentsFor([]), { prune: true });
    assertOk(pruned);
    assert.not.ok(pruned.plan.changes.some((c) => c.name.includes(bob)), JSON.stringify(pending(pruned.plan)));
    const after = await env.apis.projectIam.getPolicy(DEV.project);
    const kept = after.bindings.filter((b) => b.members.includes(bob));
    assert.equal(kept.length, 1);
    assert.equal(kept[0]!.members, [bob]);
    assert.is(kept[0]!.condition?.title, 'batch-workflows:scoring:acme-corp:read');
    assert.not.ok(JSON.stringify(after.bindings).includes(SA('acme-corp')));
  });
});

test('our client account deleted by hand (its grants now name deleted:serviceAccount:…): apply recreates it and --prune clears the dead grants', async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([client('acme-corp')]);
    assertOk(await applyDocs(env, docs));
    const member = SA('acme-corp');
    const dead = `deleted:${member}?uid=112233445566`;
    await env.apis.serviceAccounts.delete(`projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`);
    // What Google shows after the account is deleted; a foreign binding naming it too.
    const foreign = { role: 'roles/viewer', members: [dead, 'user:carol@example.com'] };
    await setPolicy(env, (p) => ({ ...p, bindings: [...p.bindings.map((b) => ({ ...b, members: b.members.map((m) => (m === member ? dead : m)) })), foreign] }));
    const plan = await makePlan(env.apis, docs, { prune: true });
    assert.equal(plan.changes.filter((c) => c.action === 'delete').map((c) => c.name.split(' ')[1]), [dead, dead, dead]);
    assertOk(await applyDocs(env, docs, { prune: true }));
    const after = await env.apis.projectIam.getPolicy(DEV.project);
    assert.ok(after.bindings.some((b) => JSON.stringify(b) === JSON.stringify(foreign)));
    const ours = after.bindings.filter((b) => b.condition?.title.startsWith('batch-workflows:scoring:acme-corp:'));
    assert.equal(ours.map((b) => b.members), [[member], [member], [member]]);
    assert.equal(pending(await makePlan(env.apis, docs, { prune: true })), []);

    // Deleted by hand again, and then the client leaves: its dead grants under our titles are still ours to prune.
    await env.apis.serviceAccounts.delete(`projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`);
    await setPolicy(env, (p) => ({ ...p, bindings: p.bindings.map((b) => ({ ...b, members: b.members.map((m) => (m === member ? dead : m)) })) }));
    assertOk(await applyDocs(env, documentsFor([]), { prune: true }));
    const last = await env.apis.projectIam.getPolicy(DEV.project);
    assert.not.ok(last.bindings.some((b) => b.condition?.title.startsWith('batch-workflows:scoring:acme-corp:')), JSON.stringify(last.bindings));
    assert.ok(last.bindings.some((b) => JSON.stringify(b) === JSON.stringify(foreign)));
  });
});

test('a secret policy with another team\'s conditional grant to our product account: read as v3, kept through grant and revoke', async () => {
  await withSandbox({}, async (env) => {
    env.sandbox.state.addSecretVersion(DEV.project, 'acme-slack', 'https://hooks.slack.com/services/T/B/acme');
    const secret = SECRET('acme-slack');
    const conditional: IamPolicyBinding = { role: ACCESSOR, members: [SA('scoring'), 'user:dave@example.com'], condition: { title: 'until 2030', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' } };
    const current = (await env.apis.secrets.getPolicy(secret))!;
    await env.apis.secrets.setPolicy(secret, { ...current, bindings: [conditional] });
    const slack = client('acme-corp', { notify: [{ type: 'slack', secret: 'acme-slack', on: 'failure' }] });
    assertOk(await applyDocs(env, documentsFor([slack])));
    assert.equal((await env.apis.secrets.getPolicy(secret))!.bindings, [conditional, { role: ACCESSOR, members: [SA('scoring')] }]);
    assertOk(await applyDocs(env, documentsFor([client('acme-corp')]), { prune: true }));
    assert.equal((await env.apis.secrets.getPolicy(secret))!.bindings, [conditional]);
  });
});

test('--client narrows secret access to the secrets that client names: granted when it starts notifying, revoked with it on --prune (a grant another client needs stays)', async () => {
  await withSandbox({}, async (env) => {
    const { state } = env.sandbox;
    for (const id of ['acme-slack', 'shared-hook', 'globex-slack']) state.addSecretVersion(DEV.project, id, `https://hooks.slack.com/services/T/B/${id}`);
    const notify = (...secrets: string[]) => ({ notify: secrets.map((secret) => ({ type: 'slack' as const, secret, on: 'failure' as const })) });
    const globex = client('globex-inc', notify('globex-slack', 'shared-hook'));
    assertOk(await applyDocs(env, documentsFor([client('acme-corp'), globex])));

    // acme-corp starts notifying, applied for that client alone.
    const acme = client('acme-corp', notify('acme-slack', 'shared-hook'));
    const narrowed = await applyDocs(env, documentsFor([acme, globex]), { clientFilter: 'acme-corp' });
    assertOk(narrowed);
    assert.ok(narrowed.plan.changes.some((c) => c.action === 'create' && c.key === `SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${SA('scoring')}`), JSON.stringify(pending(narrowed.plan)));
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);
    assert.equal(pending(await makePlan(env.apis, documentsFor([acme, globex]))), []);

    // acme-corp leaves, pruned for that client alone: its secret's grant goes, the shared and globex's stay.
    const pruned = await applyDocs(env, documentsFor([globex]), { clientFilter: 'acme-corp', prune: true });
    assertOk(pruned);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, []);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('shared-hook')))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('globex-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);
    assert.is(state.getObject(DEV.bucket, 'scoring/_settings/acme-corp.json'), undefined);
    assert.equal(pending(await makePlan(env.apis, documentsFor([globex]), { prune: true })), []);
  });
});

test.run();
