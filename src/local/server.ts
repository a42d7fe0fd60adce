/**
 * One node:http server per API on 127.0.0.1 (Cloud Scheduler and Batch share REST paths, so each API
 * gets its own port). The request pipeline: discovery and stats endpoints, the per-API request
 * counter, added latency, injected transient errors, routing, then a flush of state before answering.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, makeRequest, matchRoute, type ApiReply, type ApiRequest, type Route } from './http.ts';
import type { SandboxState } from './state.ts';
import type { RequestValidator } from './validate-request.ts';

export interface Faults {
  latencyMs: number;
  transientErrorRate: number;
  /** Share of successful writes whose response is replaced by a 503 after the change was made. */
  lostResponseRate: number;
  readonly random: () => number;
}

export class RequestStats {
  private readonly counts = new Map<string, number>();
  count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }
  /** Requests per API (`workflows`, `iam`, ...). */
  byApi(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, n] of this.counts) {
      const api = key.slice(0, key.indexOf('.'));
      out[api] = (out[api] ?? 0) + n;
    }
    return out;
  }
  /** Requests per API and method (`workflows.workflows.list`, `cloudresourcemanager.v3.projects.getIamPolicy`). */
  byMethod(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  reset(): void {
    this.counts.clear();
  }
}

export interface ServerShared {
  readonly state: SandboxState;
  readonly faults: Faults;
  readonly stats: RequestStats;
  /** Filled in once every server listens, for `GET /sandbox/endpoints`. */
  readonly endpoints: Record<string, string>;
  /** Refuses (throws Google's 401/403) a request its caller may not make (src/local/authz/). */
  readonly authorize?: (api: string, routeName: string, request: ApiRequest) => void;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: ApiReply): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let body: Buffer;
  if (reply.raw) {
    body = reply.raw.data;
    headers['Content-Type'] = reply.raw.contentType;
  } else if (reply.json !== undefined) {
    body = Buffer.from(JSON.stringify(reply.json));
    headers['Content-Type'] = 'application/json; charset=UTF-8';
  } else {
    body = Buffer.alloc(0);
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(body);
}

function sendError(res: ServerResponse, error: ApiError): void {
  send(res, { status: error.httpStatus, json: error.toBody() });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function injectedError(random: () => number): ApiError {
  return random() < 0.5
    ? new ApiError('UNAVAILABLE', 'The service is currently unavailable.')
    : new ApiError('RESOURCE_EXHAUSTED', "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute' of service (sandbox).");
}

async function handle(api: string, routes: readonly Route[], validate: RequestValidator, shared: ServerShared, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  if (url.pathname === '/sandbox/endpoints' && method === 'GET') return send(res, { json: shared.endpoints });
  if (url.pathname === '/sandbox/stats' && method === 'GET') {
    return send(res, { json: { total: shared.stats.total(), byApi: shared.stats.byApi(), byMethod: shared.stats.byMethod() } });
  }
  if (url.pathname === '/sandbox/stats:reset' && method === 'POST') {
    shared.stats.reset();
    return send(res, { json: {} });
  }
  const rawBody = await readBody(req);
  const matched = matchRoute(routes, method, url.pathname);
  shared.stats.count(`${api}.${matched?.route.name ?? 'unrouted'}`);
  const { faults } = shared;
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (faults.transientErrorRate > 0 && faults.random() < faults.transientErrorRate) return sendError(res, injectedError(faults.random));
  if (!matched) {
    return sendError(res, new ApiError('NOT_FOUND', `The sandbox's ${api} API has no method ${method} ${url.pathname}.`));
  }
  try {
    // Google's front end parses the request into its proto before any backend sees it, and
    // authorizes the caller before the service acts.
    const probe = makeRequest(method, matched.params, url, req.headers, rawBody);
    const media = { rawBody, contentType: String(req.headers['content-type'] ?? '') };
    const checkedBody = validate(matched.route.name, method, url.searchParams, rawBody.length ? () => probe.json() : undefined, media);
    const request = checkedBody === undefined ? probe : makeRequest(method, matched.params, url, req.headers, rawBody, checkedBody);
    shared.authorize?.(api, matched.route.name, request);
    const reply = await matched.route.handle(request);
    await shared.state.flush();
    if (matched.route.mutates && faults.lostResponseRate > 0 && faults.random() < faults.lostResponseRate) {
      return sendError(res, new ApiError('UNAVAILABLE', 'The service is currently unavailable.'));
    }
    send(res, reply);
  } catch (error) {
    await shared.state.flush();
    if (error instanceof ApiError) return sendError(res, error);
    console.error(`sandbox ${api} ${method} ${url.pathname} failed:`, error);
    sendError(res, new ApiError('INTERNAL', `Internal error in the sandbox: ${(error as Error).message}`));
  }
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export function listen(api: string, routes: readonly Route[], validate: RequestValidator, shared: ServerShared, port: number): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    handle(api, routes, validate, shared, req, res).catch((error: unknown) => {
      console.error(`sandbox ${api}: request failed`, error);
      if (!res.headersSent) sendError(res, new ApiError('INTERNAL', String(error)));
      else res.destroy();
    });
  });
  // gax keeps connections alive; do not let an idle socket hold the process or a stop() open.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
