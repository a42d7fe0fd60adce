/**
 * Two products in one project (issue 10 item 10): a name both derive is a located error at plan,
 * not a conflict line among the changes, and two documents claiming one name are too.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { product } from '../../workflows/product.ts';
import { DEV, productDocuments, scheduled } from './fake-cloud.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { liveOf } from './live-state.ts';

function documentsOf(productName: string, clients: readonly (string | Client)[]): ResourceDocument[] {
  return productDocuments({ ...product, name: productName }, clients, (file) => `# ${file}\n`);
}

type Deployed = readonly [product: string, clients: readonly (string | Client)[]];

/** The plan for `ours` over a project where `theirs` (another product) is live already. */
function planOver(theirs: Deployed, ours: Deployed) {
  return diff(liveOf(documentsOf(...theirs), { bindings: 'none' }), documentsOf(...ours));
}

/** The plan's errors for a name two products derive. */
function collisionsIn(plan: ReturnType<typeof diff>) {
  return plan.errors.filter((e) => e.message.includes('two products in one project must not derive the same name'));
}

test('product scoring-eu client team-alpha meets product scoring client eu-team-alpha: the trigger and topic names are located errors', () => {
  const plan = planOver(['scoring', ['eu-team-alpha']], ['scoring-eu', ['team-alpha']]);
  const collisions = collisionsIn(plan);
  assert.equal(
    collisions.map((e) => [e.file, e.message.split(':')[0]]),
    [
      [
        'clients/team-alpha.json',
        `the Pub/Sub topic projects/${DEV.project}/topics/batch-scoring-eu-team-alpha-outputs that product scoring-eu's client team-alpha derives already exists for product scoring's client eu-team-alpha`,
      ],
      [
        'clients/team-alpha.json',
        `the Eventarc trigger projects/${DEV.project}/locations/global/triggers/batch-scoring-eu-team-alpha that product scoring-eu's client team-alpha derives already exists for product scoring's client eu-team-alpha`,
      ],
    ],
  );
  assert.ok(collisions.every((e) => e.fix?.startsWith('rename the client')));
  // Nothing of theirs is changed: each colliding resource stays a conflict, never an update.
  assert.not.ok(plan.changes.some((c) => (c.action === 'update' || c.action === 'delete') && c.owner.product !== 'scoring-eu'));
});

test('a scheduled client: the scheduler job id is a collision too', () => {
  const plan = planOver(['scoring', [scheduled('eu-team-alpha')]], ['scoring-eu', [scheduled('team-alpha')]]);
  assert.ok(
    plan.errors.some(
      (e) => e.file === 'clients/team-alpha.json' && e.message.startsWith(`the Cloud Scheduler job projects/${DEV.project}/locations/${DEV.region}/jobs/batch-scoring-eu-team-alpha that`),
    ),
    JSON.stringify(plan.errors.map((e) => e.message.slice(0, 120))),
  );
});

test('two products with a client of the same name collide on its service account: a located error', () => {
  const [only, ...more] = collisionsIn(planOver(['ranking', ['acme-corp']], ['scoring', ['acme-corp']]));
  assert.equal(more, []);
  assert.is(only?.file, 'clients/acme-corp.json');
  assert.is(
    only?.message.split(':')[0],
    `the service account projects/${DEV.project}/serviceAccounts/acme-corp@${DEV.project}.iam.gserviceaccount.com that product scoring's client acme-corp derives already exists for product ranking's client acme-corp`,
  );
});

test('products whose names do not collide: no collision error', () => {
  assert.equal(collisionsIn(planOver(['ranking', ['initech-llc']], ['scoring', ['acme-corp']])), []);
});

test('two documents claiming one name: a located error naming both files, not an internal error', () => {
  const docs = documentsOf('scoring', ['acme-corp', 'globex-inc']);
  const acme = docs.find((d) => d.client === 'acme-corp')!;
  const topic = acme.resources.find((r) => r.kind === 'Topic')!;
  // globex-inc's document (edited by hand, say) claims acme-corp's topic too.
  const edited = docs.map((d) => (d.client === 'globex-inc' ? { ...d, resources: [...d.resources, { ...topic, owner: { product: 'scoring', client: 'globex-inc' } }] } : d));
  const plan = diff(liveOf([], { bindings: 'none' }), edited);
  const claimed = plan.errors.filter((e) => e.message.includes('is claimed by'));
  assert.equal(
    claimed.map((e) => e.file),
    ['generated/dev/clients/acme-corp.yaml'],
  );
  assert.match(claimed[0]!.message, 'generated/dev/clients/acme-corp.yaml and generated/dev/clients/globex-inc.yaml');
});

test.run();
