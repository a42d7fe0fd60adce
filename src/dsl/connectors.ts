/**
 * Typed call steps: Google Cloud connectors and the blocking standard-library calls. Argument names
 * are Google's; a missing required argument or an unknown one is a compile error.
 *
 * https://cloud.google.com/workflows/docs/reference/googleapis
 */
import type { Expr, Value } from './expr.ts';
import { CallSpec, stripUndefined } from './builder.ts';

/** A string-valued argument: literal or expression. */
export type Str = string | Expr<string> | Expr<any>;
export type Num = number | Expr<number> | Expr<any>;
export type Bool = boolean | Expr<boolean> | Expr<any>;

/**
 * Connector behaviour, set per call (args.connector_params).
 * https://cloud.google.com/workflows/docs/reference/googleapis#invoke_a_connector_call
 */
export interface ConnectorParams {
  /** End-to-end seconds the call (including waiting for a long-running operation) may take. Max 31536000. */
  readonly timeout?: number;
  readonly polling_policy?: { readonly initial_delay?: number; readonly multiplier?: number; readonly max_delay?: number };
  /** Return as soon as the request is accepted instead of waiting for the operation. */
  readonly skip_polling?: boolean;
  readonly scopes?: string | readonly string[];
}

function connector<R>(name: string, args: Record<string, Value | ConnectorParams | undefined>): CallSpec<R> {
  return new CallSpec<R>(name, stripUndefined(args) as Record<string, Value>);
}

// ---------------------------------------------------------------------------------------------
// Cloud Batch (https://cloud.google.com/workflows/docs/reference/googleapis/batch/v1/Overview)

/** The parts of a Batch Job this tool sets. https://cloud.google.com/batch/docs/reference/rest/v1/projects.locations.jobs */
export interface BatchJobSpec {
  readonly taskGroups: readonly {
    readonly taskCount?: Num;
    readonly parallelism?: Num;
    readonly taskSpec: {
      readonly runnables: readonly {
        readonly container: {
          readonly imageUri: Str;
          readonly commands?: readonly Str[] | Expr<any>;
          readonly entrypoint?: Str;
        };
      }[];
      /** Duration text, e.g. `"3600s"`. */
      readonly maxRunDuration?: Str;
      readonly maxRetryCount?: Num;
      /** NAME → value; an expression when the variables are computed at run time (e.g. merged with a client's). */
      readonly environment?: { readonly variables?: Readonly<Record<string, Str>> | Expr<any> };
    };
  }[];
  readonly allocationPolicy?: {
    readonly instances?: readonly {
      readonly policy: {
        readonly machineType?: Str;
        readonly bootDisk?: { readonly image?: Str; readonly sizeGb?: Num; readonly type?: Str };
      };
    }[];
    readonly location?: { readonly allowedLocations: readonly Str[] };
    readonly serviceAccount?: { readonly email: Str };
    readonly labels?: Readonly<Record<string, Str>>;
  };
  readonly labels?: Readonly<Record<string, Str>>;
  readonly logsPolicy?: { readonly destination: 'CLOUD_LOGGING' | 'PATH' };
}

