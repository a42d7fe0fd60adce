/**
 * Adversarial ownership tests through the real adapters against the local sandbox: a second product
 * sharing the project and the bucket, look-alike condition titles, mixed bindings, prefix client
 * names, --client narrowing and --adopt. Each asserts what a user would see in their project.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { UserError } from '../../src/diagnostics.ts';
import type { Client } from '../../src/config/client-schema.ts';
import type { IamPolicy, IamPolicyBinding } from '../../src/resources/live.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { product } from '../../workflows/product.ts';
import { DEV, client, documentsFor, productDocuments } from '../plan/fake-cloud.ts';
import { addClientSecret, assertAllDone, pending, quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

type Env = SandboxEnv;

/** A second product deployed to the same project and bucket. */
const ranking = { ...product, name: 'ranking', displayName: 'Batch ranking' };
function rankingDocuments(clients: readonly Client[]): ResourceDocument[] {
  return productDocuments(ranking, clients, (file) => `# ranking ${file}\nmain:\n  steps:\n    - done:\n        return: 2\n`);
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
    assertAllDone(outcome.result, label);
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
  // Managed folders with their policies (issue 9: client access lives there).
  const names = await apis.managedFolders.list(DEV.bucket, '');
  const folders = await Promise.all(names.map(async (name) => ({ name, bindings: (await apis.resourceIam.getPolicy('managedFolder', `gs://${DEV.bucket}/${name}`))?.bindings ?? [] })));
  return { accounts, topics, workflows, triggers, jobs, bindings: policy.bindings, auditConfigs: policy.auditConfigs, objects, folders };
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
      .filter((g) => (g.condition ? g.condition.title.startsWith(`batch-workflows:${name}:`) : g.member === SA(name) || g.member === SA(`${name}-worker`))),
    objects: snap.objects.filter((o) => o.metadata?.product === name),
    folders: snap.folders.filter((f) => f.name.startsWith(`${name}/`)),
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
      const plan = await makePlan(env.apis, ours, { adopt, clock: quickClock });
      const conflicts = plan.changes.filter((c) => c.action === 'conflict').map((c) => c.key);
      assert.equal(
        conflicts.sort(),
        [
          `RunSettings gs://${DEV.bucket}/scoring/_settings/acme-corp.json`,
          `ServiceAccount projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`,
          `Topic ${topic.name}`,
          // The topic's own policy shares the topic's owner.
          `ResourcePolicy ${topic.name}`,
        ].sort(),
        `adopt=${adopt}`,
      );
      assert.equal(plan.summary.adopt, 0, `adopt=${adopt}`);
      // Issue 10 item 10: a name both products derive is a located error, so apply refuses to start
      // (it used to apply the rest and skip the conflicts; now nothing is written at all).
      assert.equal(
        plan.errors.filter((e) => e.message.includes('must not derive the same name')).map((e) => `${e.file} ${e.message.split(' that ')[0]}`),
        [
          `clients/acme-corp.json the service account ${SA('acme-corp').replace('serviceAccount:', `projects/${DEV.project}/serviceAccounts/`)}`,
          `clients/acme-corp.json the Pub/Sub topic ${topic.name}`,
        ],
        `adopt=${adopt}`,
      );
      const refused = await applyDocs(env, ours, { adopt }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.instance(refused, UserError, `adopt=${adopt}`);
      assert.equal(await snapshot(env), before, `adopt=${adopt}: nothing written, of either product`);
    }
    // ranking still sees nothing to change: scoring's runs did not touch its resources.
    const rankingPlan = await makePlan(env.apis, rankingDocuments([client('acme-corp')]));
    assert.equal(
      pending(rankingPlan).filter((p) => !p.startsWith('orphan ')),
      [],
    );
  });
});

