/**
 * The CI identities as the README's "Pull requests and CI" section grants them, read from its
 * gcloud commands (`for role in ROLES; do gcloud projects|storage buckets add-iam-policy-binding …
 * --member="serviceAccount:$PLAN_SA"|"$APPLY_SA" …`), so the tests check what a reader will run.
 * Also the API methods plan calls (the sandbox's route names, checked against a real plan in
 * plan-identity-sandbox.test.ts) and the permissions each needs, from src/local/authz/permissions.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PERMISSIONS } from '../../src/local/authz/permissions.ts';
import { SandboxState } from '../../src/local/index.ts';
import type { ApiRequest } from '../../src/local/http.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** README.md from `## Pull requests and CI` to the next `## ` heading. */
export function ciSection(readme = readFileSync(`${repo}README.md`, 'utf8')): string {
  const start = readme.indexOf('\n## Pull requests and CI\n');
  if (start === -1) throw new Error('README.md has no "## Pull requests and CI" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

export interface Grants {
  readonly project: readonly string[];
  readonly bucket: readonly string[];
}

/** The roles the section's loops grant to `$PLAN_SA` or `$APPLY_SA`, on the project and on the bucket. */
export function grantsOf(section: string, who: 'PLAN_SA' | 'APPLY_SA'): Grants {
  const project: string[] = [];
  const bucket: string[] = [];
  const loop = /for role in ([^;\n]+); do\n\s*gcloud (projects|storage buckets) add-iam-policy-binding [^\n]*--member="serviceAccount:\$(\w+)"/g;
  for (const m of section.matchAll(loop)) {
    if (m[3] !== who) continue;
    (m[2] === 'projects' ? project : bucket).push(...m[1]!.trim().split(/\s+/));
  }
  return { project, bucket };
}

/**
 * What plan calls against an environment (with --prune, and the lock note), as `<api>.<route>`:
 * lists of every kind, the own policies of folders, topics, accounts and secrets, the project
 * policy, the bucket, the lock object. `workflows.workflows.get` and `secretmanager.secrets.get`
 * are the fallbacks the adapters use (a list answer without a workflow's source, a single secret).
 */
export const PLAN_METHODS = [
  'cloudresourcemanager.v3.projects.getIamPolicy',
  'cloudscheduler.jobs.list',
  'eventarc.triggers.list',
  'iam.serviceAccounts.getIamPolicy',
  'iam.serviceAccounts.list',
  'pubsub.topics.getIamPolicy',
  'pubsub.topics.list',
  'secretmanager.secrets.get',
  'secretmanager.secrets.getIamPolicy',
  'secretmanager.secrets.list',
  'storage.buckets.get',
  'storage.managedFolders.getIamPolicy',
  'storage.managedFolders.list',
  'storage.objects.get',
  'storage.objects.list',
  'workflows.workflows.get',
  'workflows.workflows.list',
] as const;

/** The permissions a method needs and where (Storage's on the bucket or inside it), from THE table. */
export async function permissionsOf(method: string): Promise<{ permission: string; onBucket: boolean }[]> {
  const rule = PERMISSIONS[method];
  if (!rule) throw new Error(`no permission rule for ${method} in src/local/authz/permissions.ts`);
  const params = new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? `x-${key}` : undefined) }) as Record<string, string>;
  const request = { method: 'GET', params, query: new URLSearchParams(), headers: {}, rawBody: Buffer.alloc(0), origin: 'http://127.0.0.1', json: () => ({}), param: () => undefined } as ApiRequest;
  const state = await SandboxState.open();
  return rule(request, state).map((c) => ({ permission: c.permission, onBucket: ['bucket', 'object', 'managedFolder'].includes(c.on.kind) }));
}
