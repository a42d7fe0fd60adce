/**
 * Fake connectors with scripted outcomes, for tests: a Batch service whose jobs progress on the
 * virtual clock (QUEUED → SCHEDULED → RUNNING → SUCCEEDED or FAILED after `runSeconds`), a Pub/Sub
 * that records what was published (and decodes it), a Secret Manager with fixed secrets, and an HTTP
 * responder, a Cloud Storage holding scripted objects. Everything they saw is kept for assertions.
 */
import { waitForBatchJob, type BatchJob } from './batch-wait.ts';
import { CONNECTOR, type Connector, type ConnectorRegistry, connectorParamsOf, httpError } from './types.ts';

export interface FakeJobScript {
  /** Virtual seconds from creation to the end of the job. Default 120. */
  readonly runSeconds?: number;
  /** Default SUCCEEDED. */
  readonly outcome?: 'SUCCEEDED' | 'FAILED';
  /** Status event description of a failed job. */
  readonly failureMessage?: string;
  /** Make `create` itself fail with this HTTP status (e.g. 403, 400). */
  readonly createErrorCode?: number;
}

export interface CreatedJob {
  readonly parent: string;
  readonly jobId: string;
  readonly body: Record<string, unknown>;
  readonly at: number;
}

type JobRecord = { job: BatchJob; createdAt: number; script: FakeJobScript; deleted: boolean };

function errorBody(code: number, status: string, message: string): unknown {
  return { error: { code, message, status } };
}

export class FakeBatch {
  readonly created: CreatedJob[] = [];
  private readonly jobs = new Map<string, JobRecord>();

  /** `script` decides each new job's fate from its request. */
  constructor(private readonly script: (request: CreatedJob) => FakeJobScript = () => ({})) {}

  /** Pretends a job already exists (e.g. created by an earlier delivery of the same event). */
  preexisting(name: string, state = 'RUNNING'): void {
    this.jobs.set(name, { job: { name, status: { state, statusEvents: [] } }, createdAt: 0, script: {}, deleted: false });
  }

  jobNamed(name: string): BatchJob | undefined {
    return this.jobs.get(name)?.job;
  }

  private view(rec: JobRecord, now: number): BatchJob {
    const elapsed = (now - rec.createdAt) / 1000;
    const run = rec.script.runSeconds ?? 120;
    const outcome = rec.script.outcome ?? 'SUCCEEDED';
    if (rec.createdAt === 0) return rec.job;
    // Times (s after creation) at which the job entered each state, as Batch's statusEvents list them.
    const phases: [string, number][] = [
      ['SCHEDULED', Math.min(5, run / 4)],
      ['RUNNING', Math.min(10, run / 2)],
      [outcome, run],
    ];
    let state = 'QUEUED';
    const events: { type: string; description: string; eventTime: string }[] = [];
    for (const [next, at] of phases) {
      if (elapsed < at) break;
      const failed = next === 'FAILED';
      events.push({
        type: 'STATUS_CHANGED',
        description: failed
          ? (rec.script.failureMessage ?? `Job state is set from ${state} to FAILED for job because task 0 exited with a non-zero exit code`)
          : `Job state is set from ${state} to ${next} for job`,
        eventTime: new Date(rec.createdAt + at * 1000).toISOString(),
      });
      state = next;
    }
    return { ...rec.job, status: { state, statusEvents: events, runDuration: `${Math.max(0, Math.min(elapsed, run))}s` }, updateTime: new Date(now).toISOString() };
  }

  readonly create: Connector = async (args, ctx) => {
    const parent = String(args['parent'] ?? '');
    const jobId = String(args['jobId'] ?? `job-${this.created.length + 1}`);
    const body = (args['body'] ?? {}) as Record<string, unknown>;
    const name = `${parent}/jobs/${jobId}`;
    const request: CreatedJob = { parent, jobId, body, at: ctx.clock.now() };
    if (this.jobs.has(name)) throw httpError(409, errorBody(409, 'ALREADY_EXISTS', `Resource "${name}" already exists`));
    const script = this.script(request);
    if (script.createErrorCode) throw httpError(script.createErrorCode, errorBody(script.createErrorCode, 'FAILED_PRECONDITION', `scripted failure creating ${name}`));
    this.created.push(request);
    const rec: JobRecord = { job: { ...body, name, uid: `uid-${this.created.length}`, createTime: new Date(ctx.clock.now()).toISOString() }, createdAt: ctx.clock.now(), script, deleted: false };
    this.jobs.set(name, rec);
    const params = connectorParamsOf(args);
    const first = this.view(rec, ctx.clock.now());
    if (params.skipPolling) return first;
    return waitForBatchJob({ created: first, get: async () => this.view(rec, ctx.clock.now()), params, clock: ctx.clock, note: ctx.note });
  };

