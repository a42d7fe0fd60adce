/**
 * The local sandbox (docs/design.md §5): an in-process REST control plane on 127.0.0.1 that speaks
 * Google's REST shapes for the APIs batch-workflows uses, so the real SDK clients (REST mode),
 * `gcloud` (api_endpoint_overrides) and curl work against it with no credentials.
 *
 *   const sandbox = await startSandbox({ stateDir: '.sandbox' });
 *   new WorkflowsClient({ fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1',
 *                         port: sandbox.ports.workflows, authClient: new PassThroughClient() });
 *   ...
 *   await sandbox.stop();
 *
 * Pub/Sub is Google's own emulator when asked for and installed; otherwise the sandbox serves a
 * Pub/Sub REST subset itself.
 */
import { Background, type ApiContext, type ApiModule, type BatchRunner } from './context.ts';
import type { Route } from './http.ts';
import { listen, RequestStats, type Faults, type RunningServer, type ServerShared } from './server.ts';
import { SandboxState } from './state.ts';
import { lockStateDir } from './state-lock.ts';
import { seededRandom } from './google-shapes.ts';
import { workflowsRoutes } from './apis/workflows.ts';
import { executionsRoutes } from './apis/executions.ts';
import { eventarcRoutes } from './apis/eventarc.ts';
import { schedulerRoutes } from './apis/scheduler.ts';
import { iamRoutes } from './apis/iam.ts';
import { resourceManagerRoutes } from './apis/resource-manager.ts';
import { batchRoutes } from './apis/batch.ts';
import { secretManagerRoutes } from './apis/secret-manager.ts';
import { secretManagerIamRoutes } from './apis/secret-manager-iam.ts';
import { storageRoutes } from './apis/storage.ts';
import { pubsubRoutes } from './apis/pubsub.ts';
import { pubsubIamRoutes, serviceAccountIamRoutes } from './apis/resource-iam.ts';
import { storageIamRoutes } from './apis/storage-iam.ts';
import { iamCredentialsRoutes } from './apis/iam-credentials.ts';
import { createAuthorizer } from './authz/authorize.ts';
import { upperCaseRunner } from './batch-runner.ts';
import { startPubSubEmulator, type PubSubEmulator } from './pubsub-emulator.ts';
import { SANDBOX_APIS, type SandboxApi } from './sandbox-apis.ts';
import { realClock, type Clock } from '../sim/clock.ts';
import { abandonExecutions } from './run-execution.ts';
import { tickSchedules } from './scheduler-runner.ts';
import { requestValidator } from './validate-request.ts';

export type { BatchRunner } from './context.ts';
export { SandboxState } from './state.ts';
export { upperCaseRunner } from './batch-runner.ts';
export { startPubSubEmulator, pubSubEmulatorUnavailableReason, type PubSubEmulator } from './pubsub-emulator.ts';

export { SANDBOX_APIS, type SandboxApi } from './sandbox-apis.ts';
export { tokenFor, authHeaders, OPERATOR } from './authz/principal.ts';
export { authorize, isAllowed, PermissionDenied } from './authz/authorize.ts';
export { projectCheck, checksFor, type Check } from './authz/permissions.ts';

/** Every API the sandbox serves, by name: the routes each serves (Pub/Sub's only when the emulator is not used). */
export const API_MODULES: Record<SandboxApi, ApiModule> = {
  workflows: workflowsRoutes,
  workflowexecutions: executionsRoutes,
  eventarc: eventarcRoutes,
  cloudscheduler: schedulerRoutes,
  iam: (context) => [...iamRoutes(context), ...serviceAccountIamRoutes(context)],
  cloudresourcemanager: resourceManagerRoutes,
  batch: batchRoutes,
  secretmanager: (context) => [...secretManagerRoutes(context), ...secretManagerIamRoutes(context)],
  storage: (context) => [...storageIamRoutes(context), ...storageRoutes(context)],
  iamcredentials: iamCredentialsRoutes,
  pubsub: (context) => [...pubsubRoutes(context), ...pubsubIamRoutes(context)],
};

/** Every route the sandbox serves for `api` (the Pub/Sub ones too, used when the emulator is not). */
export function routesOf(api: SandboxApi, context: ApiContext): Route[] {
  return API_MODULES[api](context);
}

