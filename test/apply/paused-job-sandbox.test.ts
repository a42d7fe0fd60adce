/**
 * Issue 10 item 5, against the sandbox with the real adapters: a Cloud Scheduler job paused by hand
 * is drift (plan: state "PAUSED" → "ENABLED"; apply resumes it with jobs:resume), and a client that
 * asks for `"paused": true` gets its job paused by apply (jobs:pause), resumed once it no longer asks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import { client, DEV, documentsFor, scheduled } from '../plan/fake-cloud.ts';
import { pending, quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

const JOB = `projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring-globex-inc`;
const stateOf = async (env: SandboxEnv) => (await env.apis.schedulerJobs.list(DEV.project, DEV.region)).find((l) => l.resource.name === JOB)?.resource.state;

test('a job paused in the console is drift that apply resumes', async () => {
  await withSandbox({}, async (env) => {
    const docs = documentsFor([scheduled('globex-inc')]);
    const first = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock });
    assert.ok(first.status === 'applied' && first.result.ok);
    assert.is(await stateOf(env), 'ENABLED');
    await env.apis.schedulerJobs.setState(JOB, 'PAUSED'); // what `gcloud scheduler jobs pause` does

    const plan = await makePlan(env.apis, docs, { clock: quickClock });
    assert.equal(pending(plan), [`update SchedulerJob ${JOB}`]);
    const change = plan.changes.find((c) => c.action === 'update');
    assert.ok(change?.action === 'update');
    assert.equal(change.fields, [{ path: 'state', before: 'PAUSED', after: 'ENABLED' }]);
    assert.is(planExitCode(plan), 2);

    const applied = await planAndApply({ documents: docs, apis: env.apis, clock: quickClock });
    assert.ok(applied.status === 'applied' && applied.result.ok);
    assert.is(await stateOf(env), 'ENABLED', 'apply resumed it');
    assert.equal(pending(await makePlan(env.apis, docs, { clock: quickClock })), []);
  });
});

test('"paused": true in the client schedule: apply pauses the job (also when creating it), and resumes it once removed', async () => {
  await withSandbox({}, async (env) => {
    const paused = documentsFor([client('globex-inc', { schedule: { cron: '0 6 * * 1-5', timeZone: 'Europe/Paris', paused: true } })]);
    const created = await planAndApply({ documents: paused, apis: env.apis, clock: quickClock });
    assert.ok(created.status === 'applied' && created.result.ok);
    assert.is(await stateOf(env), 'PAUSED', 'created, then paused');
    assert.equal(pending(await makePlan(env.apis, paused, { clock: quickClock })), [], 'a paused job the client asks for is not drift');

    const enabled = documentsFor([scheduled('globex-inc')]);
    const resumed = await planAndApply({ documents: enabled, apis: env.apis, clock: quickClock });
    assert.ok(resumed.status === 'applied' && resumed.result.ok);
    assert.is(await stateOf(env), 'ENABLED');
    const again = await planAndApply({ documents: paused, apis: env.apis, clock: quickClock });
    assert.ok(again.status === 'applied' && again.result.ok);
    assert.is(await stateOf(env), 'PAUSED', 'an existing job is paused by an update');
  });
});

test.run();