  readonly get: Connector = async (args, ctx) => {
    const name = String(args['name'] ?? '');
    const rec = this.jobs.get(name);
    if (!rec || rec.deleted) throw httpError(404, errorBody(404, 'NOT_FOUND', `Job ${name} not found`));
    return this.view(rec, ctx.clock.now());
  };

  readonly delete: Connector = async (args) => {
    const name = String(args['name'] ?? '');
    const rec = this.jobs.get(name);
    if (!rec || rec.deleted) throw httpError(404, errorBody(404, 'NOT_FOUND', `Job ${name} not found`));
    rec.deleted = true;
    return { name: `${name}/operations/delete`, done: true };
  };

  connectors(): ConnectorRegistry {
    return { [CONNECTOR.batchCreate]: this.create, [CONNECTOR.batchGet]: this.get, [CONNECTOR.batchDelete]: this.delete };
  }
}

export interface PublishedMessage {
  readonly topic: string;
  /** The base64 `data` as sent. */
  readonly data: string;
  /** `data` decoded as UTF-8 text, and as JSON when it parses. */
  readonly text: string;
  readonly json?: unknown;
  readonly attributes: Readonly<Record<string, string>>;
}

export class FakePubSub {
  readonly published: PublishedMessage[] = [];
  private nextId = 1;

  /** With `topics`, publishing elsewhere is a 404 like the real API; without, every topic exists. */
  constructor(private readonly topics?: ReadonlySet<string>) {}

  private check(topic: string): void {
    if (this.topics && !this.topics.has(topic)) throw httpError(404, errorBody(404, 'NOT_FOUND', `Resource not found (resource=${topic.split('/').pop()}).`));
  }

  readonly publish: Connector = async (args) => {
    const topic = String(args['topic'] ?? '');
    this.check(topic);
    const body = (args['body'] ?? {}) as { messages?: { data?: unknown; attributes?: Record<string, unknown> }[] };
    const messages = body.messages ?? [];
    if (messages.length === 0) throw httpError(400, errorBody(400, 'INVALID_ARGUMENT', 'The request contains no messages'));
    const ids: string[] = [];
    for (const m of messages) {
      const data = m.data === undefined ? '' : m.data;
      if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw httpError(400, errorBody(400, 'INVALID_ARGUMENT', 'Invalid data in message: must be base64-encoded'));
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.attributes ?? {})) {
        if (typeof v !== 'string') throw httpError(400, errorBody(400, 'INVALID_ARGUMENT', `Invalid attribute "${k}": attribute values must be strings`));
        attributes[k] = v;
      }
      const text = Buffer.from(data, 'base64').toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      this.published.push({ topic, data, text, ...(json !== undefined ? { json } : {}), attributes });
      ids.push(String(this.nextId++));
    }
    return { messageIds: ids };
  };

  readonly getTopic: Connector = async (args) => {
    const topic = String(args['topic'] ?? '');
    this.check(topic);
    return { name: topic };
  };

  connectors(): ConnectorRegistry {
    return { [CONNECTOR.pubsubPublish]: this.publish, [CONNECTOR.pubsubGetTopic]: this.getTopic };
  }
}

export class FakeSecrets {
  /** Keys are `projects/P/secrets/S` (latest version) → value. */
  constructor(private readonly secrets: Readonly<Record<string, string>> = {}) {}

  readonly accessString: Connector = async (args, ctx) => {
    const project = String(args['project_id'] ?? ctx.env['GOOGLE_CLOUD_PROJECT_ID'] ?? '');
    const key = `projects/${project}/secrets/${String(args['secret_id'] ?? '')}`;
    const value = this.secrets[key];
    if (value === undefined) throw httpError(404, errorBody(404, 'NOT_FOUND', `Secret [${key}] not found or has no versions.`));
    return value;
  };

  connectors(): ConnectorRegistry {
    return { [CONNECTOR.secretAccessString]: this.accessString };
  }
}

/**
 * Cloud Storage objects.get. Like Google's connector, `object` is used as one URL path segment: a
 * name with `/` must arrive percent-encoded (`text.url_encode`), or it is not found. With
 * `alt: "media"` the content comes back parsed when it is JSON (as the connector does for
 * application/json), as text otherwise; without it, the object's metadata.
 */
export class FakeStorage {
  /** Every objects.get seen: bucket and the decoded object name. */
  readonly reads: { readonly bucket: string; readonly object: string; readonly alt: string }[] = [];
  private readonly objects = new Map<string, { content: string; contentType: string; generation: number }>();
  private generation = 1;
  /** A scripted failure (HTTP status) for reads of a `bucket/object`, e.g. 403. */
  readonly failures = new Map<string, number>();

