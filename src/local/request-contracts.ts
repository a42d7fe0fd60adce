/**
 * Which of Google's methods each sandbox route is, in one table: the request validator
 * (request-schema.ts) checks every request against that method's definition, and
 * scripts/extract-api-schemas.ts reads this table to know which methods (and so which messages) to
 * extract into src/local/schemas/<api>.json. Everything else about a method (its request message,
 * which field is the body, which fields the path binds, its query parameters) comes from Google's
 * definitions, not from here.
 *
 * A method is named either as a proto RPC (`proto`: package.Service.Method, from the protos.json of
 * an @google-cloud/* package) or as an apitools method id (`apitools`: from gcloud's generated
 * client, for the APIs without an npm SDK). `updateMask` says where a method's update mask is and
 * which message its paths name, both as JSON paths in the request message.
 */
import type { SandboxApi } from './sandbox-apis.ts';

export type MethodRef = { readonly proto: string } | { readonly apitools: string };

export interface RouteContract {
  readonly method: MethodRef;
  readonly updateMask?: { readonly at: string; readonly target: string };
  /** The body is media (or multipart with media): only the query parameters are checked. */
  readonly mediaBody?: true;
  /**
   * The sandbox also accepts this route with a JSON body Google binds nowhere (POST getIamPolicy on
   * a secret, whose http rule is a GET): the body is checked as if the rule said `body: "*"`.
   */
  readonly bodyAsStar?: true;
}

export type Source =
  /** An npm package whose build/protos/protos.json holds the API's protos. */
  | { readonly kind: 'proto'; readonly package: string }
  /** gcloud's apitools client for `<api>/<version>` (generated_clients/apis). */
  | { readonly kind: 'apitools'; readonly api: string; readonly version: string };

export interface ApiContract {
  readonly sources: readonly Source[];
  /** Route name (as in apis/*.ts), or `METHOD name` where one name has two HTTP methods. */
  readonly routes: Readonly<Record<string, RouteContract>>;
}

const p = (proto: string): MethodRef => ({ proto });
const a = (apitools: string): MethodRef => ({ apitools });
/** google/longrunning/operations.proto GetOperation: the `operations.get` route every LRO API has. */
const GET_OPERATION = { method: p('google.longrunning.Operations.GetOperation') };

