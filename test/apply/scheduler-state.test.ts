/**
 * Issue 10 item 5, the states Google sets (job.proto enum State): a job Cloud Scheduler DISABLED
 * after errors is drift with its state named and is not resumed blindly; an UPDATE_FAILED one is
 * named and recovered by retrying the update, as Google says.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execute } from '../../src/apply/executor.ts';
import { makePlan } from '../../src/apply/index.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import type { SchedulerJobResource } from '../../src/resources/types.ts';
import { DEV, documentsFor, freshCloud, scheduled } from '../plan/fake-cloud.ts';
import { noClock } from '../support/clocks.ts';

const JOB = `projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring-globex-inc`;

async function deployedWith(state: string) {
  const cloud = freshCloud();
  const docs = documentsFor([scheduled('globex-inc')]);
  assert.ok((await execute(await makePlan(cloud.apis, docs, { clock: noClock }), cloud.apis, { clock: noClock })).ok);
  const job = cloud.stores.SchedulerJob.get(JOB)!;
  cloud.stores.SchedulerJob.set(JOB, { ...job, state: state as SchedulerJobResource['state'] });
  return { cloud, docs };
}

test('a DISABLED job: plan names the state, exit 2; apply writes its configuration but does not resume it', async () => {
  const { cloud, docs } = await deployedWith('DISABLED');
  const plan = await makePlan(cloud.apis, docs, { clock: noClock });
  const change = plan.changes.find((c) => c.kind === 'SchedulerJob');
  assert.ok(change?.action === 'update');
  assert.equal(change.fields, [{ path: 'state', before: 'DISABLED', after: 'ENABLED' }]);
  assert.is(planExitCode(plan), 2);
  const warning = plan.warnings.find((w) => w.path === JOB);
  assert.ok(warning, JSON.stringify(plan.warnings));
  assert.match(warning!.message, 'DISABLED: Cloud Scheduler disabled it after errors');
  assert.match(warning!.fix!, `gcloud scheduler jobs resume batch-scoring-globex-inc --location=${DEV.region}`);

  const before = cloud.calls.length;
  assert.ok((await execute(plan, cloud.apis, { clock: noClock })).ok);
  const calls = cloud.calls
    .slice(before)
    .filter((c) => c.api === 'scheduler')
    .map((c) => c.method);
  assert.ok(calls.includes('update'));
  assert.not.ok(calls.includes('resume'), calls.join(','));
  assert.is(cloud.stores.SchedulerJob.get(JOB)!.state as string, 'DISABLED');
});

test('an UPDATE_FAILED job: plan names the state; apply retries the update and resumes it as desired', async () => {
  const { cloud, docs } = await deployedWith('UPDATE_FAILED');
  const plan = await makePlan(cloud.apis, docs, { clock: noClock });
  assert.ok(
    plan.warnings.some((w) => w.path === JOB && w.message.includes('UPDATE_FAILED: an earlier update of it failed')),
    JSON.stringify(plan.warnings),
  );
  const before = cloud.calls.length;
  assert.ok((await execute(plan, cloud.apis, { clock: noClock })).ok);
  assert.equal(
    cloud.calls
      .slice(before)
      .filter((c) => c.api === 'scheduler')
      .map((c) => c.method),
    ['update', 'resume'],
  );
  assert.is(cloud.stores.SchedulerJob.get(JOB)!.state, 'ENABLED');
});

test('a job paused by hand is still resumed (only Google-set states are held back) and carries no state warning', async () => {
  const { cloud, docs } = await deployedWith('PAUSED');
  const plan = await makePlan(cloud.apis, docs, { clock: noClock });
  assert.not.ok(plan.warnings.some((w) => w.path === JOB));
  assert.ok((await execute(plan, cloud.apis, { clock: noClock })).ok);
  assert.is(cloud.stores.SchedulerJob.get(JOB)!.state, 'ENABLED');
});

test.run();
