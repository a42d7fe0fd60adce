/**
 * Builds every adapter for a target: Google itself (Application Default Credentials, the SDKs'
 * defaults), or the local sandbox (the same SDK clients in REST mode on 127.0.0.1, no credentials).
 * Only the endpoints differ, so what the tests prove against the sandbox is the code that runs
 * against Google.
 */
import { WorkflowsClient } from '@google-cloud/workflows';
import { CloudSchedulerClient } from '@google-cloud/scheduler';
import { ProjectsClient } from '@google-cloud/resource-manager';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import { GoogleAuth, OAuth2Client, PassThroughClient } from 'google-auth-library';
import { CloudError, type CloudApis, type ResourceIamApi, type TopicsApi } from './types.ts';
import { CallCounter } from './calls.ts';
import { DEFAULT_POLL, RestClient, type HttpRequester, type PollOptions } from './rest.ts';
import { CloudWorkflows } from './workflows.ts';
import { CloudSchedulerJobs } from './scheduler.ts';
import { ResourceManagerProjectIam } from './project-iam.ts';
import { PubSubClientTopics, RestTopics } from './pubsub.ts';
import { EventarcTriggers } from './eventarc.ts';
import { DEFAULT_VISIBILITY_WAIT, IamServiceAccounts } from './service-accounts.ts';
import { CloudStorage, type ObjectStorageApi } from './storage.ts';
import { StorageRunSettings } from './run-settings.ts';
import { RestSecretManager } from './secret-manager.ts';
import { RestManagedFolders, RestResourceIam } from './resource-iam.ts';
import type { SandboxApi } from '../local/sandbox-apis.ts';

export { CallCounter } from './calls.ts';
export { CloudError, type CloudErrorCode } from './types.ts';
export { classifyError, isTransient, toCloudError } from './errors.ts';
export type { ObjectStorageApi } from './storage.ts';

export type { SandboxApi } from '../local/sandbox-apis.ts';

export type CloudTarget =
  | { readonly kind: 'gcp' }
  | {
      readonly kind: 'sandbox';
      /** Base URL per API, e.g. `http://127.0.0.1:43121`. */
      readonly endpoints: Readonly<Record<SandboxApi, string>>;
      /** Who serves `endpoints.pubsub`: Google's emulator (gRPC) or the sandbox's REST topics. */
      readonly pubsub: 'emulator' | 'sandbox';
      /**
       * An OAuth 2 access token sent with every call (`Authorization: Bearer`), as Google's APIs take
       * one: the sandbox's `sandbox:<member>` tokens make the calls as that member, so its IAM decides
       * them. Absent, nothing is sent and the sandbox takes the calls as its operator. (Google's Pub/Sub
       * emulator has no IAM and gets none.)
       */
      readonly accessToken?: string;
    };

export interface CloudApisOptions {
  /** Shared counter, e.g. to add calls of several runs; a new one by default. */
  readonly counter?: CallCounter;
  /** Long-running operation polling for the REST adapters (Eventarc). */
  readonly operationPolling?: PollOptions;
  /** How long a new service account may take to become visible. */
  readonly serviceAccountVisibility?: PollOptions;
  /** Project the SDK clients fall back to; every call names its project explicitly anyway. */
  readonly projectId?: string;
}

export interface GcpCloudApis extends CloudApis {
  readonly storage: ObjectStorageApi;
  /** Adapter calls by `api.method` (one list page, one create, one LRO poll... = one call). */
  readonly calls: CallCounter;
}

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Google's endpoints for the REST adapters. */
const GOOGLE_REST = {
  eventarc: 'https://eventarc.googleapis.com',
  iam: 'https://iam.googleapis.com',
  secretmanager: 'https://secretmanager.googleapis.com',
  storage: 'https://storage.googleapis.com',
  pubsub: 'https://pubsub.googleapis.com',
} as const;

/** A placeholder project for SDK clients against the sandbox: stops them asking ADC (or a metadata server) for one. */
const SANDBOX_PROJECT = 'batch-workflows-sandbox';

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
  readonly baseUrl: string;
}