export interface SandboxOptions {
  /** 0 or undefined = a random port per API; N = N, N+1, ... in SANDBOX_APIS order. */
  basePort?: number;
  /** Folder the state persists in (the CLI uses `.sandbox/`); undefined = in memory only. */
  stateDir?: string;
  /** Added to every request, to make API-call counts visible as wall time in benchmarks. */
  latencyMs?: number;
  /** Share of requests answered 503 UNAVAILABLE or 429 RESOURCE_EXHAUSTED before they are handled. */
  transientErrorRate?: number;
  /** Share of successful writes whose response is lost: the change is made, the client gets a 503. */
  lostResponseRate?: number;
  /** Seed of the fault-injection RNG, for reproducible runs. */
  seed?: number;
  batchRunner?: BatchRunner;
  /** Pause between Batch job state changes (default 20 ms). */
  batchStepMs?: number;
  /** Use Google's Pub/Sub emulator when installed (default false: the sandbox serves Pub/Sub). */
  usePubSubEmulator?: boolean;
  /** A new service account is visible to get/list (and grantable) only this long after creation, by `clock`. */
  serviceAccountVisibilityDelayMs?: number;
  /**
   * The time the sandbox reads for its time-dependent behaviour (default: the real clock): service
   * account visibility, Pub/Sub ack deadlines, Cloud Scheduler schedules, and `request.time` in IAM
   * conditions. Tests pass one they advance by hand.
   */
  clock?: { now(): number };
  /** Check Cloud Scheduler schedules every N real ms (`npm run sandbox`: 1000); default: only `tickSchedules()`. */
  scheduleTickMs?: number;
  /** The interpreter's clock for each execution (`sys.sleep`, retry backoff); default the real clock. */
  executionClock?: () => Clock;
  /** Real wait between an execution's polls of its Batch job (default 50 ms). */
  executionPollMs?: number;
}

