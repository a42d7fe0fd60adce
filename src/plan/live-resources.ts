/**
 * The live side of the diff: every live resource the plan matches desired ones against, in one list,
 * and which of them are ours. Marked resources carry their owner; what carries no mark is ours by
 * who it is for: the project's grants (expanded one per role, member and condition, iam.ts) to our
 * accounts, the secret access of the product's account, managed folders and the own policies of what
 * we own (resource-policies.ts), and the legacy access our client accounts hold there (grants
 * generated/ does not ask for, legacy-policies.ts), marked ours so the plan lists them.
 */
import type { Live } from '../resources/live.ts';
import { resourceKey, type Resource, type SecretAccessResource } from '../resources/types.ts';
import type { Owner } from '../names/ownership.ts';
import { liveBindings, serviceAccountMemberEmail } from './iam.ts';
import { liveAccess } from './resource-policies.ts';
import { legacyResourceGrants, policyOwners } from './legacy-policies.ts';
import { liveRunSettings, liveSecretAccesses } from './run-settings.ts';
import type { LiveState } from './types.ts';

export function isOurs(live: Live, product: string): boolean {
  return live.owned && live.resource.owner.product === product;
}

export interface LiveResources {
  /** Every live resource of the plan's scope, ours or not; the diff decides by isOurs. */
  readonly resources: readonly Live[];
  /** The orchestrator's grants on secrets that are ours (run settings name the secrets). */
  readonly secretGrants: readonly Live<SecretAccessResource>[];
  /** Keys of the legacy grants (project or resource policy) among `resources`. */
  readonly legacyKeys: ReadonlySet<string>;
}

export function liveResourcesOf(live: LiveState, allDesired: readonly Resource[], scope: { readonly project: string; readonly product: string; readonly adopt: boolean }): LiveResources {
  const { project, product, adopt } = scope;

  // Unconditional grants carry no mark: they are ours when their member is our product's own account.
  const productMembers = new Set<string>();
  for (const r of allDesired) if (r.kind === 'ServiceAccount' && !r.owner.client) productMembers.add(`serviceAccount:${r.email}`);
  for (const l of live.serviceAccounts) {
    if (isOurs(l, product) && !l.resource.owner.client) productMembers.add(`serviceAccount:${l.resource.email}`);
  }

  // Conditional grants under our titles are ours only for our own accounts (desired, or live and marked).
  const ourAccounts = new Set<string>();
  for (const r of allDesired) if (r.kind === 'ServiceAccount') ourAccounts.add(r.email);
  for (const l of live.serviceAccounts) if (isOurs(l, product)) ourAccounts.add(l.resource.email);

  const secretGrants = liveSecretAccesses(live.secretPolicies, product, productMembers);
  // Marked topics and service accounts (ours or another product's): their policies share their owner.
  const ownedTargets = new Map<string, Owner>();
  for (const l of [...live.topics, ...live.serviceAccounts]) if (l.owned) ownedTargets.set(l.resource.name, l.resource.owner);
  const desiredFolders = new Set(allDesired.flatMap((r) => (r.kind === 'ManagedFolder' ? [`gs://${r.bucket}/${r.folder}`] : [])));
  const access = liveAccess(live.managedFolders ?? [], live.resourcePolicies ?? [], project, product, ourAccounts, ownedTargets, desiredFolders);
  // Client accounts that are, or after this run will be, ours: live and marked, or unmarked and
  // taken over now with --adopt. Every project grant they hold that generated/ does not ask for is
  // legacy access (a runbook's project-wide list grant, its `CLIENT-inputs` / `CLIENT-read`
  // bindings): ours to list and, with --prune, to revoke for that member alone.
  const desiredAccounts = new Map<string, Owner>();
  for (const r of allDesired) if (r.kind === 'ServiceAccount') desiredAccounts.set(r.email, r.owner);
  const legacyAccounts = new Map<string, Owner>();
  for (const l of live.serviceAccounts) {
    const owner = isOurs(l, product) ? l.resource.owner : !l.owned && adopt ? desiredAccounts.get(l.resource.email) : undefined;
    if (owner?.client !== undefined) legacyAccounts.set(l.resource.email, owner);
  }
  const legacyKeys = new Set<string>();
  const projectGrants = liveBindings(live.policy, project, product, productMembers, ourAccounts).map((l): Live => {
    const email = l.owned ? undefined : serviceAccountMemberEmail(l.resource.member);
    const owner = email !== undefined ? legacyAccounts.get(email) : undefined;
    if (!owner) return l;
    legacyKeys.add(resourceKey(l.resource));
    return { owned: true, resource: { ...l.resource, owner } };
  });
  // And the same on the own policies of what we own (or adopt now): resource grants (legacy-policies.ts).
  const ourMember = (email: string) => legacyAccounts.has(email) || productMembers.has(`serviceAccount:${email}`);
  const resourceGrants = legacyResourceGrants(live, policyOwners(access.policies, allDesired, product, adopt), ourMember);
  for (const g of resourceGrants) legacyKeys.add(resourceKey(g.resource));
  const resources: Live[] = [
    ...live.serviceAccounts,
    ...projectGrants,
    ...resourceGrants,
    ...live.topics,
    ...live.workflows,
    ...live.triggers,
    ...live.schedulerJobs,
    ...live.runSettings.map(liveRunSettings),
    ...secretGrants,
    ...access.folders,
    // A policy of ours holding none of our roles is nothing to revoke: listed only when desired.
    ...access.policies.filter((p) => Object.keys(p.resource.bindings).length > 0 || allDesired.some((r) => r.kind === 'ResourcePolicy' && r.name === p.resource.name)),
  ];
  return { resources, secretGrants, legacyKeys };
}
