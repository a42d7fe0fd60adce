/**
 * The apply lock against the sandbox (issue 10 item 2): two applies at once, release on every exit
 * path, stale locks, force-unlock, and plan reporting a held lock. Every wait runs on an injected
 * clock whose sleeps resolve on events the test controls, never on the real clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply, type PlanAndApplyInput } from '../../src/apply/index.ts';
import { LockHeldError, acquireLock, forceUnlock, heldLockNote, lockTargetOf, readHeldLock, type LockClock, type LockHolder } from '../../src/apply/lock.ts';
import { CloudError, type CloudApis } from '../../src/gcp/types.ts';
import { UserError } from '../../src/diagnostics.ts';
import { planToJson } from '../../src/plan/format.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

const FOUR = [client('acme-corp'), client('globex-inc'), client('initech-llc'), client('umbrella-co')];
const FIRST_TWO = FOUR.slice(0, 2);
const LAST_TWO = FOUR.slice(2);

/** Resolves once `n` parties have called `arrive()`: both runs have planned before either writes. */
function barrier(n: number): { arrive: () => Promise<void> } {
  let count = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive: () => {
      count += 1;
      if (count === n) open();
      return opened;
    },
  };
}

const clientAccounts = async (env: SandboxEnv) =>
  (await env.apis.serviceAccounts.list(DEV.project)).filter((a) => a.owned && a.resource.owner.client !== undefined).map((a) => a.resource.owner.client);

test('without a lock (the hazard): two prunes with different client sets at once both succeed, and every client is gone', async () => {
  await withSandbox({}, async (env) => {
    const setup = await planAndApply({ documents: documentsFor(FOUR), apis: env.apis, clock: quickClock });
    assert.ok(setup.status === 'applied' && setup.result.ok);
    assert.is((await clientAccounts(env)).length, 4);
    const both = barrier(2);
    const run = (clients: typeof FOUR) => planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock, prune: true, confirm: () => both.arrive().then(() => true) });
    const [a, b] = await Promise.all([run(FIRST_TWO), run(LAST_TWO)]);
    assert.ok(a.status === 'applied' && a.result.ok && a.result.counts.failed === 0);
    assert.ok(b.status === 'applied' && b.result.ok && b.result.counts.failed === 0);
    // Each deleted the other's clients: neither set is left.
    assert.equal(await clientAccounts(env), []);
    const plan = await makePlan(env.apis, documentsFor(FOUR));
    assert.ok(plan.summary.create > 0);
  });
});

const T0 = Date.parse('2026-12-03T09:00:00Z');

/** Virtual time: `sleep` advances it, after `gate` (when given) resolves; the real clock is never read. */
function virtualClock(start = T0, gate?: (ms: number) => Promise<void>): LockClock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      await gate?.(ms);
      now += ms;
    },
  };
}

const holder = (who: string, command = 'apply --env dev --prune --yes'): LockHolder => ({ who, operation: 'apply', command, commit: '3f2a9c1', version: '0.1.0' });

type LockedExtra = Partial<PlanAndApplyInput> & { lockClock?: LockClock; timeoutMs?: number; onWait?: (held: unknown, message: string) => void };

function lockedRun(env: SandboxEnv, clients: typeof FOUR, who: string, extra: LockedExtra = {}) {
  const { lockClock, timeoutMs, onWait, ...rest } = extra;
  return planAndApply({
    documents: documentsFor(clients),
    apis: env.apis,
    clock: quickClock,
    prune: true,
    lock: { store: env.apis.storage, holder: holder(who), options: { clock: lockClock ?? virtualClock(), timeoutMs: timeoutMs ?? 0, ...(onWait ? { onWait } : {}) } },
    ...rest,
  });
}

async function setUp(env: SandboxEnv) {
  const setup = await planAndApply({ documents: documentsFor(FOUR), apis: env.apis, clock: quickClock });
  assert.ok(setup.status === 'applied' && setup.result.ok);
}

const target = lockTargetOf(documentsFor(FOUR));
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

test('the lock lives at gs://BUCKET/PRODUCT/_locks/ENV.lock', () => {
  assert.equal(target, { bucket: DEV.bucket, object: 'scoring/_locks/dev.lock', environment: 'dev' });
});

