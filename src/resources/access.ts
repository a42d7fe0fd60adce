/**
 * Who may do what, as resources (issue 9): two product identities and the grants each one needs on
 * the narrowest resource Google lets a role be granted on, and each client's keyless access through
 * managed folders and the own policies of its service account and topic. Pure, like index.ts.
 *
 * - The orchestrator `PRODUCT@P` runs the workflows and is the identity of the triggers and
 *   scheduler jobs. Project roles: only those in product.ts serviceAccountRoles (no narrower
 *   resource exists for them). It reads settings on the `PRODUCT/_settings/` managed folder,
 *   publishes on each client topic (topic policy), reads the notification secrets (secret policy),
 *   and may act as the worker only (iam.serviceAccountUser on the worker's own policy).
 * - The worker `PRODUCT-worker@P` is what the Batch containers run as. It reads each client's
 *   folder (objectViewer on `PRODUCT/CLIENT/`) and writes its outputs (objectUser on
 *   `PRODUCT/CLIENT/outputs/`); it holds nothing on `_settings/`, on secrets or on topics.
 * - A client's service account reads and lists its folder (objectViewer on `PRODUCT/CLIENT/`) and
 *   uploads under inputs/ (objectCreator on `PRODUCT/CLIENT/inputs/`). Its `uploaders` may act as
 *   it (tokenCreator on its own policy); its `subscribers` may attach subscriptions to its topic.
 *
 * Managed folders: "When you apply an IAM policy on a managed folder, the access granted in the
 * policy applies to any object within the bucket that uses the managed folder path as a prefix in
 * the object name ... When you nest managed folders, the permissions granted through IAM policies
 * are applied additively" (https://cloud.google.com/storage/docs/managed-folders, "IAM for managed
 * folders"). They need uniform bucket-level access on the bucket (same page; a plan precondition).
 */
import type { ProductDefinition } from '../config/product.ts';
import type { Client } from '../config/client-schema.ts';
import type { ManagedFolderResource, PolicyTarget, Resource, ResourcePolicyResource } from './types.ts';
import type { Owner } from '../names/ownership.ts';
import { clientFolder, inputsFolder, outputsFolder, serviceAccountEmail, serviceAccountName, settingsFolder, workerAccountId } from '../names/naming.ts';

export const ROLES = {
  /** storage.objects.get and .list: read and list (roles-data.json). */
  objectViewer: 'roles/storage.objectViewer',
  /** storage.objects.create only: uploads, no overwrite, no delete, no read. */
  objectCreator: 'roles/storage.objectCreator',
  /** Create, read, overwrite and delete objects: the worker replaces an output when a run is repeated. */
  objectUser: 'roles/storage.objectUser',
  /** pubsub.topics.publish (and get) on one topic. */
  publisher: 'roles/pubsub.publisher',
  /** pubsub.topics.get on one topic: batch-scheduled checks that the client's topic exists. */
  topicViewer: 'roles/pubsub.viewer',
  /** pubsub.topics.attachSubscription on the topic, pubsub.subscriptions.consume. */
  subscriber: 'roles/pubsub.subscriber',
  /** iam.serviceAccounts.actAs on one account: attach it to a Batch job. */
  serviceAccountUser: 'roles/iam.serviceAccountUser',
  /** iam.serviceAccounts.getAccessToken on one account: `--impersonate-service-account`, no key. */
  tokenCreator: 'roles/iam.serviceAccountTokenCreator',
} as const;

export interface ProductIdentities {
  readonly orchestrator: string;
  readonly worker: string;
}

export function productIdentities(product: ProductDefinition, project: string): ProductIdentities {
  return { orchestrator: serviceAccountEmail(product.name, project), worker: serviceAccountEmail(workerAccountId(product.name), project) };
}

const sa = (email: string) => `serviceAccount:${email}`;

/**
 * A policy resource, or none when it grants nothing: members removed from a client file leave an
 * owned policy that is no longer desired, an orphan that `apply --prune` revokes, like any other.
 */
function policy(owner: Owner, target: PolicyTarget, name: string, bindings: Record<string, readonly string[]>): ResourcePolicyResource[] {
  const sorted: Record<string, readonly string[]> = {};
  for (const role of Object.keys(bindings).sort()) {
    const members = [...new Set(bindings[role])].sort();
    if (members.length > 0) sorted[role] = members;
  }
  return Object.keys(sorted).length > 0 ? [{ kind: 'ResourcePolicy', owner, target, name, bindings: sorted }] : [];
}

function folder(owner: Owner, bucket: string, path: string, bindings: Record<string, readonly string[]>): Resource[] {
  const made: ManagedFolderResource = { kind: 'ManagedFolder', owner, bucket, folder: path };
  return [made, ...policy(owner, 'managedFolder', `gs://${bucket}/${path}`, bindings)];
}

/** The product's own access resources: the settings folder and the worker's policy. */
export function productAccess(product: ProductDefinition, project: string, bucket: string): Resource[] {
  const owner: Owner = { product: product.name };
  const { orchestrator } = productIdentities(product, project);
  return [
    // The workflows read PRODUCT/_settings/CLIENT.json at the start of each run; nobody else needs it.
    ...folder(owner, bucket, settingsFolder(product.name), { [ROLES.objectViewer]: [sa(orchestrator)] }),
    // Attaching the worker to a Batch job needs actAs on the worker: granted there, not project-wide.
    ...policy(owner, 'serviceAccount', serviceAccountName(workerAccountId(product.name), project), { [ROLES.serviceAccountUser]: [sa(orchestrator)] }),
  ];
}

/** One client's access resources: its three folders, its service account's and its topic's policies. */
export function clientAccess(product: ProductDefinition, project: string, bucket: string, client: Client, accountId: string, topic: string): Resource[] {
  const owner: Owner = { product: product.name, client: client.name };
  const { orchestrator, worker } = productIdentities(product, project);
  const self = sa(serviceAccountEmail(accountId, project));
  return [
    // Read and list the whole client folder: its inputs and its outputs. The worker reads inputs here.
    ...folder(owner, bucket, clientFolder(product.name, client.name), { [ROLES.objectViewer]: [self, sa(worker)] }),
    // Uploads only under inputs/ (nested folders add up: reading stays as granted above).
    ...folder(owner, bucket, inputsFolder(product.name, client.name), { [ROLES.objectCreator]: [self] }),
    // The worker writes outputs; the client reads them through its folder grant above.
    ...folder(owner, bucket, outputsFolder(product.name, client.name), { [ROLES.objectUser]: [sa(worker)] }),
    // No key is ever made: uploaders mint short-lived tokens for the client's account.
    ...policy(owner, 'serviceAccount', serviceAccountName(accountId, project), { [ROLES.tokenCreator]: client.uploaders ?? [] }),
    ...policy(owner, 'topic', topic, {
      [ROLES.publisher]: [sa(orchestrator)],
      [ROLES.topicViewer]: [sa(orchestrator)],
      [ROLES.subscriber]: client.subscribers ?? [],
    }),
  ];
}
