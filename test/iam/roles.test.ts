/** The vendored roles (src/iam/roles-data.json), the refresh script's output format, and the client list role chosen from them. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import data from '../../src/iam/roles-data.json' with { type: 'json' };
import { isPredefinedRole, nearestRole, permissionsOf, roleInfo, rolesWithPermission } from '../../src/iam/roles.ts';
import { buildRolesData, readProvenance } from '../../scripts/vendor-roles.ts';
import { ROLES } from '../../src/resources/access.ts';
import { product } from '../../workflows/product.ts';

test('every role name is there, with title and stage, and a provenance naming its source commit', () => {
  assert.is(Object.keys(data.roles).length, data.roleCount);
  assert.ok(data.roleCount > 2000);
  assert.match(data.provenance, /commit [0-9a-f]{40} of \d{4}-\d{2}-\d{2}/);
  assert.equal(roleInfo('roles/storage.objectViewer'), { title: 'Storage Object Viewer', stage: 'GA' });
  assert.ok(isPredefinedRole('roles/bigquery.dataViewer'), 'roles of other services exist too, without permissions');
  assert.is(permissionsOf('roles/bigquery.dataViewer'), undefined);
  for (const role of ['roles/storage.objectLister', 'roles/custom.thing', 'projects/p/roles/x', 'toString', 'constructor']) assert.not.ok(isPredefinedRole(role), role);
});

test("permissions of the project's services are kept; a basic role keeps only those services' permissions", () => {
  assert.ok(permissionsOf('roles/storage.objectViewer')!.includes('storage.objects.list'));
  assert.ok(permissionsOf('roles/pubsub.publisher')!.includes('pubsub.topics.publish'));
  const viewer = permissionsOf('roles/viewer')!;
  assert.ok(viewer.includes('storage.buckets.list'));
  assert.ok(
    viewer.every((p) => data.permissionServices.includes(p.split('.')[0]!)),
    'no other service',
  );
  for (const role of [...product.serviceAccountRoles, ...product.workerServiceAccountRoles]) assert.ok(permissionsOf(role)?.length, `${role} has its permissions vendored`);
});

test('the role a client reads and lists its folder with is the narrowest GA, non-legacy storage role that can list objects', () => {
  const candidates = rolesWithPermission('storage.objects.list').filter((r) => r.startsWith('roles/storage.') && roleInfo(r)!.stage === 'GA' && !r.startsWith('roles/storage.legacy'));
  assert.is(candidates[0], ROLES.objectViewer);
});

test('nearest role for a typo prefers the same service', () => {
  assert.is(nearestRole('roles/pubsub.publsher'), 'roles/pubsub.publisher');
  assert.is(nearestRole('roles/workflow.invoker'), 'roles/workflows.invoker');
  assert.is(nearestRole('roles/zzzz.qqqqqqqqqq'), undefined);
});

const SOURCE_MD =
  '- Source: the public dataset github.com/example/roles-dataset, folder `roles/`, commit\n  0123456789abcdef0123456789abcdef01234567 (refreshed daily; this commit is of 2026-01-02).\n';

test('vendor script: provenance from SOURCE.md, output sorted, one role per line, the same bytes every time', () => {
  const provenance = readProvenance(SOURCE_MD);
  assert.equal(provenance, { dataset: 'github.com/example/roles-dataset', commit: '0123456789abcdef0123456789abcdef01234567', date: '2026-01-02' });
  const source = {
    'roles/storage.objectViewer': { title: 'Storage Object Viewer', stage: 'GA', permissions: ['storage.objects.list', 'compute.zones.list', 'storage.objects.get'] },
    'roles/compute.viewer': { title: 'Compute Viewer', stage: 'GA', permissions: ['compute.zones.list'] },
    'roles/viewer': { title: 'Viewer', stage: 'GA', permissions: ['compute.zones.list', 'pubsub.topics.get'] },
  };
  const text = buildRolesData(source, provenance);
  assert.is(buildRolesData(JSON.parse(JSON.stringify(source)), provenance), text);
  const parsed = JSON.parse(text);
  assert.equal(Object.keys(parsed.roles), ['roles/compute.viewer', 'roles/storage.objectViewer', 'roles/viewer']);
  assert.equal(parsed.roles['roles/storage.objectViewer'].permissions, ['storage.objects.get', 'storage.objects.list']);
  assert.equal(parsed.roles['roles/viewer'].permissions, ['pubsub.topics.get']);
  assert.is(parsed.roles['roles/compute.viewer'].permissions, undefined);
  assert.match(text, '\n    "roles/compute.viewer": {"title":"Compute Viewer","stage":"GA"},\n');
  assert.throws(() => readProvenance('no provenance here'), /SOURCE\.md must name/);
});

test.run();
