/**
 * Reads what is live in one environment through the adapter seam: one list call per kind and
 * location (the adapters page through), one policy read, one bucket check, all at once. This is why a
 * no-change plan costs a handful of calls however many clients there are, where a get per resource
 * (Terraform's refresh) costs one call per resource.
 */
import { WORKFLOW_ENV } from '../config/runtime-env.ts';
import type { CloudApis } from '../gcp/types.ts';
import { defaultBucket } from '../resources/naming.ts';
import type { ResourceDocument } from '../resources/types.ts';
import type { LiveState } from '../plan/types.ts';
import { realClock, withRetry, type Clock, type RetryInfo, type RetryPolicy } from './retry.ts';

export interface Scope {
  readonly project: string;
  readonly region: string;
  readonly bucket: string;
  readonly triggerLocations: readonly string[];
  readonly workflowLocations: readonly string[];
  readonly jobLocations: readonly string[];
}

function locationOf(name: string): string | undefined {
  return /^projects\/[^/]+\/locations\/([^/]+)\//.exec(name)?.[1];
}

/** Where to look: the environment's region (and `global` for triggers) plus wherever generated/ points. */
export function scopeOf(documents: readonly ResourceDocument[]): Scope {
  const first = documents[0];
  if (!first) throw new Error('internal: no resource documents');
  const resources = documents.flatMap((d) => d.resources);
  const locations = (kind: string, defaults: string[]) => {
    const found = resources.flatMap((r) => (r.kind === kind && 'name' in r ? [locationOf(r.name)] : []));
    return [...new Set([...defaults, ...found.filter((l): l is string => l !== undefined)])].sort();
  };
  // The bucket is what the workflows are told to use, so plan checks the one they will really touch.
  const bucketVar = resources.flatMap((r) => (r.kind === 'Workflow' ? [r.userEnvVars[WORKFLOW_ENV.bucket]] : [])).find((b) => b);
  return {
    project: first.project,
    region: first.region,
    bucket: bucketVar ?? defaultBucket(first.project),
    triggerLocations: locations('Trigger', ['global']),
    workflowLocations: locations('Workflow', [first.region]),
    jobLocations: locations('SchedulerJob', [first.region]),
  };
}

export interface ReadOptions {
  readonly clock?: Clock;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (what: string, info: RetryInfo) => void;
}

export async function readLive(apis: CloudApis, scope: Scope, options: ReadOptions = {}): Promise<LiveState> {
  const clock = options.clock ?? realClock;
  const read = <T>(what: string, call: () => Promise<T>) =>
    withRetry(call, {
      clock,
      ...(options.retry ? { policy: options.retry } : {}),
      onRetry: (info) => options.onRetry?.(what, info),
    });
  const perLocation = async <T>(what: string, locations: readonly string[], list: (location: string) => Promise<T[]>) =>
    (await Promise.all(locations.map((l) => read(`${what} in ${l}`, () => list(l))))).flat();
  const { project } = scope;
  const [serviceAccounts, topics, workflows, triggers, schedulerJobs, policy, bucketExists] = await Promise.all([
    read('service accounts', () => apis.serviceAccounts.list(project)),
    read('topics', () => apis.topics.list(project)),
    perLocation('workflows', scope.workflowLocations, (l) => apis.workflows.list(project, l)),
    perLocation('triggers', scope.triggerLocations, (l) => apis.triggers.list(project, l)),
    perLocation('scheduler jobs', scope.jobLocations, (l) => apis.schedulerJobs.list(project, l)),
    read('project IAM policy', () => apis.projectIam.getPolicy(project)),
    read(`bucket gs://${scope.bucket}`, () => apis.storage.bucketExists(scope.bucket)),
  ]);
  return {
    project,
    serviceAccounts,
    topics,
    workflows,
    triggers,
    schedulerJobs,
    policy,
    bucket: { name: scope.bucket, location: scope.region, exists: bucketExists },
  };
}
