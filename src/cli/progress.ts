/**
 * Apply's progress lines: each outcome numbered against the total (`[123/751 1:05]`: 123rd of 751
 * results, 1 min 5 s in), and while operations are in flight but nothing has finished for a while a
 * heartbeat naming the one waited on longest, so a long apply (or one slowed by retries, a slow
 * Workflows deploy) never looks hung, in a terminal or in a CI log.
 */
import type { Outcome, ProgressEvent } from '../apply/index.ts';
import type { Change, Plan } from '../plan/types.ts';

/** The time and a repeating timer; tests pass ones they advance by hand. */
export interface ProgressClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

export const realProgressClock: ProgressClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

const VERB: Record<Outcome['action'], string> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  adopt: 'adopted',
  conflict: 'conflict',
  orphan: 'kept',
  'no-op': 'unchanged',
};

export function outcomeLine(outcome: Outcome): string {
  const mark = outcome.status === 'done' ? '✓' : outcome.status === 'failed' ? '✗' : '·';
  const what = outcome.status === 'done' ? VERB[outcome.action] : outcome.status === 'failed' ? `${outcome.action} failed` : 'skipped';
  return `${mark} ${what} ${outcome.kind} ${outcome.name}${outcome.message ? `: ${outcome.message}` : ''}`;
}

/** How many outcomes the executor reports for a plan: one per change it carries out, and one (skipped) per conflict. */
export function outcomesExpected(plan: Plan): number {
  return plan.changes.filter((c) => c.action === 'create' || c.action === 'update' || c.action === 'delete' || c.action === 'adopt' || c.action === 'conflict').length;
}

export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export interface ProgressPrinter {
  readonly onProgress: (event: ProgressEvent) => void;
  /** Stops the heartbeat; call when execute returns (also on failure). */
  stop(): void;
}

/**
 * `heartbeatMs`: how long without a finished operation before a heartbeat line (default 5 s), and
 * then how often one follows while that lasts.
 */
export function progressPrinter(total: number, log: (line: string) => void, clock: ProgressClock = realProgressClock, heartbeatMs = 5000): ProgressPrinter {
  const started = clock.now();
  let finished = 0;
  let lastPrinted = started;
  const inFlight = new Map<string, { change: Change; since: number }>();
  const width = String(total).length;
  const stamp = () => `[${String(finished).padStart(width)}/${total} ${formatElapsed(clock.now() - started)}]`;
  const cancel = clock.every(heartbeatMs, () => {
    const now = clock.now();
    if (inFlight.size === 0 || now - lastPrinted < heartbeatMs) return;
    const [oldest] = [...inFlight.values()].sort((a, b) => a.since - b.since);
    lastPrinted = now;
    log(`  ${stamp()} … ${inFlight.size} in flight; waiting ${formatElapsed(now - oldest!.since)} on ${oldest!.change.kind} ${oldest!.change.name}`);
  });
  return {
    onProgress(event) {
      if (event.type === 'start') {
        inFlight.set(event.change.key, { change: event.change, since: clock.now() });
      } else if (event.type === 'outcome') {
        inFlight.delete(event.outcome.key);
        finished++;
        lastPrinted = clock.now();
        log(`  ${stamp()} ${outcomeLine(event.outcome)}`);
      } else {
        const why = event.code === 'ABORTED' ? 'changed by someone else meanwhile; reading it again' : event.code;
        lastPrinted = clock.now();
        log(`  ${stamp()} … ${event.subject}: ${why}; retrying in ${(event.delayMs / 1000).toFixed(1)}s (attempt ${event.attempt + 1})`);
      }
    },
    stop: cancel,
  };
}