test("two locked prunes started at once: exactly one applies, the other fails naming the holder; the winner's clients remain", async () => {
  await withSandbox({}, async (env) => {
    await setUp(env);
    const [a, b] = await Promise.all([settle(lockedRun(env, FIRST_TWO, 'ci-job-1')), settle(lockedRun(env, LAST_TWO, 'ci-job-2'))]);
    const winners = [a, b].filter((r) => 'value' in r);
    const losers = [a, b].flatMap((r) => ('error' in r ? [r.error] : []));
    assert.is(winners.length, 1);
    assert.is(losers.length, 1);
    const won = winners[0]!;
    assert.ok('value' in won && won.value.status === 'applied' && won.value.result.ok);
    const lost = losers[0];
    assert.instance(lost, LockHeldError);
    const winner = won === a ? 'ci-job-1' : 'ci-job-2';
    assert.is((lost as LockHeldError).held.Who, winner);
    assert.match((lost as LockHeldError).message, winner);
    assert.match((lost as LockHeldError).message, 'apply --env dev --prune --yes');
    assert.equal((await clientAccounts(env)).sort(), (won === a ? FIRST_TWO : LAST_TWO).map((c) => c.name).sort());
    assert.is(await readHeldLock(env.apis.storage, target), undefined, 'released after success');
  });
});

/**
 * alice's apply of FIRST_TWO, stopped at its confirmation prompt: it has planned and holds the lock
 * until the test calls `letGo`.
 */
async function aliceHoldsTheLock(env: SandboxEnv) {
  let planned!: () => void;
  const aPlanned = new Promise<void>((r) => (planned = r));
  let letGo!: () => void;
  const aMayGo = new Promise<void>((r) => (letGo = r));
  const run = lockedRun(env, FIRST_TWO, 'alice@laptop', { confirm: async () => (planned(), await aMayGo, true) });
  await aPlanned;
  return { run, letGo };
}

test('a second apply while one holds the lock fails at once (default --lock-timeout 0) with who, since when and the command; nothing of it is written', async () => {
  await withSandbox({}, async (env) => {
    await setUp(env);
    const { run: a, letGo } = await aliceHoldsTheLock(env);
    env.apis.calls.reset();
    const b = await settle(lockedRun(env, LAST_TWO, 'ci-job-2', { lockClock: virtualClock(T0 + 4 * 60_000) }));
    assert.ok('error' in b);
    const error = b.error as LockHeldError;
    assert.instance(error, LockHeldError);
    assert.is(error.reason, 'held');
    assert.match(
      error.message,
      /another apply holds the lock gs:\/\/scoring-dev-4821-batch\/scoring\/_locks\/dev\.lock: alice@laptop since 2026-12-03T09:00:00\.000Z \(4m ago\), running "apply --env dev --prune --yes" at commit 3f2a9c1 \(lock ID \d+\)/,
    );
    assert.match(error.diagnostics[0]!.fix ?? '', `npm run force-unlock -- --env dev ${error.held.ID}`);
    // B made only lock calls: one refused create and the two reads of the lock.
    assert.equal(env.apis.calls.snapshot(), { 'storage.objects.get': 2, 'storage.objects.insert': 1 });
    letGo();
    const done = await a;
    assert.ok(done.status === 'applied' && done.result.ok);
    assert.equal((await clientAccounts(env)).sort(), ['acme-corp', 'globex-inc']);
    assert.is(await readHeldLock(env.apis.storage, target), undefined);
  });
});

