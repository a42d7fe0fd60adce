/**
 * Project IAM policy through Resource Manager: v3 (`/v3/projects/P:getIamPolicy`, what
 * @google-cloud/resource-manager's ProjectsClient calls) and v1 (`/v1/projects/P:getIamPolicy`, what
 * `gcloud projects get-iam-policy` calls). Behaviour follows Google's documentation
 * (https://cloud.google.com/iam/docs/policies#versions, /iam/docs/troubleshooting-withcond,
 * /iam/quotas):
 *
 * - A read with requestedPolicyVersion < 3 of a policy holding conditions answers version 1 with each
 *   conditional binding's role renamed `ROLE_withcond_HASH` and its condition hidden.
 * - A write carrying an etag that is not the current one fails 409 ABORTED; a write without an etag
 *   overwrites blindly (that is how v1 clients wipe conditions, and Google allows it).
 * - A write whose policy has conditions must say version 3; a version-1 write with an etag over a
 *   stored policy that has conditions is refused.
 * - Only `bindings` and `etag` change unless the update mask names `auditConfigs` (the documented
 *   default mask is "bindings, etag").
 * - Limits: 1,500 principals per policy (member occurrences in bindings plus audit-log exemptions);
 *   20 conditional bindings with the same role and member.
 * Bindings are stored as sent: order, members and conditions are kept exactly.
 */
import { createHash } from 'node:crypto';
import { ApiError, invalid, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { deepClone, enumName, etag, isRecord, sameEtag } from '../google-shapes.ts';
import { publicView, type SandboxState } from '../state.ts';
import { MAX_PRINCIPALS, hasConditions, policyView, requestedPolicyVersion, validateBindings, type Binding } from './iam-policy.ts';
import { serviceAccountNotYetVisible } from './iam.ts';

export const MAX_CONDITIONAL_BINDINGS_PER_ROLE_MEMBER = 20;

/** google.iam.v1.AuditLogConfig.LogType, by number. */
const LOG_TYPES = ['LOG_TYPE_UNSPECIFIED', 'ADMIN_READ', 'DATA_WRITE', 'DATA_READ'];

function storedPolicy(state: SandboxState, project: string): Record<string, any> {
  const stored = state.get('policies', project);
  if (stored) return stored;
  // A project starts with an empty policy; its etag is stable until the first write.
  const initial = { version: 1, bindings: [], etag: 'ACAB' };
  return initial;
}

function validateAuditConfigs(value: unknown): Record<string, any>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('policy.auditConfigs must be a list.');
  return value.map((raw, i) => {
    if (!isRecord(raw) || typeof raw.service !== 'string' || !raw.service) throw invalid(`policy.auditConfigs[${i}].service is required.`);
    if (raw.auditLogConfigs !== undefined && !Array.isArray(raw.auditLogConfigs)) throw invalid(`policy.auditConfigs[${i}].auditLogConfigs must be a list.`);
    const auditLogConfigs = ((raw.auditLogConfigs ?? []) as unknown[]).map((config, j) => {
      const where = `policy.auditConfigs[${i}].auditLogConfigs[${j}].logType`;
      if (!isRecord(config)) throw invalid(`${where} is required.`);
      const logType = enumName(config.logType, LOG_TYPES, where);
      if (!logType || logType === 'LOG_TYPE_UNSPECIFIED') throw invalid(`${where} must be ADMIN_READ, DATA_WRITE or DATA_READ.`);
      return { ...deepClone(config), logType };
    });
    return { ...deepClone(raw), auditLogConfigs };
  });
}

function enforceLimits(bindings: readonly Binding[], auditConfigs: readonly Record<string, any>[]): void {
  let principals = 0;
  for (const b of bindings) principals += b.members.length;
  for (const a of auditConfigs) for (const c of a.auditLogConfigs ?? []) principals += (c.exemptedMembers ?? []).length;
  if (principals > MAX_PRINCIPALS) {
    throw invalid(`The number of members in the policy (${principals.toLocaleString('en-US')}) is larger than the maximum allowed size ${MAX_PRINCIPALS.toLocaleString('en-US')}.`);
  }
  const conditional = new Map<string, number>();
  for (const b of bindings) {
    if (!b.condition) continue;
    for (const m of b.members) {
      const key = `${b.role}\u0000${m}`;
      const count = (conditional.get(key) ?? 0) + 1;
      conditional.set(key, count);
      if (count > MAX_CONDITIONAL_BINDINGS_PER_ROLE_MEMBER) {
        throw invalid(
          `The policy has more than ${MAX_CONDITIONAL_BINDINGS_PER_ROLE_MEMBER} conditional role bindings that grant ${b.role} to ${m}; at most ${MAX_CONDITIONAL_BINDINGS_PER_ROLE_MEMBER} role bindings may share a role and member and differ only in their condition.`,
        );
      }
    }
  }
}

