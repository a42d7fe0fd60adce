/** Apply's progress lines and its Ctrl-C handling, on clocks and signal sources the test drives. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EventEmitter } from 'node:events';
import { formatElapsed, outcomesExpected, progressPrinter, type ProgressClock } from '../../src/cli/progress.ts';
import { interruptible } from '../../src/cli/interrupt.ts';
import type { Change, Plan } from '../../src/plan/types.ts';

function manualClock(): ProgressClock & { advance(ms: number): void } {
  let now = 0;
  const timers: Array<{ every: number; next: number; tick: () => void; on: boolean }> = [];
  return {
    now: () => now,
    every(ms, tick) {
      const timer = { every: ms, next: now + ms, tick, on: true };
      timers.push(timer);
      return () => (timer.on = false);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.on && t.next <= end).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        now = due.next;
        due.next += due.every;
        due.tick();
      }
      now = end;
    },
  };
}

const change = (n: number, action: Change['action'] = 'create') => ({ key: `Topic:t${n}`, kind: 'Topic', name: `projects/p/topics/t${n}`, action }) as unknown as Change;
const outcome = (c: Change) => ({ key: c.key, kind: c.kind, name: c.name, action: c.action, status: 'done' as const });

test('each outcome is numbered against the total with the elapsed time; a heartbeat names the slowest in flight', () => {
  const clock = manualClock();
  const lines: string[] = [];
  const printer = progressPrinter(12, (l) => lines.push(l), clock, 5000);
  const [a, b] = [change(1), change(2)];
  printer.onProgress({ type: 'start', change: a });
  printer.onProgress({ type: 'start', change: b });
  clock.advance(1200);
  printer.onProgress({ type: 'outcome', outcome: outcome(a) });
  assert.equal(lines, ['  [ 1/12 0:01] ✓ created Topic projects/p/topics/t1']);
  clock.advance(4000); // 5.2 s in, 4 s since the last line: no heartbeat yet
  assert.is(lines.length, 1);
  clock.advance(6000); // 11.2 s: 10 s since the last line
  assert.is(lines.length, 2);
  assert.match(lines[1]!, /^ {2}\[ 1\/12 0:10\] … 1 in flight; waiting 0:10 on Topic projects\/p\/topics\/t2$/);
  printer.onProgress({ type: 'outcome', outcome: outcome(b) });
  clock.advance(60_000); // nothing in flight: silent
  assert.is(lines.length, 3);
  assert.match(lines[2]!, /^ {2}\[ 2\/12 0:11\] ✓ created/);
  printer.stop();
});

test('the total counts what the executor reports: changes it carries out and conflicts, not no-ops or orphans', () => {
  const plan = { changes: [change(1), change(2, 'update'), change(3, 'delete'), change(4, 'adopt'), change(5, 'conflict'), change(6, 'no-op'), change(7, 'orphan')] } as unknown as Plan;
  assert.is(outcomesExpected(plan), 5);
  assert.is(formatElapsed(65_000), '1:05');
  assert.is(formatElapsed(3_725_000), '1:02:05');
});

test('Ctrl-C: the first aborts the signal and says so, a copy within the window is ignored, a later one quits', () => {
  const source = new EventEmitter();
  let now = 0;
  const told: string[] = [];
  const handle = interruptible({ source: source as never, now: () => now, onInterrupt: () => told.push('interrupted'), onForceQuit: () => told.push('quit') });
  assert.is(handle.signal.aborted, false);
  source.emit('SIGINT');
  assert.is(handle.signal.aborted, true);
  now = 40;
  source.emit('SIGINT'); // npm's relayed copy
  assert.equal(told, ['interrupted']);
  now = 1500;
  source.emit('SIGINT');
  assert.equal(told, ['interrupted', 'quit']);
  handle.dispose();
  assert.is(source.listenerCount('SIGINT'), 0);
});

test.run();
