/**
 * What the project policy (Resource Manager) and a secret's policy (Secret Manager) share, as Google
 * documents IAM policies (https://cloud.google.com/iam/docs/policies): member and role formats,
 * binding validation, the version-dependent view of conditional bindings, the principal limit.
 * Roles must exist (src/iam/roles.ts, Google's predefined and basic roles) and conditions must be
 * ones IAM accepts (src/iam/conditions.ts): the same checks `generate` runs on what it builds.
 */
import { createHash } from 'node:crypto';
import { ApiError, invalid } from '../http.ts';
import { deepClone, isRecord, sameEtag } from '../google-shapes.ts';
import { holdsPermissionOn, isPredefinedRole } from '../../iam/roles.ts';
import { conditionProblems } from '../../iam/conditions.ts';

export const MAX_PRINCIPALS = 1500;

export const MEMBER =
  /^(user|serviceAccount|group|domain|principal|principalSet|deleted:user|deleted:serviceAccount|deleted:group|projectOwner|projectEditor|projectViewer):.+$|^(allUsers|allAuthenticatedUsers)$/;

/**
 * Google's refusal of a role that is neither predefined nor an existing custom role: 400
 * INVALID_ARGUMENT (REST "badRequest"), e.g. "Error 400: Role (roles/editor) does not exist in the
 * resource's hierarchy., badRequest" (github.com/hashicorp/terraform-provider-google/pull/6923).
 * The sandbox serves no custom-role API, so no custom role (`projects/P/roles/X`,
 * `organizations/O/roles/X`) exists in it and every one is refused the same way.
 */
export function roleDoesNotExist(role: string) {
  return invalid(`Role (${role}) does not exist in the resource's hierarchy.`);
}

export interface Binding {
  role: string;
  members: string[];
  condition?: { title?: string; description?: string; expression: string; location?: string };
}

export function hasConditions(bindings: readonly Binding[]): boolean {
  return bindings.some((b) => b.condition !== undefined);
}

/** The policy as a reader asking for `requested` sees it. */
export function policyView(policy: Record<string, any>, requested: number): Record<string, any> {
  const bindings: Binding[] = policy.bindings ?? [];
  const conditional = hasConditions(bindings);
  const out: Record<string, any> = {
    version: conditional && requested >= 3 ? 3 : 1,
    etag: policy.etag,
  };
  if (bindings.length) {
    out.bindings =
      conditional && requested < 3
        ? bindings.map((b) =>
            b.condition ? { role: `${b.role}_withcond_${createHash('sha256').update(JSON.stringify(b.condition)).digest('hex').slice(0, 20)}`, members: [...b.members] } : deepClone(b),
          )
        : deepClone(bindings);
  }
  if (policy.auditConfigs?.length) out.auditConfigs = deepClone(policy.auditConfigs);
  return out;
}

/**
 * `resourcePermissions`: for a policy on one resource (not a project), the permission prefixes that
 * apply to it. A role with none of them is refused as Google refuses it: 400 INVALID_ARGUMENT "Role
 * roles/storage.admin is not supported for this resource." (github.com/pulumi/pulumi-gcp/issues/930;
 * gcloud prints the same for an organization, github.com/GoogleCloudPlatform/pci-gke-blueprint/issues/75).
 * A role whose permissions were not vendored (src/iam/roles-data.json) is given the benefit of the doubt.
 */
