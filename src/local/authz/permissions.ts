/**
 * THE table: which IAM permission each sandbox method needs, and on which resource, as Google
 * documents them. Keyed by `<api>.<route name>` (the names the request stats use). A method may
 * need several permissions (creating a subscription needs one on the project and one on the topic;
 * attaching a service account needs iam.serviceAccounts.actAs on it).
 *
 * Sources: each API's REST reference lists the permission a method needs ("Authorization requires
 * the following IAM permission on the specified resource ..."):
 * - Storage: https://cloud.google.com/storage/docs/access-control/iam-json (JSON API methods →
 *   permissions). Overwriting an object needs storage.objects.delete too: Storage Object Creator
 *   "does not give permission to view, delete, or replace objects"
 *   (https://cloud.google.com/storage/docs/access-control/iam-roles). Listing is checked on the
 *   bucket; "If you want to list objects within managed folders, you can grant
 *   roles/storage.objectViewer on the managed folder that contains the objects"
 *   (https://cloud.google.com/storage/docs/listing-objects), so a list whose prefix lies in a managed
 *   folder also reads that folder's policies. managedFolder insert/get/list/delete need
 *   storage.managedFolders.create/get/list/delete
 *   (https://cloud.google.com/storage/docs/json_api/v1/managedFolder/insert and siblings).
 * - Pub/Sub: https://cloud.google.com/pubsub/docs/access-control (publish needs
 *   pubsub.topics.publish on the topic; creating a subscription needs pubsub.subscriptions.create on
 *   the project and pubsub.topics.attachSubscription on the topic; pull and acknowledge need
 *   pubsub.subscriptions.consume).
 * - Workflows: https://cloud.google.com/workflows/docs/access-control; Eventarc:
 *   https://cloud.google.com/eventarc/docs/access-control; Cloud Scheduler:
 *   https://cloud.google.com/scheduler/docs/reference/rest (jobs.resume → cloudscheduler.jobs.enable);
 *   Batch: https://cloud.google.com/batch/docs/reference/rest; Secret Manager:
 *   https://cloud.google.com/secret-manager/docs/access-control; IAM:
 *   https://cloud.google.com/iam/docs/service-accounts-actas (attaching a service account to a
 *   resource needs iam.serviceAccounts.actAs on it; a Workflows workflow or Batch job without one
 *   runs as the Compute Engine default service account, PROJECT_NUMBER-compute@developer...).
 * Every permission named here is one Google defines (a test checks them against the vendored
 * role data).
 */
import type { ApiRequest } from '../http.ts';
import type { SandboxState } from '../state.ts';
import { folderName, foldersContaining, type PolicyResource } from '../resource-policies.ts';
import { projectNumber } from '../apis/resource-manager.ts';
import { findAccount } from '../apis/iam.ts';
import { isRecord } from '../google-shapes.ts';
import { multipartParts } from '../apis/storage.ts';
import { serviceAccountEmail } from './principal.ts';

/** One permission on one resource. */
export interface Check {
  readonly permission: string;
  /** Where the applicable policies are collected (resource-policies.ts). */
  readonly on: PolicyResource;
  /** The resource name conditions see as `resource.name` and denials name. */
  readonly name: string;
  /** `resource.type` (https://cloud.google.com/iam/docs/conditions-resource-attributes). */
  readonly type: string;
  /** `resource.service`, and the ErrorInfo domain of a denial. */
  readonly service: string;
  /** How a denial is worded: Storage's own sentence, actAs's, or Google's generic one. */
  readonly wording?: 'storage-object' | 'storage-bucket' | 'storage-managedFolder' | 'actAs' | 'no-resource';
}

type Rule = (req: ApiRequest, state: SandboxState) => Check[];

const project = (id: string, permission: string, service: string, name = `projects/${id}`): Check => ({
  permission,
  on: { kind: 'project', project: id },
  name,
  type: service === 'cloudresourcemanager.googleapis.com' ? 'cloudresourcemanager.googleapis.com/Project' : '',
  service,
});

