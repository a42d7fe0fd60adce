import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execute, type ProgressEvent } from '../../src/apply/executor.ts';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import { DEV, client, documentsFor, freshCloud, scheduled, seededRandom, type FakeCloud } from '../plan/fake-cloud.ts';
import { assertForeignKept, randomPolicy } from '../support/policies.ts';
import { noClock } from '../support/clocks.ts';
import { pending } from '../support/pending.ts';

async function applyAll(cloud: FakeCloud, clients: Parameters<typeof documentsFor>[0], options: { prune?: boolean } = {}) {
  const plan = await makePlan(cloud.apis, documentsFor(clients), { clock: noClock, ...options });
  return { plan, result: await execute(plan, cloud.apis, { clock: noClock }) };
}

test('first apply creates everything, in order, with one policy write; a second plan is empty', async () => {
  const cloud = freshCloud();
  const clients = [client('acme-corp'), scheduled('globex-inc')];
  const { result } = await applyAll(cloud, clients);
  assert.ok(result.ok);
  assert.is(result.counts.failed + result.counts.skipped, 0);
  const writes = cloud.mutatingCalls();
  // Managed folders, then their and the topics' and accounts' own policies, come before the settings objects.
  const step = (c: { api: string; method: string }) => (c.method === 'createManagedFolder' ? 'folders' : c.api);
  const stepOrder = ['iam', 'cloudresourcemanager', 'secretmanager', 'pubsub', 'folders', 'resourceIam', 'storage', 'workflows', 'eventarc', 'scheduler'];
  const ranks = writes.map((c) => stepOrder.indexOf(step(c)));
  assert.equal(
    ranks,
    [...ranks].sort((a, b) => a - b),
    writes.map(step).join(' '),
  );
  assert.is(writes.filter((c) => c.api === 'cloudresourcemanager' && c.method === 'setIamPolicy').length, 1);
  assert.ok(cloud.policy.auditConfigs?.some((c) => c.service === 'storage.googleapis.com'));
  const again = await makePlan(cloud.apis, documentsFor(clients), { clock: noClock });
  assert.equal(pending(again), []);
});

test('removing a client deletes its resources only with prune, dependants first', async () => {
  const cloud = freshCloud();
  await applyAll(cloud, [client('acme-corp'), scheduled('globex-inc')]);
  const before = cloud.calls.length;
  const kept = await applyAll(cloud, [client('acme-corp')]);
  assert.is(kept.plan.summary.orphan, 12);
  assert.equal(kept.result.outcomes, []);
  assert.equal(
    cloud.mutatingCalls().filter((_, i) => i >= before),
    [],
  );
  assert.ok(cloud.stores.Topic.has(`projects/${DEV.project}/topics/batch-scoring-globex-inc-outputs`));

  const mark = cloud.calls.length;
  const pruned = await applyAll(cloud, [client('acme-corp')], { prune: true });
  assert.ok(pruned.result.ok);
  const writes = cloud.calls
    .slice(mark)
    .filter((c) => /^delete|setIamPolicy/.test(c.method))
    .map((c) => `${c.method} ${c.api}`);
  // Nothing of a client's is on the project policy any more: its grants go with its policies, before its folders.
  assert.equal(writes, [
    'delete scheduler',
    'delete eventarc',
    'delete storage',
    ...Array(4).fill('setIamPolicy resourceIam'),
    ...Array(3).fill('deleteManagedFolder storage'),
    'delete pubsub',
    'delete iam',
  ]);
  assert.not.ok(cloud.policy.bindings.some((b) => b.members.some((m) => m.includes('globex-inc'))));
  assert.not.ok([...cloud.folders.keys()].some((f) => f.includes('globex-inc')));
  assert.equal(pending(await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock, prune: true })), []);
});

test('operations run concurrently, never more than the bound', async () => {
  const cloud = freshCloud();
  cloud.delayMs = 3;
  const plan = await makePlan(cloud.apis, documentsFor(Array.from({ length: 30 }, (_, i) => client(`client-${String(i).padStart(3, '0')}`))), { clock: noClock });
  cloud.maxInFlight = 0;
  const result = await execute(plan, cloud.apis, { clock: noClock, concurrency: 5 });
  assert.ok(result.ok);
  assert.is(cloud.maxInFlight, 5);
});

