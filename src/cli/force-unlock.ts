/**
 * `npm run force-unlock -- --env NAME LOCK_ID [--target sandbox] [--sandbox-url URL]`: removes the
 * environment's apply lock, as `terraform force-unlock LOCK_ID` does, and only if its id is LOCK_ID
 * (the delete carries ifGenerationMatch=LOCK_ID, so a lock taken since is never removed).
 */
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import { describeHolder, forceUnlock, lockTargetOf, type HeldLock } from '../apply/lock.ts';
import { askTypedYes, processIo, type Io } from './io.ts';
import { projectLayout } from './project-files.ts';
import { connect, loadDocuments, parseCommonArgs, projectOf } from './plan.ts';
import { FORCE_UNLOCK_OPTIONS, FORCE_UNLOCK_USAGE } from './usage.ts';

/**
 * Asks on the terminal, as apply does: removing a live run's lock lets a second apply race it, so
 * it is never done on a single keypress. Without a terminal only --yes may confirm.
 */
function confirmer(yes: boolean, command: string, io: Io): (held: HeldLock) => Promise<boolean> {
  return async (held) => {
    if (yes) return true;
    if (!io.interactive) {
      throw new UserError({
        path: held.Path,
        message: `force-unlock needs a confirmation and there is no terminal to ask on (the lock is ID ${held.ID}, held by ${describeHolder(held, Date.now())})`,
        fix: `make sure that apply has ended, then re-run with --yes: npm run ${command} --yes`,
      });
    }
    io.out(`The apply lock ${held.Path} (ID ${held.ID}) is held by ${describeHolder(held, Date.now())}.`);
    return askTypedYes(io, 'Remove it? Make sure that apply is no longer running.');
  };
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  // The id is the one positional; the options are plan's (those that make sense here), checked as plan checks them.
  let tokens;
  try {
    tokens = parseArgs({ args, options: FORCE_UNLOCK_OPTIONS, allowPositionals: true, strict: true, tokens: true }).tokens;
  } catch (error) {
    throw new UserError({ message: `force-unlock: ${(error as Error).message}`, fix: 'npm run force-unlock -- --help' });
  }
  const positionalAt = new Set(tokens.flatMap((t) => (t.kind === 'positional' ? [t.index] : [])));
  const positionals = args.filter((_, i) => positionalAt.has(i));
  const parsed = parseCommonArgs(
    'force-unlock',
    args.filter((_, i) => !positionalAt.has(i)),
    { yes: { type: 'boolean', short: 'y', default: false } },
  );
  if (!parsed) {
    io.out(FORCE_UNLOCK_USAGE);
    return 0;
  }
  const { common, values } = parsed;
  if (positionals.length !== 1) {
    throw new UserError({
      message: positionals.length === 0 ? 'force-unlock needs the lock ID' : `force-unlock takes one lock ID (got ${positionals.join(', ')})`,
      fix: `npm run force-unlock -- --env ${common.env} LOCK_ID (the ID is in the refused apply's message and in npm run plan)`,
    });
  }
  const id = positionals[0]!;
  const layout = projectLayout(io.cwd);
  const documents = await loadDocuments(layout.generatedDir, common.env);
  const connection = await connect(common, projectOf(documents), layout.root);
  try {
    const command = `force-unlock -- ${args.filter((a) => a !== '--yes' && a !== '-y').join(' ')}`;
    const removed = await forceUnlock(connection.apis.storage, lockTargetOf(documents), id, Date.now(), confirmer(values.yes === true, command, io));
    if (!removed) {
      io.out('Not removed: only "yes" removes the lock.');
      return 1;
    }
    io.out(`Removed the apply lock ${removed.Path} (ID ${removed.ID}), held by ${describeHolder(removed, Date.now())}.`);
    return 0;
  } finally {
    await connection.close();
  }
}
