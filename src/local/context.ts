/**
 * What every API module of the sandbox is handed: the state, the options that shape behaviour, and
 * the test hooks. API modules are functions from this context to routes, so they share nothing else.
 */
import type { SandboxState } from './state.ts';
import type { Route } from './http.ts';
import type { Clock } from '../sim/clock.ts';
import { foundOr } from './http.ts';

/** Runs a Batch job to its end state. The default one upper-cases text between gs:// URIs. */
export type BatchRunner = (job: Readonly<Record<string, any>>, state: SandboxState) => Promise<{ state: 'SUCCEEDED' | 'FAILED'; message?: string }>;

export interface ApiContext {
  readonly state: SandboxState;
  /**
   * Milliseconds since the epoch: service-account visibility, Pub/Sub ack deadlines and Cloud
   * Scheduler's schedules read it. The real clock unless a test injects one it can advance.
   */
  readonly clock: { now(): number };
  readonly serviceAccountVisibilityDelayMs: number;
  readonly batchRunner: BatchRunner;
  /** Pause between Batch state changes, so clients polling a job see it progress. */
  readonly batchStepMs: number;
  /** One-shot hook: applied to the stored policy just before the next setIamPolicy is checked. */
  takePendingIamChange(): ((policy: any) => any) | undefined;
  /** Background work (Batch runs, executions, scheduled jobs) the sandbox awaits or cancels on stop. */
  readonly background: Background;
  /** Base URL per API (`http://127.0.0.1:PORT`), filled in once every server listens. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** The interpreter's clock for one execution (`sys.sleep`, retry backoff). */
  readonly executionClock: () => Clock;
  /** Real wait between an execution's polls of a Batch job it started. */
  readonly executionPollMs: number;
}

/** Timers and promises started outside a request, so `stop()` leaves nothing running. */
export class Background {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  private readonly aborter = new AbortController();

  /** Aborted when the sandbox stops: long waits (an execution polling a job) end early. */
  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  /** Runs `task` now, outside the request that started it; stop() waits for it (after aborting `signal`). */
  start(task: () => Promise<void> | void): void {
    if (this.stopped) return;
    const run = Promise.resolve()
      .then(task)
      .catch((error: unknown) => console.error('sandbox background task failed:', error));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  later(ms: number, task: () => Promise<void> | void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.start(task);
    }, ms);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.aborter.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}

export type ApiModule = (context: ApiContext) => Route[];

/** `projects/P/locations/L/operations/O` lookups, shared by every API that returns operations. */
export function operationRoutes(context: ApiContext, route: typeof import('./http.ts').route, prefix: string): Route[] {
  return [
    route('GET', `/${prefix}/projects/{project}/locations/{location}/operations/{operation}`, 'operations.get', (req) => {
      const name = `projects/${req.params.project}/locations/${req.params.location}/operations/${req.params.operation}`;
      return { json: foundOr(context.state.get('operations', name), `Operation ${name} not found.`) };
    }),
  ];
}
