/**
 * The apply lock: one object per product and environment in the product bucket,
 * `gs://BUCKET/PRODUCT/_locks/ENV.lock`, so two applies of one environment never run at once (two
 * `apply --prune` runs with different client sets would each delete the other's clients).
 *
 * Modelled on Terraform's gcs backend
 * (https://github.com/hashicorp/terraform/blob/main/internal/backend/remote-state/gcs/client.go):
 * the lock is taken by creating the object with a must-not-exist precondition (ifGenerationMatch=0),
 * its id is the object's generation, and it is removed only by a delete with ifGenerationMatch=id,
 * so a release or a force-unlock never removes a lock someone else took meanwhile. The contents use
 * Terraform's LockInfo field names (internal/states/statemgr/locker.go: ID, Operation, Info, Who,
 * Version, Created, Path), plus the command line and the commit.
 *
 * `_locks/` is not a client folder (client names start with a letter) and is outside `_settings/`,
 * the only prefix plan lists, so the lock is never a resource, a change or an orphan.
 *
 * A lock older than LOCK_TTL_MS is reported as probably left by a run that died; it is never taken
 * over silently (the run may still be going): force-unlock removes it. Time comes from an injected
 * clock, so the TTL and --lock-timeout waits are tested without the real clock.
 */
import { randomUUID } from 'node:crypto';
import { UserError } from '../diagnostics.ts';
import { CloudError } from '../gcp/types.ts';
import type { LockObjectsApi } from '../gcp/storage.ts';
import type { ResourceDocument } from '../resources/types.ts';
import { scopeOf } from './read-live.ts';

/** One hour: longer than any apply we have measured (751 operations took minutes), short enough that a dead run's lock is noticed. */
export const LOCK_TTL_MS = 60 * 60 * 1000;
/** How often a waiting apply looks at the lock again. */
export const LOCK_POLL_MS = 2000;

export interface LockClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export const realLockClock: LockClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Where an environment's lock lives. */
export interface LockTarget {
  readonly bucket: string;
  readonly object: string;
  readonly environment: string;
}

export function lockObjectName(product: string, environment: string): string {
  return `${product}/_locks/${environment}.lock`;
}

/** The lock of the environment the documents describe, in the bucket plan checks (the one the workflows use). */
export function lockTargetOf(documents: readonly ResourceDocument[]): LockTarget {
  const first = documents[0];
  if (!first) throw new Error('internal: no resource documents');
  return { bucket: scopeOf(documents).bucket, object: lockObjectName(first.product, first.environment), environment: first.environment };
}

export const lockPath = (target: LockTarget) => `gs://${target.bucket}/${target.object}`;

/** What the caller knows about itself: the CLI finds these (the principal or user@host, the command line, git HEAD). */
export interface LockHolder {
  readonly who: string;
  readonly operation: string;
  readonly command: string;
  readonly commit?: string;
  readonly version: string;
}

/** The object's JSON. The lock id is not in it: it is the generation, known only once written. */
export interface LockRecord {
  readonly Operation: string;
  readonly Info: string;
  readonly Who: string;
  readonly Version: string;
  /** RFC 3339, from the holder's clock. */
  readonly Created: string;
  readonly Path: string;
  readonly Command: string;
  readonly Commit: string;
  /** Random, this run's: tells a run its own lock when a create it retried had in fact succeeded. */
  readonly Run: string;
}

export interface HeldLock extends LockRecord {
  /** The object's generation: what force-unlock takes. */
  readonly ID: string;
}

export function lockRecord(target: LockTarget, holder: LockHolder, now: number, run: string = randomUUID()): LockRecord {
  return {
    Operation: holder.operation,
    Info: `batch-workflows ${holder.operation} of environment ${target.environment}`,
    Who: holder.who,
    Version: holder.version,
    Created: new Date(now).toISOString(),
    Path: lockPath(target),
    Command: holder.command,
    Commit: holder.commit ?? '',
    Run: run,
  };
}

/** A lock object's contents, read leniently: one written by hand or truncated is still a lock, shown as it is. */
export function parseLock(contents: string, generation: string, path: string): HeldLock {
  let parsed: unknown;
  try {
    parsed = JSON.parse(contents);
  } catch {
    parsed = undefined;
  }
  const record = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const text = (key: string, fallback = '') => (typeof record[key] === 'string' ? (record[key] as string) : fallback);
  return {
    ID: generation,
    Operation: text('Operation', '?'),
    Info: text('Info'),
    Who: text('Who', parsed === undefined ? '(unreadable lock contents)' : 'unknown'),
    Version: text('Version'),
    Created: text('Created'),
    Path: path,
    Command: text('Command'),
    Commit: text('Commit'),
    Run: text('Run'),
  };
}

