/**
 * An environment's apply identity as exactly the README's grants, against the enforcing sandbox:
 * with the example deployed without one client (as the operator), an apply as
 * `serviceAccount:batch-workflows-apply-dev@…` of the whole of generated/dev, lock included, creates
 * that client (its account, folders and their policies, topic and its policy, trigger and scheduler
 * job running as the orchestrator, run settings, secret access) and leaves nothing to do; the same
 * grants without `roles/iam.serviceAccountUser` are refused the trigger (actAs on the orchestrator).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { hasChanges } from '../../src/plan/summary.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { addClientSecret } from '../apply/sandbox-env.ts';
import { ciSection, grantsOf, type Grants } from './identities.ts';
import { grant, withCaller } from './sandbox-caller.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ADDED = 'globex-retail';

async function withoutOneClient(body: (deployment: LocalDeployment, all: readonly ResourceDocument[]) => Promise<void>): Promise<void> {
  const all = await loadDocuments(join(repo, 'generated'), 'dev');
  const deployment = await deployLocally({ documents: all.filter((d) => d.client !== ADDED), usePubSubEmulator: false });
  try {
    assert.ok(deployment.converged);
    // The added client's notification secrets exist, labelled for it: a precondition, not ours to create.
    for (const r of all.find((d) => d.client === ADDED)!.resources) {
      if (r.kind === 'SecretAccess') addClientSecret(deployment.sandbox, r.secret.split('/').pop()!, 'https://hooks.example.com/x', ADDED);
    }
    await body(deployment, all);
  } finally {
    await deployment.close();
  }
}

const applyAs = (deployment: LocalDeployment, member: string, documents: readonly ResourceDocument[]) =>
  withCaller(deployment, member, (apis) =>
    planAndApply({ documents, apis, prune: true, lock: { store: apis.storage, holder: { who: member, operation: 'apply', command: 'apply plans/dev.plan.json', version: 'test' } } }),
  );

test('an apply as the README apply identity creates a client, takes and releases the lock, and converges', async () => {
  await withoutOneClient(async (deployment, all) => {
    const member = 'serviceAccount:batch-workflows-apply-dev@scoring-ci-4821.iam.gserviceaccount.com';
    await grant(deployment, member, grantsOf(ciSection(), 'APPLY_SA'));
    const applied = await applyAs(deployment, member, all);
    assert.is(applied.status, 'applied');
    const failed = applied.status === 'applied' ? applied.result.outcomes.filter((o) => o.status === 'failed' || o.status === 'skipped') : [];
    assert.ok(applied.status === 'applied' && applied.result.ok, JSON.stringify(failed.slice(0, 3), null, 1));
    assert.ok(applied.plan.summary.create >= 8, JSON.stringify(applied.plan.summary));
    assert.not.ok(hasChanges(await makePlan(deployment.apis, all, { prune: true })), 'nothing left to do');
    assert.is(deployment.sandbox.state.listObjects(deployment.bucket, 'scoring/_locks/').length, 0, 'lock released');
  });
});

test('without roles/iam.serviceAccountUser the apply identity cannot attach the orchestrator', async () => {
  await withoutOneClient(async (deployment, all) => {
    const member = 'serviceAccount:batch-workflows-apply-x@scoring-ci-4821.iam.gserviceaccount.com';
    const grants = grantsOf(ciSection(), 'APPLY_SA');
    const without: Grants = { project: grants.project.filter((r) => r !== 'roles/iam.serviceAccountUser'), bucket: grants.bucket };
    await grant(deployment, member, without);
    const applied = await applyAs(deployment, member, all);
    assert.ok(applied.status === 'applied' && !applied.result.ok, 'the apply did not fully succeed');
    const failed = applied.result.outcomes.filter((o) => o.status === 'failed');
    assert.ok(failed.length > 0);
    for (const outcome of failed) {
      assert.is(outcome.code, 'PERMISSION_DENIED', `${outcome.key}: ${outcome.message}`);
      assert.match(outcome.message ?? '', /iam\.serviceaccounts\.actAs/i);
    }
    assert.ok(
      failed.some((o) => o.kind === 'Trigger' || o.kind === 'SchedulerJob'),
      failed.map((o) => o.key).join(', '),
    );
  });
});

test.run();