test('20% transient errors on every call, reads included, still converge', async () => {
  const cloud = freshCloud();
  const random = seededRandom(42);
  const codes = ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'INTERNAL'] as const;
  let injected = 0;
  cloud.failure = () => {
    if (random() >= 0.2) return undefined;
    injected++;
    // Half of them after the call took effect: the response was lost, so a retried create meets ALREADY_EXISTS.
    return { code: codes[Math.floor(random() * codes.length)]!, after: random() < 0.5 };
  };
  const sleeps: number[] = [];
  const clock = { sleep: async (ms: number) => void sleeps.push(ms), random: seededRandom(7) };
  const clients = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? scheduled(`client-${i}-x`) : client(`client-${i}-x`)));
  const outcome = await planAndApply({ documents: documentsFor(clients), apis: cloud.apis, clock });
  assert.is(outcome.status, 'applied');
  assert.ok(outcome.status === 'applied' && outcome.result.ok, JSON.stringify(outcome.status === 'applied' && outcome.result.outcomes.filter((o) => o.status !== 'done')));
  const rate = injected / cloud.calls.length;
  assert.ok(rate > 0.15 && rate < 0.25, `${injected} failures injected in ${cloud.calls.length} calls`);
  assert.ok(sleeps.length >= injected - 5 && sleeps.every((ms) => ms > 0 && ms <= 20_000));
  cloud.failure = () => undefined;
  assert.equal(pending(await makePlan(cloud.apis, documentsFor(clients), { clock: noClock })), []);
});

test('backoff grows exponentially with jitter and is capped', async () => {
  const { backoffDelay } = await import('../../src/apply/retry.ts');
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 0)),
    [50, 100, 200, 400, 500, 500],
  );
  assert.equal(
    [1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 0.999999)),
    [100, 200, 400, 800, 1000, 1000],
  );
});

test('a permanent failure fails alone: dependants are skipped and reported, the rest is applied', async () => {
  const cloud = freshCloud();
  cloud.failure = (call) => (call.api === 'iam' && call.method === 'create' && call.target.includes('/acme-corp@') ? { code: 'PERMISSION_DENIED' } : undefined);
  const events: ProgressEvent[] = [];
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp'), client('globex-inc')]), { clock: noClock });
  const result = await execute(plan, cloud.apis, { clock: noClock, onProgress: (e) => events.push(e) });
  assert.not.ok(result.ok);
  const failed = result.outcomes.filter((o) => o.status === 'failed');
  assert.equal(
    failed.map((o) => o.name),
    [`projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com`],
  );
  assert.match(failed[0]!.message ?? '', 'PERMISSION_DENIED');
  assert.is(failed[0]!.code, 'PERMISSION_DENIED', 'the outcome carries the code, for the CLI to say which role is missing');
  const skipped = result.outcomes.filter((o) => o.status === 'skipped');
  // Its grants on its folder and its inputs/ folder.
  assert.is(skipped.length, 2);
  assert.ok(skipped.every((o) => o.kind === 'ResourcePolicy' && /needs ServiceAccount .*acme-corp@.* which failed/.test(o.message ?? '')));
  // globex-inc's grants were written; acme-corp's topic, trigger and outputs/ folder do not need its account.
  const inputs = (c: string) => cloud.folders.get(`gs://${DEV.bucket}/scoring/${c}/inputs/`)?.bindings ?? [];
  assert.ok(inputs('globex-inc').some((b) => b.members.some((m) => m.includes('globex-inc@'))));
  assert.equal(inputs('acme-corp'), []);
  assert.ok(cloud.stores.Topic.has(`projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`));
  assert.is(events.filter((e) => e.type === 'outcome').length, result.outcomes.length);
});

