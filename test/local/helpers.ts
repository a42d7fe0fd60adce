/** Shared by the sandbox tests: REST calls with plain fetch, and SDK client options for REST mode. */
import { PassThroughClient } from 'google-auth-library';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox, type SandboxApi } from '../../src/local/index.ts';
import type { UserError } from '../../src/diagnostics.ts';
import { userErrorOf } from '../support/user-error.ts';
import { eventually } from '../support/eventually.ts';

export interface JsonResponse {
  readonly status: number;
  readonly body: any;
}

/** One REST call to a sandbox API; the body is parsed as JSON when there is one. */
export async function call(sandbox: Sandbox, api: SandboxApi, method: string, path: string, body?: unknown): Promise<JsonResponse> {
  const response = await fetch(`${sandbox.endpoints[api]}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Writes with `write` (given the etag to send) until the etag it returns holds a `+` or `/`, so its
 * URL-safe form differs from the text read: the sandbox's etags are random, and each write has about
 * a 30% chance. Returns that etag.
 */
export async function etagWithSlashOrPlus(write: (etag: string) => Promise<JsonResponse>, first: string): Promise<string> {
  let etag = first;
  for (let i = 0; i < 100 && !/[+/]/.test(etag); i++) {
    const response = await write(etag);
    assert.is(response.status, 200, JSON.stringify(response.body));
    etag = response.body.etag;
  }
  assert.match(etag, /[+/]/);
  return etag;
}

/** What the real Google SDK clients take to talk REST to the sandbox without credentials. */
export function sdkOptions(sandbox: Sandbox, api: SandboxApi) {
  return {
    fallback: true as const,
    protocol: 'http',
    apiEndpoint: '127.0.0.1',
    port: sandbox.ports[api],
    authClient: new PassThroughClient(),
    projectId: 'sandbox-project',
  };
}

/** A sandbox and one SDK client on it, for a suite whose tests use both. */
export interface SandboxWithClient<C> {
  readonly sandbox: Sandbox;
  readonly client: C;
}

/**
 * Starts a sandbox and the client `api` names on it before `suite`'s tests, and closes the client,
 * then the sandbox, after them. The fields are set once the suite's `before` hook has run.
 */
export function sandboxWithClient<C extends { close(): Promise<void> }>(suite: Test, api: SandboxApi, Client: new (options: any) => C): SandboxWithClient<C> {
  const local = {} as { sandbox: Sandbox; client: C };
  suite.before(async () => {
    local.sandbox = await startSandbox();
    local.client = new Client(sdkOptions(local.sandbox, api));
  });
  suite.after(async () => {
    await local.client.close();
    await local.sandbox.stop();
  });
  return local;
}

/**
 * A clock that moves only when the test says so, for the sandbox's `clock` option: tests advance it
 * past a delay instead of sleeping and hoping the machine was fast enough.
 */
export function manualClock(start = Date.UTC(2025, 0, 15, 8, 0, 0)): { now(): number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}

/** Resolves once `condition` holds, polling: waits on state, not on a guessed duration (eventually's deadline ends a hung run). */
export async function waitFor(condition: () => boolean): Promise<void> {
  await eventually(() => (condition() ? true : undefined), 'a condition of the test');
}

export const PROJECT = 'demo-project';
export const REGION = 'europe-west1';

export const SOURCE = 'main:\n  params: [args]\n  steps:\n    - done:\n        return: ${args}\n';

export function auditLogTrigger(project: string, workflow: string, path: string) {
  return {
    eventFilters: [
      { attribute: 'type', value: 'google.cloud.audit.log.v1.written' },
      { attribute: 'serviceName', value: 'storage.googleapis.com' },
      { attribute: 'methodName', value: 'storage.objects.create' },
      { attribute: 'resourceName', value: path, operator: 'match-path-pattern' },
    ],
    destination: { workflow: `projects/${project}/locations/${REGION}/workflows/${workflow}` },
    serviceAccount: `product@${project}.iam.gserviceaccount.com`,
    labels: { 'managed-by': 'batch-workflows' },
  };
}

/** Polls an execution (through the Executions API) until it is no longer ACTIVE; its final record. */
export function finishedExecution(sandbox: Sandbox, name: string, timeoutMs = 60_000): Promise<any> {
  return eventually(
    async () => {
      const got = await call(sandbox, 'workflowexecutions', 'GET', `/v1/${name}`);
      if (got.status !== 200) throw new Error(`executions.get ${name}: ${got.status} ${JSON.stringify(got.body)}`);
      return got.body.state !== 'ACTIVE' && got.body.state !== 'QUEUED' ? got.body : undefined;
    },
    `execution ${name} to finish`,
    timeoutMs,
  );
}

/** The UserError a second sandbox over `stateDir` (in use) is refused with. */
export function refusedSandbox(stateDir: string): Promise<UserError> {
  return userErrorOf(startSandbox({ stateDir }).then((extra) => extra.stop()));
}
