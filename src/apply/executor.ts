/**
 * Carries out a Plan through the adapter seam. Stateless: everything it needs is in the plan and in
 * what the APIs answer, and every operation is written so that repeating it after a crash is harmless
 * (a create that meets ALREADY_EXISTS checks what exists, a delete that meets NOT_FOUND is done, IAM
 * edits are idempotent), so re-running plan + apply after an interruption converges.
 *
 * Order (docs/design.md §4): service accounts → IAM (one policy write) → secret access (one write per
 * secret) → topics → run settings → workflows → triggers → scheduler jobs, then deletes the other way
 * round. Within a step, operations run concurrently up to a
 * bound. A failed operation fails alone: what depends on it is skipped and reported, the rest goes on.
 */
import { UserError } from '../diagnostics.ts';
import { CloudError, type CloudApis } from '../gcp/types.ts';
import { dependencies } from '../plan/dependencies.ts';
import { applyIamEdits, iamEditsOf, isPolicyChange, policyLimitProblems, type IamEdit } from '../plan/iam.ts';
import { diffResource } from '../plan/normalise.ts';
import type { Change, Plan } from '../plan/types.ts';
import { APPLY_ORDER, type Resource, type ResourceKind } from '../resources/types.ts';
import { addressOf, isConcurrentEdit, isUnseenServiceAccount, kindApi, samePolicy } from './kind-api.ts';
import { DEFAULT_RETRY, backoffDelay, errorCode, mapBounded, realClock, withRetry, type Clock, type RetryPolicy } from './retry.ts';

export { addressOf, isConcurrentEdit, isUnseenServiceAccount, samePolicy } from './kind-api.ts';

export type OutcomeStatus = 'done' | 'failed' | 'skipped';

export interface Outcome {
  readonly key: string;
  readonly kind: ResourceKind;
  readonly name: string;
  readonly action: Change['action'];
  readonly status: OutcomeStatus;
  /** Why it failed or was skipped, or a note on how it succeeded. */
  readonly message?: string;
  /** When a Google call failed it: the error's code (PERMISSION_DENIED, NOT_FOUND, ...). */
  readonly code?: string;
}

export type ProgressEvent =
  | { readonly type: 'start'; readonly change: Change }
  | {
      readonly type: 'retry';
      readonly subject: string;
      readonly attempt: number;
      readonly delayMs: number;
      /** The error's code (`UNAVAILABLE`, `ABORTED`, ...) and its full text. */
      readonly code: string;
      readonly reason: string;
    }
  | { readonly type: 'outcome'; readonly outcome: Outcome };

export interface ExecuteOptions {
  /** Operations in flight at once within one step (default 8). */
  readonly concurrency?: number;
  readonly retry?: RetryPolicy;
  /** Read-modify-write cycles of the IAM policy before giving up on concurrent edits (default 10). */
  readonly maxIamCycles?: number;
  readonly clock?: Clock;
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Once aborted, nothing new starts; operations in flight finish and the rest is reported skipped. */
  readonly signal?: AbortSignal;
}

export interface ApplyResult {
  /** True when every change that was to be made was made, and nothing was in conflict. */
  readonly ok: boolean;
  readonly outcomes: readonly Outcome[];
  readonly counts: Readonly<Record<OutcomeStatus, number>>;
}

const EXECUTED: ReadonlySet<Change['action']> = new Set(['create', 'update', 'adopt', 'delete']);

/** `{ code }` of a classified Google error, `{}` otherwise: for outcomes, which carry it only when known. */
function codeOf(error: unknown): { code?: string } {
  const code = errorCode(error);
  return code ? { code } : {};
}

