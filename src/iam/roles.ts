/**
 * Google's predefined and basic IAM roles, from the vendored src/iam/roles-data.json (see its
 * `provenance`; rebuilt by scripts/vendor-roles.ts). Pure data lookups, shared by the sandbox (which
 * refuses a binding to a role that does not exist, as Google does) and by `generate` (which refuses
 * an unknown role in workflows/product.ts before anything is deployed).
 */
import data from './roles-data.json' with { type: 'json' };
import { nearest } from '../nearest.ts';

interface RoleEntry {
  readonly title: string;
  readonly stage: string;
  readonly permissions?: readonly string[];
}

const ROLES: Readonly<Record<string, RoleEntry>> = data.roles;

export const ROLES_PROVENANCE: string = data.provenance;
/** Services whose permissions were vendored: permissionsOf answers only within these. */
export const PERMISSION_SERVICES: readonly string[] = data.permissionServices;

/** A predefined (`roles/storage.objectViewer`) or basic (`roles/viewer`) role that Google defines. */
export function isPredefinedRole(role: string): boolean {
  return Object.hasOwn(ROLES, role);
}

export function roleInfo(role: string): { title: string; stage: string } | undefined {
  const entry = isPredefinedRole(role) ? ROLES[role] : undefined;
  return entry ? { title: entry.title, stage: entry.stage } : undefined;
}

/**
 * The role's permissions within PERMISSION_SERVICES (storage, pubsub, iam, ...), or undefined when
 * the role is unknown or its permissions were not vendored (roles of other services).
 */
export function permissionsOf(role: string): readonly string[] | undefined {
  return isPredefinedRole(role) ? ROLES[role]!.permissions : undefined;
}

/**
 * Whether the role holds a permission on a kind of resource (permission prefixes such as
 * `secretmanager.secrets.`): a role granted on a resource must, or Google refuses it with "Role R is
 * not supported for this resource." Undefined when the role's permissions were not vendored.
 */
export function holdsPermissionOn(role: string, permissionPrefixes: readonly string[]): boolean | undefined {
  const permissions = permissionsOf(role);
  return permissions === undefined ? undefined : permissions.some((p) => permissionPrefixes.some((prefix) => p.startsWith(prefix)));
}

/** The predefined roles that include `permission`, fewest permissions first (only vendored roles). */
export function rolesWithPermission(permission: string): string[] {
  return Object.keys(ROLES)
    .filter((r) => ROLES[r]!.permissions?.includes(permission))
    .sort((a, b) => ROLES[a]!.permissions!.length - ROLES[b]!.permissions!.length || (a < b ? -1 : 1));
}

/** The predefined role whose name is closest to a mistyped one (same service first), if any is close. */
export function nearestRole(role: string): string | undefined {
  const names = Object.keys(ROLES);
  const service = /^roles\/([^.]+)\./.exec(role)?.[1];
  const sameService = service ? names.filter((n) => n.startsWith(`roles/${service}.`)) : [];
  return nearest(role, sameService) ?? nearest(role, names);
}
