/**
 * Issue 10 item 3 against the sandbox with the real adapters: the seed runbook replayed for a
 * client that has a client file, then `apply --adopt`. The grants the runbook made (a project-wide
 * list grant, here with the real roles/storage.objectViewer since roles/storage.objectLister does
 * not exist; the `CLIENT-inputs` and `CLIENT-read` conditional bindings) stay after the adoption and
 * must be listed as legacy access (plan exit 2); `--prune` revokes them, that member only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { assertApplied, quickClock, withSandbox } from './sandbox-env.ts';

const ACME = `serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const OPS = 'group:data-ops@example.com';
const objects = (prefix: string) => `resource.name.startsWith("projects/_/buckets/${DEV.bucket}/objects/${prefix}")`;

test("the runbook's grants to an adopted client account are legacy access until --prune revokes them, other members kept", async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([client('acme-corp')]);
    // The runbook: the client's service account by hand (no mark), then its grants on the project.
    const account = docs.flatMap((d) => d.resources).find((r) => r.kind === 'ServiceAccount' && r.owner.client === 'acme-corp')!;
    if (account.kind !== 'ServiceAccount') throw new Error('unreachable');
    await env.apis.serviceAccounts.create({ ...account, owner: { product: '' }, description: 'acme-corp uploads (runbook)' });
    const runbook: IamPolicyBinding[] = [
      { role: 'roles/storage.objectViewer', members: [ACME, OPS] },
      { role: 'roles/storage.objectCreator', members: [ACME], condition: { title: 'acme-corp-inputs', expression: objects('scoring/acme-corp/inputs/') } },
      { role: 'roles/storage.objectViewer', members: [OPS, ACME], condition: { title: 'acme-corp-read', expression: objects('scoring/acme-corp/') } },
    ];
    const current = await env.apis.projectIam.getPolicy(DEV.project);
    await env.apis.projectIam.setPolicy(DEV.project, { ...current, version: 3, bindings: [...current.bindings, ...runbook] });

    const adopted = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock, adopt: true });
    assertApplied(adopted);

    const second = await makePlan(env.apis, docs, { clock: quickClock });
    const legacy = second.changes
      .filter((c) => c.legacy)
      .map((c) => `${c.action} ${c.name}`)
      .sort();
    assert.equal(legacy, [
      `orphan roles/storage.objectCreator ${ACME} if acme-corp-inputs`,
      `orphan roles/storage.objectViewer ${ACME}`,
      `orphan roles/storage.objectViewer ${ACME} if acme-corp-read`,
    ]);
    assert.is(planExitCode(second), 2, 'the second plan is not empty');

    const pruned = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock, prune: true });
    assert.ok(pruned.status === 'applied' && pruned.result.ok);
    const after = await env.apis.projectIam.getPolicy(DEV.project);
    assert.not.ok(
      after.bindings.some((b) => b.members.includes(ACME)),
      'acme-corp holds nothing on the project any more',
    );
    assert.ok(after.bindings.some((b) => b.role === 'roles/storage.objectViewer' && !b.condition && JSON.stringify(b.members) === JSON.stringify([OPS])));
    assert.ok(
      after.bindings.some((b) => JSON.stringify(b) === JSON.stringify({ ...runbook[2], members: [OPS] })),
      'the other member keeps the conditional binding as it was',
    );
    assert.is(planExitCode(await makePlan(env.apis, docs, { clock: quickClock })), 0);
  });
});

test.run();
