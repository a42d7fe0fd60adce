/**
 * Saved plans as CI runs them: `npm run plan -- --env dev --out plans/dev.plan.json`, then
 * `npm run apply -- plans/dev.plan.json`. The CLI in-process in a scratch project against a sandbox this
 * test starts on 127.0.0.1 (its URL is recorded in the plan, so apply needs no --sandbox-url):
 * unchanged inputs apply exactly the planned changes; a live edit after the plan (a topic's labels,
 * which have no version field; a binding added to the project policy, whose etag moves) or a
 * re-generated client file is refused, naming what moved, with nothing written; a corrupted file is
 * a located error; no secret ever reaches the file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import { makePlan } from '../../src/apply/index.ts';
import { hasChanges } from '../../src/plan/summary.ts';
import { generateProject } from '../../src/cli/generate.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import { topicId } from '../../src/names/naming.ts';
import type { SavedPlan } from '../../src/plan/saved-plan.ts';
import { DEV } from '../plan/fake-cloud.ts';
import { addClientSecret } from './sandbox-env.ts';
import { runCli as runCliInProcess } from '../support/cli.ts';
import { scratchCliProject } from './scratch-project.ts';

const WEBHOOK = 'https://hooks.slack.example/services/T0SAVED/B0PLAN/xoxb-very-secret-token';
const PLAN = 'plans/dev.plan.json';

const runCli = (cwd: string, args: string[]) => runCliInProcess(args, { cwd });

interface Scratch {
  readonly dir: string;
  readonly sandbox: Sandbox;
  readonly apis: GcpCloudApis;
  readonly plan: (...extra: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
  readonly apply: (...extra: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
  readonly saved: () => Promise<SavedPlan>;
  readonly writeClient: (name: string, displayName: string) => Promise<void>;
  readonly pendingNow: () => Promise<boolean>;
}

async function withScratch(body: (s: Scratch) => Promise<void>): Promise<void> {
  // A client with a notification target: its secret holds a webhook URL that must never reach a plan file.
  const acme = { name: 'acme-corp', displayName: 'Acme', notify: [{ type: 'slack', secret: 'acme-corp-slack-webhook', on: 'always' }] };
  const dir = await scratchCliProject('bw-saved-plan-', [acme, { name: 'globex', displayName: 'Globex' }]);
  const sandbox = await startSandbox({});
  const apis = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind }, { projectId: DEV.project });
  try {
    const writeClient = async (name: string, displayName: string) => {
      await writeFile(join(dir, 'clients', `${name}.json`), JSON.stringify({ name, displayName }, null, 2));
    };
    sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
    addClientSecret(sandbox, 'acme-corp-slack-webhook', WEBHOOK, 'acme-corp');
    const url = sandbox.endpoints.workflows;
    await body({
      dir,
      sandbox,
      apis,
      plan: (...extra) => runCli(dir, ['plan', '--env', 'dev', '--sandbox-url', url, '--out', PLAN, ...extra]),
      apply: (...extra) => runCli(dir, ['apply', PLAN, ...extra]),
      saved: async () => JSON.parse(await readFile(join(dir, PLAN), 'utf8')) as SavedPlan,
      writeClient: async (name, displayName) => {
        await writeClient(name, displayName);
        await generateProject(projectLayout(dir));
      },
      pendingNow: async () => hasChanges(await makePlan(apis, await loadDocuments(join(dir, 'generated'), 'dev'))),
    });
  } finally {
    await apis.close();
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const VERB = { create: 'created', update: 'updated', delete: 'deleted', adopt: 'adopted' } as const;

test('plan --out then apply FILE with nothing moved applies exactly the planned changes; the file is deterministic and holds no secret', async () => {
  await withScratch(async (s) => {
    const planned = await s.plan();
    assert.is(planned.code, 2, planned.stdout + planned.stderr);
    assert.match(planned.stdout, `Saved the plan to ${PLAN}`);
    assert.match(planned.stdout, `npm run apply -- ${PLAN}`);
    const text = await readFile(join(s.dir, PLAN), 'utf8');
    const saved = await s.saved();
    assert.is(saved.formatVersion, 1);
    assert.is(saved.environment, 'dev');
    assert.equal(saved.options, { prune: false, adopt: false, client: null });
    assert.ok(saved.documents['dev/clients/acme-corp.yaml']?.startsWith('sha256:'), Object.keys(saved.documents).join(', '));
    assert.ok(
      saved.live.some((e) => e.id === `IAM policy of projects/${DEV.project}` && e.revision?.etag),
      'the project policy etag is recorded',
    );
    assert.ok(
      saved.live.some((e) => e.id === `IAM policy of projects/${DEV.project}/secrets/acme-corp-slack-webhook` && e.revision?.etag),
      'the secret policy etag is recorded',
    );
    // (5) No secret: neither the webhook URL nor any part of it, nor its base64, is in the file.
    for (const needle of [WEBHOOK, 'xoxb-very-secret-token', 'hooks.slack.example', Buffer.from(WEBHOOK).toString('base64')]) assert.not.ok(text.includes(needle), `the plan file holds ${needle}`);

    // The same inputs give the same bytes.
    assert.is((await s.plan()).code, 2);
    assert.is(await readFile(join(s.dir, PLAN), 'utf8'), text);

    const applied = await s.apply();
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    assert.not.match(applied.stdout, 'Apply these changes');
    assert.match(applied.stdout, `The saved plan ${PLAN} still matches generated/ and what is live`);
    assert.match(applied.stdout, 'Took the apply lock');
    assert.match(applied.stdout, 'Released the apply lock');
    const carriedOut = saved.plan.changes.filter((c) => c.action !== 'orphan' && c.action !== 'conflict');
    assert.ok(carriedOut.length > 10, `a first apply creates a lot (${carriedOut.length})`);
    for (const c of carriedOut) assert.match(applied.stdout, `✓ ${VERB[c.action as keyof typeof VERB]} ${c.kind} ${c.name}`);
    assert.is(applied.stdout.split('\n').filter((l) => l.includes('✓ ')).length, carriedOut.length, 'nothing beyond the plan');
    assert.match(applied.stdout, `Apply complete: ${carriedOut.length} done, 0 failed, 0 skipped`);
    assert.ok(s.sandbox.state.get('topics', `projects/${DEV.project}/topics/${topicId('scoring', 'globex')}`), 'the topic was created');
    assert.is(await s.pendingNow(), false, 'a fresh plan says no changes');
  });
});

test('apply FILE refuses, exit 1, when live moved (topic labels, an IAM binding) or generated/ was re-generated since the plan; nothing is written', async () => {
  await withScratch(async (s) => {
    const first = await s.plan();
    assert.is(first.code, 2, first.stderr);
    assert.is((await s.apply()).code, 0);

    // A change to plan: globex renamed, re-generated.
    await s.writeClient('globex', 'Globex Renamed');
    // --out combines with --json: stdout stays the plan's JSON, the saved line goes to stderr.
    const asJson = await s.plan('--json');
    assert.is(asJson.code, 2, asJson.stderr);
    assert.is((JSON.parse(asJson.stdout) as { formatVersion: number }).formatVersion, 1);
    assert.match(asJson.stderr, `Saved the plan to ${PLAN}`);
    assert.ok((await s.saved()).plan.changes.length > 0);
    // Someone edits a topic's labels through the sandbox's Pub/Sub API after the plan.
    const topicName = `projects/${DEV.project}/topics/${topicId('scoring', 'acme-corp')}`;
    const topic = (await s.apis.topics.list(DEV.project)).find((t) => t.resource.name === topicName)!.resource;
    await s.apis.topics.update({ ...topic, labels: { ...topic.labels, team: 'edited-by-hand' } });
    const refused = await s.apply();
    assert.is(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(refused.stderr, 'the live state moved since the plan was saved; nothing was applied');
    assert.match(refused.stderr, `Topic ${topicName}: changed since the plan`);
    assert.match(refused.stderr, `npm run plan -- --env dev --out ${PLAN}`);
    assert.not.match(refused.stderr, /\n\s+at /, 'no stack trace');
    assert.match(refused.stdout, 'Released the apply lock', 'the lock is released on refusal');
    const globexAccount = Object.values(s.sandbox.state.all('serviceAccounts')).find((a) => String(a.email).startsWith('globex@'));
    assert.is(globexAccount?.displayName, 'Globex', 'the planned rename was not applied');
    assert.is(s.sandbox.state.get('topics', topicName)?.labels?.team, 'edited-by-hand', 'the edit was not reverted');

    // Planned again (the label edit is now part of what is reviewed), then a binding is added to the project policy.
    assert.is((await s.plan()).code, 2);
    const policy = await s.apis.projectIam.getPolicy(DEV.project);
    await s.apis.projectIam.setPolicy(DEV.project, { ...policy, bindings: [...policy.bindings, { role: 'roles/viewer', members: ['user:someone@example.com'] }] });
    const etagMoved = await s.apply();
    assert.is(etagMoved.code, 1, etagMoved.stdout + etagMoved.stderr);
    assert.match(etagMoved.stderr, new RegExp(`IAM policy of projects/${DEV.project}: etag \\S+ → \\S+`));
    assert.is(Object.values(s.sandbox.state.all('serviceAccounts')).find((a) => String(a.email).startsWith('globex@'))?.displayName, 'Globex');

    // Planned again; then the client file changes and generated/ is re-generated (so it is not stale).
    assert.is((await s.plan()).code, 2);
    await s.writeClient('globex', 'Globex Renamed Twice');
    const regenerated = await s.apply();
    assert.is(regenerated.code, 1, regenerated.stdout + regenerated.stderr);
    assert.match(regenerated.stderr, 'generated/ changed since the plan was saved; nothing was applied');
    assert.match(regenerated.stderr, 'generated/dev/clients/globex.yaml changed since the plan');
    assert.not.match(regenerated.stderr, 'acme-corp.yaml');
    assert.not.match(regenerated.stdout, 'Took the apply lock', 'refused before connecting');
    assert.is(Object.values(s.sandbox.state.all('serviceAccounts')).find((a) => String(a.email).startsWith('globex@'))?.displayName, 'Globex');

    // A corrupted file is a located error, never a stack trace.
    const text = await readFile(join(s.dir, PLAN), 'utf8');
    await writeFile(join(s.dir, PLAN), text.slice(0, Math.floor(text.length / 2)));
    const corrupted = await s.apply();
    assert.is(corrupted.code, 1);
    assert.match(corrupted.stderr, new RegExp(`${PLAN.replace('.', '\\.')}:\\d+:\\d+: not a readable saved plan`));
    assert.match(corrupted.stderr, 'fix: make a new one: npm run plan');
    assert.not.match(corrupted.stderr, /\n\s+at /);
    // --prune with a plan file is refused: the file fixes the options.
    await writeFile(join(s.dir, PLAN), text);
    const pruned = await s.apply('--prune');
    assert.is(pruned.code, 1);
    assert.match(pruned.stderr, '--prune cannot be given with a plan file');
    const otherEnv = await s.apply('--env', 'prod');
    assert.is(otherEnv.code, 1);
    assert.match(otherEnv.stderr, 'the plan is for environment "dev", not "prod"');
  });
});

test.run();