export function validateBindings(value: unknown, resourcePermissions?: readonly string[]): Binding[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('policy.bindings must be a list.');
  return value.map((raw, i) => {
    if (!isRecord(raw)) throw invalid(`policy.bindings[${i}] must be an object.`);
    const role = raw.role;
    if (typeof role !== 'string' || !role) throw invalid(`policy.bindings[${i}].role is required.`);
    if (role.includes('_withcond_')) {
      throw invalid(
        `Role (${role}) does not exist in the resource's hierarchy. It is the version 1 view of a conditional binding: read the policy with requestedPolicyVersion 3 and write it back with version 3.`,
      );
    }
    if (!isPredefinedRole(role)) throw roleDoesNotExist(role);
    if (resourcePermissions && holdsPermissionOn(role, resourcePermissions) === false) throw invalid(`Role ${role} is not supported for this resource.`);
    const members = raw.members;
    if (!Array.isArray(members) || members.length === 0) throw invalid(`policy.bindings[${i}] (role ${role}) has no members; bindings with no members are not allowed.`);
    for (const member of members) {
      if (typeof member !== 'string' || !MEMBER.test(member)) throw invalid(`Invalid member: ${String(member)} (in policy.bindings[${i}], role ${role}).`);
    }
    const binding: Binding = { role, members: [...new Set(members as string[])] };
    if (raw.condition !== undefined && raw.condition !== null) {
      const c = raw.condition;
      if (!isRecord(c)) throw invalid(`policy.bindings[${i}].condition must be an object (role ${role}).`);
      const problems = conditionProblems(c, role, binding.members);
      // Google's wording for a refused condition was not found in a primary source; the status is
      // INVALID_ARGUMENT like every other invalid policy, and the message names the binding.
      if (problems.length) throw invalid(`Invalid condition in policy.bindings[${i}] (role ${role}): ${problems.join(' ')}`);
      binding.condition = deepClone(c) as Binding['condition'];
    }
    return binding;
  });
}

/** `options.requestedPolicyVersion` of a getIamPolicy call: 0, 1 or 3. */
export function requestedPolicyVersion(raw: unknown): number {
  const version = Number(raw ?? 0);
  if (![0, 1, 3].includes(version)) throw invalid(`Invalid requested policy version ${String(raw)}: valid values are 0, 1 and 3.`);
  return version;
}

/**
 * The next own policy of a resource (bucket, managed folder, topic, subscription, service account)
 * from a setIamPolicy body's `policy`, checked as Google checks every allow policy
 * (https://cloud.google.com/iam/docs/policies): a version that is 0, 1 or 3; a stale etag is 409
 * ABORTED and no etag overwrites; roles that exist and conditions IAM accepts (validateBindings);
 * conditions only with version 3; at most MAX_PRINCIPALS principals; a newly granted service
 * account must be visible. Answers the policy to store.
 */
export function nextResourcePolicy(
  current: { readonly etag: string; readonly bindings: readonly Binding[] },
  incoming: Record<string, any>,
  serviceAccountNotYetVisible: (email: string) => boolean,
  newEtag: () => string,
): { version: number; etag: string; bindings: Binding[] } {
  const version = Number(incoming.version ?? 0);
  if (![0, 1, 3].includes(version)) throw invalid(`Invalid policy version ${String(incoming.version)}: valid values are 0, 1 and 3.`);
  if (typeof incoming.etag === 'string' && incoming.etag !== '' && !sameEtag(incoming.etag, current.etag)) {
    throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
  }
  const bindings = validateBindings(incoming.bindings);
  const conditional = hasConditions(bindings);
  if (conditional && version < 3) throw invalid(`The policy has conditional role bindings but its version is ${version}; set version 3 to write conditions.`);
  if (incoming.etag && version < 3 && hasConditions(current.bindings)) {
    throw invalid('The stored policy has conditional role bindings; read it with requestedPolicyVersion 3 and write it back with version 3, or its conditions would be lost.');
  }
  const principals = bindings.reduce((n, b) => n + b.members.length, 0);
  if (principals > MAX_PRINCIPALS) {
    throw invalid(`The number of members in the policy (${principals.toLocaleString('en-US')}) is larger than the maximum allowed size ${MAX_PRINCIPALS.toLocaleString('en-US')}.`);
  }
  const before = new Set(current.bindings.flatMap((b) => b.members));
  for (const b of bindings) {
    for (const m of b.members) {
      if (before.has(m) || !m.startsWith('serviceAccount:')) continue;
      const email = m.slice('serviceAccount:'.length);
      if (serviceAccountNotYetVisible(email)) throw invalid(`Service account ${email} does not exist.`);
    }
  }
  return { version: conditional ? 3 : 1, etag: newEtag(), bindings };
}
