/**
 * The CI identities of the README's "Pull requests and CI" section, by proof rather than by say-so
 * (pure and fast; plan-identity-sandbox.test.ts runs a real plan as them):
 * - every `roles/...` the section and the CI templates name is one Google defines (src/iam/roles-data.json);
 * - the plan identity's roles hold no permission that writes (`*.create`, `*.update`, `*.delete`,
 *   `*.setIamPolicy`), acts as or mints credentials for an account, or reads a secret's value;
 * - they hold every permission the methods plan calls need (src/local/authz/permissions.ts), on the
 *   project, or for Cloud Storage on the project or the bucket;
 * - the apply identity's roles hold every permission plan needs too (apply plans first).
 * Permissions are those vendored in roles-data.json (the services batch-workflows uses); a write of
 * another service is outside what plan or apply could reach.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPredefinedRole, permissionsOf as rolePermissions, roleInfo } from '../../src/iam/roles.ts';
import { ciSection, grantsOf, PLAN_METHODS, permissionsOf, type Grants } from './identities.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const WRITES = /\.(create|update|delete|setIamPolicy)$/;
const NEVER_FOR_PLAN = [
  'iam.serviceAccounts.actAs',
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccounts.implicitDelegation',
  'secretmanager.versions.access',
  'storage.objects.create',
];

const section = ciSection();
const plan = grantsOf(section, 'PLAN_SA');
const apply = grantsOf(section, 'APPLY_SA');
const held = (roles: readonly string[]) => new Set(roles.flatMap((r) => rolePermissions(r) ?? []));

function rolesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/roles\/[A-Za-z0-9_.]+[A-Za-z0-9_]/g)].map((m) => m[0]))];
}

async function missing(grants: Grants): Promise<string[]> {
  const onProject = held(grants.project);
  const onBucket = held([...grants.project, ...grants.bucket]);
  const gaps: string[] = [];
  for (const method of PLAN_METHODS) {
    for (const need of await permissionsOf(method)) {
      if (!(need.onBucket ? onBucket : onProject).has(need.permission)) gaps.push(`${method} needs ${need.permission}${need.onBucket ? ' (bucket)' : ''}`);
    }
  }
  return gaps;
}

test('the section grants the plan and apply identities what the README table says', () => {
  assert.equal(plan, { project: ['roles/iam.securityReviewer', 'roles/workflows.viewer', 'roles/secretmanager.viewer'], bucket: ['roles/storage.objectViewer', 'roles/storage.legacyBucketReader'] });
  assert.ok(apply.project.length >= 8 && apply.bucket.length === 3, JSON.stringify(apply));
  for (const role of [...plan.project, ...plan.bucket]) assert.match(section, `| \`${role}\` |`, `${role} is in the table`);
});

test('every role the CI section and the CI templates name exists, and is GA', () => {
  const texts = [section, ...['.github/workflows', 'cloudbuild', 'scripts/ci'].flatMap((d) => readdirSync(join(repo, d)).map((f) => readFileSync(join(repo, d, f), 'utf8')))];
  const named = rolesIn(texts.join('\n'));
  assert.ok(named.length >= 15, named.join(' '));
  const unknown = named.filter((r) => !isPredefinedRole(r));
  assert.equal(unknown, [], `not Google roles: ${unknown.join(', ')}`);
  for (const role of named) assert.is(roleInfo(role)!.stage, 'GA', role);
});

test('the check catches a role that does not exist, and one that writes', () => {
  assert.not.ok(isPredefinedRole('roles/workflows.reader'));
  assert.ok([...held(['roles/storage.objectUser'])].some((p) => WRITES.test(p)));
});

test('the plan identity writes nothing: no create, update, delete or setIamPolicy; no actAs, tokens or secret values', () => {
  for (const role of [...plan.project, ...plan.bucket]) {
    const permissions = rolePermissions(role);
    assert.ok(permissions && permissions.length > 0, `${role}'s permissions are vendored`);
    const writes = permissions.filter((p) => WRITES.test(p) || NEVER_FOR_PLAN.includes(p));
    assert.equal(writes, [], `${role} holds ${writes.join(', ')}`);
  }
});

test('the plan identity holds every permission plan needs', async () => {
  assert.equal(await missing(plan), []);
});

test('the coverage check fails when a role is left out', async () => {
  const gaps = await missing({ project: plan.project.filter((r) => r !== 'roles/iam.securityReviewer'), bucket: plan.bucket });
  assert.ok(
    gaps.some((g) => g.includes('resourcemanager.projects.getIamPolicy')),
    gaps.join('\n'),
  );
  const noBucket = await missing({ project: plan.project, bucket: [] });
  assert.ok(
    noBucket.some((g) => g.includes('storage.buckets.get')),
    noBucket.join('\n'),
  );
});

test('the apply identity can plan too, and may act as the orchestrator', async () => {
  assert.equal(await missing(apply), []);
  assert.ok(held(apply.project).has('iam.serviceAccounts.actAs'));
});

test.run();