const STORAGE = 'storage.googleapis.com';
const bucket = (b: string, permission: string): Check => ({
  permission,
  on: { kind: 'bucket', bucket: b },
  name: `projects/_/buckets/${b}`,
  type: `${STORAGE}/Bucket`,
  service: STORAGE,
  wording: 'storage-bucket',
});
const object = (b: string, o: string, permission: string): Check => ({
  permission,
  on: { kind: 'object', bucket: b, object: o },
  name: `projects/_/buckets/${b}/objects/${o}`,
  type: `${STORAGE}/Object`,
  service: STORAGE,
  wording: 'storage-object',
});
const folder = (b: string, f: string, permission: string): Check => ({
  permission,
  on: { kind: 'managedFolder', bucket: b, folder: folderName(f) },
  name: `projects/_/buckets/${b}/managedFolders/${folderName(f)}`,
  type: `${STORAGE}/ManagedFolder`,
  service: STORAGE,
  wording: 'storage-managedFolder',
});
/** A list on the bucket, whose policies include the managed folders the prefix lies in. */
const listIn = (state: SandboxState, b: string, prefix: string, permission: string): Check => {
  const folders = foldersContaining(state, b, prefix);
  const innermost = folders[folders.length - 1];
  return { ...bucket(b, permission), ...(innermost ? { on: { kind: 'managedFolder', bucket: b, folder: innermost } } : {}) };
};

/** A service account named by email or unique id, in `projects/P` or `projects/-`. */
function account(state: SandboxState, projectId: string, key: string, permission: string, service = 'iam.googleapis.com'): Check {
  const found = findAccount(state, projectId, key);
  const email = (found?.email as string | undefined) ?? key;
  const owner = (found?.projectId as string | undefined) ?? /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? projectId;
  return {
    permission,
    on: { kind: 'serviceAccount', project: owner, email },
    name: `projects/${owner}/serviceAccounts/${email}`,
    type: 'iam.googleapis.com/ServiceAccount',
    service,
    ...(permission === 'iam.serviceAccounts.actAs' ? { wording: 'actAs' as const } : {}),
  };
}

/** iam.serviceAccounts.actAs on the account a request attaches (email or projects/P/serviceAccounts/E). */
function actAs(state: SandboxState, projectId: string, ref: unknown, service: string): Check[] {
  if (typeof ref !== 'string' || ref === '') return [];
  return [account(state, projectId, serviceAccountEmail(ref), 'iam.serviceAccounts.actAs', service)];
}
const defaultComputeAccount = (projectId: string) => `${projectNumber(projectId)}-compute@developer.gserviceaccount.com`;

/** Whether an update names `field` (no mask = every field present in the body, as these APIs do). */
function updates(req: ApiRequest, field: string): boolean {
  const mask = req.param('updateMask');
  return mask === undefined || mask === '' || mask.split(',').some((f) => f.trim() === field || f.trim() === '*' || f.trim().startsWith(`${field}.`));
}

