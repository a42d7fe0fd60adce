/**
 * `npm run apply -- --env dev [--yes] [--dry-run] [--prune] [--adopt] [--client NAME] [--lock-timeout DURATION] [--target ...]`:
 * refuses when generated/ is stale (what is applied must be what was reviewed), shows the plan, asks
 * for confirmation on a terminal (refuses without one unless --yes), applies with a line per resource,
 * and exits 0 only when everything was applied.
 */
import { createInterface } from 'node:readline/promises';
import { UserError } from '../diagnostics.ts';
import { execute } from '../apply/index.ts';
import { hasChanges } from '../plan/diff.ts';
import type { Plan } from '../plan/types.ts';
import { refuseStaleGenerated } from './check.ts';
import { interruptible } from './interrupt.ts';
import { processIo, type Io } from './io.ts';
import { outcomesExpected, progressPrinter } from './progress.ts';
import { projectLayout } from './project-files.ts';
import { noteHeldLock, parseLockTimeout, releaseApplyLock, takeApplyLock } from './apply-lock.ts';
import type { AcquiredLock } from '../apply/lock.ts';
import { COMMON_USAGE, connect, loadDocuments, parseCommonArgs, planAndPrint, planExitCode, projectOf } from './plan.ts';

const USAGE = `usage: npm run apply -- --env NAME [options]

Makes what is live match generated/<env>/: shows the plan, asks, applies.
Exit code: 0 everything applied (or nothing to do), 1 anything failed, was skipped or refused
(a stale generated/ included), 130 quit with a second Ctrl-C. One Ctrl-C lets the calls in flight
finish, starts nothing more and prints the summary (exit 1).

${COMMON_USAGE}
  --yes                apply without asking (needed when not on a terminal)
  --dry-run            show the plan and stop (exit codes as plan; a stale generated/ is refused, exit 1)
  --concurrency N      operations at once within a step (default 8)
  --lock-timeout DUR   wait up to DUR (e.g. 30s, 10m) for another apply's lock (default 0: fail at once)`;

async function confirm(plan: Plan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`\nApply these changes to project ${plan.project}? Only "yes" is accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  const parsed = parseCommonArgs('apply', args, {
    yes: { type: 'boolean', short: 'y', default: false },
    'dry-run': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    'lock-timeout': { type: 'string' },
  });
  if (!parsed) {
    io.out(USAGE);
    return 0;
  }
  const { common, values } = parsed;
  const yes = values.yes === true;
  const dryRun = values['dry-run'] === true;
  const concurrency = values.concurrency === undefined ? 8 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UserError({ message: `--concurrency must be a whole number from 1 to 64 (got ${String(values.concurrency)})` });
  }
  const lockTimeoutMs = parseLockTimeout(values['lock-timeout']);
  if (common.format === 'markdown' && !dryRun) {
    throw new UserError({ message: '--format markdown shows a plan for a pull request; apply does not apply in that format', fix: 'use npm run plan -- --format markdown, or apply --dry-run --format markdown' });
  }
  const layout = projectLayout();
  // Before anything else (--dry-run too, as plan): applying a generated/ that its sources no longer
  // produce deploys something nobody reviewed.
  await refuseStaleGenerated(layout, 'apply');
  const documents = await loadDocuments(layout.generatedDir, common.env);
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!dryRun && !yes && !interactive) {
    throw new UserError({ message: 'apply needs a confirmation and there is no terminal to ask on', fix: 'review the plan (npm run plan) and re-run with --yes' });
  }
  // With --format json or markdown, stdout holds that document alone; everything else goes to stderr.
  const log = common.format !== 'text' ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const connection = await connect(common, projectOf(documents), layout.root);
  // One Ctrl-C: the calls in flight finish, nothing new starts, the summary below is printed, and
  // the `finally` at the end runs: the one place where what the run holds is released, on success,
  // failure and Ctrl-C alike. A second Ctrl-C exits 130 at once (interrupt.ts).
  const interrupt = interruptible({
    onInterrupt: () => console.error('\ninterrupted: finishing the operations in flight, starting no more (Ctrl-C again to quit now). Re-run apply to converge.'),
  });
  // The apply lock (README "The apply lock"): taken before live is read, released in the finally below.
  let lock: AcquiredLock | undefined;
  try {
    if (!dryRun) lock = await takeApplyLock({ connection, documents, common, command: `apply ${args.join(' ')}`, root: layout.root, timeoutMs: lockTimeoutMs, signal: interrupt.signal, log });
    const plan = await planAndPrint(connection, documents, common, log, 'apply');
    if (dryRun) {
      await noteHeldLock(connection, documents, log);
      log('\n--dry-run: nothing was applied.');
      return planExitCode(plan);
    }
    if (plan.errors.length > 0) throw new UserError(plan.errors);
    if (!hasChanges(plan)) {
      const leftover = plan.summary.orphan > 0 ? `\nNothing to apply without --prune: ${plan.summary.orphan} to delete with --prune (see above).` : '\nNothing to apply: live matches generated/.';
      log(plan.summary.conflict > 0 ? '\nNothing to apply, but conflicts remain (see above).' : leftover);
      return plan.summary.conflict > 0 ? 1 : 0;
    }
    if (interrupt.signal.aborted) {
      log('\nInterrupted before anything was applied.');
      return 1;
    }
    if (!yes && !(await confirm(plan))) {
      log('Not applied.');
      return 1;
    }
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
      log('note: new IAM grants take about 2 minutes (sometimes 7 or more) to take effect; a new client\'s first upload may be refused until then.');
    }
    if (result.outcomes.some((o) => o.status === 'failed' && o.code === 'PERMISSION_DENIED')) {
      log(`note: ${connection.principal ?? 'the account apply runs as'} lacks a permission named above; README "Permissions" lists the roles apply needs.`);
    }
    if (!result.ok) {
      log(
        interrupt.signal.aborted
          ? 'Interrupted: run the same apply again; it picks up from what is live.'
          : 'Fix what failed (messages above name each resource), then run apply again: what succeeded is not redone.',
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    if (lock) await releaseApplyLock(lock, log);
    interrupt.dispose();
    await connection.close();
  }
}
