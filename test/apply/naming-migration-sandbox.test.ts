/**
 * Issue 10 item 10 against the sandbox with the real adapters: a deployed v1 product switched to
 * naming v2. apply creates the new names and keeps the old ones as leftovers (plan exit 2, never
 * silently orphaned); apply --prune deletes them; the next plan is empty.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import { clientAccountId } from '../../src/names/naming.ts';
import { product } from '../../workflows/product.ts';
import { DEV, documentsFor, productDocuments, scheduled } from '../plan/fake-cloud.ts';
import { assertApplied, quickClock, withSandbox } from './sandbox-env.ts';

const v2Documents = (clients: Parameters<typeof documentsFor>[0]) => productDocuments({ ...product, naming: 'v2' }, clients);

test('v1 → v2: create the new names, old ones left until --prune deletes them, then nothing to do', async () => {
  await withSandbox({}, async (env) => {
    const clients = [scheduled('globex-inc')];
    const v1 = await planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock });
    assert.ok(v1.status === 'applied' && v1.result.ok);

    const docs = v2Documents(clients);
    const switched = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock });
    assertApplied(switched);
    const names = async () => ({
      topics: (await env.apis.topics.list(DEV.project)).map((l) => l.resource.name).sort(),
      accounts: (await env.apis.serviceAccounts.list(DEV.project))
        .map((l) => l.resource.email)
        .filter((e) => e.startsWith('globex-inc'))
        .sort(),
    });
    const account = `${clientAccountId('scoring', 'globex-inc', 'v2')}@${DEV.project}.iam.gserviceaccount.com`;
    assert.equal(await names(), {
      topics: [`projects/${DEV.project}/topics/batch-scoring--globex-inc-outputs`, `projects/${DEV.project}/topics/batch-scoring-globex-inc-outputs`],
      accounts: [account, `globex-inc@${DEV.project}.iam.gserviceaccount.com`].sort(),
    });
    const leftovers = await makePlan(env.apis, docs, { clock: quickClock });
    assert.is(planExitCode(leftovers), 2, 'the old names are leftovers, not silently orphaned');
    assert.ok(leftovers.changes.filter((c) => c.action === 'orphan').some((c) => c.name.endsWith('/topics/batch-scoring-globex-inc-outputs')));
    assert.ok(leftovers.warnings.some((w) => w.message.includes('subscriptions are not moved')));

    const pruned = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock, prune: true });
    assertApplied(pruned);
    assert.equal(await names(), { topics: [`projects/${DEV.project}/topics/batch-scoring--globex-inc-outputs`], accounts: [account] });
    assert.is(planExitCode(await makePlan(env.apis, docs, { clock: quickClock })), 0);
  });
});

test.run();
