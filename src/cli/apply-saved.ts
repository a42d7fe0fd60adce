/**
 * `npm run apply -- FILE`: applies exactly the plan `npm run plan -- --out FILE` saved, as
 * Terraform's `apply PLANFILE`. It asks no confirmation (the plan was the review), but takes the
 * apply lock and refuses a stale generated/ as apply does; and it refuses (exit 1, nothing written)
 * when generated/'s files or the live state moved since the plan, naming what moved, or when the
 * plan recomputed now is not the saved one.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import type { AcquiredLock } from '../apply/lock.ts';
import { documentDigests, documentsMoved, liveFingerprint, liveMoved, planMismatch, type SavedPlan } from '../plan/saved-plan.ts';
import { executeAndReport, parseConcurrency, stopBeforeApplying } from './apply-execute.ts';
import { parseLockTimeout, releaseApplyLock, takeApplyLock, toolVersion } from './apply-lock.ts';
import { refuseStaleGenerated } from './check.ts';
import { interruptible } from './interrupt.ts';
import { processIo, type Io } from './io.ts';
import { connect, loadDocuments, printPlan, projectOf, readPlan, type CommonArgs } from './plan.ts';
import { projectLayout } from './project-files.ts';
import { readPlanFile } from './saved-plan.ts';
import { SAVED_PLAN_OPTIONS, SAVED_PLAN_USAGE } from './usage.ts';

/** The plan's own options, checked against what was typed: a saved plan is applied as it was planned. */
function commonArgsOf(saved: SavedPlan, file: string, values: Record<string, string | boolean | undefined>): CommonArgs {
  const fixed = (['prune', 'adopt', 'client'] as const).filter((o) => values[o] !== undefined);
  if (fixed.length > 0) {
    throw new UserError({
      message: `${fixed.map((o) => `--${o}`).join(', ')} cannot be given with a plan file: the plan was made ${saved.options.prune ? 'with' : 'without'} --prune, ${saved.options.adopt ? 'with' : 'without'} --adopt, ${saved.options.client ? `for client ${saved.options.client}` : 'for every client'}`,
      fix: `to apply other options, plan with them: npm run plan -- --env ${saved.environment} --out ${file} …`,
    });
  }
  if (values['dry-run'] !== undefined) {
    throw new UserError({ message: '--dry-run cannot be given with a plan file', fix: `to see what would change now: npm run plan -- --env ${saved.environment}` });
  }
  if (typeof values.env === 'string' && values.env !== saved.environment) {
    throw new UserError({
      file,
      path: 'environment',
      message: `the plan is for environment "${saved.environment}", not "${values.env}"`,
      fix: `drop --env, or apply a plan made with --env ${values.env}`,
    });
  }
  const sandboxUrl = (values['sandbox-url'] as string | undefined) ?? saved.sandboxUrl ?? undefined;
  const target = (values.target as string | undefined) ?? (values['sandbox-url'] ? 'sandbox' : saved.target);
  if (target !== saved.target) {
    throw new UserError({
      file,
      path: 'target',
      message: `the plan was made against ${saved.target === 'gcp' ? 'Google Cloud' : 'the sandbox'}, not ${target === 'gcp' ? 'Google Cloud' : target === 'sandbox' ? 'the sandbox' : `"${target}"`}`,
      fix: 'apply it where it was planned, or plan again against this target',
    });
  }
  return {
    env: saved.environment,
    ...(saved.options.client !== null ? { client: saved.options.client } : {}),
    format: values.json === true ? 'json' : 'text',
    prune: saved.options.prune,
    adopt: saved.options.adopt,
    target: saved.target,
    ...(target === 'sandbox' && sandboxUrl ? { sandboxUrl } : {}),
    noColor: values['no-color'] === true,
  };
}

export async function runSaved(args: string[], io: Io = processIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: SAVED_PLAN_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(SAVED_PLAN_USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UserError({ message: `apply takes one plan file (got ${positionals.join(' ')})`, fix: 'npm run apply -- plans/dev.plan.json' });
  }
  const file = positionals[0]!;
  const concurrency = parseConcurrency(values.concurrency);
  const lockTimeoutMs = parseLockTimeout(values['lock-timeout']);
  const layout = projectLayout(io.cwd);
  const saved = await readPlanFile(file, layout.root);
  const common = commonArgsOf(saved, file, values);
  const version = await toolVersion();
  if (saved.toolVersion !== version) {
    throw new UserError({
      file,
      path: 'toolVersion',
      message: `the plan was made by batch-workflows ${saved.toolVersion}, this is ${version} (another version may plan differently)`,
      fix: `plan again with this version: npm run plan -- --env ${saved.environment} --out ${file}`,
    });
  }
  const planCommand = `npm run plan -- --env ${saved.environment}${saved.options.prune ? ' --prune' : ''}${saved.options.adopt ? ' --adopt' : ''}${saved.options.client ? ` --client ${saved.options.client}` : ''} --out ${file}`;
  const replan = `plan again, review, and apply the new plan: ${planCommand}, then npm run apply -- ${file}`;
  // As apply: a generated/ its sources no longer produce is refused before anything else.
  await refuseStaleGenerated(layout, 'apply');
  const files = new Map<string, string>();
  const documents = await loadDocuments(layout.generatedDir, saved.environment, (path, text) => files.set(path, text));
  const edited = documentsMoved(saved.documents, documentDigests(files));
  if (edited.length > 0 || projectOf(documents) !== saved.project) {
    const lines = edited.length > 0 ? edited : [`generated/${saved.environment}/ now deploys to project ${projectOf(documents)}, the plan to ${saved.project}`];
    throw new UserError({ file, message: `generated/ changed since the plan was saved; nothing was applied:\n${lines.map((l) => `  ${l}`).join('\n')}`, fix: replan });
  }
  const log = common.format === 'json' ? (line: string) => io.err(line) : (line: string) => io.out(line);
  const connection = await connect(common, saved.project, layout.root);
  const interrupt = interruptible({
    onInterrupt: () => io.err('\ninterrupted: finishing the operations in flight, starting no more (Ctrl-C again to quit now).'),
  });
  let lock: AcquiredLock | undefined;
  try {
    // Taken before live is read, as apply does: what is compared below cannot move under the lock.
    lock = await takeApplyLock({ connection, documents, common, command: `apply ${args.join(' ')}`, root: layout.root, timeoutMs: lockTimeoutMs, signal: interrupt.signal, log });
    const { plan, live } = await readPlan(connection, documents, common, 'apply');
    const moved = liveMoved(saved.live, liveFingerprint(live, documents));
    if (moved.length > 0) {
      throw new UserError({ file, message: `the live state moved since the plan was saved; nothing was applied:\n${moved.map((l) => `  ${l}`).join('\n')}`, fix: replan });
    }
    const differs = planMismatch(saved.plan, plan);
    if (differs.length > 0) {
      throw new UserError({ file, message: `the plan made now from the same inputs is not the saved one; nothing was applied:\n${differs.map((l) => `  ${l}`).join('\n')}`, fix: replan });
    }
    printPlan(plan, documents, common, log, io);
    log(`\nThe saved plan ${file} still matches generated/ and what is live (${saved.live.length} resources and policies checked).`);
    const stop = stopBeforeApplying(plan, interrupt, log);
    if (stop !== undefined) return stop;
    return await executeAndReport({ plan, connection, concurrency, interrupt, log, rerun: `plan again (${planCommand}) and apply that` });
  } finally {
    if (lock) await releaseApplyLock(lock, log);
    interrupt.dispose();
    await connection.close();
  }
}