test('two products in one project and bucket: pruning every client of one leaves the other product whole', async () => {
  await withSandbox({}, async (env) => {
    // A notification secret is one client's of one product (its labels say whose): each product names its own.
    addClientSecret(env.sandbox, 'globex-ranking-slack', 'https://hooks.slack.com/services/T/B/globex', 'globex-inc', 'ranking');
    addClientSecret(env.sandbox, 'acme-slack', 'https://hooks.slack.com/services/T/B/acme', 'acme-corp');
    const slack = (name: string, secret: string): Client => client(name, { notify: [{ type: 'slack', secret, on: 'failure' }] });
    const rankingClients = [slack('globex-inc', 'globex-ranking-slack'), client('initech-llc', { schedule: { cron: '0 6 * * *', timeZone: 'Etc/UTC' } })];
    assertOk(await applyDocs(env, rankingDocuments(rankingClients)));
    assertOk(await applyDocs(env, documentsFor([slack('acme-corp', 'acme-slack'), client('hooli-xyz', { schedule: { cron: '0 7 * * *', timeZone: 'Etc/UTC' } })])));
    const before = await snapshot(env);
    assert.ok(ofProduct(before, 'ranking').objects.length === 2 && ofProduct(before, 'scoring').objects.length === 2);
    // Each product's settings folder and three folders per client, in the one bucket.
    assert.ok(ofProduct(before, 'ranking').folders.length === 7 && ofProduct(before, 'scoring').folders.length === 7);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);

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
    assert.equal(scoring.accounts.map((a) => a.resource.accountId).sort(), ['scoring', 'scoring-worker']);
    assert.equal(
      scoring.folders.map((f) => f.name),
      ['scoring/_settings/'],
    );
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, []);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('globex-ranking-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('ranking')] }]);
    assert.equal(pending(await makePlan(env.apis, rankingDocuments(rankingClients), { prune: true })), []);
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
    assert.ok(
      outcome.plan.changes.every((c) => c.action === 'no-op' || c.owner.client === 'acme-co'),
      JSON.stringify(pending(outcome.plan)),
    );
    const after = await snapshot(env);
    const without = (list: readonly { resource: { owner: { client?: string } } }[]) => list.filter((l) => l.resource.owner.client !== 'acme-co');
    assert.equal(after.accounts, without(before.accounts));
    assert.equal(after.topics, without(before.topics));
    assert.equal(after.triggers, without(before.triggers));
    assert.equal(after.jobs, before.jobs);
    assert.equal(after.workflows, before.workflows);
    assert.equal(
      after.objects,
      before.objects.filter((o) => o.metadata?.client !== 'acme-co'),
    );
    // Nothing of a client's is on the project policy; its folders go, acme-corp's (which "scoring/acme-co" prefixes) stay.
    assert.equal(after.bindings, before.bindings);
    assert.equal(
      after.folders,
      before.folders.filter((f) => !f.name.startsWith('scoring/acme-co/')),
    );
    assert.ok(after.folders.some((f) => f.name === 'scoring/acme-corp/inputs/' && JSON.stringify(f.bindings).includes(SA('acme-corp'))));
    assert.equal(after.auditConfigs, before.auditConfigs);
  });
});

