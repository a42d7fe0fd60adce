/**
 * The project IAM policy as plan and apply see it: one (role, member, condition) grant per desired
 * binding, ownership by condition title, and pure edits that apply one run's changes to a freshly read
 * policy. Everything not owned passes through as the same object it was read as, so a policy written
 * back keeps other teams' bindings byte for byte (member order, condition text, audit configs).
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { AuditConfig, IamPolicy, IamPolicyBinding, Live } from '../resources/live.ts';
import { ownerFromConditionTitle } from '../names/ownership.ts';
import { clientAccountEmails, serviceAccountEmail } from '../names/naming.ts';
import type { IamBindingResource, IamCondition, Resource } from '../resources/types.ts';
import type { Owner } from '../names/ownership.ts';
import type { Change, LiveState } from './types.ts';

/** Google's published limits on one allow policy (docs/design.md §6). */
export const IAM_LIMITS = {
  /** Every appearance of a principal in a binding (or an audit-log exemption) counts, duplicates included. */
  principals: 1500,
  /** Conditional bindings with the same role and the same principal. */
  sameRoleAndMemberConditions: 20,
} as const;

/**
 * The email of a service account member, `serviceAccount:EMAIL`, or of one Google shows after the
 * account was deleted, `deleted:serviceAccount:EMAIL?uid=N`; undefined for any other member.
 */
export function serviceAccountMemberEmail(member: string): string | undefined {
  const match = /^(?:deleted:)?serviceAccount:([^?]+)(?:\?uid=\d+)?$/.exec(member);
  if (!match) return undefined;
  return member.startsWith('deleted:') === member.includes('?uid=') ? match[1] : undefined;
}

/**
 * Every grant in the policy as a binding resource. Ownership: a conditional grant is ours when its
 * condition title names our product and its member is one of our service accounts (`ourAccounts`,
 * or the account the title's client or product is named after; live or deleted), so a person or
 * another team's account added to one of our bindings keeps that grant; an unconditional one when its member is one of `ownedMembers` (the product's own
 * service account), because unconditional grants have no title to carry a mark.
 */
export function liveBindings(policy: IamPolicy, project: string, product: string, ownedMembers: ReadonlySet<string>, ourAccounts: ReadonlySet<string>): Live<IamBindingResource>[] {
  const out: Live<IamBindingResource>[] = [];
  for (const binding of policy.bindings) {
    const titleOwner = binding.condition ? ownerFromConditionTitle(binding.condition.title)?.owner : undefined;
    for (const member of binding.members) {
      const email = serviceAccountMemberEmail(member);
      // The title's own account (client or product id @ project) counts even once it is deleted and gone from the list.
      // Either naming scheme's id: a product migrating from v1 to v2 still owns its old accounts' grants.
      const titleAccounts = titleOwner ? (titleOwner.client ? clientAccountEmails(titleOwner.product, titleOwner.client, project) : [serviceAccountEmail(titleOwner.product, project)]) : [];
      const owned = binding.condition ? titleOwner?.product === product && email !== undefined && (ourAccounts.has(email) || titleAccounts.includes(email)) : ownedMembers.has(member);
      const owner: Owner = owned ? (binding.condition ? titleOwner! : { product }) : { product: '' };
      out.push({
        owned,
        resource: {
          kind: 'IamBinding',
          owner,
          project,
          role: binding.role,
          member,
          ...(binding.condition
            ? {
                condition: {
                  title: binding.condition.title,
                  description: binding.condition.description ?? '',
                  expression: binding.condition.expression,
                },
              }
            : {}),
        },
      });
    }
  }
  return out;
}

/**
 * One run's IAM changes, as idempotent edits: applying them to any fresh read of the policy gives a
 * policy with them in place, which is what makes the read-modify-write cycle safe to repeat.
 */
export type IamEdit =
  | { readonly op: 'ensure-member'; readonly role: string; readonly member: string; readonly condition?: IamCondition }
  | { readonly op: 'remove-member'; readonly role: string; readonly member: string; readonly conditionTitle?: string }
  | { readonly op: 'ensure-audit-log'; readonly service: string; readonly logType: string };