test('with --lock-timeout the second apply waits, says for whom, and applies after the first released the lock', async () => {
  await withSandbox({}, async (env) => {
    await setUp(env);
    const { run: a, letGo } = await aliceHoldsTheLock(env);
    const aDone = a.then(() => undefined);
    let waiting!: (message: string) => void;
    const bWaits = new Promise<string>((r) => (waiting = r));
    // B's sleeps end once A has finished: an event, not a guessed duration.
    const clock = virtualClock(T0, () => aDone);
    const b = lockedRun(env, LAST_TWO, 'ci-job-2', { lockClock: clock, timeoutMs: 10 * 60_000, onWait: (_held, message) => waiting(message) });
    // If B did not wait (no lock), it settles first: fail, and let A go so nothing hangs.
    const first = await Promise.race([
      bWaits,
      b.then(
        () => 'B ran without waiting',
        () => 'B failed without waiting',
      ),
    ]);
    if (!first.startsWith('waiting')) letGo();
    const message = first;
    assert.match(
      message,
      /^waiting up to 10m for the apply lock gs:\/\/scoring-dev-4821-batch\/scoring\/_locks\/dev\.lock, held by alice@laptop since 2026-12-03T09:00:00\.000Z \(0s ago\), running "apply --env dev --prune --yes"/,
    );
    letGo();
    const [applied, second] = await Promise.all([a, b]);
    assert.ok(applied.status === 'applied' && applied.result.ok);
    assert.ok(second.status === 'applied' && second.result.ok, 'B applied after A');
    assert.equal(clock.sleeps, [2000]);
    assert.equal((await clientAccounts(env)).sort(), ['initech-llc', 'umbrella-co']);
    assert.is(await readHeldLock(env.apis.storage, target), undefined);
  });
});

test('--lock-timeout runs out: polls every 2s of the injected clock, then fails naming the holder', async () => {
  await withSandbox({}, async (env) => {
    const held = await acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock() });
    const clock = virtualClock(T0 + 60_000);
    const refused = await settle(acquireLock(env.apis.storage, target, holder('ci-job-2'), { clock, timeoutMs: 5000 }));
    assert.ok('error' in refused);
    const error = refused.error as LockHeldError;
    assert.is(error.reason, 'timeout');
    assert.equal(clock.sleeps, [2000, 2000, 1000]);
    assert.match(error.message, `after waiting 5s: alice@laptop since 2026-12-03T09:00:00.000Z (1m05s ago)`);
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, held.id, 'the holder keeps its lock');
    assert.is(await held.release(), undefined);
  });
});

test('Ctrl-C while waiting for the lock ends the wait: the run fails without the lock, the holder keeps it', async () => {
  await withSandbox({}, async (env) => {
    const held = await acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock() });
    const controller = new AbortController();
    // A sleep that never ends by itself: only the abort can stop the wait.
    const clock = virtualClock(T0, () => new Promise<void>(() => undefined));
    const refused = await settle(acquireLock(env.apis.storage, target, holder('ci-job-2'), { clock, timeoutMs: 3_600_000, signal: controller.signal, onWait: () => controller.abort() }));
    assert.ok('error' in refused);
    assert.is((refused.error as LockHeldError).reason, 'interrupted');
    assert.match((refused.error as Error).message, 'interrupted while waiting for the apply lock');
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, held.id);
    await held.release();
  });
});

test("the sandbox answers the lock's preconditions as Cloud Storage does: 412 conditionNotMet on an upload with ifGenerationMatch=0 over an object, and on a delete of another generation", async () => {
  await withSandbox({}, async (env) => {
    const base = env.sandbox.endpoints.storage;
    const name = encodeURIComponent('scoring/_locks/raw.lock');
    const upload = () =>
      fetch(`${base}/upload/storage/v1/b/${DEV.bucket}/o?uploadType=media&name=${name}&ifGenerationMatch=0`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const first = await upload();
    assert.is(first.status, 200);
    const generation = ((await first.json()) as { generation: string }).generation;
    const second = await upload();
    assert.is(second.status, 412);
    const body = (await second.json()) as { error: { code: number; errors: { reason: string }[] } };
    assert.is(body.error.code, 412);
    assert.is(body.error.errors[0]?.reason, 'conditionNotMet');
    const wrongDelete = await fetch(`${base}/storage/v1/b/${DEV.bucket}/o/${name}?ifGenerationMatch=${BigInt(generation) + 1n}`, { method: 'DELETE' });
    assert.is(wrongDelete.status, 412);
    const rightDelete = await fetch(`${base}/storage/v1/b/${DEV.bucket}/o/${name}?ifGenerationMatch=${generation}`, { method: 'DELETE' });
    assert.is(rightDelete.status, 204);
  });
});

test('the lock records who, when, the command, the commit and its path; its id is the object generation', async () => {
  await withSandbox({}, async (env) => {
    const lock = await acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock() });
    const object = env.sandbox.state.getObject(DEV.bucket, target.object);
    assert.is(object?.generation, lock.id);
    const stored = JSON.parse(Buffer.from(object!.data, 'base64').toString('utf8'));
    assert.equal(Object.keys(stored), ['Operation', 'Info', 'Who', 'Version', 'Created', 'Path', 'Command', 'Commit', 'Run']);
    assert.equal(
      { ...stored, Run: undefined },
      {
        Operation: 'apply',
        Info: 'batch-workflows apply of environment dev',
        Who: 'alice@laptop',
        Version: '0.1.0',
        Created: '2026-12-03T09:00:00.000Z',
        Path: `gs://${DEV.bucket}/scoring/_locks/dev.lock`,
        Command: 'apply --env dev --prune --yes',
        Commit: '3f2a9c1',
        Run: undefined,
      },
    );
    await lock.release();
    assert.is(env.sandbox.state.getObject(DEV.bucket, target.object), undefined);
  });
});

