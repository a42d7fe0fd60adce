/**
 * The part of `apply` after the plan was accepted (confirmed, or a saved plan checked): carries it
 * out with a line per resource and prints the summary and notes. Shared by `apply --env` (apply.ts)
 * and `apply FILE` (apply-saved.ts).
 */
import { UserError } from '../diagnostics.ts';
import { execute } from '../apply/index.ts';
import { hasChanges } from '../plan/summary.ts';
import type { Plan } from '../plan/types.ts';
import type { Interruptible } from './interrupt.ts';
import type { Connection } from './plan.ts';
import { outcomesExpected, progressPrinter } from './progress.ts';

/** `--concurrency N`: operations at once within a step, 1 to 64, default 8. */
export function parseConcurrency(value: string | boolean | undefined): number {
  const concurrency = value === undefined ? 8 : Number(value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UserError({ message: `--concurrency must be a whole number from 1 to 64 (got ${String(value)})` });
  }
  return concurrency;
}

/**
 * When the plan changes nothing: the line to print and the exit code (conflicts remaining: 1).
 * Undefined when there is something to apply.
 */
function nothingToApply(plan: Plan): { readonly message: string; readonly code: number } | undefined {
  if (hasChanges(plan)) return undefined;
  if (plan.summary.conflict > 0) return { message: '\nNothing to apply, but conflicts remain (see above).', code: 1 };
  const message = plan.summary.orphan > 0 ? `\nNothing to apply without --prune: ${plan.summary.orphan} to delete with --prune (see above).` : '\nNothing to apply: live matches generated/.';
  return { message, code: 0 };
}

/**
 * Whether to stop before applying `plan`: its errors are thrown (nothing is applied with one), and
 * with nothing to apply or a Ctrl-C already received, the exit code after saying so; undefined: go on.
 */
export function stopBeforeApplying(plan: Plan, interrupt: Interruptible, log: (line: string) => void): number | undefined {
  if (plan.errors.length > 0) throw new UserError(plan.errors);
  const nothing = nothingToApply(plan);
  if (nothing) {
    log(nothing.message);
    return nothing.code;
  }
  if (interrupt.signal.aborted) {
    log('\nInterrupted before anything was applied.');
    return 1;
  }
  return undefined;
}

export interface ExecuteAndReportInput {
  readonly plan: Plan;
  readonly connection: Connection;
  readonly concurrency: number;
  readonly interrupt: Interruptible;
  readonly log: (line: string) => void;
  /** What to run after a failure or an interruption (default: the same apply again). */
  readonly rerun?: string;
}

/** Applies the plan and reports; the exit code: 0 everything applied, 1 otherwise. */
export async function executeAndReport({ plan, connection, concurrency, interrupt, log, rerun }: ExecuteAndReportInput): Promise<number> {
  log(`\nApplying to ${connection.where}:`);
  const started = Date.now();
  const progress = progressPrinter(outcomesExpected(plan), log);
  let notStarted = 0;
  const result = await execute(plan, connection.apis, {
    concurrency,
    signal: interrupt.signal,
    onProgress: (event) => {
      // After Ctrl-C, what never started is counted in the summary, not listed a line each.
      if (event.type === 'outcome' && event.outcome.status === 'skipped' && interrupt.signal.aborted && event.outcome.message?.startsWith('interrupted')) notStarted++;
      else progress.onProgress(event);
    },
  }).finally(() => progress.stop());
  if (notStarted > 0) log(`  · ${notStarted} not started (interrupted)`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const { done, failed, skipped } = result.counts;
  log(`\nApply ${result.ok ? 'complete' : 'incomplete'}: ${done} done, ${failed} failed, ${skipped} skipped, in ${seconds}s (${connection.apis.calls.total} API calls).`);
  if (result.outcomes.some((o) => o.status === 'done' && o.kind === 'IamBinding' && o.action === 'create')) {
    log("note: new IAM grants take about 2 minutes (sometimes 7 or more) to take effect; a new client's first upload may be refused until then.");
  }
  if (result.outcomes.some((o) => o.status === 'failed' && o.code === 'PERMISSION_DENIED')) {
    log(`note: ${connection.principal ?? 'the account apply runs as'} lacks a permission named above; README "Permissions" lists the roles apply needs.`);
  }
  if (!result.ok) {
    log(
      interrupt.signal.aborted
        ? `Interrupted: ${rerun ?? 'run the same apply again'}; it picks up from what is live.`
        : `Fix what failed (messages above name each resource), then ${rerun ?? 'run apply again'}: what succeeded is not redone.`,
    );
  }
  return result.ok ? 0 : 1;
}
