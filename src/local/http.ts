/**
 * The HTTP edge of the sandbox: a tiny router over node:http and Google's JSON error shape
 * (https://cloud.google.com/apis/design/errors#http_mapping). Handlers are plain functions from a
 * parsed request to a reply; everything Google-specific about transport (error body, status names,
 * the `$alt=json;enum-encoding=int` parameter the SDKs add in REST mode) is settled here once.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** google.rpc.Code names with the HTTP status Google maps each to. */
export const STATUS_HTTP = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  CONDITION_NOT_MET: 412,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;
export type StatusName = keyof typeof STATUS_HTTP;

/** An error the sandbox answers with, in Google's shape. Thrown by handlers, caught by the server. */
export class ApiError extends Error {
  readonly httpStatus: number;
  constructor(
    readonly status: StatusName,
    message: string,
    /** Cloud Storage's JSON API also carries `errors[].reason` (e.g. `conflict`, `notFound`). */
    readonly reason?: string,
    /** `error.details`: google.rpc messages as Any, e.g. a google.rpc.BadRequest. */
    readonly details?: readonly unknown[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.httpStatus = STATUS_HTTP[status];
  }
  toBody(): unknown {
    const error: Record<string, unknown> = { code: this.httpStatus, message: this.message, status: this.status };
    if (this.reason) error.errors = [{ domain: 'global', reason: this.reason, message: this.message }];
    if (this.details?.length) error.details = this.details;
    return { error };
  }
}

export const invalid = (message: string): ApiError => new ApiError('INVALID_ARGUMENT', message);
export const notFound = (message: string): ApiError => new ApiError('NOT_FOUND', message);

/** `record`, or the NOT_FOUND error `message` when it is absent. */
export function foundOr<T>(record: T | undefined, message: string): T {
  if (record === undefined) throw notFound(message);
  return record;
}
export const alreadyExists = (message: string): ApiError => new ApiError('ALREADY_EXISTS', message);

export interface ApiRequest {
  readonly method: string;
  /** Path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** `http://host:port` as the client addressed us (for URLs we hand back, e.g. resumable uploads). */
  readonly origin: string;
  /** The body parsed as JSON; `{}` when empty. Throws INVALID_ARGUMENT on malformed JSON. */
  json(): Record<string, any>;
  /** A query parameter by its JSON (camelCase) name, also accepted in snake_case as Google does. */
  param(name: string): string | undefined;
}

export interface ApiReply {
  readonly status?: number;
  readonly json?: unknown;
  readonly raw?: { readonly data: Buffer; readonly contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: ApiRequest) => ApiReply | Promise<ApiReply>;

export interface Route {
  /** Counted in stats as `<api>.<name>`, e.g. `workflows.list`. */
  readonly name: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  /** Whether the handler changes state (the sandbox persists before it answers). */
  readonly mutates: boolean;
  readonly handle: Handler;
}

/**
 * Hand-written on purpose, not a router library: Google's HTTP templates end in custom verbs after a
 * colon (`/v1/{resource=projects/*\/topics/*}:getIamPolicy`, `.../workflows/{workflow}:cancel`),
 * which path-to-regexp style routers read as a parameter, and object names keep encoded slashes.
 *
 * `/v1/projects/{project}/locations/{location}/workflows/{workflow}:cancel` → a route. `{x}` matches
 * one segment without a `:` (so a custom verb after it is not swallowed); `{x+}` matches one segment
 * including `:` (object names); `{x**}` matches the rest of the path.
 */
export function route(method: string, template: string, name: string, handle: Handler, mutates = method !== 'GET'): Route {
  const paramNames: string[] = [];
  const source = template
    .split(/(\{[a-zA-Z]+(?:\+|\*\*)?\})/)
    .map((part) => {
      const match = /^\{([a-zA-Z]+)(\+|\*\*)?\}$/.exec(part);
      if (!match) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(match[1]!);
      return match[2] === '**' ? '(.+)' : match[2] === '+' ? '([^/]+)' : '([^/:]+)';
    })
    .join('');
  return { name, method, pattern: new RegExp(`^${source}$`), paramNames, mutates, handle };
}

export interface MatchedRoute {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], method: string, rawPath: string): MatchedRoute | undefined {
  // Custom verbs may arrive percent-encoded (`%3AgetIamPolicy`); slashes inside names stay encoded.
  const path = rawPath.replace(/%3A/gi, ':');
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.paramNames.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1]!);
    });
    return { route: candidate, params };
  }
  return undefined;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function makeRequest(
  method: string,
  params: Record<string, string>,
  url: URL,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  /** The body as the request validator left it (output-only fields dropped), when it parsed it. */
  checkedBody?: Record<string, any>,
): ApiRequest {
  let parsed: Record<string, any> | undefined = checkedBody;
  return {
    method,
    params,
    query: url.searchParams,
    headers,
    rawBody,
    origin: `http://${headers.host ?? url.host}`,
    json() {
      if (parsed) return parsed;
      const text = rawBody.toString('utf8').trim();
      if (!text) return (parsed = {});
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          throw invalid('Invalid JSON payload received. The request body must be a JSON object.');
        }
        return (parsed = value as Record<string, any>);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        throw invalid(`Invalid JSON payload received. ${(error as Error).message}`);
      }
    },
    param(name) {
      return url.searchParams.get(name) ?? url.searchParams.get(snakeCase(name)) ?? undefined;
    },
  };
}

/** Boolean query parameters as Google reads them. */
export function booleanParam(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}