/** Milliseconds since the lock was taken; undefined when its Created is missing or not a time. */
export function lockAge(held: HeldLock, now: number): number | undefined {
  const created = Date.parse(held.Created);
  return Number.isNaN(created) ? undefined : Math.max(0, now - created);
}

/** Older than the TTL, or of unknown age (nobody can tell whether its run still goes). */
export function isStale(held: HeldLock, now: number, ttlMs: number = LOCK_TTL_MS): boolean {
  const age = lockAge(held, now);
  return age === undefined || age > ttlMs;
}

/** `45s`, `12m`, `3h05m`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${String(s % 60).padStart(2, '0')}s` : ''}`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Go-style durations as Terraform's -lock-timeout takes them: `0`, `90s`, `5m`, `1h30m`, `500ms`. Undefined when not one. */
export function parseDuration(text: string): number | undefined {
  if (/^0+$/.test(text)) return 0;
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, , u] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(n) * unit[u!]!;
  return Math.round(total);
}

/** `alice@example.com since 2026-12-03T10:00:00.000Z (4m ago), running "apply --env dev --prune" at commit 3f2a…` */
export function describeHolder(held: HeldLock, now: number): string {
  const age = lockAge(held, now);
  const since = held.Created ? `since ${held.Created}${age !== undefined ? ` (${formatDuration(age)} ago)` : ''}` : 'since an unknown time';
  const command = held.Command ? `, running "${held.Command}"` : '';
  const commit = held.Commit ? ` at commit ${held.Commit}` : '';
  return `${held.Who} ${since}${command}${commit}`;
}

/** The line plan prints when a lock is held (plan takes none). */
export function heldLockNote(held: HeldLock, now: number, ttlMs: number = LOCK_TTL_MS): string {
  const stale = isStale(held, now, ttlMs) ? ` It is older than its ${formatDuration(ttlMs)} time-to-live: that run has probably died.` : '';
  return `note: an apply holds the lock ${held.Path}: ${describeHolder(held, now)} (lock ID ${held.ID}). An apply now would wait for it or fail.${stale}`;
}

/** A held lock stopped this apply (at once, after --lock-timeout, or because it is stale). */
export class LockHeldError extends UserError {
  constructor(
    readonly held: HeldLock,
    readonly reason: 'held' | 'timeout' | 'stale' | 'interrupted',
    message: string,
    fix: string,
  ) {
    super({ path: held.Path, message, fix });
  }
}

export interface AcquireOptions {
  readonly clock?: LockClock;
  /** How long to wait for a held lock; 0 (default): fail at once. */
  readonly timeoutMs?: number;
  readonly ttlMs?: number;
  readonly pollMs?: number;
  /** Called once, when this run starts waiting. */
  readonly onWait?: (held: HeldLock, message: string) => void;
  /** Stops a wait (Ctrl-C): the run fails without the lock. */
  readonly signal?: AbortSignal;
  /** The command that removes a lock, for messages (default `npm run force-unlock -- --env ENV ID`). */
  readonly unlockCommand?: (id: string) => string;
}

export interface AcquiredLock {
  readonly id: string;
  readonly record: LockRecord;
  readonly path: string;
  /** Removes the lock if it is still this one. Never throws: a problem comes back as a line to print. */
  release(): Promise<string | undefined>;
}

/** The held lock, or undefined; plan calls this (it takes no lock). */
export async function readHeldLock(store: LockObjectsApi, target: LockTarget): Promise<HeldLock | undefined> {
  const found = await store.readLockObject(target.bucket, target.object);
  return found && parseLock(found.contents, found.generation, lockPath(target));
}

function sleepUnlessAborted(clock: LockClock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    void clock.sleep(ms).then(done);
  });
}

/**
 * Takes the lock: creates the object if there is none; else waits up to `timeoutMs` for it to go,
 * then fails naming the holder. A stale lock fails at once (waiting for a dead run is pointless).
 */
