/**
 * Managed folders and resource-level policies as plan sees them (src/resources/access.ts makes the
 * desired ones).
 *
 * Ownership (docs/architecture.md, "Ownership"):
 * - A managed folder has no labels and no description (its JSON resource holds only kind, id,
 *   selfLink, name, bucket, createTime, updateTime and metageneration), so its mark is its policy: a
 *   folder under `PRODUCT/` is ours when a role we manage there is granted to one of the product's
 *   service accounts (the orchestrator, the worker, or the client account the folder is named
 *   after; live, desired, or shown by Google as deleted). A folder at a desired name whose policy is
 *   empty is taken as ours too: it grants nobody anything, which is what a folder created by an apply
 *   interrupted before its policy was written looks like, so taking it changes nobody's access.
 * - The policy of a resource we own (that folder, a client topic, one of our service accounts): the
 *   unconditional bindings of the roles in MANAGED_ROLES for its kind are ours, every member; all
 *   other bindings (other roles, conditional ones) are someone else's and pass through untouched.
 */
import type { IamPolicy, IamPolicyBinding, Live } from '../resources/live.ts';
import { serviceAccountMemberEmail } from './iam.ts';
import { clientAccountEmails } from '../names/naming.ts';
import { MANAGED_ROLES, type ManagedFolderResource, type PolicyTarget, type ResourcePolicyResource } from '../resources/types.ts';
import type { Owner } from '../names/ownership.ts';

/** A managed folder as read: its name and its policy (undefined when the policy read found it gone). */
export interface LiveManagedFolder {
  readonly bucket: string;
  readonly folder: string;
  readonly policy?: IamPolicy;
}

/** The own policy of a topic or a service account (undefined: the resource does not exist). */
export interface LiveResourcePolicy {
  readonly target: Exclude<PolicyTarget, 'managedFolder'>;
  readonly name: string;
  readonly policy?: IamPolicy;
}

/** Role → members of the unconditional bindings of the managed roles of `target`. */
export function managedBindings(policy: IamPolicy | undefined, target: PolicyTarget): Record<string, string[]> {
  const managed = new Set(MANAGED_ROLES[target]);
  const out: Record<string, string[]> = {};
  for (const binding of policy?.bindings ?? []) {
    if (binding.condition || !managed.has(binding.role)) continue;
    out[binding.role] = [...new Set([...(out[binding.role] ?? []), ...binding.members])].sort();
  }
  return out;
}

/** `PRODUCT/_settings/` → the product; `PRODUCT/CLIENT/` and one folder below it → that client. */
export function folderOwner(folder: string, product: string): Owner | undefined {
  const parts = folder.split('/');
  if (parts[0] !== product || parts[parts.length - 1] !== '') return undefined;
  const inner = parts.slice(1, -1);
  if (inner.length === 1 && inner[0] === '_settings') return { product };
  if ((inner.length === 1 || inner.length === 2) && /^[a-z][a-z0-9-]*$/.test(inner[0] ?? '')) return { product, client: inner[0]! };
  return undefined;
}

export interface AccessLive {
  readonly folders: Live<ManagedFolderResource>[];
  readonly policies: Live<ResourcePolicyResource>[];
}

/**
 * Live folders and policies as resources. `ourAccounts`: emails of the product's service accounts
 * (desired, or live and marked); `ownedTargets`: the marked topics and service accounts and their
 * owners (another product's too: its policy then stays a conflict even with --adopt); `desiredFolders`: `gs://B/F/` of the folders generated/ asks for.
 */
export function liveAccess(
  folders: readonly LiveManagedFolder[],
  policies: readonly LiveResourcePolicy[],
  project: string,
  product: string,
  ourAccounts: ReadonlySet<string>,
  ownedTargets: ReadonlyMap<string, Owner>,
  desiredFolders: ReadonlySet<string>,
): AccessLive {
  const outFolders: Live<ManagedFolderResource>[] = [];
  const outPolicies: Live<ResourcePolicyResource>[] = [];
  const NONE: Owner = { product: '' };
  for (const f of folders) {
    const url = `gs://${f.bucket}/${f.folder}`;
    const owner = folderOwner(f.folder, product);
    const bindings = managedBindings(f.policy, 'managedFolder');
    // The account the folder's client is named after, under either naming scheme (a migration keeps the folder).
    const titleAccounts = owner?.client ? clientAccountEmails(product, owner.client, project) : [];
    const marked = Object.values(bindings).some((members) =>
      members.some((m) => {
        const email = serviceAccountMemberEmail(m);
        return email !== undefined && (ourAccounts.has(email) || titleAccounts.includes(email));
      }),
    );
    const empty = (f.policy?.bindings ?? []).every((b) => b.members.length === 0);
    const owned = owner !== undefined && (marked || (empty && desiredFolders.has(url)));
    outFolders.push({ owned, resource: { kind: 'ManagedFolder', owner: owned ? owner : NONE, bucket: f.bucket, folder: f.folder } });
    if (f.policy) outPolicies.push({ owned, resource: { kind: 'ResourcePolicy', owner: owned ? owner : NONE, target: 'managedFolder', name: url, bindings } });
  }
  for (const p of policies) {
    if (!p.policy) continue;
    const owner = ownedTargets.get(p.name);
    outPolicies.push({
      owned: owner !== undefined,
      resource: { kind: 'ResourcePolicy', owner: owner ?? NONE, target: p.target, name: p.name, bindings: managedBindings(p.policy, p.target) },
    });
  }
  return { folders: outFolders, policies: outPolicies };
}

/**
 * The policy with the managed roles of `target` set to `bindings` (unconditional bindings only; an
 * empty member list removes the binding). Every other binding is kept as the same object, in place.
 */
export function withManagedBindings(policy: IamPolicy, target: PolicyTarget, bindings: Readonly<Record<string, readonly string[]>>): IamPolicy {
  const managed = new Set(MANAGED_ROLES[target]);
  const wanted = (role: string) => new Set(bindings[role] ?? []);
  const done = new Set<string>();
  const out: IamPolicyBinding[] = [];
  for (const binding of policy.bindings) {
    if (binding.condition || !managed.has(binding.role)) {
      out.push(binding);
      continue;
    }
    if (done.has(binding.role)) continue;
    done.add(binding.role);
    const want = wanted(binding.role);
    if (want.size === 0) continue;
    // Members already there keep their order (an unchanged binding stays the object read); new ones follow.
    const same = binding.members.length === want.size && binding.members.every((m) => want.has(m));
    out.push(same ? binding : { ...binding, members: [...binding.members.filter((m) => want.has(m)), ...[...want].filter((m) => !binding.members.includes(m)).sort()] });
  }
  for (const role of [...managed].sort()) {
    if (done.has(role)) continue;
    const members = [...wanted(role)].sort();
    if (members.length > 0) out.push({ role, members });
  }
  return { version: 3, etag: policy.etag, bindings: out, ...(policy.auditConfigs ? { auditConfigs: policy.auditConfigs } : {}) };
}
