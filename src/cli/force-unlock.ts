/**
 * `npm run force-unlock -- --env NAME LOCK_ID [--target sandbox] [--sandbox-url URL]`: removes the
 * environment's apply lock, as `terraform force-unlock LOCK_ID` does, and only if its id is LOCK_ID
 * (the delete carries ifGenerationMatch=LOCK_ID, so a lock taken since is never removed).
 */
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import { describeHolder, forceUnlock, lockTargetOf } from '../apply/lock.ts';
import { projectLayout } from './project-files.ts';
import { connect, loadDocuments, parseCommonArgs, projectOf } from './plan.ts';

const USAGE = `usage: npm run force-unlock -- --env NAME LOCK_ID [options]

Removes the apply lock of an environment (gs://BUCKET/PRODUCT/_locks/ENV.lock) left by an apply that
died. LOCK_ID is the ID that a refused apply or \`npm run plan\` prints; a lock with another ID is not
removed. Make sure the apply that holds the lock is no longer running first.

  --env NAME           environment of workflows/product.ts (required)
  --target gcp|sandbox where the lock is (default gcp; sandbox: the local control plane over .sandbox/)
  --sandbox-url URL    a sandbox already running (npm run sandbox); implies --target sandbox`;

const FORCE_UNLOCK_OPTIONS = { env: { type: 'string' }, target: { type: 'string' }, 'sandbox-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export async function run(args: string[]): Promise<number> {
  // The id is the one positional; the options are plan's (those that make sense here), checked as plan checks them.
  let tokens;
  try {
    tokens = parseArgs({ args, options: FORCE_UNLOCK_OPTIONS, allowPositionals: true, strict: true, tokens: true }).tokens;
  } catch (error) {
    throw new UserError({ message: `force-unlock: ${(error as Error).message}`, fix: 'npm run force-unlock -- --help' });
  }
  const positionalAt = new Set(tokens.flatMap((t) => (t.kind === 'positional' ? [t.index] : [])));
  const positionals = args.filter((_, i) => positionalAt.has(i));
  const parsed = parseCommonArgs('force-unlock', args.filter((_, i) => !positionalAt.has(i)), {});
  if (!parsed) {
    console.log(USAGE);
    return 0;
  }
  const { common } = parsed;
  if (positionals.length !== 1) {
    throw new UserError({
      message: positionals.length === 0 ? 'force-unlock needs the lock ID' : `force-unlock takes one lock ID (got ${positionals.join(', ')})`,
      fix: `npm run force-unlock -- --env ${common.env} LOCK_ID (the ID is in the refused apply's message and in npm run plan)`,
    });
  }
  const id = positionals[0]!;
  const layout = projectLayout();
  const documents = await loadDocuments(layout.generatedDir, common.env);
  const connection = await connect(common, projectOf(documents), layout.root);
  try {
    const removed = await forceUnlock(connection.apis.storage, lockTargetOf(documents), id, Date.now());
    console.log(`Removed the apply lock ${removed.Path} (ID ${removed.ID}), held by ${describeHolder(removed, Date.now())}.`);
    return 0;
  } finally {
    await connection.close();
  }
}