export function parseEndpoint(api: string, value: string): Endpoint {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`sandbox endpoint for ${api} is not a URL: ${value}`);
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : protocol === 'https' ? 443 : 80;
  return { host: url.hostname, port, protocol, baseUrl: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}` };
}

/** The SDK clients can only be given a host and port, so their endpoints must not carry a path. */
function sdkEndpoint(api: SandboxApi, value: string): Endpoint {
  const endpoint = parseEndpoint(api, value);
  if (new URL(endpoint.baseUrl).pathname.replace(/\/+$/, '') !== '') {
    throw new Error(`sandbox endpoint for ${api} must be a bare host:port (the ${api} SDK cannot use a path prefix): ${value}`);
  }
  return endpoint;
}

/**
 * What the sandbox clients authenticate with: nothing (PassThroughClient), or a fixed access token.
 * An OAuth2Client holding only an access token and no expiry sends it as `Authorization: Bearer`
 * and never tries to refresh it (oauth2client.js getRequestMetadataAsync: a token that is not
 * expiring is used as it is).
 */
function sandboxAuthClient(accessToken: string | undefined): PassThroughClient | OAuth2Client {
  if (accessToken === undefined) return new PassThroughClient();
  const client = new OAuth2Client();
  client.setCredentials({ access_token: accessToken });
  return client;
}

/**
 * The same token for the Storage SDK, which authorizes through its own google-auth-library 9: its
 * GoogleAuth copies what the client's getRequestHeaders() returns into the request as a plain
 * object (googleauth.js authorizeRequest), and drops the Headers instance a version 10 client
 * returns. Every Storage call here is a simple JSON or media request (uploads are `resumable:
 * false`), so headers are all it asks of the client.
 */
function storageTokenClient(accessToken: string): NonNullable<ConstructorParameters<typeof Storage>[0]>['authClient'] {
  const headersOnly = { getRequestHeaders: async () => ({ Authorization: `Bearer ${accessToken}` }) };
  return headersOnly as never;
}

/** REST mode settings for a GAPIC client against the sandbox. */
function sandboxSdkOptions(api: SandboxApi, value: string, projectId: string, authClient: PassThroughClient | OAuth2Client) {
  const { host, port, protocol } = sdkEndpoint(api, value);
  const options = { fallback: true as const, protocol, apiEndpoint: host, port, authClient, projectId };
  // google-gax types authClient against its own copy of google-auth-library; at run time gax only
  // calls the client's fetch(), which both clients provide (PassThroughClient adding no credentials).
  return options as unknown as ConstructorParameters<typeof WorkflowsClient>[0];
}

function requester(client: { request: (options: never) => Promise<unknown> }): HttpRequester {
  return { request: (options) => client.request(options as never) as never };
}

/**
 * Google's Pub/Sub emulator keeps topics and messages but no IAM: a topic there holds no grant, so
 * its policy reads as empty, and writing one is refused with what to do instead. (npm start leaves
 * the topics' policies out when it runs with the emulator, src/cli/local-deployment.ts.)
 */
function withoutTopicIam(iam: ResourceIamApi, emulator: boolean): ResourceIamApi {
  if (!emulator) return iam;
  return {
    getPolicy: async (target, name) => (target === 'topic' ? { version: 1, etag: '', bindings: [] } : iam.getPolicy(target, name)),
    setPolicy: async (target, name, policy) => {
      if (target !== 'topic') return iam.setPolicy(target, name, policy);
      throw new CloudError(
        'FAILED_PRECONDITION',
        `pubsub.setIamPolicy ${name}: Google's Pub/Sub emulator has no IAM; serve Pub/Sub from the sandbox (npm run sandbox without --pubsub-emulator, npm start --sandbox-pubsub) to apply topic policies`,
      );
    },
  };
}

