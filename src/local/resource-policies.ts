/**
 * Where every IAM allow policy of the sandbox lives, and which of them apply to a resource: one
 * accessor over the state, so the policy APIs (project, bucket, managed folder, topic, subscription,
 * secret, service account) and the authorizer read and write policies the same way.
 *
 * Google evaluates the policies along the resource hierarchy, additively
 * (https://cloud.google.com/iam/docs/resource-hierarchy-access-control: "the effective allow policy
 * for a resource is the union of the allow policy set at that resource and the allow policy
 * inherited from its parent"). The sandbox's hierarchy is one level above the project-level
 * resources (no folders or organizations):
 * - an object: the project, the bucket, and every managed folder whose path is a prefix of the
 *   object's name ("When you nest managed folders, the permissions granted through IAM policies are
 *   applied additively", https://cloud.google.com/storage/docs/managed-folders);
 * - a managed folder: the project, the bucket, the folder and the managed folders that contain it;
 * - a bucket, topic, subscription, secret or service account: the project and its own policy.
 *
 * Pure functions of the state: no I/O beyond the state's own maps.
 */
import type { SandboxState, StoredResource } from './state.ts';

/** A resource some policy may be set on or inherited by, as the authorizer names it. */
export type PolicyResource =
  | { readonly kind: 'project'; readonly project: string }
  | { readonly kind: 'bucket'; readonly bucket: string }
  | { readonly kind: 'object'; readonly bucket: string; readonly object: string }
  | { readonly kind: 'managedFolder'; readonly bucket: string; readonly folder: string }
  | { readonly kind: 'topic'; readonly name: string }
  | { readonly kind: 'subscription'; readonly name: string }
  | { readonly kind: 'secret'; readonly name: string }
  | { readonly kind: 'serviceAccount'; readonly project: string; readonly email: string };

export interface StoredPolicy {
  readonly version: number;
  readonly etag: string;
  readonly bindings: readonly { role: string; members: string[]; condition?: { title?: string; description?: string; expression: string } }[];
  readonly auditConfigs?: readonly Record<string, any>[];
}

/** The policy every resource starts with: empty, with a stable etag until the first write. */
export const EMPTY_POLICY: StoredPolicy = { version: 1, etag: 'ACAB', bindings: [] };

/** A managed folder's name as Google stores it: a path ending with `/` (managedFolder resource, `name`). */
export function folderName(folder: string): string {
  return folder.endsWith('/') ? folder : `${folder}/`;
}

/** The full resource name IAM uses (the key of `resourcePolicies`). */
export function policyKey(resource: PolicyResource): string {
  switch (resource.kind) {
    case 'project':
      return resource.project;
    case 'bucket':
      return `projects/_/buckets/${resource.bucket}`;
    case 'object':
      return `projects/_/buckets/${resource.bucket}/objects/${resource.object}`;
    case 'managedFolder':
      return `projects/_/buckets/${resource.bucket}/managedFolders/${folderName(resource.folder)}`;
    case 'serviceAccount':
      return `projects/${resource.project}/serviceAccounts/${resource.email}`;
    default:
      return resource.name;
  }
}

/** The resource's own policy (EMPTY_POLICY when none was set). */
export function ownPolicy(state: SandboxState, resource: PolicyResource): StoredPolicy {
  if (resource.kind === 'project') return (state.get('policies', resource.project) as StoredPolicy | undefined) ?? EMPTY_POLICY;
  if (resource.kind === 'secret') return (state.get('secrets', resource.name)?._iamPolicy as StoredPolicy | undefined) ?? EMPTY_POLICY;
  return (state.get('resourcePolicies', policyKey(resource)) as StoredPolicy | undefined) ?? EMPTY_POLICY;
}

/** Replace the resource's own policy (the caller has validated it). */
export function putOwnPolicy(state: SandboxState, resource: PolicyResource, policy: StoredPolicy): void {
  if (resource.kind === 'project') return state.put('policies', resource.project, policy);
  if (resource.kind === 'secret') {
    const secret = state.get('secrets', resource.name);
    if (secret) state.put('secrets', resource.name, { ...secret, _iamPolicy: policy });
    return;
  }
  state.put('resourcePolicies', policyKey(resource), policy);
}

/** Forget the policy of a resource that was deleted (Google deletes a resource's policy with it). */
export function removeOwnPolicy(state: SandboxState, resource: PolicyResource): void {
  if (resource.kind === 'project' || resource.kind === 'secret') return;
  if (state.get('resourcePolicies', policyKey(resource))) state.remove('resourcePolicies', policyKey(resource));
}

export function managedFolder(state: SandboxState, bucket: string, folder: string): StoredResource | undefined {
  return state.get('managedFolders', `${bucket}/${folderName(folder)}`);
}

/**
 * The managed folders of `bucket` whose path is a prefix of `path` (an object name, a list prefix or
 * another folder's name), outermost first. Looks up each `/`-ended prefix of the path, so the cost
 * is the path's depth, not the number of folders.
 */
export function foldersContaining(state: SandboxState, bucket: string, path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i + 1);
    if (managedFolder(state, bucket, prefix)) out.push(prefix);
  }
  return out;
}

/** The project a resource belongs to (its project policy applies), or undefined if unknown. */
export function projectOf(state: SandboxState, resource: PolicyResource): string | undefined {
  switch (resource.kind) {
    case 'project':
      return resource.project;
    case 'bucket':
    case 'object':
    case 'managedFolder':
      return state.get('buckets', resource.bucket)?._project as string | undefined;
    case 'serviceAccount':
      return resource.project;
    default:
      return /^projects\/([^/]+)\//.exec(resource.name)?.[1];
  }
}

export interface ApplicablePolicy {
  /** The full resource name the policy is set on (`demo-project`, `projects/_/buckets/B`, ...). */
  readonly on: string;
  readonly policy: StoredPolicy;
}

/** Every policy that grants access to `resource`: the project's, then each one down to its own. */
export function policiesFor(state: SandboxState, resource: PolicyResource): ApplicablePolicy[] {
  const out: ApplicablePolicy[] = [];
  const add = (r: PolicyResource) => out.push({ on: policyKey(r), policy: ownPolicy(state, r) });
  const project = projectOf(state, resource);
  if (project !== undefined && resource.kind !== 'project') add({ kind: 'project', project });
  switch (resource.kind) {
    case 'object':
    case 'managedFolder': {
      add({ kind: 'bucket', bucket: resource.bucket });
      const path = resource.kind === 'object' ? resource.object : folderName(resource.folder);
      for (const folder of foldersContaining(state, resource.bucket, path)) add({ kind: 'managedFolder', bucket: resource.bucket, folder });
      break;
    }
    default:
      add(resource);
  }
  return out;
}

/** A deleted bucket takes its policy and its managed folders (with their policies) with it. */
export function forgetBucket(state: SandboxState, bucket: string): void {
  removeOwnPolicy(state, { kind: 'bucket', bucket });
  for (const key of Object.keys(state.all('managedFolders'))) {
    if (!key.startsWith(`${bucket}/`)) continue;
    state.remove('managedFolders', key);
    removeOwnPolicy(state, { kind: 'managedFolder', bucket, folder: key.slice(bucket.length + 1) });
  }
}
