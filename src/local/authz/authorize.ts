/**
 * Whether a principal holds a permission on a resource, and Google's 403 when it does not.
 *
 * As IAM evaluates allow policies (https://cloud.google.com/iam/docs/resource-hierarchy-access-control):
 * the effective policy is the
 * union of the policies on the resource and its ancestors (resource-policies.ts: policiesFor); a
 * binding grants its role's permissions (the vendored Google role data, src/iam/roles.ts) to its
 * members when its condition, if any, is true for the request (src/iam/evaluate.ts).
 *
 * Members: a principal matches itself; `allUsers` matches anyone and `allAuthenticatedUsers` anyone
 * with a token; `principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/*`
 * matches every `principal://` of that pool (https://cloud.google.com/iam/docs/principal-identifiers);
 * `projectOwner:P`, `projectEditor:P` and `projectViewer:P` (Storage's convenience values) match
 * whoever holds roles/owner, roles/editor or roles/viewer on project P without a condition. Group
 * membership is not modelled: a `group:` binding grants no sandbox caller.
 *
 * The operator (principal.ts) holds roles/owner on every sandbox project. Project owners reach
 * Cloud Storage through the convenience values Google grants on each bucket: roles/storage.
 * legacyBucketOwner and legacyObjectOwner to projectOwner/projectEditor, legacyBucketReader and
 * legacyObjectReader to projectViewer (https://cloud.google.com/storage/docs/access-control/iam#convenience-values).
 * The sandbox applies these as implicit bindings rather than storing them in each bucket's policy,
 * so bucket policies read back exactly as written.
 */
import { ApiError, type ApiRequest } from '../http.ts';
import type { SandboxState } from '../state.ts';
import { policiesFor, projectOf, type StoredPolicy } from '../resource-policies.ts';
import { permissionsOf } from '../../iam/roles.ts';
import { conditionHolds, type RequestAttributes } from '../../iam/evaluate.ts';
import { checksFor, type Check } from './permissions.ts';
import { callerOf, OPERATOR } from './principal.ts';

/**
 * Services whose resources carry resource attributes in conditions: Cloud Storage, Resource Manager
 * and Secret Manager are listed (https://cloud.google.com/iam/docs/conditions-attribute-reference,
 * "Resource attributes"; src/iam/conditions.ts). For the other sandbox APIs the attributes are absent.
 */
const RESOURCE_ATTRIBUTE_SERVICES = new Set(['storage.googleapis.com', 'cloudresourcemanager.googleapis.com', 'secretmanager.googleapis.com']);

const permissionSets = new Map<string, ReadonlySet<string>>();
function grants(role: string, permission: string): boolean {
  let set = permissionSets.get(role);
  if (!set) permissionSets.set(role, (set = new Set(permissionsOf(role) ?? [])));
  return set.has(permission);
}

const BASIC: Record<string, string> = { projectOwner: 'roles/owner', projectEditor: 'roles/editor', projectViewer: 'roles/viewer' };

function holdsBasicRole(state: SandboxState, member: string, role: string, project: string): boolean {
  if (member === OPERATOR && role === 'roles/owner') return true;
  const policy = state.get('policies', project) as StoredPolicy | undefined;
  return (policy?.bindings ?? []).some((b) => b.role === role && !b.condition && b.members.includes(member));
}

function matches(state: SandboxState, member: string, candidate: string): boolean {
  if (candidate === member || candidate === 'allUsers') return true;
  if (candidate === 'allAuthenticatedUsers') return member !== '';
  if (candidate.startsWith('principalSet://') && candidate.endsWith('/*') && member.startsWith('principal://')) {
    return member.slice('principal://'.length).startsWith(candidate.slice('principalSet://'.length, -1));
  }
  const convenience = /^(projectOwner|projectEditor|projectViewer):(.+)$/.exec(candidate);
  if (convenience) return holdsBasicRole(state, member, BASIC[convenience[1]!]!, convenience[2]!);
  return false;
}

/** The implicit convenience-value bindings of a bucket in `project`. */
function convenienceBindings(project: string): StoredPolicy['bindings'] {
  const owners = [`projectOwner:${project}`, `projectEditor:${project}`];
  return [
    { role: 'roles/storage.legacyBucketOwner', members: owners },
    { role: 'roles/storage.legacyObjectOwner', members: owners },
    { role: 'roles/storage.legacyBucketReader', members: [`projectViewer:${project}`] },
    { role: 'roles/storage.legacyObjectReader', members: [`projectViewer:${project}`] },
  ];
}

function attributesOf(check: Check, time: Date): RequestAttributes {
  return RESOURCE_ATTRIBUTE_SERVICES.has(check.service) ? { resource: { name: check.name, type: check.type, service: check.service }, time } : { time };
}