test("look-alike condition titles survive apply --prune of their client for every other member; our client accounts' grants in them are legacy access, revoked", async () => {
  await withSandbox({}, async (env) => {
    assertOk(await applyDocs(env, documentsFor([client('acme-corp'), client('acme-co')])));
    const member = SA('acme-corp');
    // Conditions that read like the ones batch-workflows wrote before issue 9, under titles that are not ours.
    const read = { role: 'roles/storage.objectViewer', condition: { title: '', expression: `resource.name.startsWith("projects/_/buckets/${DEV.bucket}/objects/scoring/acme-corp/")` } };
    const lookalike = (title: string): IamPolicyBinding => ({ role: read.role, members: [member], condition: { ...read.condition, title } });
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
      { role: read.role, members: ['user:bob@example.com', SA('acme-co')], condition: { ...read.condition, title: 'batch-workflows scoring acme-corp read' } },
    ];
    await setPolicy(env, (p) => ({
      ...p,
      bindings: [...p.bindings, ...foreign],
      auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_READ', exemptedMembers: [member] }] }],
    }));

    const outcome = await applyDocs(env, documentsFor([client('acme-co')]), { prune: true });
    assertOk(outcome);
    const after = await env.apis.projectIam.getPolicy(DEV.project);
    // Issue 10 item 3: a grant held by our client account (acme-corp, pruned; acme-co, kept) that
    // generated/ does not ask for is legacy access, revoked by --prune for that member alone.
    const ours = new Set([member, SA('acme-co')]);
    for (const binding of foreign) {
      const members = binding.members.filter((m) => !ours.has(m));
      if (members.length === 0) continue;
      const kept = { ...binding, members };
      assert.ok(
        after.bindings.some((b) => JSON.stringify(b) === JSON.stringify(kept)),
        `lost ${JSON.stringify(kept)}`,
      );
    }
    assert.not.ok(
      after.bindings.some((b) => b.members.some((m) => ours.has(m))),
      'a legacy grant of our client accounts is left',
    );
    // The client's own grants lived on its folders, which the prune removed.
    assert.not.ok((await env.apis.managedFolders.list(DEV.bucket, 'scoring/acme-corp/')).length, 'acme-corp folders left');
    // The audit config is only ever added to: DATA_WRITE joins, the exemption stays.
    assert.equal(after.auditConfigs, [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_READ', exemptedMembers: [member] }, { logType: 'DATA_WRITE' }] }]);
    assert.equal(pending(await makePlan(env.apis, documentsFor([client('acme-co')]), { prune: true })), []);
  });
});

test('on our folder, the roles we grant there are ours wholesale: a person added to one is revoked; a conditional grant or another role stays', async () => {
  await withSandbox({}, async (env) => {
    assertOk(await applyDocs(env, documentsFor([client('acme-corp')])));
    const folder = `gs://${DEV.bucket}/scoring/acme-corp/`;
    const bob = 'user:bob@example.com';
    const conditional: IamPolicyBinding = {
      role: 'roles/storage.objectViewer',
      members: ['user:carol@example.com'],
      condition: { title: 'until 2030', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' },
    };
    const other: IamPolicyBinding = { role: 'roles/storage.objectAdmin', members: ['group:ops@example.com'] };
    // What `gcloud storage managed-folders add-iam-policy-binding` does, three times.
    const current = (await env.apis.resourceIam.getPolicy('managedFolder', folder))!;
    await env.apis.resourceIam.setPolicy('managedFolder', folder, {
      ...current,
      bindings: [...current.bindings.map((b) => (b.role === 'roles/storage.objectViewer' ? { ...b, members: [...b.members, bob] } : b)), conditional, other],
    });
    const plan = await makePlan(env.apis, documentsFor([client('acme-corp')]));
    assert.equal(pending(plan), [`update ResourcePolicy ${folder}`]);
    const change = plan.changes.find((c) => c.action === 'update');
    assert.ok(change?.action === 'update');
    assert.equal(
      change.fields.map((f) => [f.path, f.before, f.after]),
      [['bindings.roles/storage.objectViewer[2]', bob, undefined]],
    );
    assertOk(await applyDocs(env, documentsFor([client('acme-corp')])));
    const after = (await env.apis.resourceIam.getPolicy('managedFolder', folder))!;
    assert.not.ok(JSON.stringify(after.bindings).includes(bob));
    for (const kept of [conditional, other])
      assert.ok(
        after.bindings.some((b) => JSON.stringify(b) === JSON.stringify(kept)),
        `lost ${JSON.stringify(kept)}`,
      );
    assert.equal(pending(await makePlan(env.apis, documentsFor([client('acme-corp')]), { prune: true })), []);
  });
});

test('our client account deleted by hand (its grants now name deleted:serviceAccount:…): apply recreates it and grants the new one; --prune clears the dead grants', async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([client('acme-corp')]);
    assertOk(await applyDocs(env, docs));
    const member = SA('acme-corp');
    const dead = `deleted:${member}?uid=112233445566`;
    const folders = [`gs://${DEV.bucket}/scoring/acme-corp/`, `gs://${DEV.bucket}/scoring/acme-corp/inputs/`];
    const killAccount = async () => {
      await env.apis.serviceAccounts.delete(`projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`);
      // What Google shows on the account's grants after it is deleted.
      for (const folder of folders) {
        const p = (await env.apis.resourceIam.getPolicy('managedFolder', folder))!;
        await env.apis.resourceIam.setPolicy('managedFolder', folder, { ...p, bindings: p.bindings.map((b) => ({ ...b, members: b.members.map((m) => (m === member ? dead : m)) })) });
      }
    };
    await killAccount();
    const plan = await makePlan(env.apis, docs, { prune: true });
    // The inputs/ folder names only the dead account, and is still recognised as ours (named after the client).
    assert.equal(
      pending(plan).sort(),
      [`create ServiceAccount projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`, ...folders.map((f) => `update ResourcePolicy ${f}`)].sort(),
    );
    assertOk(await applyDocs(env, docs, { prune: true }));
    for (const folder of folders) {
      const text = JSON.stringify((await env.apis.resourceIam.getPolicy('managedFolder', folder))!.bindings);
      assert.ok(text.includes(`"${member}"`) && !text.includes('deleted:'), text);
    }
    assert.equal(pending(await makePlan(env.apis, docs, { prune: true })), []);

    // Deleted by hand again, and then the client leaves: its folders, dead grants and all, are still ours to prune.
    await killAccount();
    assertOk(await applyDocs(env, documentsFor([]), { prune: true }));
    assert.equal(await env.apis.managedFolders.list(DEV.bucket, 'scoring/acme-corp/'), []);
  });
});