test('a create that meets ALREADY_EXISTS succeeds when what exists is ours and as asked; fails when it is not ours', async () => {
  const cloud = freshCloud();
  const docs = documentsFor([client('acme-corp')]);
  const plan = await makePlan(cloud.apis, docs, { clock: noClock });
  // Between plan and apply: a previous interrupted run made the topic, and someone made the trigger by hand.
  const topic = docs[1]!.resources.find((r) => r.kind === 'Topic')!;
  const trigger = docs[1]!.resources.find((r) => r.kind === 'Trigger')!;
  cloud.put(topic);
  cloud.put({ ...trigger, labels: {} } as typeof trigger);
  const result = await execute(plan, cloud.apis, { clock: noClock });
  const byKind = (kind: string) => result.outcomes.find((o) => o.kind === kind)!;
  assert.is(byKind('Topic').status, 'done');
  assert.is(byKind('Topic').message, 'already existed as desired');
  assert.is(byKind('Trigger').status, 'failed');
  assert.match(byKind('Trigger').message ?? '', 'not managed by product scoring');
  assert.equal((cloud.stores.Trigger.get((trigger as { name: string }).name) as { labels: object }).labels, {});
});

test('NOT_FOUND on delete counts as done', async () => {
  const cloud = freshCloud();
  await applyAll(cloud, [client('acme-corp'), client('globex-inc')]);
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock, prune: true });
  cloud.stores.Topic.delete(`projects/${DEV.project}/topics/batch-scoring-globex-inc-outputs`);
  const result = await execute(plan, cloud.apis, { clock: noClock });
  assert.ok(result.ok);
  assert.is(result.outcomes.find((o) => o.kind === 'Topic')?.message, 'already gone');
});

// ---- IAM --------------------------------------------------------------------------------------

test("200 randomized project policies: every foreign binding survives apply and prune byte for byte, less our client account's legacy access after prune", async () => {
  const random = seededRandom(2024);
  for (let i = 0; i < 200; i++) {
    const cloud = freshCloud();
    const original = randomPolicy(random, i);
    cloud.setPolicyDirectly(original);
    const first = await applyAll(cloud, [client('acme-corp'), scheduled('globex-inc')]);
    assert.ok(first.result.ok, `policy ${i}: ${JSON.stringify(first.result.outcomes.filter((o) => o.status !== 'done'))}`);
    assertForeignKept(original, cloud.policy, `policy ${i} after create`);
    const pruned = await applyAll(cloud, [client('acme-corp')], { prune: true });
    assert.ok(pruned.result.ok, `policy ${i} prune`);
    // acme-corp's hand-made grants are legacy access: --prune revokes them, that member only.
    assertForeignKept(original, cloud.policy, `policy ${i} after prune`, new Set(['serviceAccount:acme-corp@scoring-dev-4821.iam.gserviceaccount.com']));
    assert.not.ok(
      cloud.policy.bindings.some((b) => b.members.includes('serviceAccount:acme-corp@scoring-dev-4821.iam.gserviceaccount.com')),
      `policy ${i}`,
    );
    assert.not.ok(
      cloud.policy.bindings.some((b) => b.members.includes('serviceAccount:globex-inc@scoring-dev-4821.iam.gserviceaccount.com')),
      `policy ${i}`,
    );
  }
});

test('an IAM change made between our read and our write: the cycle is retried and both changes survive', async () => {
  const cloud = freshCloud();
  cloud.setPolicyDirectly({ bindings: [{ role: 'roles/viewer', members: ['user:first@example.com'] }] });
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock });
  const late: IamPolicyBinding = { role: 'roles/editor', members: ['user:late@example.com'], condition: { title: 'late', expression: 'true' } };
  cloud.beforeNextSetPolicy = (p) => ({ ...p, bindings: [...p.bindings, late] });
  const events: ProgressEvent[] = [];
  const result = await execute(plan, cloud.apis, { clock: noClock, onProgress: (e) => events.push(e) });
  assert.ok(result.ok);
  assert.is(cloud.calls.filter((c) => c.api === 'cloudresourcemanager' && c.method === 'setIamPolicy').length, 2);
  assert.ok(cloud.policy.bindings.some((b) => JSON.stringify(b) === JSON.stringify(late)));
  assert.ok(cloud.policy.bindings.some((b) => b.members.includes('serviceAccount:scoring-worker@scoring-dev-4821.iam.gserviceaccount.com')));
  assert.ok(events.some((e) => e.type === 'retry' && /IAM policy/.test(e.subject) && /ABORTED/.test(e.reason)));
});