  /** Keys are `bucket/object name`; a non-string value is stored as its JSON text (application/json). */
  constructor(objects: Readonly<Record<string, unknown>> = {}) {
    for (const [key, value] of Object.entries(objects)) {
      const slash = key.indexOf('/');
      this.put(key.slice(0, slash), key.slice(slash + 1), value);
    }
  }

  put(bucket: string, object: string, value: unknown): void {
    const content = typeof value === 'string' ? value : JSON.stringify(value);
    this.objects.set(`${bucket}/${object}`, { content, contentType: typeof value === 'string' ? 'text/plain' : 'application/json', generation: this.generation++ });
  }

  readonly getObject: Connector = async (args) => {
    const bucket = String(args['bucket'] ?? '');
    const raw = String(args['object'] ?? '');
    const alt = String(args['alt'] ?? 'json');
    // An unencoded `/` splits the URL path: the real API finds no such object.
    let object: string | undefined;
    try {
      object = raw.includes('/') ? undefined : decodeURIComponent(raw);
    } catch {
      object = undefined;
    }
    this.reads.push({ bucket, object: object ?? raw, alt });
    const failure = this.failures.get(`${bucket}/${object ?? raw}`);
    if (failure !== undefined) throw httpError(failure, errorBody(failure, failure === 403 ? 'PERMISSION_DENIED' : 'INTERNAL', `scripted failure reading ${bucket}/${object ?? raw}`));
    const found = object === undefined ? undefined : this.objects.get(`${bucket}/${object}`);
    if (!found) throw httpError(404, errorBody(404, 'NOT_FOUND', `No such object: ${bucket}/${object ?? raw}`));
    if (alt !== 'media') {
      return { kind: 'storage#object', bucket, name: object, generation: String(found.generation), size: String(Buffer.byteLength(found.content)), contentType: found.contentType };
    }
    if (found.contentType === 'application/json') return JSON.parse(found.content);
    return found.content;
  };

  connectors(): ConnectorRegistry {
    return { [CONNECTOR.storageGetObject]: this.getObject };
  }
}

export interface HttpRequestSeen {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
}

export type HttpResponder = (req: HttpRequestSeen) => { code?: number; body?: unknown; headers?: Record<string, string> } | undefined;

export class FakeHttp {
  readonly requests: HttpRequestSeen[] = [];
  /** The responder answers each request; undefined means 404. Default: 200 with an empty body. */
  constructor(private readonly responder: HttpResponder = () => ({ code: 200, body: null })) {}

  private handle(method: string): Connector {
    return async (args) => {
      const req: HttpRequestSeen = {
        method: method === 'REQUEST' ? String(args['method'] ?? 'GET').toUpperCase() : method,
        url: String(args['url'] ?? ''),
        headers: (args['headers'] ?? {}) as Record<string, unknown>,
        query: (args['query'] ?? {}) as Record<string, unknown>,
        body: args['body'] ?? null,
      };
      this.requests.push(req);
      const res = this.responder(req) ?? { code: 404, body: 'not found' };
      const code = res.code ?? 200;
      const headers = res.headers ?? { 'Content-Type': 'application/json' };
      if (code >= 400) throw httpError(code, res.body ?? null, headers);
      return { code, headers, body: res.body ?? null };
    };
  }

  connectors(): ConnectorRegistry {
    return {
      [CONNECTOR.httpGet]: this.handle('GET'),
      [CONNECTOR.httpPost]: this.handle('POST'),
      [CONNECTOR.httpPut]: this.handle('PUT'),
      [CONNECTOR.httpPatch]: this.handle('PATCH'),
      [CONNECTOR.httpDelete]: this.handle('DELETE'),
      [CONNECTOR.httpRequest]: this.handle('REQUEST'),
    };
  }
}

/**
 * All fakes at once, each reachable for scripting and assertions. `objects`: Cloud Storage objects
 * keyed `bucket/object name` (none by default, so every objects.get is a 404).
 */
export function fakeConnectors(
  options: { batch?: (request: CreatedJob) => FakeJobScript; topics?: ReadonlySet<string>; secrets?: Record<string, string>; http?: HttpResponder; objects?: Readonly<Record<string, unknown>> } = {},
) {
  const batch = new FakeBatch(options.batch);
  const pubsub = new FakePubSub(options.topics);
  const secrets = new FakeSecrets(options.secrets);
  const http = new FakeHttp(options.http);
  const storage = new FakeStorage(options.objects);
  const registry: ConnectorRegistry = { ...batch.connectors(), ...pubsub.connectors(), ...secrets.connectors(), ...http.connectors(), ...storage.connectors() };
  return { registry, batch, pubsub, secrets, http, storage };
}