/** Same condition (or both none): title, description and expression. */
export function sameCondition(a: IamPolicyBinding['condition'], b: (Omit<IamCondition, 'description'> & { readonly description?: string }) | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.title === b.title && (a.description ?? '') === (b.description ?? '') && a.expression === b.expression;
}

/** Is `logType` on for `service`, directly or through an `allServices` entry? */
export function auditLogEnabled(configs: readonly AuditConfig[] | undefined, service: string, logType: string): boolean {
  return (configs ?? []).some((config) => (config.service === service || config.service === 'allServices') && config.auditLogConfigs.some((entry) => entry.logType === logType));
}

function removeMember(bindings: readonly IamPolicyBinding[], role: string, member: string, title: string | undefined): IamPolicyBinding[] {
  const out: IamPolicyBinding[] = [];
  for (const binding of bindings) {
    const matches = binding.role === role && binding.members.includes(member) && (title === undefined ? !binding.condition : binding.condition?.title === title);
    if (!matches) {
      out.push(binding);
      continue;
    }
    const members = binding.members.filter((m) => m !== member);
    if (members.length > 0) out.push({ ...binding, members });
  }
  return out;
}

function ensureMember(bindings: readonly IamPolicyBinding[], role: string, member: string, condition: IamCondition | undefined): IamPolicyBinding[] {
  // A binding of ours whose condition text or role changed (one title is one purpose, one grant per
  // member): take the member out of the old one first.
  let out = condition ? removeMemberWhere(bindings, (b) => b.condition?.title === condition.title && (b.role !== role || !sameCondition(b.condition, condition)), member) : [...bindings];
  if (out.some((b) => b.role === role && sameCondition(b.condition, condition) && b.members.includes(member))) return out;
  const index = out.findIndex((b) => b.role === role && sameCondition(b.condition, condition));
  if (index >= 0) {
    // Appending keeps the existing members, in their order, ahead of ours.
    const existing = out[index]!;
    out = [...out.slice(0, index), { ...existing, members: [...existing.members, member] }, ...out.slice(index + 1)];
    return out;
  }
  return [
    ...out,
    {
      role,
      members: [member],
      ...(condition ? { condition: { title: condition.title, description: condition.description, expression: condition.expression } } : {}),
    },
  ];
}

/** `member` taken out of every binding `where` picks; a binding left with no member goes. */
export function removeMemberWhere(bindings: readonly IamPolicyBinding[], where: (b: IamPolicyBinding) => boolean, member: string): IamPolicyBinding[] {
  const out: IamPolicyBinding[] = [];
  for (const binding of bindings) {
    if (!where(binding) || !binding.members.includes(member)) {
      out.push(binding);
      continue;
    }
    const members = binding.members.filter((m) => m !== member);
    if (members.length > 0) out.push({ ...binding, members });
  }
  return out;
}

function ensureAuditLog(configs: readonly AuditConfig[], service: string, logType: string): AuditConfig[] {
  if (auditLogEnabled(configs, service, logType)) return [...configs];
  const index = configs.findIndex((c) => c.service === service);
  if (index < 0) return [...configs, { service, auditLogConfigs: [{ logType }] }];
  const existing = configs[index]!;
  return [...configs.slice(0, index), { ...existing, auditLogConfigs: [...existing.auditLogConfigs, { logType }] }, ...configs.slice(index + 1)];
}

/**
 * The policy with the edits applied. Version 3 is always written: conditional bindings require it, and
 * writing v1 over a policy that has conditions is how conditions get wiped. The etag is the one read.
 */
export function applyIamEdits(policy: IamPolicy, edits: readonly IamEdit[]): IamPolicy {
  let bindings: readonly IamPolicyBinding[] = policy.bindings;
  let auditConfigs: readonly AuditConfig[] | undefined = policy.auditConfigs;
  for (const edit of edits) {
    switch (edit.op) {
      case 'ensure-member':
        bindings = ensureMember(bindings, edit.role, edit.member, edit.condition);
        break;
      case 'remove-member':
        bindings = removeMember(bindings, edit.role, edit.member, edit.conditionTitle);
        break;
      case 'ensure-audit-log':
        auditConfigs = ensureAuditLog(auditConfigs ?? [], edit.service, edit.logType);
        break;
    }
  }
  return {
    version: 3,
    etag: policy.etag,
    bindings,
    ...(auditConfigs !== undefined ? { auditConfigs } : {}),
  };
}

