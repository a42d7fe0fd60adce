/**
 * diff(live, desired) → Plan. Pure: no I/O, inputs never mutated, both sides normalised as copies
 * (rules in normalise.ts). Ownership decides everything that could destroy someone else's work:
 *
 * - desired, nothing live with that key        → create
 * - desired, live and ours, normal forms equal → no-op; different → update (field by field)
 * - desired, live but unmarked                → conflict, untouched; with adopt → adopt, which
 *   brings its fields to the desired values and adds our ownership marks
 * - desired, live and marked as another product's → conflict, untouched, with adopt too
 * - live and ours, not desired                 → orphan (listed); with prune → delete
 * - live and not ours, not desired             → not in the plan at all (never touched)
 *
 * The project IAM policy is expanded into one grant per (role, member, condition) so bindings diff
 * like any other resource; foreign grants never become changes. Data Access audit logs are ensured,
 * never removed. The product bucket is a precondition, not a managed resource.
 *
 * Run settings objects are equal when the MD5 of the desired content is the live md5Hash and their
 * metadata matches (run-settings.ts). Secret access grants are ours when the member is the product's
 * service account; the secrets they name must exist (a precondition with the command that creates one).
 *
 * This file matches desired resources with live ones, kind by kind. What of live is ours, as one list,
 * is live-resources.ts; the apply order, what a conflict holds back and the summary, summary.ts.
 */
import type { Live } from '../resources/live.ts';
import { resourceKey, type AuditConfigResource, type IamBindingResource, type Resource, type ResourceDocument } from '../resources/types.ts';
import { auditLogEnabled, mootGrantWarnings } from './iam.ts';
import { isOurs, liveResourcesOf } from './live-resources.ts';
import { limitWarnings, quotaErrors, RESOURCE_LIMITS } from './limits.ts';
import { duplicateClaimErrors, productCollisionErrors, renameWarnings } from './collisions.ts';
import { preconditionErrors, secretErrors } from './preconditions.ts';
import { schedulerStateWarnings } from './scheduler-state.ts';
import { diffResource } from './normalise.ts';
import { liveRunSettings, runSettingsFields } from './run-settings.ts';
import { markBlocked, orderChanges, removedClients, summarise } from './summary.ts';
import { runSettingsMetadata, secretsFromMetadata, secretsOf } from '../resources/run-settings.ts';
import type { Change, DiffOptions, Impact, LiveState, Plan } from './types.ts';
import { SECRET_CLIENT_LABEL } from '../names/naming.ts';

export function displayName(resource: Resource): string {
  switch (resource.kind) {
    case 'IamBinding':
      return `${resource.role} ${resource.member}${resource.condition ? ` if ${resource.condition.title}` : ''}`;
    case 'AuditConfig':
      return `projects/${resource.project} audit logs of ${resource.service}`;
    case 'RunSettings':
      return `gs://${resource.bucket}/${resource.object}`;
    case 'SecretAccess':
      return `${resource.secret} ${resource.role} ${resource.member}`;
    case 'ManagedFolder':
      return `gs://${resource.bucket}/${resource.folder}`;
    case 'ResourcePolicy':
      return `IAM policy of ${resource.name}`;
    case 'ResourceGrant':
      return `${resource.role} ${resource.member}${resource.condition ? ` if ${resource.condition.title}` : ''} on ${resource.name}`;
    default:
      return resource.name;
  }
}

function createImpact(resource: Resource): Impact {
  if (resource.kind === 'IamBinding' || resource.kind === 'SecretAccess' || resource.kind === 'ResourcePolicy') return 'grants-access';
  if (resource.kind === 'AuditConfig') return 'enables-audit-logs';
  return 'creates';
}

function updateImpact(resource: Resource): Impact {
  if (resource.kind === 'IamBinding' || resource.kind === 'ResourcePolicy') return 'changes-access';
  if (resource.kind === 'AuditConfig') return 'enables-audit-logs';
  return 'in-place';
}

function deleteImpact(resource: Resource): Impact {
  return resource.kind === 'IamBinding' || resource.kind === 'SecretAccess' || resource.kind === 'ResourcePolicy' || resource.kind === 'ResourceGrant' ? 'revokes-access' : 'destroys';
}

