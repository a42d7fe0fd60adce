/**
 * The example product's whole life against the strict sandbox, through the real SDK clients and REST
 * adapters only (no gcloud, so it runs everywhere): the first apply of generated/dev, an update, both
 * workflows started as Google starts them (an upload through the Storage API reaching the Eventarc
 * trigger; a Cloud Scheduler run), and a prune. Every request plan and apply send is checked by the
 * sandbox against Google's message definitions, roles and condition rules, so a request Google would
 * refuse fails here.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { assertApplied, pending, quickClock } from './sandbox-env.ts';
import { eventually } from '../support/eventually.ts';

let deployment: LocalDeployment;

/** The documents with one client's scheduler job moved to another time. */
function withSchedule(documents: readonly ResourceDocument[], client: string, cron: string): ResourceDocument[] {
  return documents.map((d) => (d.client !== client ? d : { ...d, resources: d.resources.map((r) => (r.kind === 'SchedulerJob' ? { ...r, schedule: cron } : r)) }));
}

test.before(async () => {
  const documents = await loadDocuments(projectLayout().generatedDir, 'dev');
  deployment = await deployLocally({ documents, usePubSubEmulator: false });
});

test.after(async () => {
  await deployment?.close();
});

test('first apply of the example product is accepted whole, and a second plan is empty', () => {
  assertApplied(deployment.applied, 'first apply');
  assert.ok(deployment.converged, 'a second plan finds nothing to do');
});

test('an update (a client schedule moved) applies as one change and converges', async () => {
  const { apis, documents } = deployment;
  const edited = withSchedule(documents, 'globex-retail', '45 4 * * *');
  const plan = await makePlan(apis, edited);
  assert.equal(pending(plan), [`update SchedulerJob projects/${deployment.product.project}/locations/${deployment.product.region}/jobs/batch-scoring-globex-retail`]);
  assertApplied(await planAndApply({ documents: edited, apis, clock: quickClock }), 'update');
  assert.equal(pending(await makePlan(apis, edited)), []);
});

test('an upload through the Storage API runs batch-inference by itself: output object and SUCCEEDED status message', async () => {
  const { sandbox, bucket, product } = deployment;
  const object = `${product.product}/acme-corp/inputs/lifecycle.jsonl`;
  const response = await fetch(`${sandbox.endpoints.storage}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(object)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/jsonl' },
    body: '{"id": 1, "text": "lifecycle"}\n',
  });
  assert.is(response.status, 200, await response.clone().text());
  const output = await eventually(() => sandbox.state.readObjectText(bucket, `${product.product}/acme-corp/outputs/lifecycle.jsonl`), 'the output object');
  assert.is(output, '{"ID": 1, "TEXT": "LIFECYCLE"}\n');
  const topic = `projects/${product.project}/topics/batch-${product.product}-acme-corp-outputs`;
  const message = await eventually(() => sandbox.state.topicMessages(topic).find((m) => m.data.includes('lifecycle.jsonl')), 'the status message');
  assert.is(message.attributes.job_state, 'SUCCEEDED', message.data);
});

test('a Cloud Scheduler run starts batch-scheduled, which ends SUCCEEDED with its status message', async () => {
  const { sandbox, bucket, product } = deployment;
  // Seeded straight into state (not through the Storage API), so no trigger fires for it.
  sandbox.state.putObject(bucket, `${product.product}/globex-retail/inputs/week.jsonl`, '{"id": 2, "text": "scheduled"}\n', 'application/jsonl');
  const job = `projects/${product.project}/locations/${product.region}/jobs/batch-${product.product}-globex-retail`;
  const response = await fetch(`${sandbox.endpoints.cloudscheduler}/v1/${job}:run`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  assert.is(response.status, 200, await response.clone().text());
  const topic = `projects/${product.project}/topics/batch-${product.product}-globex-retail-outputs`;
  const message = await eventually(() => sandbox.state.topicMessages(topic)[0], "the scheduled run's status message");
  assert.is(message.attributes.job_state, 'SUCCEEDED', message.data);
});

test('a client removed from the sources is deleted with --prune, and only it', async () => {
  const { apis, documents, product } = deployment;
  const without = withSchedule(documents, 'globex-retail', '45 4 * * *').filter((d) => d.client !== 'globex-retail');
  const kept = await planAndApply({ documents: without, apis, clock: quickClock });
  assert.is(kept.status, 'no-changes', 'without --prune nothing is deleted');
  const pruned = await planAndApply({ documents: without, apis, clock: quickClock, prune: true });
  assertApplied(pruned, 'prune');
  assert.ok(pruned.plan.summary.delete > 0);
  assert.equal(
    (await apis.topics.list(product.project)).map((t) => t.resource.name),
    [`projects/${product.project}/topics/batch-scoring-acme-corp-outputs`],
  );
  const policy = await apis.projectIam.getPolicy(product.project);
  assert.not.ok(JSON.stringify(policy).includes('globex-retail@'), 'no project binding is left for the removed client');
  // Client access lives on the client's managed folders: the removed client's are gone, the other's stay.
  const folders = Object.keys(deployment.sandbox.state.all('managedFolders')).join('\n');
  assert.not.ok(folders.includes(`${product.product}/globex-retail/`), `no managed folder is left for the removed client:\n${folders}`);
  assert.ok(folders.includes(`${product.product}/acme-corp/`), `the remaining client keeps its folders:\n${folders}`);
  assert.equal(pending(await makePlan(apis, without, { prune: true })), []);
});

test.run();
