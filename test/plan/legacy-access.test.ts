/**
 * Issue 10 items 3 and 4, pure diff: grants our client accounts hold that batch-workflows did not
 * make (a runbook's) are legacy access; whatever only --prune would remove makes plan exit 2 and is
 * counted; an offboarded client is named; a grant under our title broader than desired is an update.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import { applyIamEdits, iamEditsOf } from '../../src/plan/iam.ts';
import { formatPlan, summaryLine } from '../../src/plan/format.ts';
import { planExitCode } from '../../src/cli/plan.ts';
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import { DEV, client, documentsFor, documentsWithConditionalGrant } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';

const ACME = `serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const OPS = 'user:ops@example.com';
const objects = (prefix: string) => `resource.name.startsWith("projects/_/buckets/${DEV.bucket}/objects/${prefix}")`;
/** The seed runbook's grants, with a real role for its list grant (roles/storage.objectLister does not exist). */
const RUNBOOK: IamPolicyBinding[] = [
  { role: 'roles/storage.objectViewer', members: [OPS, ACME] },
  { role: 'roles/storage.objectCreator', members: [ACME, OPS], condition: { title: 'acme-corp-inputs', expression: objects('scoring/acme-corp/inputs/') } },
  { role: 'roles/storage.objectViewer', members: [ACME], condition: { title: 'acme-corp-read', expression: objects('scoring/acme-corp/') } },
];

const pending = (plan: ReturnType<typeof diff>) => plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action}${c.legacy ? ' legacy' : ''} ${c.name}`);

test("the runbook's grants to an owned client account are legacy access: listed, exit 2, revoked with --prune for that member only", () => {
  const docs = documentsFor([client('acme-corp')]);
  const live = liveOf(docs, { extra: RUNBOOK, uniformBucketLevelAccess: true });
  const plan = diff(live, docs);
  assert.equal(pending(plan), [
    `orphan legacy roles/storage.objectCreator ${ACME} if acme-corp-inputs`,
    `orphan legacy roles/storage.objectViewer ${ACME}`,
    `orphan legacy roles/storage.objectViewer ${ACME} if acme-corp-read`,
  ]);
  assert.is(plan.summary.legacy, 3);
  assert.is(planExitCode(plan), 2, 'legacy access is a difference');
  assert.match(formatPlan(plan), 'legacy access: held by our client account');
  assert.match(summaryLine(plan), '3 to delete with --prune');
  assert.equal(plan.removedClients, [], 'acme-corp still has its client file');

  const pruned = diff(live, docs, { prune: true });
  assert.equal(pruned.changes.filter((c) => c.action === 'delete' && c.legacy).length, 3);
  const after = applyIamEdits(live.policy, pruned.changes.flatMap(iamEditsOf));
  assert.not.ok(
    after.bindings.some((b) => b.members.includes(ACME)),
    'no grant of acme-corp is left on the project',
  );
  assert.equal(
    after.bindings.filter((b) => b.members.includes(OPS)),
    [
      { role: 'roles/storage.objectViewer', members: [OPS] },
      { ...RUNBOOK[1]!, members: [OPS] },
    ],
    'the other members of those bindings keep them, conditions unchanged',
  );
  assert.is(planExitCode(diff({ ...live, policy: after }, docs)), 0);
});

test('an unmarked client account: its grants are legacy once --adopt takes it, and not before', () => {
  const docs = documentsFor([client('acme-corp')]);
  const live = liveOf(docs, { extra: RUNBOOK, uniformBucketLevelAccess: true });
  const unmarked = { ...live, serviceAccounts: live.serviceAccounts.map((l) => (l.resource.owner.client ? { owned: false, resource: { ...l.resource, owner: { product: '' } } } : l)) };
  const plain = diff(unmarked, docs);
  assert.not.ok(
    plain.changes.some((c) => c.legacy),
    'an account that is not ours yet: its grants are not ours to list',
  );
  const adopted = diff(unmarked, docs, { adopt: true });
  assert.ok(adopted.changes.some((c) => c.action === 'adopt' && c.kind === 'ServiceAccount'));
  assert.is(adopted.summary.legacy, 3);
});

test('an offboarded client is named, its live access counted, and plan exits 2 without --prune', () => {
  const before = documentsFor([client('acme-corp'), client('globex-inc')]);
  const after = documentsFor([client('acme-corp')]);
  const plan = diff(liveOf(before, { uniformBucketLevelAccess: true }), after);
  assert.is(plan.summary.create + plan.summary.update + plan.summary.delete, 0);
  assert.ok(plan.summary.orphan > 0);
  assert.is(planExitCode(plan), 2);
  assert.equal(plan.removedClients, ['globex-inc']);
  const text = formatPlan(plan);
  assert.match(text, `Client globex-inc has no client file but its access is still live (${plan.summary.orphan} resources); apply --prune removes it.`);
  assert.match(summaryLine(plan), `${plan.summary.orphan} to delete with --prune`);
  const pruned = diff(liveOf(before, { uniformBucketLevelAccess: true }), after, { prune: true });
  assert.match(formatPlan(pruned), 'Client globex-inc has no client file: its');
});

test('a grant under one of our titles broader than the desired one is an update that removes it, not an orphan', () => {
  const { docs, member, title } = documentsWithConditionalGrant();
  const disguised = { role: 'roles/storage.objectAdmin', members: [member], condition: { title, expression: 'true' } };
  const live = liveOf(docs, { extra: [disguised], uniformBucketLevelAccess: true });
  const plan = diff(live, docs);
  const update = plan.changes.find((c) => c.action === 'update' && c.kind === 'IamBinding');
  assert.ok(update, JSON.stringify(pending(plan)));
  assert.not.ok(plan.changes.some((c) => c.action === 'orphan' && c.name.includes('objectAdmin')));
  assert.is(planExitCode(plan), 2);
  const after = applyIamEdits(live.policy, plan.changes.flatMap(iamEditsOf));
  assert.not.ok(
    after.bindings.some((b) => b.role === 'roles/storage.objectAdmin'),
    'the broader grant is gone after apply, without --prune',
  );
  assert.ok(after.bindings.some((b) => b.role === 'roles/logging.viewer' && b.condition?.title === title && b.members.includes(member)));
});

test.run();