/** The sandbox's APIs with one adapter method replaced. */
function withFault<K extends keyof CloudApis>(apis: CloudApis, api: K, method: string, error: CloudError): CloudApis {
  const original = apis[api] as unknown as Record<string, (...args: unknown[]) => unknown>;
  const replaced = Object.create(original) as Record<string, unknown>;
  replaced[method] = () => Promise.reject(error);
  return { ...apis, [api]: replaced };
}

test('the lock is released after an apply with failed operations, and after a run that throws', async () => {
  await withSandbox({}, async (env) => {
    const failing = withFault(env.apis, 'topics', 'create', new CloudError('PERMISSION_DENIED', 'injected: pubsub.topics.create denied', 403));
    const outcome = await lockedRun(env, FIRST_TWO, 'alice@laptop', { apis: failing });
    assert.ok(outcome.status === 'applied' && !outcome.result.ok && outcome.result.counts.failed > 0);
    assert.is(await readHeldLock(env.apis.storage, target), undefined, 'released after failed operations');

    const throwing = withFault(env.apis, 'projectIam', 'getPolicy', new CloudError('PERMISSION_DENIED', 'injected: getIamPolicy denied', 403));
    const thrown = await settle(lockedRun(env, FIRST_TWO, 'alice@laptop', { apis: throwing }));
    assert.ok('error' in thrown && thrown.error instanceof CloudError && /injected/.test(thrown.error.message));
    assert.is(await readHeldLock(env.apis.storage, target), undefined, 'released after a throw');
  });
});

test('a lock older than its 1 h time-to-live is reported, with the force-unlock command, never taken over', async () => {
  await withSandbox({}, async (env) => {
    const old = await acquireLock(env.apis.storage, target, holder('ci-job-7'), { clock: virtualClock(T0) });
    const clock = virtualClock(T0 + 2 * 3_600_000 + 5 * 60_000);
    const refused = await settle(acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock, timeoutMs: 30 * 60_000 }));
    assert.ok('error' in refused);
    const error = refused.error as LockHeldError;
    assert.is(error.reason, 'stale');
    assert.match(error.message, 'taken by ci-job-7 since 2026-12-03T09:00:00.000Z (2h05m ago)');
    assert.match(error.message, 'older than its 1h00m time-to-live');
    assert.match(error.diagnostics[0]!.fix ?? '', `npm run force-unlock -- --env dev ${old.id}`);
    assert.equal(clock.sleeps, [], 'a stale lock is not waited for');
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, old.id, 'still there');
    // Within its TTL the same lock is only "held".
    const fresh = await settle(acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock(T0 + 59 * 60_000) }));
    assert.ok('error' in fresh && (fresh.error as LockHeldError).reason === 'held');
  });
});

test("force-unlock refuses a wrong or malformed id and removes the lock with the right one; the holder's release then says so", async () => {
  await withSandbox({}, async (env) => {
    const lock = await acquireLock(env.apis.storage, target, holder('ci-job-7'), { clock: virtualClock() });
    const wrong = String(BigInt(lock.id) + 1n);
    const refused = await settle(forceUnlock(env.apis.storage, target, wrong, T0));
    assert.ok('error' in refused && refused.error instanceof UserError);
    assert.match((refused.error as UserError).message, `lock ID ${wrong} is not the lock held: gs://${DEV.bucket}/scoring/_locks/dev.lock is ID ${lock.id}, held by ci-job-7`);
    const malformed = await settle(forceUnlock(env.apis.storage, target, 'abc', T0));
    assert.ok('error' in malformed && /not a lock ID/.test((malformed.error as Error).message));
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, lock.id, 'still held after refusals');
    const removed = await forceUnlock(env.apis.storage, target, lock.id, T0);
    assert.is(removed?.Who, 'ci-job-7');
    assert.is(await readHeldLock(env.apis.storage, target), undefined);
    const again = await settle(forceUnlock(env.apis.storage, target, lock.id, T0));
    assert.ok('error' in again && /no apply lock is held/.test((again.error as Error).message));
    assert.match((await lock.release()) ?? '', /was removed by someone else/);
  });
});

