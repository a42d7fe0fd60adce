/**
 * Issue 10 item 3 on resource policies, pure diff: grants our accounts hold on the own policies of
 * the folders, topics and service accounts we own that are not the grants we make there are legacy
 * access: listed, exit 2, revoked with --prune for that member alone, other members untouched.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import { withoutGrant } from '../../src/plan/legacy-policies.ts';
import { planToJson } from '../../src/plan/format.ts';
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import type { LiveState } from '../../src/plan/types.ts';
import type { ResourceGrantResource } from '../../src/resources/types.ts';
import { DEV, client, documentsFor } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';

const ACME = `serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const WORKER = `serviceAccount:scoring-worker@${DEV.project}.iam.gserviceaccount.com`;
const OPS = 'group:data-ops@example.com';
const FOLDER = `gs://${DEV.bucket}/scoring/acme-corp/`;
const TOPIC = `projects/${DEV.project}/topics/batch-scoring-acme-corp-outputs`;

/** `live` with `extra` bindings added to the policy of the folder or topic named. */
function withExtra(live: LiveState, name: string, extra: readonly IamPolicyBinding[]): LiveState {
  return {
    ...live,
    managedFolders: (live.managedFolders ?? []).map((f) => (`gs://${f.bucket}/${f.folder}` === name ? { ...f, policy: { ...f.policy!, bindings: [...f.policy!.bindings, ...extra] } } : f)),
    resourcePolicies: (live.resourcePolicies ?? []).map((p) => (p.name === name ? { ...p, policy: { ...p.policy!, bindings: [...p.policy!.bindings, ...extra] } } : p)),
  };
}

const legacyOf = (plan: ReturnType<typeof diff>) =>
  plan.changes
    .filter((c) => c.legacy)
    .map((c) => `${c.action} ${c.name}`)
    .sort();

test('a broader role and a conditional binding of our client account on its folder, and an editor role of the worker on the topic, are legacy access', () => {
  const docs = documentsFor([client('acme-corp')]);
  let live = liveOf(docs, { uniformBucketLevelAccess: true });
  assert.equal(legacyOf(diff(live, docs)), [], 'as apply leaves it: nothing');
  live = withExtra(live, FOLDER, [
    { role: 'roles/storage.objectAdmin', members: [OPS, ACME] },
    { role: 'roles/storage.objectViewer', members: [ACME], condition: { title: 'acme-corp-read', expression: 'true' } },
  ]);
  live = withExtra(live, TOPIC, [{ role: 'roles/pubsub.editor', members: [WORKER, OPS] }]);
  const plan = diff(live, docs);
  assert.equal(legacyOf(plan), [
    `orphan roles/pubsub.editor ${WORKER} on ${TOPIC}`,
    `orphan roles/storage.objectAdmin ${ACME} on ${FOLDER}`,
    `orphan roles/storage.objectViewer ${ACME} if acme-corp-read on ${FOLDER}`,
  ]);
  assert.is(plan.summary.legacy, 3);
  assert.is(planExitCode(plan), 2);
  assert.ok(plan.changes.filter((c) => c.legacy).every((c) => c.impact === 'revokes-access' && c.owner.client === 'acme-corp'));
  // OPS is nobody's of ours: its grants are never listed.
  assert.not.ok(plan.changes.some((c) => c.name.includes(OPS)));

  const pruned = diff(live, docs, { prune: true });
  assert.equal(
    legacyOf(pruned).map((l) => l.split(' ')[0]),
    ['delete', 'delete', 'delete'],
  );
});

test('revoking one grant removes that member from that binding only, conditions compared, others kept as read', () => {
  const policy = {
    version: 3,
    etag: 'e1',
    bindings: [
      { role: 'roles/storage.objectAdmin', members: [OPS, ACME] },
      { role: 'roles/storage.objectViewer', members: [ACME], condition: { title: 'acme-corp-read', expression: 'true' } },
      { role: 'roles/storage.objectViewer', members: [ACME] },
    ],
  };
  const grant: ResourceGrantResource = {
    kind: 'ResourceGrant',
    owner: { product: 'scoring', client: 'acme-corp' },
    target: 'managedFolder',
    name: FOLDER,
    role: 'roles/storage.objectAdmin',
    member: ACME,
  };
  const after = withoutGrant(policy, grant);
  assert.equal(after.bindings, [{ role: 'roles/storage.objectAdmin', members: [OPS] }, policy.bindings[1], policy.bindings[2]]);
  assert.is(after.etag, 'e1');
  const conditional = withoutGrant(policy, { ...grant, role: 'roles/storage.objectViewer', condition: { title: 'acme-corp-read', expression: 'true' } });
  assert.equal(conditional.bindings, [policy.bindings[0], policy.bindings[2]], 'the emptied conditional binding goes; the unconditional one of the same role stays');
});

test("an unmarked topic's grants are not listed without --adopt, and are with it", () => {
  const docs = documentsFor([client('acme-corp')]);
  const base = withExtra(liveOf(docs, { uniformBucketLevelAccess: true }), TOPIC, [{ role: 'roles/pubsub.editor', members: [ACME] }]);
  const unmarked: LiveState = {
    ...base,
    topics: base.topics.map((l) => ({ owned: false, resource: { ...l.resource, owner: { product: '' } } })),
    serviceAccounts: base.serviceAccounts.map((l) => (l.resource.owner.client ? { owned: false, resource: { ...l.resource, owner: { product: '' } } } : l)),
  };
  assert.not.ok(diff(unmarked, docs).changes.some((c) => c.legacy));
  assert.equal(legacyOf(diff(unmarked, docs, { adopt: true })), [`orphan roles/pubsub.editor ${ACME} on ${TOPIC}`]);
});

test('plan --json: legacy access carries legacy: true, other changes false; removedClients names the offboarded client', () => {
  const before = documentsFor([client('acme-corp'), client('globex-inc')]);
  const live = withExtra(liveOf(before, { uniformBucketLevelAccess: true, extra: [{ role: 'roles/storage.objectViewer', members: [ACME] }] }), FOLDER, [
    { role: 'roles/storage.objectAdmin', members: [ACME] },
  ]);
  const json = planToJson(diff(live, documentsFor([client('acme-corp')])));
  const legacy = json.changes
    .filter((c) => c.legacy)
    .map((c) => c.name)
    .sort();
  assert.equal(legacy, [`roles/storage.objectAdmin ${ACME} on ${FOLDER}`, `roles/storage.objectViewer ${ACME}`]);
  assert.ok(
    json.changes.some((c) => c.client === 'globex-inc' && c.legacy === false),
    "the offboarded client's resources are deletions, not legacy access",
  );
  assert.equal(json.removedClients, ['globex-inc']);
  assert.equal(JSON.parse(JSON.stringify(json)).removedClients, ['globex-inc']);
});

test.run();
