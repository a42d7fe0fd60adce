/**
 * Plan and apply as functions of (documents, APIs): what `npm run plan`, `npm run apply` and
 * `npm start` call. No file or process I/O here: the CLI loads generated/ and passes it in.
 */
import { UserError } from '../diagnostics.ts';
import type { CloudApis } from '../gcp/types.ts';
import { diff } from '../plan/diff.ts';
import { hasChanges } from '../plan/summary.ts';
import type { DiffOptions, LiveState, Plan } from '../plan/types.ts';
import type { ResourceDocument } from '../resources/types.ts';
import { execute, type ApplyResult, type ExecuteOptions } from './executor.ts';
import { readLive, scopeOf, type ReadOptions } from './read-live.ts';
import { acquireLock, lockTargetOf, type AcquireOptions, type LockHolder } from './lock.ts';
import type { LockObjectsApi } from '../gcp/storage.ts';

export { execute, type ApplyResult, type ExecuteOptions, type Outcome, type ProgressEvent } from './executor.ts';
export { readLive, scopeOf } from './read-live.ts';

/** Reads what is live (a few list calls) and diffs it with the documents. */
export async function makePlan(apis: CloudApis, documents: readonly ResourceDocument[], options: DiffOptions & ReadOptions = {}): Promise<Plan> {
  return (await planWithLive(apis, documents, options)).plan;
}

/** makePlan, and the live state it read (a saved plan fingerprints it: src/plan/saved-plan.ts). */
export async function planWithLive(apis: CloudApis, documents: readonly ResourceDocument[], options: DiffOptions & ReadOptions = {}): Promise<{ readonly plan: Plan; readonly live: LiveState }> {
  const live = await readLive(apis, scopeOf(documents), options);
  return { plan: diff(live, documents, options), live };
}

export interface PlanAndApplyInput extends DiffOptions, ExecuteOptions {
  readonly documents: readonly ResourceDocument[];
  readonly apis: CloudApis;
  /** Shown the plan; apply goes on only when it resolves true. Absent: go on (the caller said --yes). */
  readonly confirm?: (plan: Plan) => Promise<boolean>;
  /** Called with the plan before anything else happens (to print it). */
  readonly onPlan?: (plan: Plan) => void;
  /** Take the apply lock (src/apply/lock.ts) before reading what is live; it is released however the run ends. */
  readonly lock?: ApplyLockInput;
}

export interface ApplyLockInput {
  readonly store: LockObjectsApi;
  readonly holder: LockHolder;
  readonly options?: AcquireOptions;
  /** Told when the release did not remove the lock (someone force-unlocked it, or the delete failed). */
  readonly onReleaseProblem?: (message: string) => void;
}

export type PlanAndApplyResult =
  | { readonly status: 'no-changes'; readonly plan: Plan }
  | { readonly status: 'declined'; readonly plan: Plan }
  | { readonly status: 'applied'; readonly plan: Plan; readonly result: ApplyResult };

/**
 * Plan, confirm, apply; with `lock`, all of it under the apply lock, taken before anything is read
 * (a plan read before another apply's writes would undo them). Refuses (UserError) when the plan has failing preconditions, before any
 * write. Conflicts alone do not stop the rest: they are reported as skipped and the result is not ok.
 */
export async function planAndApply(input: PlanAndApplyInput): Promise<PlanAndApplyResult> {
  if (!input.lock) return planAndApplyUnlocked(input);
  const lock = await acquireLock(input.lock.store, lockTargetOf(input.documents), input.lock.holder, input.lock.options);
  try {
    return await planAndApplyUnlocked(input);
  } finally {
    const problem = await lock.release();
    if (problem) input.lock.onReleaseProblem?.(problem);
  }
}

async function planAndApplyUnlocked(input: PlanAndApplyInput): Promise<PlanAndApplyResult> {
  const plan = await makePlan(input.apis, input.documents, input);
  input.onPlan?.(plan);
  if (plan.errors.length > 0) throw new UserError(plan.errors);
  if (!hasChanges(plan) && plan.summary.conflict === 0) return { status: 'no-changes', plan };
  if (hasChanges(plan) && input.confirm && !(await input.confirm(plan))) return { status: 'declined', plan };
  const result = await execute(plan, input.apis, input);
  return { status: 'applied', plan, result };
}