test('force-unlock asks first: declined, the lock stays; the question is shown the lock found', async () => {
  await withSandbox({}, async (env) => {
    const lock = await acquireLock(env.apis.storage, target, holder('ci-job-7'), { clock: virtualClock() });
    const asked: string[] = [];
    const declined = await forceUnlock(env.apis.storage, target, lock.id, T0, async (held) => (asked.push(`${held.ID} ${held.Who}`), false));
    assert.is(declined, undefined);
    assert.equal(asked, [`${lock.id} ci-job-7`]);
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, lock.id, 'still held');
    // A wrong id is refused before anything is asked.
    await settle(forceUnlock(env.apis.storage, target, String(BigInt(lock.id) + 1n), T0, async () => (asked.push('wrong'), true)));
    assert.equal(asked.length, 1);
    assert.is((await forceUnlock(env.apis.storage, target, lock.id, T0, async () => true))?.ID, lock.id);
    assert.is(await readHeldLock(env.apis.storage, target), undefined);
  });
});

test('a release never removes a lock taken after a force-unlock (delete with ifGenerationMatch)', async () => {
  await withSandbox({}, async (env) => {
    const first = await acquireLock(env.apis.storage, target, holder('ci-job-7'), { clock: virtualClock() });
    await forceUnlock(env.apis.storage, target, first.id, T0);
    const second = await acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock() });
    assert.match((await first.release()) ?? '', /was replaced by someone else/);
    assert.is((await readHeldLock(env.apis.storage, target))?.ID, second.id);
    assert.is(await second.release(), undefined);
  });
});

test('plan takes no lock but can tell one is held; the lock object is never a change or an orphan, even with --prune', async () => {
  await withSandbox({}, async (env) => {
    await setUp(env);
    const lock = await acquireLock(env.apis.storage, target, holder('alice@laptop'), { clock: virtualClock() });
    for (const prune of [false, true]) {
      const plan = await makePlan(env.apis, documentsFor(FOUR), { prune });
      assert.equal(
        plan.changes.filter((c) => c.action !== 'no-op'),
        [],
        `prune=${prune}`,
      );
      assert.not.match(JSON.stringify(planToJson(plan)), '_locks');
    }
    const pruneAll = await makePlan(env.apis, documentsFor([]), { prune: true });
    assert.not.match(JSON.stringify(planToJson(pruneAll)), '_locks');
    const held = await readHeldLock(env.apis.storage, target);
    assert.ok(held);
    assert.is(
      heldLockNote(held, T0 + 90_000),
      `note: an apply holds the lock gs://${DEV.bucket}/scoring/_locks/dev.lock: alice@laptop since 2026-12-03T09:00:00.000Z (1m30s ago), running "apply --env dev --prune --yes" at commit 3f2a9c1 (lock ID ${lock.id}). An apply now would wait for it or fail.`,
    );
    assert.match(heldLockNote(held, T0 + 3 * 3_600_000), 'older than its 1h00m time-to-live');
    await lock.release();
  });
});

test('no product bucket: the lock cannot be taken, and the error says to create the bucket', async () => {
  await withSandbox({}, async (env) => {
    const elsewhere = { ...target, bucket: 'no-such-bucket-4821' };
    const refused = await settle(acquireLock(env.apis.storage, elsewhere, holder('alice@laptop'), { clock: virtualClock() }));
    assert.ok('error' in refused && refused.error instanceof UserError && /gs:\/\/no-such-bucket-4821 does not exist/.test(refused.error.message));
    assert.is(await readHeldLock(env.apis.storage, elsewhere), undefined);
  });
});

test.run();
