/**
 * The plan identity of the README's "Pull requests and CI" section, as exactly its grants, against
 * the enforcing sandbox: after the example's dev environment is applied (as the operator), a plan
 * --prune and the lock note made as `serviceAccount:batch-workflows-plan@…` with only the README's
 * roles (project and bucket) succeed and match the operator's plan; the methods it called are the
 * ones roles.test.ts checks; a caller without the roles is refused, and so is every write the plan
 * identity tries. Requests carry the caller's sandbox token: the adapters through the sandbox
 * target's accessToken (sandbox-caller.ts), the raw write attempts with authHeaders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { makePlan } from '../../src/apply/index.ts';
import { acquireLock, lockTargetOf } from '../../src/apply/lock.ts';
import { noteHeldLock } from '../../src/cli/apply-lock.ts';
import { authHeaders, type SandboxApi } from '../../src/local/index.ts';
import type { Plan } from '../../src/plan/types.ts';
import { ciSection, grantsOf, PLAN_METHODS } from './identities.ts';
import { grant, withCaller } from './sandbox-caller.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PLAN_SA = 'serviceAccount:batch-workflows-plan@scoring-ci-4821.iam.gserviceaccount.com';
const NOBODY = 'serviceAccount:someone-else@scoring-ci-4821.iam.gserviceaccount.com';

const summary = (plan: Plan) => ({ errors: plan.errors.map((e) => e.message), summary: plan.summary, changes: plan.changes.map((c) => `${c.action} ${c.key}`) });

let deployment: LocalDeployment;

test.before(async () => {
  const documents = await loadDocuments(join(repo, 'generated'), 'dev');
  deployment = await deployLocally({ documents, usePubSubEmulator: false });
  assert.ok(deployment.converged);
  await grant(deployment, PLAN_SA, grantsOf(ciSection(), 'PLAN_SA'));
  // A held apply lock, so the lock note reads the lock object as plan does in CI.
  await acquireLock(deployment.apis.storage, lockTargetOf(deployment.documents), { who: 'user:alice@example.com', operation: 'apply', command: 'apply --env dev', version: 'test' });
});

test.after(async () => {
  await deployment?.close();
});

test("a plan as the plan identity, with only the README grants, matches the operator's plan", async () => {
  // Drift, so the plan has something to say: one client's run settings deleted by hand.
  const settings = deployment.sandbox.state.listObjects(deployment.bucket, 'scoring/_settings/')[0]!.name;
  deployment.sandbox.state.deleteObject(deployment.bucket, settings);
  const operator = await makePlan(deployment.apis, deployment.documents, { prune: true });
  deployment.sandbox.stats.reset();
  const notes: string[] = [];
  const asPlanner = await withCaller(deployment, PLAN_SA, async (apis) => {
    const plan = await makePlan(apis, deployment.documents, { prune: true });
    await noteHeldLock({ apis, where: 'sandbox', project: deployment.product.project, close: async () => {} }, deployment.documents, (l) => notes.push(l));
    return plan;
  });
  assert.equal(summary(asPlanner), summary(operator));
  assert.is(asPlanner.summary.create, 1, JSON.stringify(asPlanner.summary));
  assert.match(notes.join('\n'), 'an apply holds the lock', notes.join('\n'));
  const called = Object.keys(deployment.sandbox.stats.byMethod());
  const unlisted = called.filter((m) => !(PLAN_METHODS as readonly string[]).includes(m));
  assert.equal(unlisted, [], `plan called methods roles.test.ts does not check: ${unlisted.join(', ')}`);
});

test('a caller without the grants is refused: the sandbox enforces them', async () => {
  try {
    await withCaller(deployment, NOBODY, (apis) => makePlan(apis, deployment.documents, { prune: true }));
  } catch (error) {
    assert.match(String((error as Error).message), /denied|PERMISSION|403/i);
    return;
  }
  assert.unreachable('a plan without any grant succeeded');
});

test('the plan identity cannot write: project policy, topics, objects, service accounts are refused', async () => {
  const project = deployment.product.project;
  await withCaller(deployment, PLAN_SA, async (apis) => {
    const attempts: [string, () => Promise<unknown>][] = [['set the project policy', async () => apis.projectIam.setPolicy(project, await apis.projectIam.getPolicy(project))]];
    const raw = (api: SandboxApi, method: string, path: string, body?: unknown) =>
      fetch(`${deployment.sandbox.endpoints[api]}${path}`, {
        method,
        headers: { ...authHeaders(PLAN_SA), 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }).then((r) => r.status);
    for (const [what, call] of attempts) {
      let refused = false;
      try {
        await call();
      } catch {
        refused = true;
      }
      assert.ok(refused, `${what} was allowed`);
    }
    assert.is(await raw('pubsub', 'PUT', `/v1/projects/${project}/topics/planner-was-here`, {}), 403, 'create a topic');
    assert.is(await raw('storage', 'POST', `/upload/storage/v1/b/${deployment.bucket}/o?uploadType=media&name=scoring/_settings/x.json`, { x: 1 }), 403, 'write an object');
    assert.is(await raw('iam', 'POST', `/v1/projects/${project}/serviceAccounts`, { accountId: 'planner-made-this' }), 403, 'create a service account');
    assert.is(await raw('storage', 'DELETE', `/storage/v1/b/${deployment.bucket}/o/${encodeURIComponent('scoring/_locks/dev.lock')}`), 403, 'remove the lock');
  });
});

test.run();
