/**
 * Plan and apply end to end: the real SDK clients (REST mode) and REST adapters against the local
 * sandbox on 127.0.0.1. Each test starts its own sandbox and stops it, so nothing is shared or left
 * running.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import type { IamPolicy } from '../../src/resources/live.ts';
import { DEV, client, documentsFor, scheduled, seededRandom } from '../plan/fake-cloud.ts';
import { assertForeignKept, randomPolicy } from '../support/policies.ts';
import { assertApplied, pending, quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

type Env = SandboxEnv;

async function apply(env: Env, clients: Parameters<typeof documentsFor>[0], options: { prune?: boolean; adopt?: boolean } = {}) {
  const outcome = await planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock, ...options });
  return outcome;
}

test('first apply creates everything in generated/; a second plan is empty and costs a few calls', async () => {
  await withSandbox({}, async (env) => {
    const clients = [client('acme-corp'), scheduled('globex-inc')];
    const first = await apply(env, clients);
    assertApplied(first);
    assert.is(first.plan.summary.create, documentsFor(clients).flatMap((d) => d.resources).length);
    const live = await env.apis.triggers.list(DEV.project, 'global');
    assert.equal(live.map((l) => l.resource.name).sort(), [
      `projects/${DEV.project}/locations/global/triggers/batch-scoring-acme-corp`,
      `projects/${DEV.project}/locations/global/triggers/batch-scoring-globex-inc`,
    ]);
    assert.ok(live.every((l) => l.owned));
    const policy = await env.apis.projectIam.getPolicy(DEV.project);
    assert.ok(policy.auditConfigs?.some((c) => c.service === 'storage.googleapis.com' && c.auditLogConfigs.some((l) => l.logType === 'DATA_WRITE')));
    env.apis.calls.reset();
    const second = await makePlan(env.apis, documentsFor(clients));
    assert.equal(pending(second), []);
    // A handful of list calls, plus one policy read per resource with its own policy (issue 9): the
    // managed folders (the settings folder and three per client), the topics and the service accounts.
    const calls = env.apis.calls.snapshot() as Record<string, number>;
    const policyReads = Object.entries(calls).filter(([k]) => k.endsWith('getIamPolicy') && !k.startsWith('cloudresourcemanager') && !k.startsWith('secretmanager'));
    assert.equal(Object.fromEntries(policyReads), { 'iam.serviceAccounts.getIamPolicy': 4, 'pubsub.topics.getIamPolicy': 2, 'storage.managedFolders.getIamPolicy': 7 }, JSON.stringify(calls));
    assert.ok(env.apis.calls.total - 13 <= 10, JSON.stringify(calls));
  });
});

test('call logging or a detailed execution history turned on by hand (they would keep webhook URLs) is drift: plan shows it, apply turns it off', async () => {
  await withSandbox({}, async (env) => {
    const clients = [client('acme-corp')];
    assertApplied(await apply(env, clients));
    const name = `projects/${DEV.project}/locations/${DEV.region}/workflows/scoring-batch-inference`;
    // What the console's "Call log level: All calls" and "Execution history: Detailed" do: a PATCH with an update mask.
    const response = await fetch(`${env.sandbox.endpoints.workflows}/v1/${name}?updateMask=callLogLevel,executionHistoryLevel`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ callLogLevel: 'LOG_ALL_CALLS', executionHistoryLevel: 'EXECUTION_HISTORY_DETAILED' }),
    });
    assert.is(response.status, 200);
    const plan = await makePlan(env.apis, documentsFor(clients));
    assert.equal(pending(plan), [`update Workflow ${name}`]);
    const change = plan.changes.find((c) => c.action === 'update');
    assert.ok(change?.action === 'update');
    assert.equal(change.fields, [
      { path: 'callLogLevel', before: 'LOG_ALL_CALLS', after: 'LOG_NONE' },
      { path: 'executionHistoryLevel', before: 'EXECUTION_HISTORY_DETAILED', after: 'EXECUTION_HISTORY_BASIC' },
    ]);
    assertApplied(await apply(env, clients));
    const live = (await env.apis.workflows.list(DEV.project, DEV.region)).find((w) => w.resource.name === name);
    assert.is(live?.resource.callLogLevel, 'LOG_NONE');
    assert.is(live?.resource.executionHistoryLevel, 'EXECUTION_HISTORY_BASIC');
    assert.equal(pending(await makePlan(env.apis, documentsFor(clients))), []);
  });
});

test('editing one client changes only its resources; removing one deletes only with prune', async () => {
  await withSandbox({}, async (env) => {
    assertApplied(await apply(env, [scheduled('acme-corp'), scheduled('globex-inc'), client('initech-llc')]));
    const edited = [scheduled('acme-corp', '15 3 * * *'), scheduled('globex-inc'), client('initech-llc')];
    const plan = await makePlan(env.apis, documentsFor(edited));
    assert.equal(pending(plan), [`update SchedulerJob projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring-acme-corp`]);
    assertApplied(await apply(env, edited));
    assert.equal(pending(await makePlan(env.apis, documentsFor(edited))), []);

    const without = [scheduled('acme-corp', '15 3 * * *'), client('initech-llc')];
    const kept = await apply(env, without);
    assert.is(kept.status, 'no-changes');
    // Account, topic, 3 managed folders and their policies, the topic's policy, settings, trigger, job.
    assert.is(kept.plan.summary.orphan, 12);
    assert.is((await env.apis.topics.list(DEV.project)).length, 3);
    const pruned = await apply(env, without, { prune: true });
    assertApplied(pruned);
    assert.is(pruned.plan.summary.delete, 12);
    assert.not.ok((await env.apis.managedFolders.list(DEV.bucket, 'scoring/')).some((f) => f.includes('globex-inc')));
    assert.equal((await env.apis.topics.list(DEV.project)).map((t) => t.resource.name).sort(), [
      `projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`,
      `projects/${DEV.project}/topics/batch-scoring-initech-llc-outputs`,
    ]);
    const policy = await env.apis.projectIam.getPolicy(DEV.project);
    assert.not.ok(JSON.stringify(policy).includes('globex-inc'));
    assert.equal(pending(await makePlan(env.apis, documentsFor(without), { prune: true })), []);
  });
});

test('an unowned resource with a colliding name is a conflict and untouched; --adopt takes it over', async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([client('acme-corp')]);
    const trigger = docs[1]!.resources.find((r) => r.kind === 'Trigger')!;
    if (trigger.kind !== 'Trigger') throw new Error('unreachable');
    // Made by hand with the old runbook: same name, the seed's filter, no labels.
    const handMade = { ...trigger, labels: { team: 'ml' }, eventFilters: trigger.eventFilters.map((f) => (f.operator ? { ...f, value: f.value.replace('/**', '/*') } : f)) };
    await env.apis.triggers.create(handMade);
    const first = await apply(env, [client('acme-corp')]);
    assert.ok(first.status === 'applied' && !first.result.ok);
    assert.equal(
      first.plan.changes.filter((c) => c.action === 'conflict').map((c) => c.key),
      [`Trigger ${trigger.name}`],
    );
    const untouched = (await env.apis.triggers.list(DEV.project, 'global')).find((l) => l.resource.name === trigger.name)!;
    assert.not.ok(untouched.owned);
    assert.equal(untouched.resource.labels, { team: 'ml' });

    const adopted = await apply(env, [client('acme-corp')], { adopt: true });
    assertApplied(adopted);
    const change = adopted.plan.changes.find((c) => c.action === 'adopt');
    assert.ok(change?.action === 'adopt' && change.fields.some((f) => f.path === 'eventFilters.resourceName.value'));
    const after = (await env.apis.triggers.list(DEV.project, 'global')).find((l) => l.resource.name === trigger.name)!;
    assert.ok(after.owned);
    assert.equal(pending(await makePlan(env.apis, docs)), []);
  });
});

// 200 policies drawn by fast-check run on the pure policy edits (test/plan/policy-edits.test.ts) and
// through the executor on the fake cloud (executor.test.ts); a few here, end to end over HTTP.
const SANDBOX_POLICIES = 8;

test(`${SANDBOX_POLICIES} randomized project policies with foreign bindings all survive an apply byte for byte`, async () => {
  await withSandbox({}, async (env) => {
    const clients = [client('acme-corp'), scheduled('globex-inc')];
    assertApplied(await apply(env, clients));
    const random = seededRandom(99);
    for (let i = 0; i < SANDBOX_POLICIES; i++) {
      // Someone replaced the policy: their grants only, ours gone (conditional and not, audit configs).
      const current = await env.apis.projectIam.getPolicy(DEV.project);
      const foreign = randomPolicy(random, i);
      const written = await env.apis.projectIam.setPolicy(DEV.project, { ...foreign, etag: current.etag });
      const original: IamPolicy = await env.apis.projectIam.getPolicy(DEV.project);
      assert.equal(original.bindings, written.bindings);
      const outcome = await apply(env, clients);
      assertApplied(outcome, `policy ${i}`);
      assert.ok(
        outcome.plan.changes.every((c) => c.action === 'no-op' || c.kind === 'IamBinding' || c.kind === 'AuditConfig'),
        `policy ${i}`,
      );
      const final = await env.apis.projectIam.getPolicy(DEV.project);
      assertForeignKept(original, final, `policy ${i}`);
    }
  });
});

test('a foreign condition keeps every field Google stores (its location too) through an apply that edits the policy', async () => {
  await withSandbox({}, async (env) => {
    // Someone's grant, written straight through the REST API as gcloud or Terraform would.
    const base = `${env.sandbox.endpoints.cloudresourcemanager}/v3/projects/${DEV.project}`;
    const post = async (path: string, body: unknown) =>
      (await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    const theirs = {
      role: 'roles/storage.objectViewer',
      members: ['group:analysts@example.com'],
      condition: { title: 'office hours', description: 'set by the data team', expression: "request.time.getHours('Europe/Paris') >= 9", location: 'iam/analysts.tf:12' },
    };
    const read = await post(':getIamPolicy', { options: { requestedPolicyVersion: 3 } });
    await post(':setIamPolicy', { policy: { version: 3, etag: read.etag, bindings: [theirs] } });
    assertApplied(await apply(env, [client('acme-corp')]));
    const after = await post(':getIamPolicy', { options: { requestedPolicyVersion: 3 } });
    assert.equal(
      after.bindings.find((b: any) => b.condition?.title === 'office hours'),
      theirs,
    );
    assert.ok(after.bindings.length > 1, 'our grants were added next to it');
  });
});

test('an IAM change injected between our read and our write is retried and both survive', async () => {
  await withSandbox({}, async (env) => {
    assertApplied(await apply(env, [client('acme-corp')]));
    // A new client adds nothing to the project policy (issue 9): take one of the product's grants
    // away by hand, so that the next apply writes the project policy again.
    const worker = `serviceAccount:scoring-worker@${DEV.project}.iam.gserviceaccount.com`;
    const read = await env.apis.projectIam.getPolicy(DEV.project);
    await env.apis.projectIam.setPolicy(DEV.project, { ...read, bindings: read.bindings.flatMap((b) => (b.role === 'roles/batch.agentReporter' ? [] : [b])) });
    const late = { role: 'roles/viewer', members: ['user:late@example.com'] };
    env.sandbox.knobs.injectIamChangeBeforeNextSet((policy: IamPolicy) => ({ ...policy, bindings: [...policy.bindings, late] }));
    const retried: string[] = [];
    const outcome = await planAndApply({
      documents: documentsFor([client('acme-corp'), client('globex-inc')]),
      apis: env.apis,
      clock: quickClock,
      onProgress: (e) => {
        if (e.type === 'retry') retried.push(`${e.subject}: ${e.reason}`);
      },
    });
    assertApplied(outcome);
    assert.ok(
      retried.some((r) => /IAM policy/.test(r)),
      retried.join('\n'),
    );
    const policy = await env.apis.projectIam.getPolicy(DEV.project);
    assert.ok(policy.bindings.some((b) => b.role === 'roles/viewer' && b.members.includes('user:late@example.com')));
    assert.ok(policy.bindings.some((b) => b.role === 'roles/batch.agentReporter' && b.members.includes(worker)));
    const inputs = await env.apis.resourceIam.getPolicy('managedFolder', `gs://${DEV.bucket}/scoring/globex-inc/inputs/`);
    assert.ok(inputs?.bindings.some((b) => b.members.includes(`serviceAccount:globex-inc@${DEV.project}.iam.gserviceaccount.com`)));
  });
});

test('20% injected transient errors (and lost responses) still converge', async () => {
  await withSandbox({ transientErrorRate: 0.2, lostResponseRate: 0.1, seed: 5 }, async (env) => {
    const clients = Array.from({ length: 8 }, (_, i) => (i % 2 ? scheduled(`client-${i}-x`) : client(`client-${i}-x`)));
    let retries = 0;
    const outcome = await planAndApply({
      documents: documentsFor(clients),
      apis: env.apis,
      clock: quickClock,
      retry: { maxAttempts: 12, baseDelayMs: 5, maxDelayMs: 20 },
      onProgress: (e) => void (e.type === 'retry' && retries++),
    });
    assertApplied(outcome);
    assert.ok(retries > 5, `${retries} retries`);
    env.sandbox.knobs.transientErrorRate = 0;
    env.sandbox.knobs.lostResponseRate = 0;
    assert.equal(pending(await makePlan(env.apis, documentsFor(clients))), []);
  });
});

test('new service accounts that become visible only later are waited for before they are granted', async () => {
  await withSandbox({ serviceAccountVisibilityDelayMs: 300 }, async (env) => {
    const clients = [client('acme-corp'), client('globex-inc')];
    assertApplied(await apply(env, clients));
    // Granted on the client's own folder once the account is visible.
    const folder = await env.apis.resourceIam.getPolicy('managedFolder', `gs://${DEV.bucket}/scoring/acme-corp/`);
    assert.ok(folder?.bindings.some((b) => b.members.includes(`serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`)));
    assert.equal(pending(await makePlan(env.apis, documentsFor(clients))), []);
  });
});

test('the product bucket missing: plan says how to create it, apply writes nothing', async () => {
  await withSandbox({}, async (env) => {
    env.sandbox.state.remove('buckets', DEV.bucket);
    env.sandbox.stats.reset();
    const error = await apply(env, [client('acme-corp')]).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.match(error?.message ?? '', `gcloud storage buckets create gs://${DEV.bucket}`);
    const methods = Object.keys(env.sandbox.stats.byMethod());
    assert.ok(
      methods.every((m) => /list|get|Get/i.test(m)),
      methods.join(', '),
    );
  });
});

test.run();