export function createCloudApis(target: CloudTarget, options: CloudApisOptions = {}): GcpCloudApis {
  const counter = options.counter ?? new CallCounter();
  const poll = options.operationPolling ?? DEFAULT_POLL;
  const visibility = options.serviceAccountVisibility ?? DEFAULT_VISIBILITY_WAIT;

  let workflowsClient: WorkflowsClient;
  let schedulerClient: CloudSchedulerClient;
  let projectsClient: ProjectsClient;
  let storageClient: Storage;
  let pubsubClient: PubSub | undefined;
  let topics: TopicsApi;
  let eventarcRest: RestClient;
  let iamRest: RestClient;
  let secretManagerRest: RestClient;
  let storageRest: RestClient;
  /** Topic IAM policies (the topic adapter keeps the SDK or the sandbox's REST for topics themselves). */
  let pubsubRest: RestClient;

  if (target.kind === 'gcp') {
    const auth = requester(new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }));
    const sdk = options.projectId ? { projectId: options.projectId } : {};
    workflowsClient = new WorkflowsClient(sdk);
    schedulerClient = new CloudSchedulerClient(sdk);
    projectsClient = new ProjectsClient(sdk);
    storageClient = new Storage(sdk);
    pubsubClient = new PubSub(sdk);
    topics = new PubSubClientTopics(pubsubClient, counter);
    eventarcRest = new RestClient(GOOGLE_REST.eventarc, auth, counter, 'eventarc', poll);
    iamRest = new RestClient(GOOGLE_REST.iam, auth, counter, 'iam', poll);
    secretManagerRest = new RestClient(GOOGLE_REST.secretmanager, auth, counter, 'secretmanager', poll);
    storageRest = new RestClient(GOOGLE_REST.storage, auth, counter, 'storage', poll);
    pubsubRest = new RestClient(GOOGLE_REST.pubsub, auth, counter, 'pubsub', poll);
  } else {
    const projectId = options.projectId ?? SANDBOX_PROJECT;
    const e = target.endpoints;
    const authClient = sandboxAuthClient(target.accessToken);
    const sandboxAuth = requester(authClient);
    workflowsClient = new WorkflowsClient(sandboxSdkOptions('workflows', e.workflows, projectId, authClient));
    schedulerClient = new CloudSchedulerClient(sandboxSdkOptions('cloudscheduler', e.cloudscheduler, projectId, authClient));
    projectsClient = new ProjectsClient(sandboxSdkOptions('cloudresourcemanager', e.cloudresourcemanager, projectId, authClient));
    storageClient = new Storage({
      projectId,
      apiEndpoint: parseEndpoint('storage', e.storage).baseUrl,
      // A custom endpoint makes the client send no credentials unless useAuthWithCustomEndpoint is
      // set: set, with the token's client, when there is a token to send.
      ...(target.accessToken !== undefined ? { authClient: storageTokenClient(target.accessToken), useAuthWithCustomEndpoint: true } : {}),
      // Retries are apply's job; the client's own would hide transient errors behind long waits.
      retryOptions: { autoRetry: false },
    });
    if (target.pubsub === 'emulator') {
      const { host, port } = parseEndpoint('pubsub', e.pubsub);
      pubsubClient = new PubSub({
        projectId,
        apiEndpoint: `${host}:${port}`,
        emulatorMode: true,
        // Without an auth client, gax asks Application Default Credentials for the universe domain,
        // which probes the GCE metadata server even though the emulator needs no credentials.
        authClient: new PassThroughClient() as never,
      });
      topics = new PubSubClientTopics(pubsubClient, counter, true);
    } else {
      topics = new RestTopics(new RestClient(parseEndpoint('pubsub', e.pubsub).baseUrl, sandboxAuth, counter, 'pubsub', poll));
    }
    eventarcRest = new RestClient(parseEndpoint('eventarc', e.eventarc).baseUrl, sandboxAuth, counter, 'eventarc', poll);
    iamRest = new RestClient(parseEndpoint('iam', e.iam).baseUrl, sandboxAuth, counter, 'iam', poll);
    secretManagerRest = new RestClient(parseEndpoint('secretmanager', e.secretmanager).baseUrl, sandboxAuth, counter, 'secretmanager', poll);
    storageRest = new RestClient(parseEndpoint('storage', e.storage).baseUrl, sandboxAuth, counter, 'storage', poll);
    // Google's emulator serves no IAM methods: topic policies need the sandbox's own Pub/Sub.
    pubsubRest = new RestClient(parseEndpoint('pubsub', e.pubsub).baseUrl, sandboxAuth, counter, 'pubsub', poll);
  }

  let closed: Promise<void> | undefined;
  const storage = new CloudStorage(storageClient, counter);
  return {
    serviceAccounts: new IamServiceAccounts(iamRest, visibility),
    projectIam: new ResourceManagerProjectIam(projectsClient, counter),
    topics,
    workflows: new CloudWorkflows(workflowsClient, counter),
    triggers: new EventarcTriggers(eventarcRest),
    schedulerJobs: new CloudSchedulerJobs(schedulerClient, counter),
    storage,
    runSettings: new StorageRunSettings(storage),
    secrets: new RestSecretManager(secretManagerRest),
    managedFolders: new RestManagedFolders(storageRest),
    resourceIam: withoutTopicIam(new RestResourceIam({ storage: storageRest, pubsub: pubsubRest, iam: iamRest }), target.kind === 'sandbox' && target.pubsub === 'emulator'),
    calls: counter,
    close() {
      closed ??= Promise.allSettled([workflowsClient.close(), schedulerClient.close(), projectsClient.close(), pubsubClient?.close()]).then(() => undefined);
      return closed;
    },
  };
}
