/**
 * Legacy access on the own policies of the resources we own (managed folders, client topics, our
 * service accounts): a grant held by one of our accounts (an owned or adopted client's, the
 * orchestrator, the worker) that is not one of the grants we make there. We make only unconditional
 * bindings of the roles in MANAGED_ROLES, and those are ours wholesale (resource-policies.ts), so
 * what is left is a conditional binding, or another role: `roles/storage.objectAdmin` on a client's
 * folder, `roles/pubsub.editor` on its topic, granted by a runbook or by hand. Like legacy access on
 * the project policy (diff.ts), it is listed, makes plan exit 2, and `--prune` revokes it for that
 * member alone; other members' bindings are never touched, whoever they are.
 */
import type { IamPolicy, Live } from '../resources/live.ts';
import type { Owner } from '../names/ownership.ts';
import { MANAGED_ROLES, type PolicyTarget, type Resource, type ResourceGrantResource, type ResourcePolicyResource } from '../resources/types.ts';
import { removeMemberWhere, sameCondition, serviceAccountMemberEmail } from './iam.ts';
import type { LiveManagedFolder, LiveResourcePolicy } from './resource-policies.ts';

/**
 * The policies whose legacy grants are ours to list, by resource name, with their owners: those we
 * own, and with --adopt the unmarked ones generated/ asks for (taken over in this run).
 */
export function policyOwners(policies: readonly Live<ResourcePolicyResource>[], desired: readonly Resource[], product: string, adopt: boolean): Map<string, Owner> {
  const owners = new Map<string, Owner>();
  for (const p of policies) {
    const owner =
      p.owned && p.resource.owner.product === product ? p.resource.owner : !p.owned && adopt ? desired.find((r) => r.kind === 'ResourcePolicy' && r.name === p.resource.name)?.owner : undefined;
    if (owner) owners.set(p.resource.name, owner);
  }
  return owners;
}

/**
 * The legacy grants on every policy in `ours` (policy resource name → its owner, which the grant
 * inherits), held by a service account (live, or shown by Google as deleted) `isOurAccount` accepts.
 */
export function legacyResourceGrants(
  live: { readonly managedFolders?: readonly LiveManagedFolder[]; readonly resourcePolicies?: readonly LiveResourcePolicy[] },
  ours: ReadonlyMap<string, Owner>,
  isOurAccount: (email: string) => boolean,
): Live<ResourceGrantResource>[] {
  const read: { target: PolicyTarget; name: string; policy?: IamPolicy }[] = [
    ...(live.managedFolders ?? []).map((f) => ({ target: 'managedFolder' as const, name: `gs://${f.bucket}/${f.folder}`, ...(f.policy ? { policy: f.policy } : {}) })),
    ...(live.resourcePolicies ?? []),
  ];
  const isOurMember = (member: string) => {
    const email = serviceAccountMemberEmail(member);
    return email !== undefined && isOurAccount(email);
  };
  const out: Live<ResourceGrantResource>[] = [];
  for (const { target, name, policy } of read) {
    const owner = ours.get(name);
    if (!owner || !policy) continue;
    const managed = new Set(MANAGED_ROLES[target]);
    for (const binding of policy.bindings) {
      if (!binding.condition && managed.has(binding.role)) continue;
      for (const member of binding.members) {
        if (!isOurMember(member)) continue;
        out.push({
          owned: true,
          resource: {
            kind: 'ResourceGrant',
            owner,
            target,
            name,
            role: binding.role,
            member,
            ...(binding.condition
              ? { condition: { title: binding.condition.title, expression: binding.condition.expression, ...(binding.condition.description ? { description: binding.condition.description } : {}) } }
              : {}),
          },
        });
      }
    }
  }
  return out;
}

/** The policy without `grant`'s member in its binding (a binding left empty goes); everything else as read. */
export function withoutGrant(policy: IamPolicy, grant: ResourceGrantResource): IamPolicy {
  const bindings = removeMemberWhere(policy.bindings, (b) => b.role === grant.role && sameCondition(b.condition, grant.condition), grant.member);
  return { version: 3, etag: policy.etag, bindings, ...(policy.auditConfigs ? { auditConfigs: policy.auditConfigs } : {}) };
}