const location = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}`;
const simple =
  (permission: string, service: string, name: (p: Readonly<Record<string, string>>) => string): Rule =>
  (req) => [project(req.params.project!, permission, service, name(req.params))];

const WORKFLOWS = 'workflows.googleapis.com';
const workflow = (p: Readonly<Record<string, string>>) => `${location(p)}/workflows/${p.workflow}`;
const EVENTARC = 'eventarc.googleapis.com';
const SCHEDULER = 'cloudscheduler.googleapis.com';
const BATCH = 'batch.googleapis.com';
const PUBSUB = 'pubsub.googleapis.com';
const SECRETS = 'secretmanager.googleapis.com';
const IAM = 'iam.googleapis.com';
const CRM = 'cloudresourcemanager.googleapis.com';

const topic = (name: string, permission: string): Check => ({ permission, on: { kind: 'topic', name }, name, type: `${PUBSUB}/Topic`, service: PUBSUB });
const subscription = (name: string, permission: string): Check => ({ permission, on: { kind: 'subscription', name }, name, type: `${PUBSUB}/Subscription`, service: PUBSUB });
const topicOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/topics/${p.topic}`;
const subscriptionOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/subscriptions/${p.subscription}`;
/** The rules of the methods that need one permission on the one resource their URL names. */
const onBucket =
  (permission: string): Rule =>
  (req) => [bucket(req.params.bucket!, permission)];
const onAccount =
  (permission: string): Rule =>
  (req, state) => [account(state, req.params.project!, req.params.account!, permission)];
const onTopic =
  (permission: string): Rule =>
  (req) => [topic(topicOf(req.params), permission)];
const onSubscription =
  (permission: string): Rule =>
  (req) => [subscription(subscriptionOf(req.params), permission)];
const onFolder =
  (permission: string): Rule =>
  (req) => [folder(req.params.bucket!, req.params.managedFolder!, permission)];
/** Secret Manager's resource names in conditions use the project number (conditions-resource-attributes). */
const secret = (p: Readonly<Record<string, string>>, permission: string, version?: string): Check => ({
  permission,
  on: { kind: 'secret', name: `projects/${p.project}/secrets/${p.secret}` },
  name: `projects/${projectNumber(p.project!)}/secrets/${p.secret}${version ? `/versions/${version}` : ''}`,
  type: version ? `${SECRETS}/SecretVersion` : `${SECRETS}/Secret`,
  service: SECRETS,
});
const onSecret =
  (permission: string): Rule =>
  (req) => [secret(req.params, permission)];

/** The name of the object an upload creates, wherever the upload type carries it. */
function uploadName(req: ApiRequest): string | undefined {
  const fromQuery = req.param('name');
  if (fromQuery) return fromQuery;
  const type = req.param('uploadType') ?? 'media';
  if (type === 'resumable' && req.rawBody.length) {
    const body = req.json();
    return typeof body.name === 'string' ? body.name : undefined;
  }
  if (type === 'multipart') {
    try {
      const [meta] = multipartParts(req.rawBody, String(req.headers['content-type'] ?? ''));
      const parsed: unknown = meta ? JSON.parse(meta.content.toString('utf8') || '{}') : undefined;
      if (isRecord(parsed) && typeof parsed.name === 'string') return parsed.name;
    } catch {
      // A malformed upload: the handler refuses it with its own 400 once authorized on the bucket.
    }
  }
  return undefined;
}

export const PERMISSIONS: Readonly<Record<string, Rule>> = {
  // ---- Cloud Storage ----
  'storage.buckets.list': (req) => [project(req.param('project') ?? '', 'storage.buckets.list', STORAGE)],
  'storage.buckets.insert': (req) => [project(req.param('project') ?? '', 'storage.buckets.create', STORAGE)],
  'storage.buckets.get': onBucket('storage.buckets.get'),
  'storage.buckets.patch': onBucket('storage.buckets.update'),
  'storage.buckets.delete': onBucket('storage.buckets.delete'),
  'storage.buckets.getIamPolicy': onBucket('storage.buckets.getIamPolicy'),
  'storage.buckets.setIamPolicy': onBucket('storage.buckets.setIamPolicy'),
  'storage.objects.list': (req, state) => [listIn(state, req.params.bucket!, req.param('prefix') ?? '', 'storage.objects.list')],
  'storage.objects.get': (req) => [object(req.params.bucket!, req.params.object!, 'storage.objects.get')],
  'storage.objects.download': (req) => [object(req.params.bucket!, req.params.object!, 'storage.objects.get')],
  'storage.objects.delete': (req) => [object(req.params.bucket!, req.params.object!, 'storage.objects.delete')],
  'storage.objects.insert': (req, state) => {
    const name = uploadName(req);
    if (name === undefined) return [bucket(req.params.bucket!, 'storage.objects.create')];
    const create = object(req.params.bucket!, name, 'storage.objects.create');
    return state.getObject(req.params.bucket!, name) ? [create, object(req.params.bucket!, name, 'storage.objects.delete')] : [create];
  },
  // The session URL a resumable upload returns is its credential; the checks ran when it was opened.
  'storage.objects.resumableUpload': () => [],
  'storage.managedFolders.insert': (req) => {
    const body = req.json();
    const name = typeof body.name === 'string' && body.name ? body.name : (req.param('name') ?? '');
    return [name ? folder(req.params.bucket!, name, 'storage.managedFolders.create') : bucket(req.params.bucket!, 'storage.managedFolders.create')];
  },
  'storage.managedFolders.list': (req, state) => [listIn(state, req.params.bucket!, req.param('prefix') ?? '', 'storage.managedFolders.list')],
  'storage.managedFolders.get': onFolder('storage.managedFolders.get'),
  'storage.managedFolders.delete': onFolder('storage.managedFolders.delete'),
  'storage.managedFolders.getIamPolicy': onFolder('storage.managedFolders.getIamPolicy'),
  'storage.managedFolders.setIamPolicy': onFolder('storage.managedFolders.setIamPolicy'),

  // ---- Pub/Sub ----
  'pubsub.topics.create': (req) => [project(req.params.project!, 'pubsub.topics.create', PUBSUB, topicOf(req.params))],
  'pubsub.topics.list': (req) => [project(req.params.project!, 'pubsub.topics.list', PUBSUB)],
  'pubsub.topics.get': onTopic('pubsub.topics.get'),
  'pubsub.topics.patch': onTopic('pubsub.topics.update'),
  'pubsub.topics.delete': onTopic('pubsub.topics.delete'),
  'pubsub.topics.publish': onTopic('pubsub.topics.publish'),
  'pubsub.topics.getIamPolicy': onTopic('pubsub.topics.getIamPolicy'),
  'pubsub.topics.setIamPolicy': onTopic('pubsub.topics.setIamPolicy'),
  'pubsub.subscriptions.create': (req) => {
    const body = req.json();
    const create = project(req.params.project!, 'pubsub.subscriptions.create', PUBSUB, subscriptionOf(req.params));
    return typeof body.topic === 'string' && body.topic ? [create, topic(body.topic, 'pubsub.topics.attachSubscription')] : [create];
  },
  'pubsub.subscriptions.list': (req) => [project(req.params.project!, 'pubsub.subscriptions.list', PUBSUB)],
  'pubsub.subscriptions.get': onSubscription('pubsub.subscriptions.get'),
  'pubsub.subscriptions.delete': onSubscription('pubsub.subscriptions.delete'),
  'pubsub.subscriptions.pull': onSubscription('pubsub.subscriptions.consume'),
  'pubsub.subscriptions.acknowledge': onSubscription('pubsub.subscriptions.consume'),
  'pubsub.subscriptions.getIamPolicy': onSubscription('pubsub.subscriptions.getIamPolicy'),
  'pubsub.subscriptions.setIamPolicy': onSubscription('pubsub.subscriptions.setIamPolicy'),

  // ---- Workflows and executions ----
  'workflows.workflows.create': (req, state) => [
    project(req.params.project!, 'workflows.workflows.create', WORKFLOWS, location(req.params)),
    ...actAs(state, req.params.project!, req.json().serviceAccount ?? defaultComputeAccount(req.params.project!), WORKFLOWS),
  ],
  'workflows.workflows.list': simple('workflows.workflows.list', WORKFLOWS, location),
  'workflows.workflows.get': simple('workflows.workflows.get', WORKFLOWS, workflow),
  'workflows.workflows.patch': (req, state) => [
    project(req.params.project!, 'workflows.workflows.update', WORKFLOWS, workflow(req.params)),
    ...(updates(req, 'serviceAccount') ? actAs(state, req.params.project!, req.json().serviceAccount, WORKFLOWS) : []),
  ],
  'workflows.workflows.delete': simple('workflows.workflows.delete', WORKFLOWS, workflow),
  'workflows.operations.get': simple('workflows.operations.get', WORKFLOWS, (p) => `${location(p)}/operations/${p.operation}`),
  'workflowexecutions.executions.create': simple('workflows.executions.create', WORKFLOWS, workflow),
  'workflowexecutions.executions.list': simple('workflows.executions.list', WORKFLOWS, workflow),
  'workflowexecutions.executions.get': simple('workflows.executions.get', WORKFLOWS, (p) => `${workflow(p)}/executions/${p.execution}`),
  'workflowexecutions.executions.cancel': simple('workflows.executions.cancel', WORKFLOWS, (p) => `${workflow(p)}/executions/${p.execution}`),

  // ---- Eventarc ----
  'eventarc.triggers.create': (req, state) => [
    project(req.params.project!, 'eventarc.triggers.create', EVENTARC, location(req.params)),
    ...actAs(state, req.params.project!, req.json().serviceAccount, EVENTARC),
  ],
  'eventarc.triggers.list': simple('eventarc.triggers.list', EVENTARC, location),
  'eventarc.triggers.get': simple('eventarc.triggers.get', EVENTARC, (p) => `${location(p)}/triggers/${p.trigger}`),
  'eventarc.triggers.patch': (req, state) => [
    project(req.params.project!, 'eventarc.triggers.update', EVENTARC, `${location(req.params)}/triggers/${req.params.trigger}`),
    ...(updates(req, 'serviceAccount') ? actAs(state, req.params.project!, req.json().serviceAccount, EVENTARC) : []),
  ],
  'eventarc.triggers.delete': simple('eventarc.triggers.delete', EVENTARC, (p) => `${location(p)}/triggers/${p.trigger}`),
  'eventarc.operations.get': simple('eventarc.operations.get', EVENTARC, (p) => `${location(p)}/operations/${p.operation}`),

  // ---- Cloud Scheduler ----
  'cloudscheduler.jobs.create': (req, state) => {
    const target = req.json().httpTarget;
    const email = target?.oauthToken?.serviceAccountEmail ?? target?.oidcToken?.serviceAccountEmail;
    return [project(req.params.project!, 'cloudscheduler.jobs.create', SCHEDULER, location(req.params)), ...actAs(state, req.params.project!, email, SCHEDULER)];
  },
  'cloudscheduler.jobs.list': simple('cloudscheduler.jobs.list', SCHEDULER, location),
  'cloudscheduler.jobs.get': simple('cloudscheduler.jobs.get', SCHEDULER, (p) => `${location(p)}/jobs/${p.job}`),
  'cloudscheduler.jobs.patch': (req, state) => {
    const target = req.json().httpTarget;
    const email = target?.oauthToken?.serviceAccountEmail ?? target?.oidcToken?.serviceAccountEmail;
    return [
      project(req.params.project!, 'cloudscheduler.jobs.update', SCHEDULER, `${location(req.params)}/jobs/${req.params.job}`),
      ...(updates(req, 'httpTarget') ? actAs(state, req.params.project!, email, SCHEDULER) : []),
    ];
  },
  'cloudscheduler.jobs.delete': simple('cloudscheduler.jobs.delete', SCHEDULER, (p) => `${location(p)}/jobs/${p.job}`),
  'cloudscheduler.jobs.pause': simple('cloudscheduler.jobs.pause', SCHEDULER, (p) => `${location(p)}/jobs/${p.job}`),
  'cloudscheduler.jobs.resume': simple('cloudscheduler.jobs.enable', SCHEDULER, (p) => `${location(p)}/jobs/${p.job}`),
  'cloudscheduler.jobs.run': simple('cloudscheduler.jobs.run', SCHEDULER, (p) => `${location(p)}/jobs/${p.job}`),

  // ---- Batch ----
  'batch.jobs.create': (req, state) => [
    project(req.params.project!, 'batch.jobs.create', BATCH, location(req.params)),
    ...actAs(state, req.params.project!, req.json().allocationPolicy?.serviceAccount?.email ?? defaultComputeAccount(req.params.project!), BATCH),
  ],
  'batch.jobs.list': simple('batch.jobs.list', BATCH, location),
  'batch.jobs.get': simple('batch.jobs.get', BATCH, (p) => `${location(p)}/jobs/${p.job}`),
  'batch.jobs.delete': simple('batch.jobs.delete', BATCH, (p) => `${location(p)}/jobs/${p.job}`),
  'batch.operations.get': simple('batch.operations.get', BATCH, (p) => `${location(p)}/operations/${p.operation}`),

  // ---- Secret Manager ----
  'secretmanager.secrets.create': (req) => [project(req.params.project!, 'secretmanager.secrets.create', SECRETS)],
  'secretmanager.secrets.list': (req) => [project(req.params.project!, 'secretmanager.secrets.list', SECRETS)],
  'secretmanager.secrets.get': onSecret('secretmanager.secrets.get'),
  'secretmanager.secrets.delete': onSecret('secretmanager.secrets.delete'),
  'secretmanager.secrets.addVersion': onSecret('secretmanager.versions.add'),
  'secretmanager.versions.get': (req) => [secret(req.params, 'secretmanager.versions.get', req.params.version)],
  'secretmanager.versions.access': (req) => [secret(req.params, 'secretmanager.versions.access', req.params.version)],
  'secretmanager.secrets.getIamPolicy': onSecret('secretmanager.secrets.getIamPolicy'),
  'secretmanager.secrets.setIamPolicy': onSecret('secretmanager.secrets.setIamPolicy'),

  // ---- IAM and IAM Credentials ----
  'iam.serviceAccounts.create': (req) => [project(req.params.project!, 'iam.serviceAccounts.create', IAM)],
  'iam.serviceAccounts.list': (req) => [project(req.params.project!, 'iam.serviceAccounts.list', IAM)],
  'iam.serviceAccounts.get': onAccount('iam.serviceAccounts.get'),
  'iam.serviceAccounts.patch': onAccount('iam.serviceAccounts.update'),
  'iam.serviceAccounts.update': onAccount('iam.serviceAccounts.update'),
  'iam.serviceAccounts.delete': onAccount('iam.serviceAccounts.delete'),
  'iam.serviceAccounts.getIamPolicy': onAccount('iam.serviceAccounts.getIamPolicy'),
  'iam.serviceAccounts.setIamPolicy': onAccount('iam.serviceAccounts.setIamPolicy'),
  // "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
  'iamcredentials.serviceAccounts.generateAccessToken': (req, state) => [{ ...account(state, req.params.project!, req.params.account!, 'iam.serviceAccounts.getAccessToken'), wording: 'no-resource' }],

  // ---- Resource Manager ----
  ...Object.fromEntries(
    (['v1', 'v3'] as const).flatMap((v) => [
      [`cloudresourcemanager.${v}.projects.getIamPolicy`, (req: ApiRequest) => [project(req.params.project!, 'resourcemanager.projects.getIamPolicy', CRM)]],
      [`cloudresourcemanager.${v}.projects.setIamPolicy`, (req: ApiRequest) => [project(req.params.project!, 'resourcemanager.projects.setIamPolicy', CRM)]],
      [`cloudresourcemanager.${v}.projects.get`, (req: ApiRequest) => [project(req.params.project!, 'resourcemanager.projects.get', CRM)]],
    ]),
  ),
};

/**
 * A permission on a project-level resource, for the sandbox's own actors to check in process (e.g.
 * an Eventarc delivery as the trigger's account needs eventarc.events.receiveEvent on the project
 * and workflows.executions.create on the workflow): `authorize(state, member, [projectCheck(...)])`.
 */
export function projectCheck(projectId: string, permission: string, service: string, name = `projects/${projectId}`): Check {
  return project(projectId, permission, service, name);
}

/** The checks a request needs, or undefined when the table has no entry for its method. */
export function checksFor(api: string, routeName: string, req: ApiRequest, state: SandboxState): Check[] | undefined {
  const rule = PERMISSIONS[`${api}.${routeName}`];
  return rule ? rule(req, state) : undefined;
}
