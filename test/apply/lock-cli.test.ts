/**
 * The apply lock as users meet it: `apply` refused while a lock is held (naming the holder and the
 * force-unlock line), `plan` reporting it, `force-unlock` with a wrong and the right id, and a
 * successful apply releasing its own lock. The CLI in-process (`main` with the scratch project as its
 * folder) against a sandbox on 127.0.0.1; a terminal is one the test types answers into.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../src/local/index.ts';
import { createCloudApis } from '../../src/gcp/index.ts';
import { acquireLock, lockTargetOf, readHeldLock } from '../../src/apply/lock.ts';
import { gitHead, parseLockTimeout } from '../../src/cli/apply-lock.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { UserError } from '../../src/diagnostics.ts';
import { DEV } from '../plan/fake-cloud.ts';
import { runCli } from '../support/cli.ts';
import { scratchCliProject } from './scratch-project.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
test('--lock-timeout takes Go-style durations and refuses anything else; git HEAD is read from the repository', async () => {
  assert.is(parseLockTimeout(undefined), 0);
  assert.is(parseLockTimeout('0'), 0);
  assert.is(parseLockTimeout('90s'), 90_000);
  assert.is(parseLockTimeout('1h30m'), 5_400_000);
  assert.is(parseLockTimeout('500ms'), 500);
  for (const bad of ['10', '5 m', '-1s', 'soon', ''])
    assert.throws(
      () => parseLockTimeout(bad),
      (e: unknown) => e instanceof UserError && /--lock-timeout must be a duration/.test(e.message),
    );
  assert.match((await gitHead(repo)) ?? '', /^[0-9a-f]{40}(\+uncommitted)?$/);
  assert.is(await gitHead(tmpdir()), undefined);
});

test('apply refuses while a lock is held, plan reports it, force-unlock needs the right id, and apply then takes and releases its own lock', async () => {
  const dir = await scratchCliProject('bw-lock-cli-', [{ name: 'acme-corp', displayName: 'Acme' }]);
  const sandbox = await startSandbox({ stateDir: join(dir, 'sandbox-state') });
  const apis = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind }, { projectId: DEV.project });
  try {
    sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
    const url = sandbox.endpoints.workflows;
    const target = lockTargetOf(await loadDocuments(join(dir, 'generated'), 'dev'));
    const held = await acquireLock(apis.storage, target, { who: 'ci-job-7@runner', operation: 'apply', command: 'apply --env dev --prune --yes', commit: 'abc1234', version: '0.1.0' });

    const refused = await runCli(['apply', '--env', 'dev', '--yes', '--sandbox-url', url], { cwd: dir });
    assert.is(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, `another apply holds the lock gs://${DEV.bucket}/scoring/_locks/dev.lock: ci-job-7@runner since `);
    assert.match(refused.stderr, `running "apply --env dev --prune --yes" at commit abc1234 (lock ID ${held.id})`);
    assert.match(refused.stderr, `npm run force-unlock -- --env dev --sandbox-url ${url} ${held.id}`);
    assert.is((await apis.serviceAccounts.list(DEV.project)).length, 0, 'nothing applied');

    const plan = await runCli(['plan', '--env', 'dev', '--sandbox-url', url], { cwd: dir });
    assert.is(plan.code, 2, plan.stderr);
    assert.match(plan.stdout, `note: an apply holds the lock gs://${DEV.bucket}/scoring/_locks/dev.lock: ci-job-7@runner since`);
    assert.is((await readHeldLock(apis.storage, target))?.ID, held.id, 'plan took no lock and removed none');

    const wrong = await runCli(['force-unlock', '--env', 'dev', '--sandbox-url', url, '1234'], { cwd: dir });
    assert.is(wrong.code, 1);
    assert.match(wrong.stderr, `lock ID 1234 is not the lock held`);
    assert.is((await readHeldLock(apis.storage, target))?.ID, held.id);
    // No terminal here: without --yes it refuses, and says how to confirm.
    const unconfirmed = await runCli(['force-unlock', '--env', 'dev', '--sandbox-url', url, held.id], { cwd: dir });
    assert.is(unconfirmed.code, 1, unconfirmed.stdout);
    assert.match(unconfirmed.stderr, `force-unlock needs a confirmation and there is no terminal to ask on (the lock is ID ${held.id}, held by ci-job-7@runner`);
    assert.match(unconfirmed.stderr, `npm run force-unlock -- --env dev --sandbox-url ${url} ${held.id} --yes`);
    assert.is((await readHeldLock(apis.storage, target))?.ID, held.id, 'not removed without a confirmation');
    // On a terminal it asks, and anything but a typed "yes" keeps the lock.
    const declined = await runCli(['force-unlock', '--env', 'dev', '--sandbox-url', url, held.id], { cwd: dir, answers: ['y'] });
    assert.is(declined.code, 1, declined.stderr);
    assert.match(declined.stdout, `The apply lock gs://${DEV.bucket}/scoring/_locks/dev.lock (ID ${held.id}) is held by ci-job-7@runner`);
    assert.equal(declined.asked, ['Remove it? Make sure that apply is no longer running. Only "yes" is accepted: ']);
    assert.match(declined.stdout, 'Not removed: only "yes" removes the lock.');
    assert.is((await readHeldLock(apis.storage, target))?.ID, held.id, 'not removed on "y"');
    const right = await runCli(['force-unlock', '--env', 'dev', '--sandbox-url', url, held.id, '--yes'], { cwd: dir });
    assert.is(right.code, 0, right.stderr);
    assert.match(right.stdout, `Removed the apply lock gs://${DEV.bucket}/scoring/_locks/dev.lock (ID ${held.id}), held by ci-job-7@runner`);
    assert.is(await readHeldLock(apis.storage, target), undefined);

    // Asked on a terminal and declined: nothing applied, and the lock it took is released.
    const notApplied = await runCli(['apply', '--env', 'dev', '--sandbox-url', url], { cwd: dir, answers: ['no'] });
    assert.is(notApplied.code, 1, notApplied.stderr);
    assert.equal(notApplied.asked, [`\nApply these changes to project ${DEV.project}? Only "yes" is accepted: `]);
    assert.match(notApplied.stdout, 'Not applied.');
    assert.is((await apis.serviceAccounts.list(DEV.project)).length, 0, 'nothing applied on "no"');
    assert.is(await readHeldLock(apis.storage, target), undefined, 'the declined apply released its lock');
    const applied = await runCli(['apply', '--env', 'dev', '--yes', '--sandbox-url', url], { cwd: dir });
    assert.is(applied.code, 0, applied.stderr + applied.stdout);
    assert.match(applied.stdout, /Took the apply lock gs:\/\/\S+\/scoring\/_locks\/dev\.lock \(ID \d+\)\./);
    assert.match(applied.stdout, `Released the apply lock gs://${DEV.bucket}/scoring/_locks/dev.lock.`);
    assert.is(await readHeldLock(apis.storage, target), undefined);
    const after = await runCli(['plan', '--env', 'dev', '--sandbox-url', url], { cwd: dir });
    assert.is(after.code, 0, after.stdout);
    assert.not.match(after.stdout, '_locks');
  } finally {
    await apis.close();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
