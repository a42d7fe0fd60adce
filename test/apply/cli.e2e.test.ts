/**
 * The plan and apply commands as a user runs them: child processes in a scratch project (its own
 * clients/ and generated/, the repository's workflows/ and src/ linked in) against a sandbox this test
 * starts on 127.0.0.1 with a state folder and added latency, reached with --sandbox-url. The test that
 * matters most: a process killed in the middle of apply, then re-run, converges.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { createCloudApis } from '../../src/gcp/index.ts';
import { makePlan } from '../../src/apply/index.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { DEV } from '../plan/fake-cloud.ts';
import { runCliProcess as runCli } from '../support/cli-process.ts';
import { scratchCliProject } from './scratch-project.ts';

interface Scratch {
  readonly dir: string;
  readonly sandbox: Sandbox;
  readonly url: string;
}

async function withScratchProject(clients: number, latencyMs: number, body: (s: Scratch) => Promise<void>): Promise<void> {
  const files = Array.from({ length: clients }, (_, i) => ({ name: `client-${String(i).padStart(3, '0')}`, displayName: `Client ${i}`, ...(i % 4 === 0 ? { schedule: { cron: '0 5 * * *' } } : {}) }));
  const dir = await scratchCliProject('bw-cli-', files);
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({ stateDir: join(dir, 'sandbox-state'), latencyMs });
    sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
    await body({ dir, sandbox, url: sandbox.endpoints.workflows });
  } finally {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function planInProcess(s: Scratch) {
  const apis = createCloudApis({ kind: 'sandbox', endpoints: s.sandbox.endpoints, pubsub: s.sandbox.pubsub.kind }, { projectId: DEV.project });
  try {
    return await makePlan(apis, await loadDocuments(join(s.dir, 'generated'), 'dev'));
  } finally {
    await apis.close();
  }
}

test('plan exits 2 with changes and 0 without; apply refuses without a terminal or --yes', async () => {
  await withScratchProject(3, 0, async (s) => {
    const before = await runCli(s.dir, ['plan', '--env', 'dev', '--sandbox-url', s.url]);
    assert.is(before.code, 2, before.stderr);
    assert.match(before.stdout, /^Plan: \d+ to create, 0 to update, 0 to delete, 0 conflicts\.$/m);

    const refused = await runCli(s.dir, ['apply', '--env', 'dev', '--sandbox-url', s.url]);
    assert.is(refused.code, 1);
    assert.match(refused.stderr, 'no terminal to ask on');
    assert.match(refused.stderr, '--yes');
    assert.is(Object.keys(await s.sandbox.state.all('serviceAccounts')).length, 0);

    const applied = await runCli(s.dir, ['apply', '--env', 'dev', '--yes', '--sandbox-url', s.url]);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /Apply complete: \d+ done, 0 failed, 0 skipped/);

    const json = await runCli(s.dir, ['plan', '--env', 'dev', '--json', '--sandbox-url', s.url]);
    assert.is(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { formatVersion: number; changes: unknown[]; summary: { unchanged: number } };
    assert.is(parsed.formatVersion, 1);
    assert.equal(parsed.changes, []);
    assert.ok(parsed.summary.unchanged > 0);

    const unknown = await runCli(s.dir, ['plan', '--env', 'dev', '--client', 'nobody-here', '--sandbox-url', s.url]);
    assert.is(unknown.code, 1);
    assert.match(unknown.stderr, 'no client "nobody-here"');
  });
});

test('apply refuses a stale generated/ and names the file', async () => {
  await withScratchProject(2, 0, async (s) => {
    await writeFile(join(s.dir, 'clients', 'client-000.json'), JSON.stringify({ name: 'client-000', displayName: 'Renamed' }));
    const run = await runCli(s.dir, ['apply', '--env', 'dev', '--yes', '--sandbox-url', s.url]);
    assert.is(run.code, 1);
    assert.match(run.stderr, 'generated/ is stale');
    assert.match(run.stderr, 'generated/dev/clients/client-000.yaml');
    assert.match(run.stderr, 'npm run generate');
    assert.is(Object.keys(s.sandbox.state.all('serviceAccounts')).length, 0);
  });
});

test('a process killed in the middle of apply, then re-run, converges', async () => {
  await withScratchProject(24, 150, async (s) => {
    let killedAt = '';
    const killed = await runCli(s.dir, ['apply', '--env', 'dev', '--yes', '--sandbox-url', s.url], (line, child) => {
      // Mid-way: accounts and IAM are done, topics are being created, nothing later has started.
      if (!killedAt && /✓ created Topic/.test(line)) {
        killedAt = line;
        child.kill('SIGKILL');
      }
    });
    assert.is(killed.signal, 'SIGKILL', `not killed: ${killed.stdout}\n${killed.stderr}`);
    // Requests already in flight still land after the kill; what matters is that the run stopped part-way.
    const count = (collection: 'topics' | 'triggers') => Object.keys(s.sandbox.state.all(collection)).length;
    assert.ok(count('topics') >= 1, `${count('topics')} topics after the kill`);
    assert.ok(count('triggers') < 24, `${count('triggers')} triggers after the kill`);

    const halfway = await planInProcess(s);
    assert.ok(halfway.summary.create > 0 && halfway.summary.conflict === 0, JSON.stringify(halfway.summary));

    // A killed process cannot release its apply lock: the re-run names it, force-unlock removes it.
    const locked = await runCli(s.dir, ['apply', '--env', 'dev', '--yes', '--sandbox-url', s.url]);
    assert.is(locked.code, 1, locked.stdout + locked.stderr);
    const unlock = /npm run force-unlock -- (--env dev --sandbox-url \S+ \d+)`/.exec(locked.stderr);
    assert.ok(unlock, locked.stderr);
    // No terminal here to confirm on: --yes, as in CI.
    const unlocked = await runCli(s.dir, ['force-unlock', ...unlock[1]!.split(' '), '--yes']);
    assert.is(unlocked.code, 0, unlocked.stderr);

    const rerun = await runCli(s.dir, ['apply', '--env', 'dev', '--yes', '--sandbox-url', s.url]);
    assert.is(rerun.code, 0, rerun.stdout + rerun.stderr);
    assert.match(rerun.stdout, /Apply complete/);
    const after = await planInProcess(s);
    assert.equal(
      after.changes.filter((c) => c.action !== 'no-op').map((c) => c.key),
      [],
    );
    assert.is(Object.keys(s.sandbox.state.all('triggers')).length, 24);
  });
});

test.run();
