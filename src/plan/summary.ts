/**
 * What the diff does with the changes once each is decided: the apply order, the changes a conflict
 * holds back, the counts and the offboarded clients of the plan's summary; and the two questions
 * asked of a finished plan (would apply change anything, does live differ from generated/ at all).
 */
import { APPLY_ORDER, type Resource } from '../resources/types.ts';
import { dependencies } from './dependencies.ts';
import type { Change, Plan, PlanSummary } from './types.ts';

/** Clients with live resources or access of ours but nothing in generated/: offboarded, not yet (or now being) pruned. */
export function removedClients(changes: readonly Change[], desired: readonly Resource[]): string[] {
  const present = new Set(desired.flatMap((r) => (r.owner.client !== undefined ? [r.owner.client] : [])));
  const gone = new Set<string>();
  for (const c of changes) if ((c.action === 'orphan' || c.action === 'delete') && c.owner.client !== undefined && !present.has(c.owner.client)) gone.add(c.owner.client);
  return [...gone].sort();
}

/** In apply order (APPLY_ORDER, by kind), then by key, so that a plan reads the same each time. */
export function orderChanges(changes: readonly Change[]): Change[] {
  const rank = (c: Change) => APPLY_ORDER.indexOf(c.kind);
  return [...changes].sort((a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Changes that need a resource in conflict are held back (transitively: the order puts needs first). */
export function markBlocked(changes: readonly Change[]): Change[] {
  const blocking = new Map<string, string>();
  for (const c of changes) if (c.action === 'conflict') blocking.set(c.key, c.key);
  return changes.map((c) => {
    if (c.action === 'conflict' || c.action === 'no-op' || c.action === 'delete' || c.action === 'orphan') return c;
    const cause = dependencies(c.desired)
      .map((k) => blocking.get(k))
      .find((k) => k !== undefined);
    if (cause === undefined) return c;
    blocking.set(c.key, cause);
    return { ...c, blockedBy: cause };
  });
}

export function summarise(changes: readonly Change[]): PlanSummary {
  const count = (action: Change['action']) => changes.filter((c) => c.action === action).length;
  return {
    create: count('create'),
    update: count('update'),
    delete: count('delete'),
    adopt: count('adopt'),
    conflict: count('conflict'),
    orphan: count('orphan'),
    legacy: changes.filter((c) => (c.action === 'orphan' || c.action === 'delete') && c.legacy).length,
    unchanged: count('no-op'),
  };
}

/** Would applying this plan change anything? (Orphans and conflicts change nothing.) */
export function hasChanges(plan: Plan): boolean {
  const s = plan.summary;
  return s.create + s.update + s.delete + s.adopt > 0;
}

/**
 * Does live differ from generated/ at all? Changes, and also what only --prune would remove (an
 * offboarded client's live access, legacy grants): plan's exit 2 must not hide those.
 */
export function differs(plan: Plan): boolean {
  return hasChanges(plan) || plan.summary.orphan > 0;
}
