/**
 * Connectors that call REST APIs with global fetch: the local sandbox's Batch, Secret Manager and Cloud Storage,
 * the Pub/Sub emulator (or the sandbox), and plain HTTP. Google's JSON error body
 * `{error: {code, message, status}}` becomes the connector's HttpError, a refused connection a
 * ConnectionFailedError. Batch polling uses a short real interval (the sandbox runs real jobs),
 * while the connector_params timeout still bounds the wait.
 */
import { realClock } from '../clock.ts';
import { waitForBatchJob, type BatchJob } from './batch-wait.ts';
import { CONNECTOR, type Connector, type ConnectorRegistry, connectionError, connectorParamsOf, httpError, timeoutError } from './types.ts';

export interface RestEndpoints {
  /** e.g. http://127.0.0.1:8085 → POST {batch}/v1/projects/P/locations/L/jobs?job_id=ID */
  readonly batch?: string;
  /** Pub/Sub REST (emulator or sandbox): POST {pubsub}/v1/projects/P/topics/T:publish */
  readonly pubsub?: string;
  /** GET {secretManager}/v1/projects/P/secrets/S/versions/V:access */
  readonly secretManager?: string;
  /** GET {storage}/storage/v1/b/B/o/OBJECT?alt=media (OBJECT as the workflow passed it: percent-encoded) */
  readonly storage?: string;
}

export interface RestOptions {
  /** Real wait between Batch polls. Default 200 ms. */
  readonly pollIntervalMs?: number;
  /** Hosts http.* may reach. Default: loopback only, so a simulation never calls the internet. */
  readonly allowedHttpHosts?: readonly string[];
  readonly fetch?: typeof fetch;
  /** Per-request timeout. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /**
   * Upper bound (real seconds) on waiting for a Batch job, below connector_params.timeout: a local
   * job that hangs should not hold a terminal for the workflow's two-hour timeout. Default: none.
   */
  readonly maxJobWaitSeconds?: number;
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]', '::1'];

function trimBase(base: string): string {
  return base.replace(/\/+$/, '');
}

async function parseBody(res: Response): Promise<unknown> {
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  if (type.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function headersOf(res: Response): Record<string, string> {
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    h[k] = v;
  });
  return h;
}

export function restConnectors(endpoints: RestEndpoints, options: RestOptions = {}): ConnectorRegistry {
  const doFetch = options.fetch ?? fetch;
  const pollMs = options.pollIntervalMs ?? 200;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;

  async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Record<string, string> }> {
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      if ((e as Error).name === 'TimeoutError') throw timeoutError(`${method} ${url} timed out after ${requestTimeoutMs} ms`);
      const refused = cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND';
      throw connectionError(`${method} ${url}: ${cause?.code ?? (e as Error).message}`, refused);
    }
    const parsed = await parseBody(res);
    const h = headersOf(res);
    if (res.status >= 400) throw httpError(res.status, parsed, h);
    return { status: res.status, body: parsed, headers: h };
  }

  const need = (base: string | undefined, what: string): string => {
    if (!base) throw new Error(`no ${what} endpoint configured for the REST connectors`);
    return trimBase(base);
  };

  const registry: Record<string, Connector> = {};

  if (endpoints.batch) {
    const base = need(endpoints.batch, 'Batch');
    const getJob = async (name: string): Promise<BatchJob> => (await call('GET', `${base}/v1/${name}`)).body as BatchJob;
    registry[CONNECTOR.batchCreate] = async (args, ctx) => {
      const parent = String(args['parent'] ?? '');
      const jobId = args['jobId'] === undefined ? '' : `?job_id=${encodeURIComponent(String(args['jobId']))}`;
      const created = (await call('POST', `${base}/v1/${parent}/jobs${jobId}`, args['body'] ?? {})).body as BatchJob;
      const declared = connectorParamsOf(args);
      const params = options.maxJobWaitSeconds === undefined ? declared : { ...declared, timeout: Math.min(declared.timeout, options.maxJobWaitSeconds) };
      if (params.skipPolling) return created;
      return waitForBatchJob({ created, get: () => getJob(String(created.name)), params, clock: realClock, waitMs: () => pollMs, note: ctx.note });
    };
    registry[CONNECTOR.batchGet] = async (args) => getJob(String(args['name'] ?? ''));
    registry[CONNECTOR.batchDelete] = async (args) => (await call('DELETE', `${base}/v1/${String(args['name'] ?? '')}`)).body;
  }

  if (endpoints.pubsub) {
    const base = need(endpoints.pubsub, 'Pub/Sub');
    registry[CONNECTOR.pubsubPublish] = async (args) => (await call('POST', `${base}/v1/${String(args['topic'] ?? '')}:publish`, args['body'] ?? {})).body;
    registry[CONNECTOR.pubsubGetTopic] = async (args) => (await call('GET', `${base}/v1/${String(args['topic'] ?? '')}`)).body;
  }

  if (endpoints.secretManager) {
    const base = need(endpoints.secretManager, 'Secret Manager');
    registry[CONNECTOR.secretAccessString] = async (args, ctx) => {
      const project = String(args['project_id'] ?? ctx.env['GOOGLE_CLOUD_PROJECT_ID'] ?? '');
      const version = String(args['version'] ?? 'latest');
      const res = (await call('GET', `${base}/v1/projects/${project}/secrets/${String(args['secret_id'] ?? '')}/versions/${version}:access`)).body as { payload?: { data?: string } };
      return Buffer.from(res.payload?.data ?? '', 'base64').toString('utf8');
    };
  }

  if (endpoints.storage) {
    const base = need(endpoints.storage, 'Cloud Storage');
    registry[CONNECTOR.storageGetObject] = async (args) => {
      // `object` goes into the path as given, as Google's connector does: the workflow encodes it.
      const query = new URLSearchParams();
      for (const key of ['alt', 'generation', 'ifGenerationMatch', 'ifMetagenerationMatch']) if (args[key] !== undefined) query.set(key, String(args[key]));
      const qs = query.size > 0 ? `?${query.toString()}` : '';
      return (await call('GET', `${base}/storage/v1/b/${encodeURIComponent(String(args['bucket'] ?? ''))}/o/${String(args['object'] ?? '')}${qs}`)).body;
    };
  }

  const allowed = new Set((options.allowedHttpHosts ?? LOOPBACK).map((h) => h.toLowerCase()));
  const http =
    (fixedMethod?: string): Connector =>
    async (args) => {
      const method = (fixedMethod ?? String(args['method'] ?? 'GET')).toUpperCase();
      const url = new URL(String(args['url'] ?? ''));
      if (!allowed.has(url.hostname.toLowerCase())) {
        throw connectionError(`the simulator does not reach ${url.host}: http.* may only call ${[...allowed].join(', ')} (bind a fake or widen allowedHttpHosts)`, true);
      }
      for (const [k, v] of Object.entries((args['query'] ?? {}) as Record<string, unknown>)) url.searchParams.append(k, String(v));
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries((args['headers'] ?? {}) as Record<string, unknown>)) headers[k] = String(v);
      const body = args['body'];
      const res = await call(method, url.toString(), body === undefined || body === null ? undefined : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : body, headers);
      return { code: res.status, headers: res.headers, body: res.body };
    };
  registry[CONNECTOR.httpGet] = http('GET');
  registry[CONNECTOR.httpPost] = http('POST');
  registry[CONNECTOR.httpPut] = http('PUT');
  registry[CONNECTOR.httpPatch] = http('PATCH');
  registry[CONNECTOR.httpDelete] = http('DELETE');
  registry[CONNECTOR.httpRequest] = http();
  return registry;
}