export async function acquireLock(store: LockObjectsApi, target: LockTarget, holder: LockHolder, options: AcquireOptions = {}): Promise<AcquiredLock> {
  const clock = options.clock ?? realLockClock;
  const timeoutMs = options.timeoutMs ?? 0;
  const ttlMs = options.ttlMs ?? LOCK_TTL_MS;
  const unlock = options.unlockCommand ?? ((id: string) => `npm run force-unlock -- --env ${target.environment} ${id}`);
  const path = lockPath(target);
  const run = randomUUID();
  const started = clock.now();
  let announced = false;
  for (;;) {
    const record = lockRecord(target, holder, clock.now(), run);
    let created: { readonly generation: string } | undefined;
    try {
      created = await store.createLockObject(target.bucket, target.object, `${JSON.stringify(record, null, 2)}\n`);
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') {
        throw new UserError({
          path: `gs://${target.bucket}`,
          message: `the product bucket gs://${target.bucket} does not exist, and the apply lock lives in it`,
          fix: 'create the bucket first: `npm run plan` prints the gcloud command',
        });
      }
      throw error;
    }
    if (created) return acquired(store, target, record, created.generation);
    const held = await readHeldLock(store, target);
    if (!held) continue; // released between our create and our read: try again at once
    if (held.Run === run) return acquired(store, target, record, held.ID); // our own create, retried after it had succeeded
    const now = clock.now();
    const holderText = describeHolder(held, now);
    if (isStale(held, now, ttlMs)) {
      throw new LockHeldError(
        held,
        'stale',
        `the apply lock ${path} was taken by ${holderText}: older than its ${formatDuration(ttlMs)} time-to-live, so that run has probably died. A lock is never taken over automatically`,
        `make sure no apply of ${target.environment} is still running, then remove the lock with \`${unlock(held.ID)}\` and apply again`,
      );
    }
    if (options.signal?.aborted) {
      throw new LockHeldError(held, 'interrupted', `interrupted while waiting for the apply lock ${path}, held by ${holderText}; nothing was applied`, 'run the apply again');
    }
    const waited = now - started;
    if (waited >= timeoutMs) {
      const after = timeoutMs > 0 ? ` after waiting ${formatDuration(waited)}` : '';
      throw new LockHeldError(
        held,
        timeoutMs > 0 ? 'timeout' : 'held',
        `another apply holds the lock ${path}${after}: ${holderText} (lock ID ${held.ID})`,
        `wait for it to finish and apply again, or wait for it with --lock-timeout 10m; if that apply is no longer running, remove the lock with \`${unlock(held.ID)}\``,
      );
    }
    if (!announced) {
      announced = true;
      options.onWait?.(held, `waiting up to ${formatDuration(timeoutMs - waited)} for the apply lock ${path}, held by ${holderText} (lock ID ${held.ID})`);
    }
    await sleepUnlessAborted(clock, Math.min(options.pollMs ?? LOCK_POLL_MS, timeoutMs - waited), options.signal);
  }
}

function acquired(store: LockObjectsApi, target: LockTarget, record: LockRecord, id: string): AcquiredLock {
  const path = lockPath(target);
  let released: Promise<string | undefined> | undefined;
  return {
    id,
    record,
    path,
    release() {
      released ??= store.deleteLockObject(target.bucket, target.object, id).then(
        (outcome) =>
          outcome === 'deleted'
            ? undefined
            : `warning: the apply lock ${path} (ID ${id}) was ${outcome === 'gone' ? 'removed' : 'replaced'} by someone else while this apply ran (force-unlock?); nothing was released`,
        (error: unknown) =>
          `warning: could not release the apply lock ${path} (ID ${id}): ${(error as Error).message}. Remove it with \`npm run force-unlock -- --env ${target.environment} ${id}\` once you are sure this apply has ended`,
      );
      return released;
    },
  };
}

/**
 * force-unlock: removes the lock only if its id is `id` (delete with ifGenerationMatch=id), and only
 * once `confirm` (given the lock found) agrees. Returns the lock removed, or undefined when declined.
 */
export async function forceUnlock(store: LockObjectsApi, target: LockTarget, id: string, now: number, confirm: (held: HeldLock) => Promise<boolean> = async () => true): Promise<HeldLock | undefined> {
  const path = lockPath(target);
  if (!/^\d+$/.test(id)) {
    throw new UserError({
      message: `"${id}" is not a lock ID: lock IDs are the lock object's generation, a whole number`,
      fix: 'copy the ID from the message of the apply that was refused, or from `npm run plan`',
    });
  }
  const held = await readHeldLock(store, target);
  if (!held) throw new UserError({ path, message: `no apply lock is held for environment ${target.environment} (${path} does not exist)`, fix: 'nothing to unlock; run the apply' });
  if (held.ID !== id) {
    throw new UserError({
      path,
      message: `lock ID ${id} is not the lock held: ${path} is ID ${held.ID}, held by ${describeHolder(held, now)}`,
      fix: `check that this is the lock you mean, then run force-unlock with ID ${held.ID}`,
    });
  }
  if (!(await confirm(held))) return undefined;
  const outcome = await store.deleteLockObject(target.bucket, target.object, id);
  if (outcome === 'changed') {
    throw new UserError({
      path,
      message: `the lock changed while being removed: ${path} is no longer ID ${id}`,
      fix: 'look again (npm run plan shows the lock) and unlock the new ID only if its run has died',
    });
  }
  return held;
}