/** Reasons Google would refuse this policy, each saying what to do. */
export function policyLimitProblems(policy: IamPolicy, project: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const principals = principalCount(policy);
  if (principals > IAM_LIMITS.principals) {
    problems.push({
      path: `projects/${project} IAM policy`,
      message: `the policy would hold ${principals} principals; Google refuses more than ${IAM_LIMITS.principals.toLocaleString('en-US')} in one policy`,
      // Since issue 9 clients add nothing here: only the product accounts' project roles are ours.
      fix: "remove unused bindings from the project policy (batch-workflows adds only its two product accounts' project roles to it)",
    });
  }
  const conditional = new Map<string, number>();
  for (const binding of policy.bindings) {
    if (!binding.condition) continue;
    for (const member of binding.members) {
      const key = `${binding.role} ${member}`;
      conditional.set(key, (conditional.get(key) ?? 0) + 1);
    }
  }
  for (const [key, count] of conditional) {
    if (count > IAM_LIMITS.sameRoleAndMemberConditions) {
      problems.push({
        path: `projects/${project} IAM policy`,
        message: `${key} would have ${count} conditional bindings; Google allows at most ${IAM_LIMITS.sameRoleAndMemberConditions} with the same role and member`,
        fix: 'merge the conditions of that role and member into fewer bindings',
      });
    }
  }
  return problems;
}

/** As Google counts them: every member of every binding, duplicates included, and audit-log exemptions. */
export function principalCount(policy: IamPolicy): number {
  const inBindings = policy.bindings.reduce((n, b) => n + b.members.length, 0);
  const exempted = (policy.auditConfigs ?? []).reduce((n, c) => n + c.auditLogConfigs.reduce((m, l) => m + (l.exemptedMembers?.length ?? 0), 0), 0);
  return inBindings + exempted;
}

/** The IAM edits one change contributes to the run's single policy write (none for other kinds). */
export function iamEditsOf(change: Change): IamEdit[] {
  if (change.blockedBy) return [];
  switch (change.action) {
    case 'create':
    case 'update':
    case 'adopt': {
      const desired = change.desired;
      if (desired.kind === 'IamBinding') {
        return [{ op: 'ensure-member', role: desired.role, member: desired.member, ...(desired.condition ? { condition: desired.condition } : {}) }];
      }
      if (desired.kind === 'AuditConfig') {
        return desired.logTypes.map((logType) => ({ op: 'ensure-audit-log', service: desired.service, logType }));
      }
      return [];
    }
    case 'delete': {
      const live = change.live;
      if (live.kind !== 'IamBinding') return [];
      return [{ op: 'remove-member', role: live.role, member: live.member, ...(live.condition ? { conditionTitle: live.condition.title } : {}) }];
    }
    case 'orphan':
    case 'no-op':
    case 'conflict':
      return [];
  }
}

/** Does this change touch the project policy (and so belong to the run's one IAM write)? */
export function isPolicyChange(change: Change): boolean {
  return change.kind === 'IamBinding' || change.kind === 'AuditConfig';
}

/** An unconditional grant of the same role to the same member makes a conditional one moot. */
export function mootGrantWarnings(live: LiveState, desired: readonly Resource[], project: string): Diagnostic[] {
  const unconditional = new Set<string>();
  for (const b of live.policy.bindings) if (!b.condition) for (const m of b.members) unconditional.add(`${b.role} ${m}`);
  return desired.flatMap((r): Diagnostic[] =>
    r.kind === 'IamBinding' && r.condition && unconditional.has(`${r.role} ${r.member}`)
      ? [
          {
            path: `projects/${project} IAM policy`,
            message: `${r.member} also holds ${r.role} without a condition, so the condition "${r.condition.title}" restricts nothing`,
            fix: `remove the unconditional grant: gcloud projects remove-iam-policy-binding ${project} --member=${r.member} --role=${r.role} --condition=None`,
          },
        ]
      : [],
  );
}
