/**
 * Plain REST calls for the APIs without a usable SDK here (Eventarc, IAM service accounts, and Pub/Sub
 * when the sandbox serves it). The transport is a google-auth-library client: `GoogleAuth` against
 * Google (Application Default Credentials), `PassThroughClient` against the sandbox (no credentials).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudError } from './types.ts';
import { call, type ApiName, type CallCounter } from './calls.ts';
import { toCloudError } from './errors.ts';

/** The one method of GoogleAuth / AuthClient we use. */
export interface HttpRequester {
  request<T = unknown>(options: {
    url: string;
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
    data?: unknown;
    timeout?: number;
    responseType?: 'json';
    retry?: boolean;
  }): Promise<{ data: T; status: number }>;
}

export interface PollOptions {
  /** First wait before polling an unfinished operation; doubles (×1.5) up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up (DEADLINE_EXCEEDED) after this long. */
  readonly timeoutMs: number;
  /** The time waits are measured and slept on (default the real clock); tests inject one that never sleeps. */
  readonly clock?: PollClock;
}

export interface PollClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realPollClock: PollClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

export const DEFAULT_POLL: PollOptions = { initialDelayMs: 50, maxDelayMs: 2_000, timeoutMs: 5 * 60_000 };

/** google.longrunning.Operation as REST JSON. */
export interface Operation {
  readonly name?: string;
  readonly done?: boolean;
  readonly error?: { readonly code?: number; readonly message?: string; readonly status?: string };
  readonly response?: unknown;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export class RestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly http: HttpRequester,
    private readonly counter: CallCounter,
    private readonly api: ApiName,
    private readonly poll: PollOptions = DEFAULT_POLL,
    private readonly timeoutMs = 60_000,
  ) {}

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const qs = params.toString();
    return `${this.baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}${qs ? `?${qs}` : ''}`;
  }

  /** One counted request; errors leave as CloudErrors naming `resourceName`. */
  async send<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, opts: { query?: Query; body?: unknown; count: string; resource: string }): Promise<T> {
    return call(this.counter, this.api, opts.count, opts.resource, async () => {
      const response = await this.http.request<T>({
        url: this.url(path, opts.query),
        method,
        ...(opts.body !== undefined ? { data: opts.body } : {}),
        timeout: this.timeoutMs,
        responseType: 'json',
        // Retrying is apply's decision (it knows which calls are safe to repeat).
        retry: false,
      });
      return response.data;
    });
  }

  /** Every item of a paginated list, one counted request per page. */
  async listAll<T>(path: string, itemsField: string, pageSize: number, resource: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.send<Record<string, unknown> | ''>('GET', path, {
        query: { ...query, pageSize, pageToken },
        count: 'list',
        resource,
      });
      const record = page && typeof page === 'object' ? page : {};
      const pageItems = record[itemsField];
      if (Array.isArray(pageItems)) items.push(...(pageItems as T[]));
      const next = record['nextPageToken'];
      pageToken = typeof next === 'string' && next ? next : undefined;
    } while (pageToken);
    return items;
  }

  /** Polls a long-running operation until done; its error becomes a CloudError naming `resource`. */
  async awaitOperation(first: Operation, operation: string, resource: string): Promise<unknown> {
    let op = first;
    let delay = this.poll.initialDelayMs;
    const clock = this.poll.clock ?? realPollClock;
    const deadline = clock.now() + this.poll.timeoutMs;
    while (!op.done) {
      if (!op.name) throw new CloudError('INTERNAL', `${this.api}.${operation} ${resource}: the API returned an operation without a name`);
      if (clock.now() > deadline) {
        throw new CloudError('DEADLINE_EXCEEDED', `${this.api}.${operation} ${resource}: operation ${op.name} not done after ${this.poll.timeoutMs} ms`);
      }
      await clock.sleep(delay);
      delay = Math.min(this.poll.maxDelayMs, Math.ceil(delay * 1.5));
      op = await this.send<Operation>('GET', `v1/${op.name}`, { count: 'operations.get', resource });
    }
    if (op.error && (op.error.code ?? 0) !== 0) {
      throw toCloudError(
        { code: op.error.code, message: op.error.message ?? 'operation failed', ...(op.error.status ? { error: { status: op.error.status, message: op.error.message } } : {}) },
        `${this.api}.${operation}`,
        resource,
      );
    }
    return op.response;
  }
}