function describe(error: unknown): string {
  if (error instanceof CloudError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export async function execute(plan: Plan, apis: CloudApis, options: ExecuteOptions = {}): Promise<ApplyResult> {
  if (plan.errors.length > 0) throw new UserError(plan.errors);
  const clock = options.clock ?? realClock;
  const policy = options.retry ?? DEFAULT_RETRY;
  const concurrency = options.concurrency ?? 8;
  const emit = options.onProgress ?? (() => {});
  const outcomes = new Map<string, Outcome>();
  /** Keys whose change did not happen: what depends on them must not run. */
  const notDone = new Map<string, string>();

  const record = (change: Change, status: OutcomeStatus, message?: string, code?: string) => {
    const outcome: Outcome = { key: change.key, kind: change.kind, name: change.name, action: change.action, status, ...(message ? { message } : {}), ...(code ? { code } : {}) };
    outcomes.set(change.key, outcome);
    if (status !== 'done') notDone.set(change.key, status === 'failed' ? 'failed' : 'was skipped');
    emit({ type: 'outcome', outcome });
  };
  const retrying = <T>(subject: string, call: () => Promise<T>) =>
    withRetry(call, {
      policy,
      clock,
      onRetry: (info) => emit({ type: 'retry', subject, attempt: info.attempt, delayMs: info.delayMs, code: errorCode(info.error) ?? 'UNKNOWN', reason: describe(info.error) }),
    });

  for (const change of plan.changes) {
    if (change.action === 'conflict') {
      record(
        change,
        'skipped',
        change.otherProduct !== undefined
          ? `exists and is managed by product ${change.otherProduct}, not ${plan.product}; --adopt does not take another product's resources: rename one of them, or remove it from ${change.otherProduct} first`
          : `exists but is not managed by product ${plan.product}; rename it, delete it, or re-run with --adopt to take it over`,
      );
    } else if (change.blockedBy && EXECUTED.has(change.action)) {
      record(change, 'skipped', `needs ${change.blockedBy}, which is in conflict`);
    }
  }
  const pending = plan.changes.filter((c) => EXECUTED.has(c.action) && !outcomes.has(c.key));

  /** A reason not to start a change that needs `needs` (resource keys), or undefined. */
  const blocker = (needs: readonly string[]): string | undefined => {
    if (options.signal?.aborted) return 'interrupted before it started; re-run apply to finish';
    for (const key of needs) {
      const why = notDone.get(key);
      if (why) return `not attempted: needs ${key}, which ${why}`;
    }
    return undefined;
  };

  const upsert = async (change: Change & { desired: Resource }) => {
    const api = kindApi(apis, change.kind);
    const desired = change.desired;
    const name = addressOf(desired);
    if (change.action === 'create') {
      try {
        await retrying(name, () => api.create(desired, change));
        return undefined;
      } catch (error) {
        if (errorCode(error) !== 'ALREADY_EXISTS') throw error;
        // A retried create whose first response was lost, or a concurrent apply: check what is there.
        const live = await retrying(name, () => api.find(name));
        if (!live) throw error;
        if (!live.owned || live.resource.owner.product !== plan.product) {
          throw new Error(`${name} was created meanwhile by someone else and is not managed by product ${plan.product}; run plan again`);
        }
        if (diffResource(live.resource, desired).length === 0) return 'already existed as desired';
        await retrying(name, () => api.update(desired, change));
        return 'already existed; updated to the desired values';
      }
    }
    try {
      await retrying(name, () => api.update(desired, change));
      return undefined;
    } catch (error) {
      if (errorCode(error) !== 'NOT_FOUND') throw error;
      await retrying(name, () => api.create(desired, change));
      return 'was gone; created again';
    }
  };

  const remove = async (change: Change & { live: Resource }) => {
    const api = kindApi(apis, change.kind);
    const name = addressOf(change.live);
    try {
      await retrying(name, () => api.delete(name, change.live));
      return undefined;
    } catch (error) {
      if (errorCode(error) === 'NOT_FOUND') return 'already gone';
      throw error;
    }
  };

  const runStep = async (changes: readonly Change[], needsOf: (c: Change) => readonly string[], operation: (c: Change) => Promise<string | undefined>) => {
    await mapBounded(changes, concurrency, async (change) => {
      const why = blocker(needsOf(change));
      if (why) return record(change, 'skipped', why);
      emit({ type: 'start', change });
      try {
        record(change, 'done', await operation(change));
      } catch (error) {
        record(change, 'failed', describe(error), errorCode(error));
      }
    });
  };

  const upsertNeeds = (c: Change) => [...('desired' in c ? dependencies(c.desired) : []), ...(c.needs ?? [])];
  const ofKind = (kind: ResourceKind, deleting: boolean) => pending.filter((c) => c.kind === kind && (c.action === 'delete') === deleting);

  const stepContext: PolicyStepContext = { clock, policy, options, blocker, record, emit, retrying, upsertNeeds };
  for (const kind of APPLY_ORDER) {
    if (kind === 'AuditConfig') continue;
    if (kind === 'IamBinding') {
      await runPolicyStep(plan, apis, pending.filter(isPolicyChange), stepContext);
      continue;
    }
    if (kind === 'SecretAccess') {
      // Grants and revocations together: one write per secret, before any settings object changes.
      await runSecretAccessStep(
        plan,
        apis,
        pending.filter((c) => c.kind === kind),
        stepContext,
        concurrency,
      );
      continue;
    }
    await runStep(ofKind(kind, false), upsertNeeds, (c) => upsert(c as Change & { desired: Resource }));
  }
  // Deletes the other way round; a resource stays while something that used it could not be deleted.
  const stillUsed = (c: Change): string[] => {
    const key = c.key;
    const users = pending.filter((d) => d.action === 'delete' && notDone.has(d.key) && dependencies((d as { live: Resource }).live).includes(key)).map((d) => d.key);
    return [...users, ...(c.needs ?? [])];
  };
  for (const kind of [...APPLY_ORDER].reverse()) {
    if (kind === 'IamBinding' || kind === 'AuditConfig') continue;
    if (kind === 'SecretAccess') continue;
    await runStep(ofKind(kind, true), stillUsed, (c) => remove(c as Change & { live: Resource }));
  }

  const list = plan.changes.flatMap((c) => {
    const o = outcomes.get(c.key);
    return o ? [o] : [];
  });
  const counts = { done: 0, failed: 0, skipped: 0 };
  for (const o of list) counts[o.status]++;
  return { ok: counts.failed === 0 && counts.skipped === 0, outcomes: list, counts };
}

export interface PolicyStepContext {
  readonly clock: Clock;
  readonly policy: RetryPolicy;
  readonly options: ExecuteOptions;
  readonly blocker: (needs: readonly string[]) => string | undefined;
  readonly record: (change: Change, status: OutcomeStatus, message?: string, code?: string) => void;
  readonly emit: (event: ProgressEvent) => void;
  readonly retrying: <T>(subject: string, call: () => Promise<T>) => Promise<T>;
  readonly upsertNeeds: (c: Change) => readonly string[];
}

/**
 * Every binding and audit-config change of the run in ONE read-modify-write of the project policy:
 * Resource Manager takes 10 writes a second, and each write races every other writer. A concurrent
 * edit (stale etag → ABORTED/409/412) restarts the cycle from a fresh read; the edits are idempotent,
 * so applying them again to the newer policy keeps both changes.
 */
async function runPolicyStep(plan: Plan, apis: CloudApis, changes: readonly Change[], ctx: PolicyStepContext): Promise<void> {
  const ready: Change[] = [];
  for (const change of changes) {
    const why = ctx.blocker(change.action === 'delete' ? [] : ctx.upsertNeeds(change));
    if (why) ctx.record(change, 'skipped', why);
    else ready.push(change);
  }
  if (ready.length === 0) return;
  for (const change of ready) ctx.emit({ type: 'start', change });
  const edits: IamEdit[] = ready.flatMap(iamEditsOf);
  const createdAccounts = plan.changes.some((c) => c.kind === 'ServiceAccount' && c.action === 'create');
  const maxCycles = ctx.options.maxIamCycles ?? 10;
  const subject = `projects/${plan.project} IAM policy`;
  let outcome: { status: OutcomeStatus; message?: string; code?: string } | undefined;
  for (let cycle = 1; !outcome; cycle++) {
    try {
      const current = await ctx.retrying(subject, () => apis.projectIam.getPolicy(plan.project));
      const next = applyIamEdits(current, edits);
      if (samePolicy(current, next)) {
        outcome = { status: 'done', ...(cycle > 1 ? { message: 'already in the policy' } : {}) };
        break;
      }
      const problems = policyLimitProblems(next, plan.project);
      if (problems.length > 0) {
        outcome = { status: 'failed', message: `policy not written: ${problems.map((p) => `${p.message}; ${p.fix ?? ''}`).join(' / ')}` };
        break;
      }
      await ctx.retrying(subject, () => apis.projectIam.setPolicy(plan.project, next));
      outcome = { status: 'done', ...(cycle > 1 ? { message: `written after ${cycle - 1} concurrent change${cycle === 2 ? '' : 's'} of the policy` } : {}) };
    } catch (error) {
      const again = isConcurrentEdit(error) || (createdAccounts && isUnseenServiceAccount(error));
      if (!again || cycle >= maxCycles) {
        outcome = { status: 'failed', message: `project policy not written after ${cycle} attempt${cycle === 1 ? '' : 's'}: ${describe(error)}`, ...codeOf(error) };
        break;
      }
      const delayMs = backoffDelay(cycle, ctx.policy, ctx.clock.random);
      ctx.emit({ type: 'retry', subject, attempt: cycle, delayMs, code: errorCode(error) ?? 'UNKNOWN', reason: describe(error) });
      await ctx.clock.sleep(delayMs);
    }
  }
  for (const change of ready) ctx.record(change, outcome.status, outcome.message, outcome.code);
}

/** The edit one SecretAccess change makes to its secret's policy. */
function secretEditOf(change: Change): IamEdit | undefined {
  if (change.blockedBy) return undefined;
  if ((change.action === 'create' || change.action === 'update' || change.action === 'adopt') && change.desired.kind === 'SecretAccess') {
    return { op: 'ensure-member', role: change.desired.role, member: change.desired.member };
  }
  if (change.action === 'delete' && change.live.kind === 'SecretAccess') {
    // Unconditional grant only: a conditional one with our member was never ours to remove.
    return { op: 'remove-member', role: change.live.role, member: change.live.member };
  }
  return undefined;
}

/**
 * Secret access grants: one read-modify-write of each secret's own policy (resource-level, never the
 * project's), secrets concurrently. The etag read is the etag sent; a concurrent edit restarts that
 * secret's cycle from a fresh read, and since the edits are idempotent both changes survive. Other
 * members and bindings pass through untouched (applyIamEdits keeps them as the objects read).
 */
async function runSecretAccessStep(plan: Plan, apis: CloudApis, changes: readonly Change[], ctx: PolicyStepContext, concurrency: number): Promise<void> {
  const bySecret = new Map<string, Change[]>();
  for (const change of changes) {
    const why = ctx.blocker(ctx.upsertNeeds(change));
    if (why) {
      ctx.record(change, 'skipped', why);
      continue;
    }
    const resource = change.action === 'delete' ? change.live : 'desired' in change ? change.desired : undefined;
    if (resource?.kind !== 'SecretAccess') continue;
    const list = bySecret.get(resource.secret) ?? [];
    list.push(change);
    bySecret.set(resource.secret, list);
  }
  const createdAccounts = plan.changes.some((c) => c.kind === 'ServiceAccount' && c.action === 'create');
  const maxCycles = ctx.options.maxIamCycles ?? 10;
  await mapBounded([...bySecret], concurrency, async ([secret, group]) => {
    for (const change of group) ctx.emit({ type: 'start', change });
    const edits = group.flatMap((c) => secretEditOf(c) ?? []);
    const removing = edits.every((e) => e.op === 'remove-member');
    const subject = `IAM policy of ${secret}`;
    let outcome: { status: OutcomeStatus; message?: string; code?: string } | undefined;
    for (let cycle = 1; !outcome; cycle++) {
      try {
        const current = await ctx.retrying(subject, () => apis.secrets.getPolicy(secret));
        if (!current) {
          outcome = removing
            ? { status: 'done', message: 'the secret is gone, and its grants with it' }
            : { status: 'failed', message: `the secret ${secret} does not exist; create it (gcloud secrets create) and apply again` };
          break;
        }
        const next = applyIamEdits(current, edits);
        if (samePolicy(current, next)) {
          outcome = { status: 'done', ...(cycle > 1 ? { message: 'already in the policy' } : {}) };
          break;
        }
        await ctx.retrying(subject, () => apis.secrets.setPolicy(secret, next));
        outcome = { status: 'done', ...(cycle > 1 ? { message: `written after ${cycle - 1} concurrent change${cycle === 2 ? '' : 's'} of the policy` } : {}) };
      } catch (error) {
        const again = isConcurrentEdit(error) || (createdAccounts && isUnseenServiceAccount(error));
        if (!again || cycle >= maxCycles) {
          outcome = { status: 'failed', message: `policy of ${secret} not written after ${cycle} attempt${cycle === 1 ? '' : 's'}: ${describe(error)}`, ...codeOf(error) };
          break;
        }
        const delayMs = backoffDelay(cycle, ctx.policy, ctx.clock.random);
        ctx.emit({ type: 'retry', subject, attempt: cycle, delayMs, code: errorCode(error) ?? 'UNKNOWN', reason: describe(error) });
        await ctx.clock.sleep(delayMs);
      }
    }
    for (const change of group) ctx.record(change, outcome.status, outcome.message, outcome.code);
  });
}