/** Whether `member` holds `check.permission` on `check.name`. */
export function isAllowed(state: SandboxState, member: string, check: Check, now: Date = new Date()): boolean {
  const storage = check.on.kind === 'bucket' || check.on.kind === 'object' || check.on.kind === 'managedFolder';
  const project = projectOf(state, check.on);
  // The operator owns every sandbox project, including the one of a resource that does not exist
  // (so the operator is told 404, as an owner is).
  if (member === OPERATOR) {
    if (grants('roles/owner', check.permission)) return true;
    if (storage && convenienceBindings(project ?? '_').some((b) => b.members[0]!.startsWith('projectOwner:') && grants(b.role, check.permission))) return true;
  }
  const bindings = policiesFor(state, check.on).flatMap((p) => p.policy.bindings);
  if (storage && project !== undefined) bindings.push(...convenienceBindings(project));
  let attributes: RequestAttributes | undefined;
  for (const binding of bindings) {
    if (!grants(binding.role, check.permission)) continue;
    if (!binding.members.some((m) => matches(state, member, m))) continue;
    if (!binding.condition) return true;
    attributes ??= attributesOf(check, now);
    if (conditionHolds(binding.condition.expression, attributes)) return true;
  }
  return false;
}

/** The caller's name as Storage writes it in a denial: the email, without the member type. */
function callerName(member: string): string {
  return member.replace(/^(user|serviceAccount):/, '');
}

const STORAGE_NOUN = { 'storage-object': 'object', 'storage-bucket': 'bucket', 'storage-managedFolder': 'managed folder' } as const;

/**
 * Google's 403 for a missing permission, worded as each API words it:
 * - Cloud Storage (JSON API): "X does not have storage.objects.get access to the Google Cloud
 *   Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
 *   with `errors: [{domain: 'global', reason: 'forbidden'}]` (recorded Storage responses; the
 *   "managed folder" noun follows the same pattern and is not confirmed);
 * - other APIs: "Permission 'P' denied on resource 'R' (or it may not exist)." with an ErrorInfo
 *   detail (reason IAM_PERMISSION_DENIED, domain the service, metadata permission and resource), as
 *   AIP-211 and recorded responses show; IAM Credentials omits the resource ("Permission
 *   'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
 * - actAs: "Permission 'iam.serviceaccounts.actAs' denied on service account E (or it may not
 *   exist)." (Google's own lower-case spelling in that message).
 */
export class PermissionDenied extends ApiError {
  constructor(
    readonly member: string,
    readonly check: Check,
  ) {
    super('PERMISSION_DENIED', denialMessage(member, check), check.wording?.startsWith('storage-') ? 'forbidden' : undefined);
  }
  override toBody(): unknown {
    const { check } = this;
    if (check.wording?.startsWith('storage-')) {
      return { error: { code: 403, message: this.message, errors: [{ message: this.message, domain: 'global', reason: 'forbidden' }] } };
    }
    const email = check.on.kind === 'serviceAccount' ? check.on.email : '';
    const metadata =
      check.wording === 'no-resource' ? { permission: check.permission } : { permission: check.permission, resource: check.wording === 'actAs' ? `projects/-/serviceAccounts/${email}` : check.name };
    const domain = check.wording === 'actAs' || check.wording === 'no-resource' ? 'iam.googleapis.com' : check.service;
    return {
      error: {
        code: 403,
        message: this.message,
        status: 'PERMISSION_DENIED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain, metadata }],
      },
    };
  }
}

function denialMessage(member: string, check: Check): string {
  const { permission, wording } = check;
  if (wording === 'storage-object' || wording === 'storage-bucket' || wording === 'storage-managedFolder') {
    return `${callerName(member)} does not have ${permission} access to the Google Cloud Storage ${STORAGE_NOUN[wording]}. Permission '${permission}' denied on resource (or it may not exist).`;
  }
  if (wording === 'actAs') {
    const email = check.on.kind === 'serviceAccount' ? check.on.email : check.name;
    return `Permission 'iam.serviceaccounts.actAs' denied on service account ${email} (or it may not exist).`;
  }
  if (wording === 'no-resource') return `Permission '${permission}' denied on resource (or it may not exist).`;
  return `Permission '${permission}' denied on resource '${check.name}' (or it may not exist).`;
}

/** The first check `member` fails, as Google's 403, or undefined when every check passes. */
export function authorize(state: SandboxState, member: string, checks: readonly Check[], now: Date = new Date()): PermissionDenied | undefined {
  for (const check of checks) if (!isAllowed(state, member, check, now)) return new PermissionDenied(member, check);
  return undefined;
}

/**
 * The request pipeline's hook (server.ts): who calls, what the method needs, refuse if not held.
 * A method missing from the permission table is refused for everyone but the operator, so a new
 * sandbox method cannot be open by omission (a test requires every route to be in the table).
 */
export function createAuthorizer(state: SandboxState, clock: () => Date = () => new Date()) {
  return (api: string, routeName: string, req: ApiRequest): void => {
    const member = callerOf(req.headers, api);
    const checks = checksFor(api, routeName, req, state);
    if (checks === undefined) {
      if (member === OPERATOR) return;
      throw new ApiError('PERMISSION_DENIED', `The sandbox knows no IAM permission for ${api}.${routeName}; only the operator may call it.`);
    }
    const denied = authorize(state, member, checks, clock());
    if (denied) throw denied;
  };
}
