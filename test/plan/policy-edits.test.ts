/**
 * The property the 200-policy apply tests check, on the pure functions that decide it: whatever other
 * teams' project policy we find (fast-check draws 200), the plan's IAM edits applied to it keep every
 * foreign binding and audit config byte for byte, put all our grants in, change nothing the second
 * time, and --prune revokes only our client account's legacy access. The sandbox runs a few such
 * policies end to end (test/apply/sandbox.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { diff } from '../../src/plan/diff.ts';
import { applyIamEdits, iamEditsOf } from '../../src/plan/iam.ts';
import type { IamPolicy } from '../../src/resources/live.ts';
import type { LiveState } from '../../src/plan/types.ts';
import { DEV, client, documentsFor, scheduled } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';
import { assertForeignKept, foreignPolicy, HAND_MADE_CLIENT_GRANT } from '../support/policies.ts';

const BOTH = documentsFor([client('acme-corp'), scheduled('globex-inc')]);
const ACME_ONLY = documentsFor([client('acme-corp')]);
const GLOBEX = `serviceAccount:globex-inc@${DEV.project}.iam.gserviceaccount.com`;

/** Both clients' resources live and ours, the project policy exactly `policy` (someone replaced it). */
const liveWith = (policy: IamPolicy): LiveState => ({ ...liveOf(BOTH, { bindings: 'none' }), policy });
const editsOf = (plan: ReturnType<typeof diff>) => plan.changes.flatMap(iamEditsOf);
const edited = (live: LiveState, documents: typeof BOTH, options: { prune?: boolean } = {}) => applyIamEdits(live.policy, editsOf(diff(live, documents, options)));
/** IAM changes a plan would make without --prune (legacy access is an orphan: left to --prune). */
const iamPending = (plan: ReturnType<typeof diff>) =>
  plan.changes.filter((c) => c.action !== 'no-op' && c.action !== 'orphan' && (c.kind === 'IamBinding' || c.kind === 'AuditConfig')).map((c) => c.key);

test('any foreign project policy: our edits keep it byte for byte, are complete and idempotent; --prune revokes our legacy access only', () => {
  fc.assert(
    fc.property(foreignPolicy, (original) => {
      const applied = edited(liveWith(original), BOTH);
      assertForeignKept(original, applied, 'after apply');
      const again = diff(liveWith(applied), BOTH);
      assert.equal(iamPending(again), [], 'a second plan has no IAM change');
      assert.equal(applyIamEdits(applied, editsOf(again)), applied, 'its edits change nothing');

      const pruned = edited(liveWith(applied), ACME_ONLY, { prune: true });
      assertForeignKept(original, pruned, 'after prune', new Set([HAND_MADE_CLIENT_GRANT]));
      assert.not.ok(
        pruned.bindings.some((b) => b.members.includes(HAND_MADE_CLIENT_GRANT)),
        'the hand-made grant is revoked',
      );
      assert.not.ok(
        pruned.bindings.some((b) => b.members.includes(GLOBEX)),
        "the removed client's grants are gone",
      );
    }),
    { numRuns: 200, seed: 2024 },
  );
});

test.run();