test("a secret policy with another team's conditional grant to our product account: read as v3, kept through grant and revoke", async () => {
  await withSandbox({}, async (env) => {
    addClientSecret(env.sandbox, 'acme-slack', 'https://hooks.slack.com/services/T/B/acme', 'acme-corp');
    const secret = SECRET('acme-slack');
    const conditional: IamPolicyBinding = {
      role: ACCESSOR,
      members: [SA('scoring'), 'user:dave@example.com'],
      condition: { title: 'until 2030', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' },
    };
    const current = (await env.apis.secrets.getPolicy(secret))!;
    await env.apis.secrets.setPolicy(secret, { ...current, bindings: [conditional] });
    const slack = client('acme-corp', { notify: [{ type: 'slack', secret: 'acme-slack', on: 'failure' }] });
    assertOk(await applyDocs(env, documentsFor([slack])));
    assert.equal((await env.apis.secrets.getPolicy(secret))!.bindings, [conditional, { role: ACCESSOR, members: [SA('scoring')] }]);
    assertOk(await applyDocs(env, documentsFor([client('acme-corp')]), { prune: true }));
    assert.equal((await env.apis.secrets.getPolicy(secret))!.bindings, [conditional]);
  });
});

test("--client narrows secret access to the secrets that client names: granted when it starts notifying, revoked with it on --prune (other clients' grants stay)", async () => {
  await withSandbox({}, async (env) => {
    const { state } = env.sandbox;
    for (const [id, owner] of [
      ['acme-slack', 'acme-corp'],
      ['acme-hook', 'acme-corp'],
      ['globex-slack', 'globex-inc'],
      ['globex-hook', 'globex-inc'],
    ] as const) {
      addClientSecret(env.sandbox, id, `https://hooks.slack.com/services/T/B/${id}`, owner);
    }
    const notify = (...secrets: string[]) => ({ notify: secrets.map((secret) => ({ type: 'slack' as const, secret, on: 'failure' as const })) });
    const globex = client('globex-inc', notify('globex-slack', 'globex-hook'));
    assertOk(await applyDocs(env, documentsFor([client('acme-corp'), globex])));

    // acme-corp starts notifying, applied for that client alone.
    const acme = client('acme-corp', notify('acme-slack', 'acme-hook'));
    const narrowed = await applyDocs(env, documentsFor([acme, globex]), { clientFilter: 'acme-corp' });
    assertOk(narrowed);
    assert.ok(
      narrowed.plan.changes.some((c) => c.action === 'create' && c.key === `SecretAccess ${SECRET('acme-slack')} ${ACCESSOR} ${SA('scoring')}`),
      JSON.stringify(pending(narrowed.plan)),
    );
    assert.ok(
      narrowed.plan.changes.every((c) => c.kind !== 'SecretAccess' || c.key.includes('/secrets/acme-')),
      'only its own secrets are in a narrowed plan',
    );
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);
    assert.equal(pending(await makePlan(env.apis, documentsFor([acme, globex]))), []);

    // acme-corp leaves, pruned for that client alone: its secrets' grants go, globex's stay.
    const pruned = await applyDocs(env, documentsFor([globex]), { clientFilter: 'acme-corp', prune: true });
    assertOk(pruned);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, []);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-hook')))!.bindings, []);
    for (const id of ['globex-slack', 'globex-hook']) assert.equal((await env.apis.secrets.getPolicy(SECRET(id)))!.bindings, [{ role: ACCESSOR, members: [SA('scoring')] }]);
    assert.is(state.getObject(DEV.bucket, 'scoring/_settings/acme-corp.json'), undefined);
    assert.equal(pending(await makePlan(env.apis, documentsFor([globex]), { prune: true })), []);
  });
});

test.run();
