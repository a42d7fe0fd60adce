/**
 * Google's limits and quotas a plan checks before apply runs into them: a quota this apply would
 * exceed is an error before anything is written; counts approaching a limit are warnings.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Live } from '../resources/live.ts';
import type { Resource } from '../resources/types.ts';
import { applyIamEdits, iamEditsOf, principalCount, IAM_LIMITS } from './iam.ts';
import type { Change, LiveState } from './types.ts';

/** Google's per-project/location limits plan warns about before apply runs into them (docs/design.md §6). */
export const RESOURCE_LIMITS = {
  triggersPerLocation: 500,
  // "By default, each project can have up to 100 service accounts ... You can request a quota
  // increase" (https://cloud.google.com/iam/docs/service-accounts-create; the quota is listed on
  // https://cloud.google.com/iam/quotas). A quota, not a limit: product.ts may declare a raised one.
  serviceAccountsPerProject: 100,
  schedulerJobsPerRegion: 1000,
} as const;

/** Warn once a count reaches this share of its limit: clients are added one pull request at a time. */
const APPROACHING = 0.8;

function countAfter(live: readonly Live[], changes: readonly Change[], kind: Resource['kind'], group: (name: string) => string): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (name: string, by: number) => counts.set(group(name), (counts.get(group(name)) ?? 0) + by);
  for (const l of live) if ('name' in l.resource) bump(l.resource.name, 1);
  for (const c of changes) {
    if (c.kind !== kind) continue;
    if (c.action === 'create' && !c.blockedBy && 'name' in c.desired) bump(c.desired.name, 1);
    if (c.action === 'delete' && 'name' in c.live) bump(c.live.name, -1);
  }
  return counts;
}

const locationOf = (name: string) => /^(projects\/[^/]+\/locations\/[^/]+)\//.exec(name)?.[1] ?? name;
const projectOf = (name: string) => /^(projects\/[^/]+)\//.exec(name)?.[1] ?? name;

/**
 * A quota this apply would exceed is an error before anything is written: creating the accounts
 * one by one would fail part-way, after grants and topics of the same clients were made.
 */
export function quotaErrors(live: LiveState, changes: readonly Change[], quota: number, raised: boolean): Diagnostic[] {
  const errors: Diagnostic[] = [];
  for (const [where, count] of countAfter(live.serviceAccounts, changes, 'ServiceAccount', projectOf)) {
    const creates = changes.filter((c) => c.kind === 'ServiceAccount' && c.action === 'create' && !c.blockedBy).length;
    if (count <= quota || creates === 0) continue;
    errors.push({
      path: where,
      message: `this apply would bring the project to ${count} service accounts (${creates} to create); its quota is ${quota.toLocaleString('en-US')}${raised ? ' (quotas.serviceAccounts in workflows/product.ts)' : " (Google's default)"}, so creating them would fail part-way`,
      fix: raised
        ? 'request a higher service account quota for the project (IAM & Admin > Quotas), then raise quotas.serviceAccounts of this environment in workflows/product.ts; or remove clients'
        : 'request a higher service account quota for the project (IAM & Admin > Quotas, https://cloud.google.com/iam/quotas), then declare it as quotas: { serviceAccounts: N } in this environment of workflows/product.ts; or remove clients',
    });
  }
  return errors;
}

export function limitWarnings(live: LiveState, changes: readonly Change[], project: string, serviceAccountQuota: number): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  const check = (counts: Map<string, number>, limit: number, what: string, fix: string) => {
    for (const [where, count] of counts) {
      if (count > limit) {
        // Service accounts over their quota are an error (quotaErrors), not also a warning.
        if (what.startsWith('service accounts')) continue;
        warnings.push({ path: where, message: `${count} ${what} after this apply; Google's limit is ${limit.toLocaleString('en-US')}, so creating more will fail`, fix });
      } else if (count >= limit * APPROACHING) {
        warnings.push({ path: where, message: `${count} ${what} after this apply, approaching Google's limit of ${limit.toLocaleString('en-US')}`, fix });
      }
    }
  };
  check(
    countAfter(live.triggers, changes, 'Trigger', locationOf),
    RESOURCE_LIMITS.triggersPerLocation,
    'Eventarc triggers in this location',
    'the limit cannot be raised: split clients across projects, or move to one shared product trigger routing by path',
  );
  check(
    countAfter(live.serviceAccounts, changes, 'ServiceAccount', projectOf),
    serviceAccountQuota,
    'service accounts in this project',
    'request a higher service account quota for the project (IAM quotas page) before applying',
  );
  check(
    countAfter(live.schedulerJobs, changes, 'SchedulerJob', locationOf),
    RESOURCE_LIMITS.schedulerJobsPerRegion,
    'Cloud Scheduler jobs in this region',
    'request a higher Cloud Scheduler quota (up to 5,000 per region) before applying',
  );
  const after = applyIamEdits(live.policy, changes.flatMap(iamEditsOf));
  const principals = principalCount(after);
  if (principals <= IAM_LIMITS.principals && principals >= IAM_LIMITS.principals * APPROACHING) {
    warnings.push({
      path: `projects/${project} IAM policy`,
      message: `${principals} principals in the policy after this apply, approaching Google's limit of ${IAM_LIMITS.principals.toLocaleString('en-US')}`,
      fix: 'plan for fewer clients per project before the limit is reached',
    });
  }
  return warnings;
}