test('a policy that would break a limit when written is refused, named, and nothing else is held back', async () => {
  const cloud = freshCloud();
  const plan = await makePlan(cloud.apis, documentsFor([client('acme-corp')]), { clock: noClock });
  cloud.setPolicyDirectly({ bindings: [{ role: 'roles/viewer', members: Array.from({ length: 1499 }, (_, i) => `user:u${i}@example.com`) }] });
  const result = await execute(plan, cloud.apis, { clock: noClock });
  assert.not.ok(result.ok);
  const iam = result.outcomes.filter((o) => o.kind === 'IamBinding');
  assert.ok(iam.length > 0 && iam.every((o) => o.status === 'failed' && /1,500/.test(o.message ?? '')));
  assert.not.ok(cloud.calls.some((c) => c.api === 'cloudresourcemanager' && c.method === 'setIamPolicy'));
  assert.ok(result.outcomes.filter((o) => o.kind === 'Topic' || o.kind === 'Workflow').every((o) => o.status === 'done'));
});

test('interrupted mid-apply, then re-run: converges with nothing left over', async () => {
  const cloud = freshCloud();
  const clients = Array.from({ length: 10 }, (_, i) => scheduled(`client-${i}-x`));
  const controller = new AbortController();
  const plan = await makePlan(cloud.apis, documentsFor(clients), { clock: noClock });
  let started = 0;
  const result = await execute(plan, cloud.apis, {
    clock: noClock,
    signal: controller.signal,
    onProgress: (e) => {
      if (e.type === 'start' && e.change.kind === 'Topic' && ++started === 4) controller.abort();
    },
  });
  assert.not.ok(result.ok);
  assert.ok(result.outcomes.some((o) => o.status === 'skipped' && /interrupted/.test(o.message ?? '')));
  assert.is(cloud.stores.SchedulerJob.size, 0);
  const rerun = await planAndApply({ documents: documentsFor(clients), apis: cloud.apis, clock: noClock });
  assert.ok(rerun.status === 'applied' && rerun.result.ok);
  assert.equal(pending(await makePlan(cloud.apis, documentsFor(clients), { clock: noClock })), []);
});

test('planAndApply refuses before any write when a precondition fails, and asks before applying', async () => {
  const cloud = freshCloud();
  cloud.buckets.clear();
  const refusal = await planAndApply({ documents: documentsFor([client('acme-corp')]), apis: cloud.apis, clock: noClock }).then(
    () => undefined,
    (error: Error) => error,
  );
  assert.match(refusal?.message ?? 'no error', /gcloud storage buckets create/);
  assert.equal(cloud.mutatingCalls(), []);
  cloud.buckets.add(DEV.bucket);
  const declined = await planAndApply({ documents: documentsFor([client('acme-corp')]), apis: cloud.apis, clock: noClock, confirm: async () => false });
  assert.is(declined.status, 'declined');
  assert.equal(cloud.mutatingCalls(), []);
});

test('adopt takes over a hand-made resource: fields brought to desired values, ownership marks added', async () => {
  const cloud = freshCloud();
  const docs = documentsFor([client('acme-corp')]);
  const sa = docs[1]!.resources.find((r) => r.kind === 'ServiceAccount')!;
  cloud.put({ ...sa, description: 'made with the gcloud runbook', displayName: 'acme' } as typeof sa);
  const conflict = await planAndApply({ documents: docs, apis: cloud.apis, clock: noClock });
  assert.ok(conflict.status === 'applied' && !conflict.result.ok);
  assert.is((cloud.stores.ServiceAccount.get((sa as { name: string }).name) as { description: string }).description, 'made with the gcloud runbook');
  assert.not.ok(
    cloud.policy.bindings.some((b) => b.members.some((m) => m.includes('acme-corp@'))),
    'no grants to an account we do not own',
  );
  const adopted = await planAndApply({ documents: docs, apis: cloud.apis, clock: noClock, adopt: true });
  assert.ok(adopted.status === 'applied' && adopted.result.ok);
  assert.match((cloud.stores.ServiceAccount.get((sa as { name: string }).name) as { description: string }).description, '[managed-by=batch-workflows product=scoring client=acme-corp]');
  assert.equal(pending(await makePlan(cloud.apis, docs, { clock: noClock })), []);
});

test.run();
