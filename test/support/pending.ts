import type { Plan } from '../../src/plan/types.ts';

/** The changes a plan would make, as `action key` lines. */
export const pending = (plan: Plan) => plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.key}`);
