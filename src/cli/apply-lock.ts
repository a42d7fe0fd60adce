/**
 * The apply lock as the CLI uses it (the model is src/apply/lock.ts): who holds it (the credentials'
 * principal, else user@host), the command line, git HEAD of the repository and the tool's version;
 * `--lock-timeout`; plan's note about a held lock.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { UserError } from '../diagnostics.ts';
import { acquireLock, heldLockNote, lockTargetOf, parseDuration, readHeldLock, type AcquiredLock, type LockHolder } from '../apply/lock.ts';
import type { ResourceDocument } from '../resources/types.ts';
import type { CommonArgs, Connection } from './plan.ts';
import { cloudAccessProblem } from './cloud-access.ts';

const run = promisify(execFile);

/** `--lock-timeout DURATION` (Go-style, as Terraform's -lock-timeout): milliseconds; absent = 0, fail at once. */
export function parseLockTimeout(value: string | boolean | undefined): number {
  if (value === undefined) return 0;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    throw new UserError({
      message: `--lock-timeout must be a duration such as 0, 30s, 10m or 1h (got "${String(value)}")`,
      fix: 'e.g. --lock-timeout 10m waits up to ten minutes for another apply to finish',
    });
  }
  return ms;
}

/** The full commit hash of HEAD, `+uncommitted` when tracked files differ from it; undefined outside a git repository. */
export async function gitHead(root: string): Promise<string | undefined> {
  try {
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
    const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root })).stdout.trim() !== '';
    return head ? `${head}${dirty ? '+uncommitted' : ''}` : undefined;
  } catch {
    return undefined;
  }
}

/** batch-workflows' version (package.json), for the lock and saved plans. */
export async function toolVersion(): Promise<string> {
  try {
    const parsed = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function localUser(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

export async function lockHolder(connection: Connection, command: string, root: string): Promise<LockHolder> {
  const commit = await gitHead(root);
  return { who: connection.principal ?? localUser(), operation: 'apply', command, version: await toolVersion(), ...(commit ? { commit } : {}) };
}

/** The force-unlock line to print, with the same target as this run. */
export function unlockCommand(common: CommonArgs): (id: string) => string {
  const target = common.sandboxUrl ? ` --sandbox-url ${common.sandboxUrl}` : common.target === 'sandbox' ? ' --target sandbox' : '';
  return (id) => `npm run force-unlock -- --env ${common.env}${target} ${id}`;
}

export interface TakeLockInput {
  readonly connection: Connection;
  readonly documents: readonly ResourceDocument[];
  readonly common: CommonArgs;
  readonly command: string;
  readonly root: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

export async function takeApplyLock(input: TakeLockInput): Promise<AcquiredLock> {
  const { connection } = input;
  let lock: AcquiredLock;
  try {
    lock = await acquireLock(connection.apis.storage, lockTargetOf(input.documents), await lockHolder(connection, input.command, input.root), {
      timeoutMs: input.timeoutMs,
      signal: input.signal,
      unlockCommand: unlockCommand(input.common),
      onWait: (_held, message) => input.log(message),
    });
  } catch (error) {
    throw cloudAccessProblem(error, { project: connection.project, action: 'apply', ...(connection.principal ? { principal: connection.principal } : {}) }) ?? error;
  }
  input.log(`Took the apply lock ${lock.path} (ID ${lock.id}).`);
  return lock;
}

export async function releaseApplyLock(lock: AcquiredLock, log: (line: string) => void): Promise<void> {
  const problem = await lock.release();
  log(problem ?? `Released the apply lock ${lock.path}.`);
}

/** Plan takes no lock; it says when one is held. A lock it cannot read is a note, not a failed plan. */
export async function noteHeldLock(connection: Connection, documents: readonly ResourceDocument[], log: (line: string) => void): Promise<void> {
  try {
    const held = await readHeldLock(connection.apis.storage, lockTargetOf(documents));
    if (held) log(heldLockNote(held, Date.now()));
  } catch (error) {
    log(`note: could not read the apply lock: ${(error as Error).message}`);
  }
}
