/**
 * One sandbox process per state folder. Each process keeps the state in memory and writes its own
 * changes to the folder, so two of them over one folder (a running `npm run sandbox` and an
 * `apply --target sandbox`, which starts its own) would each serve what it read at start and
 * overwrite the other's records: afterwards they disagree about what was applied. The first takes
 * `owner.json` in the folder (created with O_EXCL, so only one can), holding its pid and URL; a
 * second refuses and names the URL to use instead. A lock whose pid is no longer running (a process
 * killed with SIGKILL) is stale and taken over.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../diagnostics.ts';

export const OWNER_FILE = 'owner.json';

interface Owner {
  readonly pid: number;
  readonly startedAt: string;
  /** Tells two sandboxes of one process (tests) apart. */
  readonly token: string;
  /** The sandbox's discovery URL (its workflows endpoint), once it listens. */
  readonly url?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists and may be signalled
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined; // gone meanwhile, or half written by a process that died: not an owner
  }
}

export interface StateLock {
  /** Records the URL other processes are told to use. */
  setUrl(url: string): void;
  release(): void;
}

export async function lockStateDir(dir: string): Promise<StateLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, OWNER_FILE);
  const mine: Owner = { pid: process.pid, startedAt: new Date().toISOString(), token: randomUUID() };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
    }
    const owner = readOwner(file);
    if (owner && alive(owner.pid)) {
      throw new UserError({
        file: file,
        message: `the sandbox state in ${dir} is in use by process ${owner.pid}${owner.pid === process.pid ? ' (this one)' : ''}, a sandbox started ${owner.startedAt}${owner.url ? ` serving ${owner.url}` : ''}; two sandboxes over one folder would each overwrite what the other wrote`,
        fix: owner.url
          ? `use the running one: --sandbox-url ${owner.url} (plan, apply, simulate); or stop it first (a second npm run sandbox can take another --state DIR)`
          : `stop process ${owner.pid} first (a second npm run sandbox can take another --state DIR)`,
      });
    }
    // Stale (its process is gone) or unreadable: take it over, if it is still the one judged stale.
    // Not airtight: two processes taking over the same stale lock in the same instant can both
    // succeed (one's unlink removing the other's new lock); a person starting sandboxes by hand
    // does not get there.
    const again = readOwner(file);
    if (again && owner && again.token !== owner.token) continue;
    try {
      unlinkSync(file);
    } catch {
      // already removed by another process taking it over
    }
  }
  let current = mine;
  let released = false;
  return {
    setUrl(url) {
      current = { ...current, url };
      writeFileSync(file, JSON.stringify(current));
    },
    release() {
      if (released) return;
      released = true;
      // Only our own lock: never one another process took over after ours was judged stale.
      if (readOwner(file)?.token === current.token) unlinkSync(file);
    },
  };
}
