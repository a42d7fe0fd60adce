/**
 * `npm run apply -- --env dev [--yes] [--dry-run] [--prune] [--adopt] [--client NAME] [--lock-timeout DURATION] [--target ...]`:
 * refuses when generated/ is stale (what is applied must be what was reviewed), shows the plan, asks
 * for confirmation on a terminal (refuses without one unless --yes), applies with a line per resource,
 * and exits 0 only when everything was applied. `npm run apply -- FILE` (a positional argument)
 * applies a saved plan instead: apply-saved.ts.
 */
import { UserError } from '../diagnostics.ts';
import { refuseStaleGenerated } from './check.ts';
import { interruptible } from './interrupt.ts';
import { askTypedYes, processIo, type Io } from './io.ts';
import { executeAndReport, parseConcurrency, stopBeforeApplying } from './apply-execute.ts';
import { projectLayout } from './project-files.ts';
import { noteHeldLock, parseLockTimeout, releaseApplyLock, takeApplyLock } from './apply-lock.ts';
import type { AcquiredLock } from '../apply/lock.ts';
import { runSaved } from './apply-saved.ts';
import { connect, loadDocuments, parseCommonArgs, planAndPrint, planExitCode, projectOf } from './plan.ts';
import { APPLY_OPTIONS, APPLY_USAGE, namesPlanFile } from './usage.ts';

export async function run(args: string[], io: Io = processIo): Promise<number> {
  if (namesPlanFile(args)) return runSaved(args, io);
  const parsed = parseCommonArgs('apply', args, APPLY_OPTIONS);
  if (!parsed) {
    io.out(APPLY_USAGE);
    return 0;
  }
  const { common, values } = parsed;
  const yes = values.yes === true;
  const dryRun = values['dry-run'] === true;
  const concurrency = parseConcurrency(values.concurrency);
  const lockTimeoutMs = parseLockTimeout(values['lock-timeout']);
  if (common.format === 'markdown' && !dryRun) {
    throw new UserError({
      message: '--format markdown shows a plan for a pull request; apply does not apply in that format',
      fix: 'use npm run plan -- --format markdown, or apply --dry-run --format markdown',
    });
  }
  const layout = projectLayout(io.cwd);
  // Before anything else (--dry-run too, as plan): applying a generated/ that its sources no longer
  // produce deploys something nobody reviewed.
  await refuseStaleGenerated(layout, 'apply');
  const documents = await loadDocuments(layout.generatedDir, common.env);
  if (!dryRun && !yes && !io.interactive) {
    throw new UserError({ message: 'apply needs a confirmation and there is no terminal to ask on', fix: 'review the plan (npm run plan) and re-run with --yes' });
  }
  // With --format json or markdown, stdout holds that document alone; everything else goes to stderr.
  const log = common.format !== 'text' ? (line: string) => io.err(line) : (line: string) => io.out(line);
  const connection = await connect(common, projectOf(documents), layout.root);
  // One Ctrl-C: the calls in flight finish, nothing new starts, the summary below is printed, and
  // the `finally` at the end runs: the one place where what the run holds is released, on success,
  // failure and Ctrl-C alike. A second Ctrl-C exits 130 at once (interrupt.ts).
  const interrupt = interruptible({
    onInterrupt: () => io.err('\ninterrupted: finishing the operations in flight, starting no more (Ctrl-C again to quit now). Re-run apply to converge.'),
  });
  // The apply lock (README "The apply lock"): taken before live is read, released in the finally below.
  let lock: AcquiredLock | undefined;
  try {
    if (!dryRun) lock = await takeApplyLock({ connection, documents, common, command: `apply ${args.join(' ')}`, root: layout.root, timeoutMs: lockTimeoutMs, signal: interrupt.signal, log });
    const { plan } = await planAndPrint(connection, documents, common, log, 'apply', io);
    if (dryRun) {
      await noteHeldLock(connection, documents, log);
      log('\n--dry-run: nothing was applied.');
      return planExitCode(plan);
    }
    const stop = stopBeforeApplying(plan, interrupt, log);
    if (stop !== undefined) return stop;
    if (!yes && !(await askTypedYes(io, `\nApply these changes to project ${plan.project}?`))) {
      log('Not applied.');
      return 1;
    }
    return await executeAndReport({ plan, connection, concurrency, interrupt, log });
  } finally {
    if (lock) await releaseApplyLock(lock, log);
    interrupt.dispose();
    await connection.close();
  }
}
