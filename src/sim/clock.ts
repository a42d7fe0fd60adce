/**
 * Time for the interpreter. The default clock is virtual: `sys.sleep`, retry backoff and connector
 * polling advance it instantly, so a test of a two-hour Batch job takes milliseconds. Concurrent
 * sleepers (parallel branches) wake in order of their wake-up time, like a discrete-event scheduler:
 * the earliest timer fires only once every runnable task has run to its next wait.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

export class VirtualClock implements Clock {
  private current: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private scheduled = false;

  /** Starts at the given epoch ms; a fixed default keeps traces and generated dates reproducible. */
  constructor(startMs: number = Date.UTC(2025, 0, 15, 9, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, wake });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after every pending promise continuation: all tasks have reached a wait.
    setImmediate(() => this.fireEarliest());
  }

  private fireEarliest(): void {
    this.scheduled = false;
    if (this.timers.length === 0) return;
    let best = 0;
    for (let i = 1; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      const b = this.timers[best]!;
      if (t.at < b.at || (t.at === b.at && t.seq < b.seq)) best = i;
    }
    const [timer] = this.timers.splice(best, 1);
    this.current = Math.max(this.current, timer!.at);
    timer!.wake();
    if (this.timers.length > 0) this.schedule();
  }
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