export function resourceManagerRoutes(context: ApiContext): Route[] {
  const { state } = context;

  const getPolicy = (project: string, body: Record<string, any>) =>
    policyView(storedPolicy(state, project), requestedPolicyVersion(body.options?.requestedPolicyVersion ?? body.options?.requested_policy_version));

  const setPolicy = (project: string, body: Record<string, any>) => {
    if (!isRecord(body.policy)) throw invalid('policy is required.');
    const incoming = body.policy;
    // The concurrent-change knob: someone else writes between this client's read and this write.
    const change = context.takePendingIamChange();
    if (change) {
      const before = storedPolicy(state, project);
      const changed = change(deepClone(publicView(before)));
      state.put('policies', project, { ...before, ...changed, etag: etag() });
    }
    const current = storedPolicy(state, project);
    const version = Number(incoming.version ?? 0);
    if (![0, 1, 3].includes(version)) throw invalid(`Invalid policy version ${incoming.version}: valid values are 0, 1 and 3.`);
    // Policy.etag is bytes (google/iam/v1/policy.proto): compared as bytes, whatever base64 alphabet.
    if (incoming.etag !== undefined && incoming.etag !== '' && !sameEtag(incoming.etag, current.etag)) {
      throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
    }
    const bindings = validateBindings(incoming.bindings);
    if (hasConditions(bindings) && version < 3) {
      throw invalid(`The policy has conditional role bindings but its version is ${version}; set version 3 to write conditions.`);
    }
    if (incoming.etag && version < 3 && hasConditions(current.bindings ?? [])) {
      throw invalid('The stored policy has conditional role bindings; read it with requestedPolicyVersion 3 and write it back with version 3, or its conditions would be lost.');
    }
    const maskText: string = body.updateMask ?? 'bindings,etag';
    const mask = maskText.split(',').map((f) => f.trim());
    for (const field of mask) {
      if (!['bindings', 'etag', 'auditConfigs', 'audit_configs', 'version'].includes(field)) throw invalid(`Invalid update mask path: "${field}".`);
    }
    const auditConfigs = mask.includes('auditConfigs') || mask.includes('audit_configs') ? validateAuditConfigs(incoming.auditConfigs) : (current.auditConfigs ?? []);
    const nextBindings = mask.includes('bindings') ? bindings : (current.bindings ?? []);
    enforceLimits(nextBindings, auditConfigs);
    // A member newly granted that is a just-created service account is refused until it propagates.
    const before = new Set((current.bindings ?? []).flatMap((b: Binding) => b.members));
    for (const b of nextBindings) {
      for (const m of b.members) {
        if (before.has(m) || !m.startsWith('serviceAccount:')) continue;
        const email = m.slice('serviceAccount:'.length);
        if (serviceAccountNotYetVisible(context, email)) throw invalid(`Service account ${email} does not exist.`);
      }
    }
    const next = {
      version: hasConditions(nextBindings) ? 3 : 1,
      bindings: nextBindings,
      ...(auditConfigs.length ? { auditConfigs } : {}),
      etag: etag(),
    };
    state.put('policies', project, next);
    return policyView(next, 3);
  };

  const project = (version: 'v1' | 'v3') => (req: { params: Readonly<Record<string, string>> }) => {
    const id = req.params.project!;
    return version === 'v1'
      ? { projectNumber: projectNumber(id), projectId: id, lifecycleState: 'ACTIVE', name: id, createTime: '2024-01-01T00:00:00Z' }
      : { name: `projects/${projectNumber(id)}`, projectId: id, state: 'ACTIVE', displayName: id, parent: '', createTime: '2024-01-01T00:00:00Z', etag: 'W/"1"' };
  };

  return (['v1', 'v3'] as const).flatMap((v) => [
    route('POST', `/${v}/projects/{project}:getIamPolicy`, `${v}.projects.getIamPolicy`, (req) => ({ json: getPolicy(req.params.project!, req.json()) }), false),
    route('POST', `/${v}/projects/{project}:setIamPolicy`, `${v}.projects.setIamPolicy`, (req) => ({ json: setPolicy(req.params.project!, req.json()) })),
    route('GET', `/${v}/projects/{project}`, `${v}.projects.get`, (req) => ({ json: project(v)(req) })),
  ]);
}

/** A stable fake project number per project id (gcloud and some clients ask for it). */
export function projectNumber(projectId: string): string {
  const digest = createHash('sha256').update(projectId).digest();
  return String(100000000000 + (digest.readUInt32BE(0) % 900000000000));
}