/** The live audit config of a service as a resource: the log types on for it (allServices included). */
function liveAuditConfig(state: LiveState, desired: AuditConfigResource): AuditConfigResource | undefined {
  const configs = state.policy.auditConfigs ?? [];
  if (!configs.some((c) => c.service === desired.service || c.service === 'allServices')) return undefined;
  const logTypes = (['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'] as const).filter((t) => auditLogEnabled(configs, desired.service, t));
  return { ...desired, logTypes };
}

function singleValue<T>(values: readonly T[], what: string): T {
  const distinct = [...new Set(values)];
  if (distinct.length !== 1) throw new Error(`internal: documents disagree on ${what}: ${distinct.join(', ') || '(none)'}`);
  return distinct[0]!;
}

export function diff(live: LiveState, documents: readonly ResourceDocument[], options: DiffOptions = {}): Plan {
  const product = singleValue(
    documents.map((d) => d.product),
    'the product',
  );
  const environment = singleValue(
    documents.map((d) => d.environment),
    'the environment',
  );
  const project = singleValue(
    documents.map((d) => d.project),
    'the project',
  );
  const prune = options.prune ?? false;
  const adopt = options.adopt ?? false;
  const filter = options.clientFilter;
  const allDesired = documents.flatMap((d) => d.resources);
  // Secret access is the product's, but a narrowed run still owes the client the grants on the
  // secrets it names (now in generated/, or still in its live settings object, the grant's record):
  // otherwise its workflow could not read a new webhook URL, and a pruned client's object would be
  // deleted while its grant stayed, with nothing left to find it by.
  const clientSecrets = new Set<string>();
  if (filter !== undefined) {
    for (const r of allDesired) if (r.kind === 'RunSettings' && r.owner.client === filter) for (const s of secretsOf(r.settings)) clientSecrets.add(s);
    for (const o of live.runSettings) {
      const owner = liveRunSettings(o);
      if (isOurs(owner, product) && owner.resource.owner.client === filter) for (const s of secretsFromMetadata(o.metadata)) clientSecrets.add(s);
    }
    // And the secrets labelled for it: a grant an interrupted apply made is found by them alone.
    for (const p of live.secretPolicies) if (p.labels?.[SECRET_CLIENT_LABEL] === filter) clientSecrets.add(p.secret);
  }
  // A project setting that every client's trigger depends on, so it stays in client-narrowed plans.
  const inScope = (r: Resource): boolean => filter === undefined || r.owner.client === filter || r.kind === 'AuditConfig' || (r.kind === 'SecretAccess' && clientSecrets.has(r.secret));

  const desired = allDesired.filter(inScope);

  const { resources: liveResources, secretGrants: liveGrants, legacyKeys } = liveResourcesOf(live, allDesired, { project, product, adopt });
  // Grants of ours that generated/ no longer asks for, by secret, and whether this run revokes them.
  // A settings object keeps listing such a secret until the grant is revoked, so a later
  // `apply --prune` can still find it; one that stops listing it waits for the revocation.
  const allDesiredKeys = new Set(allDesired.map(resourceKey));
  const lingering = new Map<string, { key: string; revokedNow: boolean }>();
  for (const g of liveGrants) {
    const key = resourceKey(g.resource);
    if (!allDesiredKeys.has(key)) lingering.set(g.resource.secret, { key, revokedNow: prune && inScope(g.resource) });
  }
  const formerSecrets = (metadata: Readonly<Record<string, string>>, named: ReadonlySet<string>) => {
    const former = secretsFromMetadata(metadata).filter((s) => !named.has(s) && lingering.has(s));
    return {
      retained: former.filter((s) => !lingering.get(s)!.revokedNow),
      needs: former.filter((s) => lingering.get(s)!.revokedNow).map((s) => lingering.get(s)!.key),
    };
  };
  const settingsObjects = new Map(live.runSettings.map((o) => [`RunSettings gs://${o.bucket}/${o.name}`, o]));
  const liveByKey = new Map<string, Live>();
  for (const l of liveResources) {
    const key = resourceKey(l.resource);
    if (!liveByKey.has(key)) liveByKey.set(key, l);
  }

  const changes: Change[] = [];
  const desiredKeys = new Set<string>();
  const replacedKeys = new Set<string>();
  const sameTitleGrant = (resource: Resource): Live | undefined => {
    if (resource.kind !== 'IamBinding' || !resource.condition) return undefined;
    const title = resource.condition.title;
    return liveResources.find(
      (l) =>
        l.resource.kind === 'IamBinding' &&
        isOurs(l, product) &&
        l.resource.member === resource.member &&
        l.resource.condition?.title === title &&
        !allDesiredKeys.has(resourceKey(l.resource)) &&
        !replacedKeys.has(resourceKey(l.resource)),
    );
  };
  // Our grants to the same member under the same title with another role or expression, that
  // generated/ does not ask for.
  const broaderUnderTitle = (resource: IamBindingResource, match: Live): IamBindingResource[] =>
    liveResources.flatMap((l) =>
      l !== match &&
      l.resource.kind === 'IamBinding' &&
      isOurs(l, product) &&
      l.resource.member === resource.member &&
      l.resource.condition?.title === resource.condition?.title &&
      (l.resource.role !== resource.role || l.resource.condition?.expression !== resource.condition?.expression) &&
      !(allDesiredKeys.has(resourceKey(l.resource)) && resourceKey(l.resource) !== resourceKey(resource)) &&
      !replacedKeys.has(resourceKey(l.resource))
        ? [l.resource]
        : [],
    );
  let disguised: IamBindingResource[] = [];
  for (const resource of desired) {
    const key = resourceKey(resource);
    // Two clients naming one secret each carry the same grant (one grant; secretErrors refuses the
    // sharing). Any other name claimed twice is an error of duplicateClaimErrors: planned once.
    if (desiredKeys.has(key)) continue;
    desiredKeys.add(key);
    const base = { key, kind: resource.kind, name: displayName(resource), owner: resource.owner };
    if (resource.kind === 'AuditConfig') {
      const current = liveAuditConfig(live, resource);
      const missing = resource.logTypes.filter((t) => !current?.logTypes.includes(t));
      if (missing.length === 0) changes.push({ ...base, action: 'no-op', impact: 'none', desired: resource });
      else if (!current) changes.push({ ...base, action: 'create', impact: 'enables-audit-logs', desired: resource });
      else {
        // Only additions: every log type already on stays on, so "after" is a superset of "before".
        const after = { ...resource, logTypes: [...new Set([...current.logTypes, ...resource.logTypes])] };
        changes.push({ ...base, action: 'update', impact: 'enables-audit-logs', desired: after, live: current, fields: diffResource(current, after) });
      }
      continue;
    }
    const match = liveByKey.get(key);
    const replaced = match ? undefined : sameTitleGrant(resource);
    if (replaced) {
      // Our grant under the same condition title but with another role (the client list grant was
      // roles/storage.objectLister, which Google does not define): one update that moves the member,
      // not a create beside an orphan that would keep the old role in the policy we write.
      replacedKeys.add(resourceKey(replaced.resource));
      // Role is part of a grant's key, so normalise.ts never compares it: the role line is added here.
      const fields = [{ path: 'role', before: (replaced.resource as IamBindingResource).role, after: (resource as IamBindingResource).role }, ...diffResource(replaced.resource, resource)];
      changes.push({ ...base, action: 'update', impact: updateImpact(resource), desired: resource, live: replaced.resource, fields });
      continue;
    }
    if (!match) {
      const extra = resource.kind === 'RunSettings' ? { metadata: runSettingsMetadata(resource) } : {};
      changes.push({ ...base, ...extra, action: 'create', impact: createImpact(resource), desired: resource });
      continue;
    }
    let fields;
    let extra: { metadata?: Readonly<Record<string, string>>; needs?: readonly string[] } = {};
    const settingsObject = resource.kind === 'RunSettings' ? settingsObjects.get(key) : undefined;
    if (settingsObject && resource.kind === 'RunSettings') {
      const { retained, needs } = isOurs(match, product) ? formerSecrets(settingsObject.metadata, new Set(secretsOf(resource.settings))) : { retained: [], needs: [] };
      const metadata = runSettingsMetadata(resource, retained);
      extra = { metadata, ...(needs.length > 0 ? { needs } : {}) };
      fields = runSettingsFields(settingsObject, resource, metadata);
    } else {
      fields = diffResource(match.resource, resource);
    }
    if (!isOurs(match, product)) {
      // Another product's mark is ownership too: --adopt takes over unmarked resources only.
      const otherProduct = match.owned ? match.resource.owner.product : undefined;
      if (otherProduct !== undefined) {
        changes.push({ ...base, action: 'conflict', impact: 'none', desired: resource, live: match.resource, fields, otherProduct });
      } else if (adopt) {
        changes.push({ ...base, ...extra, action: 'adopt', impact: fields.length > 0 ? updateImpact(resource) : 'none', desired: resource, live: match.resource, fields });
      } else {
        changes.push({ ...base, action: 'conflict', impact: 'none', desired: resource, live: match.resource, fields });
      }
    } else if (resource.kind === 'IamBinding' && resource.condition && (disguised = broaderUnderTitle(resource, match)).length > 0) {
      // Our title on a grant generated/ does not ask for (objectAdmin if `true`) hides access behind a
      // name a reviewer trusts. Writing the desired grant takes the member out of every other binding
      // under that title (iam.ts ensureMember), so this is an update, made without --prune.
      for (const d of disguised) replacedKeys.add(resourceKey(d));
      const extra = disguised.map((d) => ({ path: `also under "${resource.condition!.title}"`, before: `${d.role} if ${d.condition!.expression}` }));
      changes.push({ ...base, action: 'update', impact: 'changes-access', desired: resource, live: match.resource, fields: [...fields, ...extra] });
    } else if (fields.length === 0) {
      changes.push({ ...base, action: 'no-op', impact: 'none', desired: resource });
    } else {
      changes.push({ ...base, ...extra, action: 'update', impact: updateImpact(resource), desired: resource, live: match.resource, fields });
    }
  }

  const seenLive = new Set<string>();
  for (const l of liveResources) {
    const key = resourceKey(l.resource);
    if (!isOurs(l, product) || !inScope(l.resource) || desiredKeys.has(key) || replacedKeys.has(key) || seenLive.has(key)) continue;
    seenLive.add(key);
    const object = l.resource.kind === 'RunSettings' ? settingsObjects.get(key) : undefined;
    // A settings object is deleted only after the grants it is the last record of are revoked.
    const needs = object ? formerSecrets(object.metadata, new Set()).needs : [];
    const base = {
      key,
      kind: l.resource.kind,
      name: displayName(l.resource),
      owner: l.resource.owner,
      impact: deleteImpact(l.resource),
      live: l.resource,
      ...(needs.length > 0 ? { needs } : {}),
      ...(legacyKeys.has(key) ? { legacy: true } : {}),
    };
    changes.push(prune ? { ...base, action: 'delete' } : { ...base, action: 'orphan' });
  }

  const ordered = orderChanges(changes);
  const blocked = markBlocked(ordered);
  const declared = documents.flatMap((d) => (d.quotas?.serviceAccounts !== undefined ? [d.quotas.serviceAccounts] : []));
  const serviceAccountQuota = declared.length > 0 ? Math.max(...declared) : RESOURCE_LIMITS.serviceAccountsPerProject;
  const warnings = limitWarnings(live, blocked, project, serviceAccountQuota);
  const errors = [
    ...duplicateClaimErrors(documents, resourceKey),
    ...productCollisionErrors(blocked),
    ...preconditionErrors(live, blocked, project),
    ...secretErrors(live, allDesired, product, project, filter),
    ...quotaErrors(live, blocked, serviceAccountQuota, declared.length > 0),
  ];
  return {
    environment,
    project,
    product,
    ...(filter !== undefined ? { clientFilter: filter } : {}),
    prune,
    adopt,
    changes: blocked,
    warnings: [...warnings, ...mootGrantWarnings(live, desired, project), ...renameWarnings(blocked), ...schedulerStateWarnings(blocked)],
    errors,
    summary: summarise(blocked),
    removedClients: removedClients(blocked, allDesired),
  };
}