/** The Job resource as returned (fields read by the workflows). */
export interface BatchJob {
  readonly name: string;
  readonly uid: string;
  readonly status: { readonly state: 'QUEUED' | 'SCHEDULED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'DELETION_IN_PROGRESS'; readonly statusEvents: readonly unknown[] };
  readonly labels: Readonly<Record<string, string>>;
}

export const batch = {
  jobs: {
    /**
     * Creates a job and waits (polling) until it succeeds, fails (OperationError) or times out
     * (TimeoutError). A jobId that exists already is an HttpError with code 409.
     * https://cloud.google.com/workflows/docs/reference/googleapis/batch/v1/projects.locations.jobs/create
     */
    create: (args: { readonly parent: Str; readonly jobId?: Str; readonly requestId?: Str; readonly body: BatchJobSpec; readonly connector_params?: ConnectorParams }): CallSpec<BatchJob> =>
      connector('googleapis.batch.v1.projects.locations.jobs.create', args as unknown as Record<string, Value>),
    /** https://cloud.google.com/workflows/docs/reference/googleapis/batch/v1/projects.locations.jobs/get */
    get: (args: { readonly name: Str; readonly connector_params?: ConnectorParams }): CallSpec<BatchJob> =>
      connector('googleapis.batch.v1.projects.locations.jobs.get', args as unknown as Record<string, Value>),
    /** https://cloud.google.com/workflows/docs/reference/googleapis/batch/v1/projects.locations.jobs/delete */
    delete: (args: { readonly name: Str; readonly reason?: Str; readonly requestId?: Str; readonly connector_params?: ConnectorParams }): CallSpec<unknown> =>
      connector('googleapis.batch.v1.projects.locations.jobs.delete', args as unknown as Record<string, Value>),
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Pub/Sub (https://cloud.google.com/workflows/docs/reference/googleapis/pubsub/v1/Overview)

export interface PubsubMessage {
  /** Base64 text: `base64.encode(json.encode(...))`. */
  readonly data: Str;
  readonly attributes?: Readonly<Record<string, Str>> | Expr<any>;
  readonly orderingKey?: Str;
}

export const pubsub = {
  topics: {
    /** https://cloud.google.com/workflows/docs/reference/googleapis/pubsub/v1/projects.topics/publish */
    publish: (args: {
      readonly topic: Str;
      readonly body: { readonly messages: readonly PubsubMessage[] };
      readonly connector_params?: ConnectorParams;
    }): CallSpec<{ readonly messageIds: readonly string[] }> => connector('googleapis.pubsub.v1.projects.topics.publish', args as unknown as Record<string, Value>),
    /** HttpError 404 when the topic does not exist. https://cloud.google.com/workflows/docs/reference/googleapis/pubsub/v1/projects.topics/get */
    get: (args: { readonly topic: Str; readonly connector_params?: ConnectorParams }): CallSpec<{ readonly name: string; readonly labels?: Readonly<Record<string, string>> }> =>
      connector('googleapis.pubsub.v1.projects.topics.get', args as unknown as Record<string, Value>),
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Cloud Storage (https://cloud.google.com/workflows/docs/reference/googleapis/storage/Overview)

/** The object resource (metadata) `objects.get` returns without `alt: "media"`. */
export interface StorageObject {
  readonly name: string;
  readonly bucket: string;
  readonly generation: string;
  readonly size: string;
  readonly contentType?: string;
  readonly updated: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

interface StorageObjectGetArgs {
  readonly bucket: Str;
  /**
   * The object name as a URL path segment: Google's connector puts it in the path unchanged, so a
   * name with `/` must be passed through `text.urlEncode` (the connector docs say so).
   */
  readonly object: Str;
  readonly generation?: Str;
  readonly ifGenerationMatch?: Str;
  readonly ifMetagenerationMatch?: Str;
  readonly connector_params?: ConnectorParams;
}

function storageObjectsGet(args: StorageObjectGetArgs & { readonly alt: 'media' }): CallSpec<any>;
function storageObjectsGet(args: StorageObjectGetArgs & { readonly alt?: 'json' }): CallSpec<StorageObject>;
function storageObjectsGet(args: StorageObjectGetArgs & { readonly alt?: 'json' | 'media' }): CallSpec<unknown> {
  return connector('googleapis.storage.v1.objects.get', args as unknown as Record<string, Value>);
}

export const storage = {
  objects: {
    /**
     * The object's metadata, or with `alt: "media"` its content (a JSON object comes back parsed).
     * A missing object is an HttpError with code 404.
     * https://cloud.google.com/workflows/docs/reference/googleapis/storage/v1/objects/get
     */
    get: storageObjectsGet,
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Secret Manager (https://cloud.google.com/workflows/docs/reference/googleapis/secretmanager/Overview)

export const secretmanager = {
  /** Helper returning the secret's data as a string. version defaults to "latest", project_id to the workflow's project. */
  accessString: (args: { readonly secret_id: Str; readonly version?: Str; readonly project_id?: Str }): CallSpec<string> =>
    connector('googleapis.secretmanager.v1.projects.secrets.versions.accessString', args as unknown as Record<string, Value>),
} as const;

// ---------------------------------------------------------------------------------------------
// http (https://cloud.google.com/workflows/docs/reference/stdlib/http/Overview)

export interface HttpAuth {
  readonly type: 'OIDC' | 'OAuth2';
  readonly scopes?: string | readonly string[];
  readonly audience?: Str;
}
interface HttpArgs {
  readonly url: Str;
  readonly headers?: Readonly<Record<string, Str>>;
  readonly query?: Readonly<Record<string, Value>>;
  readonly auth?: HttpAuth;
  /** Seconds; at most 1800. */
  readonly timeout?: number;
}
export interface HttpResponse<B = any> {
  readonly code: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: B;
}

export const http = {
  get: (args: HttpArgs): CallSpec<HttpResponse> => connector('http.get', args as unknown as Record<string, Value>),
  post: (args: HttpArgs & { readonly body?: Value }): CallSpec<HttpResponse> => connector('http.post', args as unknown as Record<string, Value>),
} as const;

// ---------------------------------------------------------------------------------------------
// sys (https://cloud.google.com/workflows/docs/reference/stdlib/sys/Overview)

export type LogSeverity = 'DEFAULT' | 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL' | 'ALERT' | 'EMERGENCY';

type LogPayload =
  | { readonly text: Str; readonly json?: never; readonly data?: never }
  | { readonly json: Value; readonly text?: never; readonly data?: never }
  | { readonly data: Value; readonly text?: never; readonly json?: never };

export const sysCalls = {
  /** Writes one Cloud Logging entry: exactly one of text, json or data. https://cloud.google.com/workflows/docs/reference/stdlib/sys/log */
  log: (args: LogPayload & { readonly severity?: LogSeverity }): CallSpec<null> => connector('sys.log', args as unknown as Record<string, Value>),
  /** https://cloud.google.com/workflows/docs/reference/stdlib/sys/get_env */
  getEnv: (args: { readonly name: Str; readonly default?: Str }): CallSpec<string> => connector('sys.get_env', args as unknown as Record<string, Value>),
  /** https://cloud.google.com/workflows/docs/reference/stdlib/sys/sleep */
  sleep: (args: { readonly seconds: Num }): CallSpec<null> => connector('sys.sleep', args as unknown as Record<string, Value>),
} as const;
