/**
 * Issue 10 item 3 on resource policies, against the sandbox with the real adapters: grants our
 * client account and worker hold on a client folder's and topic's own policies that batch-workflows
 * does not make are legacy access (plan exit 2) until `apply --prune` revokes them, that member only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import type { PolicyTarget } from '../../src/resources/types.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { quickClock, withSandbox } from './sandbox-env.ts';

const ACME = `serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const WORKER = `serviceAccount:scoring-worker@${DEV.project}.iam.gserviceaccount.com`;
const OPS = 'group:data-ops@example.com';
const FOLDER = `gs://${DEV.bucket}/scoring/acme-corp/`;
const TOPIC = `projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`;

test('legacy grants on a folder and a topic policy are listed, then revoked by apply --prune; a foreign member keeps its grant', async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([client('acme-corp')]);
    const first = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock });
    assert.ok(first.status === 'applied' && first.result.ok, JSON.stringify(first.status === 'applied' ? first.result.outcomes.filter((o) => o.status !== 'done') : first.status));
    const grant = async (target: PolicyTarget, name: string, role: string, members: string[]) => {
      const current = (await env.apis.resourceIam.getPolicy(target, name))!;
      await env.apis.resourceIam.setPolicy(target, name, { ...current, version: 3, bindings: [...current.bindings, { role, members }] });
    };
    await grant('managedFolder', FOLDER, 'roles/storage.objectAdmin', [ACME, OPS]);
    await grant('topic', TOPIC, 'roles/pubsub.editor', [WORKER]);

    const second = await makePlan(env.apis, docs, { clock: quickClock });
    assert.equal(
      second.changes
        .filter((c) => c.legacy)
        .map((c) => `${c.action} ${c.name}`)
        .sort(),
      [`orphan roles/pubsub.editor ${WORKER} on ${TOPIC}`, `orphan roles/storage.objectAdmin ${ACME} on ${FOLDER}`],
    );
    assert.is(planExitCode(second), 2);

    const pruned = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock, prune: true });
    assert.ok(pruned.status === 'applied' && pruned.result.ok, JSON.stringify(pruned.status === 'applied' ? pruned.result.outcomes.filter((o) => o.status !== 'done') : pruned.status));
    const folder = (await env.apis.resourceIam.getPolicy('managedFolder', FOLDER))!;
    assert.equal(
      folder.bindings.filter((b) => b.role === 'roles/storage.objectAdmin'),
      [{ role: 'roles/storage.objectAdmin', members: [OPS] }],
    );
    assert.ok(
      folder.bindings.some((b) => b.role === 'roles/storage.objectViewer' && b.members.includes(ACME)),
      'the grant we make is kept',
    );
    const topic = (await env.apis.resourceIam.getPolicy('topic', TOPIC))!;
    assert.not.ok(topic.bindings.some((b) => b.role === 'roles/pubsub.editor'));
    assert.is(planExitCode(await makePlan(env.apis, docs, { clock: quickClock })), 0);
  });
});

test.run();