export interface Sandbox {
  /** Base URL per API, e.g. `http://127.0.0.1:40123`. */
  readonly endpoints: Readonly<Record<SandboxApi, string>>;
  readonly ports: Readonly<Record<SandboxApi, number>>;
  readonly knobs: {
    latencyMs: number;
    transientErrorRate: number;
    lostResponseRate: number;
    injectIamChangeBeforeNextSet(change: (policy: any) => any): void;
  };
  readonly stats: { total(): number; byApi(): Record<string, number>; byMethod(): Record<string, number>; reset(): void };
  readonly pubsub: { kind: 'emulator' | 'sandbox'; reason?: string };
  /** Direct state access for tests and `npm start` (seed a secret, put/read objects, read a topic's messages, create a bucket). */
  readonly state: SandboxState;
  /**
   * Fire every Cloud Scheduler job that is due at `clock.now()`, and resolve once their HTTP targets
   * answered (the executions they start run on). Returns the names of the jobs fired.
   */
  tickSchedules(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // One process per state folder (state-lock.ts); the lock is released by stop().
  const lock = options.stateDir ? await lockStateDir(options.stateDir) : undefined;
  let state: SandboxState;
  try {
    state = await SandboxState.open(options.stateDir);
  } catch (error) {
    lock?.release();
    throw error;
  }
  const faults: Faults = {
    latencyMs: options.latencyMs ?? 0,
    transientErrorRate: options.transientErrorRate ?? 0,
    lostResponseRate: options.lostResponseRate ?? 0,
    random: seededRandom(options.seed ?? 1),
  };
  const stats = new RequestStats();
  const endpoints: Record<string, string> = {};
  const clock = options.clock ?? { now: () => Date.now() };
  const shared: ServerShared = { state, faults, stats, endpoints, authorize: createAuthorizer(state, () => new Date(clock.now())) };
  const background = new Background();
  let pendingIamChange: ((policy: any) => any) | undefined;
  const context: ApiContext = {
    state,
    clock,
    serviceAccountVisibilityDelayMs: options.serviceAccountVisibilityDelayMs ?? 0,
    batchRunner: options.batchRunner ?? upperCaseRunner,
    batchStepMs: options.batchStepMs ?? 20,
    takePendingIamChange() {
      const change = pendingIamChange;
      pendingIamChange = undefined;
      return change;
    },
    background,
    endpoints,
    executionClock: options.executionClock ?? (() => realClock),
    executionPollMs: options.executionPollMs ?? 50,
  };

  const basePort = options.basePort ?? 0;
  const portFor = (api: SandboxApi) => (basePort ? basePort + SANDBOX_APIS.indexOf(api) : 0);
  const servers: RunningServer[] = [];
  const ports = {} as Record<SandboxApi, number>;
  let emulator: PubSubEmulator | undefined;
  let pubsub: Sandbox['pubsub'] = { kind: 'sandbox', reason: 'not requested (usePubSubEmulator is false)' };

  try {
    for (const api of SANDBOX_APIS) {
      if (api === 'pubsub') continue;
      const server = await listen(api, API_MODULES[api](context), requestValidator(api), shared, portFor(api));
      servers.push(server);
      ports[api] = server.port;
    }
    if (options.usePubSubEmulator) {
      let reason = '';
      emulator = await startPubSubEmulator({ port: portFor('pubsub'), onUnavailable: (r) => (reason = r) });
      pubsub = emulator ? { kind: 'emulator' } : { kind: 'sandbox', reason };
    }
    if (emulator) {
      ports.pubsub = emulator.port;
    } else {
      const server = await listen('pubsub', API_MODULES.pubsub(context), requestValidator('pubsub'), shared, portFor('pubsub'));
      servers.push(server);
      ports.pubsub = server.port;
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    await emulator?.stop();
    lock?.release();
    throw error;
  }
  for (const api of SANDBOX_APIS) endpoints[api] = emulator && api === 'pubsub' ? emulator.restBase : `http://127.0.0.1:${ports[api]}`;
  lock?.setUrl(endpoints.workflows!);
  // Batch jobs left unfinished by a previous run continue where they were.
  const { resumeBatchJobs } = await import('./apis/batch.ts');
  resumeBatchJobs(context);
  // Executions do not outlive the process that ran them: one left ACTIVE by a previous run ended with it.
  abandonExecutions(context);
  if (options.scheduleTickMs) {
    const every = options.scheduleTickMs;
    const loop = () =>
      background.later(every, async () => {
        await tickSchedules(context);
        loop();
      });
    loop();
  }

  let stopped = false;
  return {
    endpoints: Object.freeze({ ...endpoints }) as Record<SandboxApi, string>,
    ports: Object.freeze({ ...ports }),
    knobs: {
      get latencyMs() {
        return faults.latencyMs;
      },
      set latencyMs(value: number) {
        faults.latencyMs = value;
      },
      get transientErrorRate() {
        return faults.transientErrorRate;
      },
      set transientErrorRate(value: number) {
        faults.transientErrorRate = value;
      },
      get lostResponseRate() {
        return faults.lostResponseRate;
      },
      set lostResponseRate(value: number) {
        faults.lostResponseRate = value;
      },
      injectIamChangeBeforeNextSet(change) {
        pendingIamChange = change;
      },
    },
    stats,
    pubsub,
    state,
    tickSchedules: () => tickSchedules(context),
    async stop() {
      if (stopped) return;
      stopped = true;
      await background.stop();
      await Promise.all(servers.map((s) => s.close()));
      await emulator?.stop();
      await state.flush();
      lock?.release();
    },
  };
}

/** gcloud's name for each API's endpoint override property (`api_endpoint_overrides/<name>`). */
const GCLOUD_API_NAMES: Record<SandboxApi, string> = {
  workflows: 'workflows',
  workflowexecutions: 'workflowexecutions',
  eventarc: 'eventarc',
  cloudscheduler: 'cloudscheduler',
  iam: 'iam',
  cloudresourcemanager: 'cloudresourcemanager',
  batch: 'batch',
  secretmanager: 'secretmanager',
  storage: 'storage',
  pubsub: 'pubsub',
  iamcredentials: 'iamcredentials',
};

/** The `gcloud config set` lines that point gcloud at the sandbox, one per API. */
export function gcloudOverrides(sandbox: Pick<Sandbox, 'endpoints'>): { api: string; url: string; command: string }[] {
  return SANDBOX_APIS.map((api) => {
    // gcloud appends the API version path itself; the override is the service root, with a slash.
    const url = `${sandbox.endpoints[api]}/`;
    return { api: GCLOUD_API_NAMES[api], url, command: `gcloud config set api_endpoint_overrides/${GCLOUD_API_NAMES[api]} ${url}` };
  });
}