export const REQUEST_CONTRACTS: Readonly<Record<SandboxApi, ApiContract>> = {
  workflows: {
    sources: [{ kind: 'proto', package: '@google-cloud/workflows' }],
    routes: {
      'workflows.create': { method: p('google.cloud.workflows.v1.Workflows.CreateWorkflow') },
      'workflows.list': { method: p('google.cloud.workflows.v1.Workflows.ListWorkflows') },
      'workflows.get': { method: p('google.cloud.workflows.v1.Workflows.GetWorkflow') },
      'workflows.patch': { method: p('google.cloud.workflows.v1.Workflows.UpdateWorkflow'), updateMask: { at: 'updateMask', target: 'workflow' } },
      'workflows.delete': { method: p('google.cloud.workflows.v1.Workflows.DeleteWorkflow') },
      'operations.get': GET_OPERATION,
    },
  },
  workflowexecutions: {
    sources: [{ kind: 'proto', package: '@google-cloud/workflows' }],
    routes: {
      'executions.create': { method: p('google.cloud.workflows.executions.v1.Executions.CreateExecution') },
      'executions.list': { method: p('google.cloud.workflows.executions.v1.Executions.ListExecutions') },
      'executions.get': { method: p('google.cloud.workflows.executions.v1.Executions.GetExecution') },
      'executions.cancel': { method: p('google.cloud.workflows.executions.v1.Executions.CancelExecution') },
    },
  },
  eventarc: {
    sources: [{ kind: 'apitools', api: 'eventarc', version: 'v1' }],
    routes: {
      'triggers.create': { method: a('eventarc.projects.locations.triggers.create') },
      'triggers.list': { method: a('eventarc.projects.locations.triggers.list') },
      'triggers.get': { method: a('eventarc.projects.locations.triggers.get') },
      'triggers.patch': { method: a('eventarc.projects.locations.triggers.patch'), updateMask: { at: 'updateMask', target: 'trigger' } },
      'triggers.delete': { method: a('eventarc.projects.locations.triggers.delete') },
      'operations.get': { method: a('eventarc.projects.locations.operations.get') },
    },
  },
  cloudscheduler: {
    sources: [{ kind: 'proto', package: '@google-cloud/scheduler' }],
    routes: {
      'jobs.create': { method: p('google.cloud.scheduler.v1.CloudScheduler.CreateJob') },
      'jobs.list': { method: p('google.cloud.scheduler.v1.CloudScheduler.ListJobs') },
      'jobs.get': { method: p('google.cloud.scheduler.v1.CloudScheduler.GetJob') },
      'jobs.patch': { method: p('google.cloud.scheduler.v1.CloudScheduler.UpdateJob'), updateMask: { at: 'updateMask', target: 'job' } },
      'jobs.delete': { method: p('google.cloud.scheduler.v1.CloudScheduler.DeleteJob') },
      'jobs.pause': { method: p('google.cloud.scheduler.v1.CloudScheduler.PauseJob') },
      'jobs.resume': { method: p('google.cloud.scheduler.v1.CloudScheduler.ResumeJob') },
      'jobs.run': { method: p('google.cloud.scheduler.v1.CloudScheduler.RunJob') },
    },
  },
  iam: {
    sources: [{ kind: 'apitools', api: 'iam', version: 'v1' }],
    routes: {
      'serviceAccounts.create': { method: a('iam.projects.serviceAccounts.create') },
      'serviceAccounts.list': { method: a('iam.projects.serviceAccounts.list') },
      'serviceAccounts.get': { method: a('iam.projects.serviceAccounts.get') },
      'serviceAccounts.patch': {
        method: a('iam.projects.serviceAccounts.patch'),
        updateMask: { at: 'patchServiceAccountRequest.updateMask', target: 'patchServiceAccountRequest.serviceAccount' },
      },
      'serviceAccounts.update': { method: a('iam.projects.serviceAccounts.update') },
      'serviceAccounts.delete': { method: a('iam.projects.serviceAccounts.delete') },
      'serviceAccounts.getIamPolicy': { method: a('iam.projects.serviceAccounts.getIamPolicy') },
      'serviceAccounts.setIamPolicy': {
        method: a('iam.projects.serviceAccounts.setIamPolicy'),
        updateMask: { at: 'setIamPolicyRequest.updateMask', target: 'setIamPolicyRequest.policy' },
      },
    },
  },
  iamcredentials: {
    sources: [{ kind: 'apitools', api: 'iamcredentials', version: 'v1' }],
    routes: {
      'serviceAccounts.generateAccessToken': { method: a('iamcredentials.projects.serviceAccounts.generateAccessToken') },
    },
  },
  cloudresourcemanager: {
    sources: [
      { kind: 'proto', package: '@google-cloud/resource-manager' },
      { kind: 'apitools', api: 'cloudresourcemanager', version: 'v1' },
    ],
    routes: {
      'v1.projects.get': { method: a('cloudresourcemanager.projects.get') },
      'v1.projects.getIamPolicy': { method: a('cloudresourcemanager.projects.getIamPolicy') },
      'v1.projects.setIamPolicy': {
        method: a('cloudresourcemanager.projects.setIamPolicy'),
        updateMask: { at: 'setIamPolicyRequest.updateMask', target: 'setIamPolicyRequest.policy' },
      },
      'v3.projects.get': { method: p('google.cloud.resourcemanager.v3.Projects.GetProject') },
      'v3.projects.getIamPolicy': { method: p('google.cloud.resourcemanager.v3.Projects.GetIamPolicy') },
      'v3.projects.setIamPolicy': { method: p('google.cloud.resourcemanager.v3.Projects.SetIamPolicy'), updateMask: { at: 'updateMask', target: 'policy' } },
    },
  },
  batch: {
    sources: [{ kind: 'proto', package: '@google-cloud/batch' }],
    routes: {
      'jobs.create': { method: p('google.cloud.batch.v1.BatchService.CreateJob') },
      'jobs.list': { method: p('google.cloud.batch.v1.BatchService.ListJobs') },
      'jobs.get': { method: p('google.cloud.batch.v1.BatchService.GetJob') },
      'jobs.delete': { method: p('google.cloud.batch.v1.BatchService.DeleteJob') },
      'operations.get': GET_OPERATION,
    },
  },
  secretmanager: {
    sources: [{ kind: 'proto', package: '@google-cloud/secret-manager' }],
    routes: {
      'secrets.create': { method: p('google.cloud.secretmanager.v1.SecretManagerService.CreateSecret') },
      'secrets.list': { method: p('google.cloud.secretmanager.v1.SecretManagerService.ListSecrets') },
      'secrets.get': { method: p('google.cloud.secretmanager.v1.SecretManagerService.GetSecret') },
      'secrets.delete': { method: p('google.cloud.secretmanager.v1.SecretManagerService.DeleteSecret') },
      'secrets.addVersion': { method: p('google.cloud.secretmanager.v1.SecretManagerService.AddSecretVersion') },
      'versions.get': { method: p('google.cloud.secretmanager.v1.SecretManagerService.GetSecretVersion') },
      'versions.access': { method: p('google.cloud.secretmanager.v1.SecretManagerService.AccessSecretVersion') },
      'GET secrets.getIamPolicy': { method: p('google.cloud.secretmanager.v1.SecretManagerService.GetIamPolicy') },
      'POST secrets.getIamPolicy': { method: p('google.cloud.secretmanager.v1.SecretManagerService.GetIamPolicy'), bodyAsStar: true },
      'secrets.setIamPolicy': { method: p('google.cloud.secretmanager.v1.SecretManagerService.SetIamPolicy'), updateMask: { at: 'updateMask', target: 'policy' } },
    },
  },
  storage: {
    sources: [{ kind: 'apitools', api: 'storage', version: 'v1' }],
    routes: {
      'buckets.list': { method: a('storage.buckets.list') },
      'buckets.insert': { method: a('storage.buckets.insert') },
      'buckets.get': { method: a('storage.buckets.get') },
      'buckets.delete': { method: a('storage.buckets.delete') },
      'objects.list': { method: a('storage.objects.list') },
      'objects.get': { method: a('storage.objects.get') },
      'objects.download': { method: a('storage.objects.get') },
      'objects.delete': { method: a('storage.objects.delete') },
      'objects.insert': { method: a('storage.objects.insert'), mediaBody: true },
      'objects.resumableUpload': { method: a('storage.objects.insert'), mediaBody: true },
      'buckets.patch': { method: a('storage.buckets.patch') },
      'buckets.getIamPolicy': { method: a('storage.buckets.getIamPolicy') },
      'buckets.setIamPolicy': { method: a('storage.buckets.setIamPolicy') },
      'managedFolders.insert': { method: a('storage.managedFolders.insert') },
      'managedFolders.list': { method: a('storage.managedFolders.list') },
      'managedFolders.get': { method: a('storage.managedFolders.get') },
      'managedFolders.delete': { method: a('storage.managedFolders.delete') },
      'managedFolders.getIamPolicy': { method: a('storage.managedFolders.getIamPolicy') },
      'managedFolders.setIamPolicy': { method: a('storage.managedFolders.setIamPolicy') },
    },
  },
  pubsub: {
    // The npm package's protos hold no google.iam.v1 service: the policy methods come from gcloud's client.
    sources: [
      { kind: 'proto', package: '@google-cloud/pubsub' },
      { kind: 'apitools', api: 'pubsub', version: 'v1' },
    ],
    routes: {
      'topics.create': { method: p('google.pubsub.v1.Publisher.CreateTopic') },
      'topics.list': { method: p('google.pubsub.v1.Publisher.ListTopics') },
      'topics.get': { method: p('google.pubsub.v1.Publisher.GetTopic') },
      'topics.patch': { method: p('google.pubsub.v1.Publisher.UpdateTopic'), updateMask: { at: 'updateMask', target: 'topic' } },
      'topics.delete': { method: p('google.pubsub.v1.Publisher.DeleteTopic') },
      'topics.publish': { method: p('google.pubsub.v1.Publisher.Publish') },
      'subscriptions.create': { method: p('google.pubsub.v1.Subscriber.CreateSubscription') },
      'subscriptions.list': { method: p('google.pubsub.v1.Subscriber.ListSubscriptions') },
      'subscriptions.get': { method: p('google.pubsub.v1.Subscriber.GetSubscription') },
      'subscriptions.delete': { method: p('google.pubsub.v1.Subscriber.DeleteSubscription') },
      'subscriptions.pull': { method: p('google.pubsub.v1.Subscriber.Pull') },
      'subscriptions.acknowledge': { method: p('google.pubsub.v1.Subscriber.Acknowledge') },
      'topics.getIamPolicy': { method: a('pubsub.projects.topics.getIamPolicy') },
      'topics.setIamPolicy': { method: a('pubsub.projects.topics.setIamPolicy') },
      'subscriptions.getIamPolicy': { method: a('pubsub.projects.subscriptions.getIamPolicy') },
      'subscriptions.setIamPolicy': { method: a('pubsub.projects.subscriptions.setIamPolicy') },
    },
  },
};

/** The contract of a route, by its name (or `METHOD name`). */
export function contractOf(api: SandboxApi, method: string, routeName: string): RouteContract | undefined {
  const routes = REQUEST_CONTRACTS[api].routes;
  return routes[`${method} ${routeName}`] ?? routes[routeName];
}
