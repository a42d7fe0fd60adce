/**
 * The sandbox refuses, as Google does, a binding to a role that does not exist and a condition IAM
 * would not take (src/iam), on the project policy and on a secret's policy alike; the example
 * product's own grants, in every environment, are accepted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { buildDesiredResources, INFERENCE_WORKFLOW, SCHEDULED_WORKFLOW } from '../../src/resources/index.ts';
import { validateClients } from '../../src/config/load-clients.ts';
import { loadClientSources, projectLayout } from '../../src/cli/project-files.ts';
import { product } from '../../workflows/product.ts';
import { call, PROJECT } from './helpers.ts';

let sandbox: Sandbox;
const SECRET = `projects/${PROJECT}/secrets/team-slack`;
const USER = 'user:alice@example.com';

test.before(async () => {
  sandbox = await startSandbox({});
  sandbox.state.addSecretVersion(PROJECT, 'team-slack', 'https://hooks.slack.com/services/T/B/x');
});
test.after(async () => {
  await sandbox.stop();
});

type Binding = { role: string; members: string[]; condition?: Record<string, string> };

/** Writes the policy on the project (v3 API, as the SDK does) or on the secret; no etag: a blind overwrite. */
async function setPolicy(on: 'project' | 'secret', bindings: Binding[], project = PROJECT) {
  return on === 'project'
    ? call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${project}:setIamPolicy`, { policy: { version: 3, bindings } })
    : call(sandbox, 'secretmanager', 'POST', `/v1/${SECRET}:setIamPolicy`, { policy: { version: 3, bindings } });
}

async function assertRefused(on: 'project' | 'secret', bindings: Binding[], message: string | RegExp) {
  const response = await setPolicy(on, bindings);
  assert.is(response.status, 400, JSON.stringify(response.body));
  assert.is(response.body.error.code, 400);
  assert.is(response.body.error.status, 'INVALID_ARGUMENT');
  if (typeof message === 'string') assert.is(response.body.error.message, message);
  else assert.match(response.body.error.message, message);
}

for (const on of ['project', 'secret'] as const) {
  // A role granted on a secret must hold a permission on secrets.
  const ROLE = on === 'project' ? 'roles/storage.objectViewer' : 'roles/secretmanager.secretAccessor';
  const conditional = (expression: string, title = 'read own folder', role = ROLE): Binding[] => [{ role, members: [USER], condition: { title, expression } }];

  test(`${on} policy: a role that does not exist is 400 INVALID_ARGUMENT "Role (…) does not exist in the resource's hierarchy."`, async () => {
    await assertRefused(on, [{ role: 'roles/storage.objectLister', members: [USER] }], "Role (roles/storage.objectLister) does not exist in the resource's hierarchy.");
    await assertRefused(on, [{ role: 'roles/secretmanager.secretAcessor', members: [USER] }], "Role (roles/secretmanager.secretAcessor) does not exist in the resource's hierarchy.");
    // The sandbox has no custom-role API, so no custom role exists in it.
    await assertRefused(on, [{ role: `projects/${PROJECT}/roles/uploader`, members: [USER] }], `Role (projects/${PROJECT}/roles/uploader) does not exist in the resource's hierarchy.`);
    // The refused write changed nothing: a real role is still accepted afterwards.
    assert.is((await setPolicy(on, [{ role: 'roles/secretmanager.secretAccessor', members: [USER] }])).status, 200);
  });

  test(`${on} policy: a malformed condition expression is 400 INVALID_ARGUMENT`, async () => {
    await assertRefused(
      on,
      conditional("resource.name.startsWith('projects/_/buckets/b/objects/a/'"),
      new RegExp(`^Invalid condition in policy\\.bindings\\[0\\] \\(role ${ROLE}\\): condition\\.expression is not valid CEL: `),
    );
    await assertRefused(on, conditional('resource.name == '), /not valid CEL/);
  });

  test(`${on} policy: functions, operators and attributes IAM Conditions does not support are refused`, async () => {
    await assertRefused(on, conditional("resource.name.contains('acme')"), /function "contains" is not supported in IAM Conditions/);
    await assertRefused(on, conditional("resource.name.matches('^projects/.*')"), /function "matches" is not supported/);
    await assertRefused(on, conditional('size(resource.name) > 3'), /function "size" is not supported/);
    await assertRefused(on, conditional("resource.labels.env == 'prod'"), /attribute "resource\.labels\.env" is not supported/);
    await assertRefused(on, conditional("request.user == 'x'"), /attribute "request\.user" is not supported/);
    await assertRefused(on, conditional("['a'].all(x, resource.name.startsWith(x))"), /macros .* are not supported/);
    await assertRefused(on, conditional("api.getAttribute('example.googleapis.com/color', '') == 'red'"), /API attribute "example\.googleapis\.com\/color" is not supported/);
    await assertRefused(on, conditional("resource.name + 'x' == 'y'"), /operator "\+" is not supported/);
    await assertRefused(on, conditional('resource.name'), /must evaluate to true or false/);
  });

  test(`${on} policy: each of Google's condition limits is enforced`, async () => {
    const ok = "resource.name.startsWith('projects/_/buckets/b/objects/a/')";
    await assertRefused(on, conditional(ok, 't'.repeat(101)), /condition\.title is 101 characters long; the maximum is 100/);
    assert.is((await setPolicy(on, conditional(ok, 't'.repeat(100)))).status, 200, 'a title of exactly 100 characters');
    await assertRefused(on, conditional(ok, ''), /condition\.title is required/);
    const long = `resource.name == '${'a'.repeat(12_800)}'`;
    await assertRefused(on, conditional(long), /condition\.expression is 12,819 characters long; the maximum is 12,800/);
    const clauses = (n: number) => Array.from({ length: n }, (_, i) => `resource.name.startsWith('projects/_/buckets/b/objects/${i}/')`).join(' || ');
    assert.is((await setPolicy(on, conditional(clauses(13)))).status, 200, '12 logical operators');
    await assertRefused(on, conditional(clauses(14)), /13 logical operators; the maximum is 12/);
    await assertRefused(on, conditional(`!(${clauses(13)})`), /13 logical operators/);
    // No condition on a basic role, nor on a grant to everyone (conditions-overview).
    await assertRefused(on, conditional(ok, 'basic', 'roles/viewer'), /not allowed on the basic role roles\/viewer/);
    const open = await setPolicy(on, [{ role: ROLE, members: ['allUsers'], condition: { title: 'public', expression: ok } }]);
    assert.is(open.status, 400);
    assert.match(open.body.error.message, /not allowed on role bindings to allUsers/);
  });
}

test('secret policy: a real role that holds no permission on secrets is 400 "Role … is not supported for this resource."', async () => {
  await assertRefused('secret', [{ role: 'roles/storage.objectViewer', members: [USER] }], 'Role roles/storage.objectViewer is not supported for this resource.');
  await assertRefused('secret', [{ role: 'roles/browser', members: [USER] }], 'Role roles/browser is not supported for this resource.');
  for (const role of ['roles/secretmanager.secretAccessor', 'roles/secretmanager.admin', 'roles/viewer']) {
    assert.is((await setPolicy('secret', [{ role, members: [USER] }])).status, 200, role);
  }
  // Roles whose permissions were not vendored are not judged on this.
  assert.is((await setPolicy('secret', [{ role: 'roles/cloudfunctions.admin', members: [USER] }])).status, 200);
});

const conditional = (expression: string): Binding[] => [{ role: 'roles/storage.objectViewer', members: [USER], condition: { title: 'documented', expression } }];

test('conditions that IAM documents are accepted: resource attributes, time, API attributes, tags', async () => {
  for (const expression of [
    "resource.type == 'storage.googleapis.com/Object' && resource.service == 'storage.googleapis.com'",
    'request.time < timestamp("2030-01-01T00:00:00Z")',
    "request.time.getHours('Europe/Paris') >= 9 && !(request.time.getDayOfWeek('Europe/Paris') in [0, 6])",
    "resource.name.extract('projects/_/buckets/b/objects/{name}').endsWith('.csv')",
    "api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly(['roles/storage.objectViewer'])",
    "resource.matchTag('123/env', 'prod')",
    'true',
  ]) {
    const response = await setPolicy('project', conditional(expression));
    assert.is(response.status, 200, `${expression}: ${JSON.stringify(response.body)}`);
  }
});

test("the example product's own grants, in every environment, are accepted on the project policy", async () => {
  const { clients, diagnostics } = validateClients(await loadClientSources(projectLayout()), product);
  assert.equal(diagnostics, []);
  for (const env of Object.keys(product.environments)) {
    const bindings: Binding[] = [];
    let project = '';
    for (const document of buildDesiredResources(product, clients, env, [
      { name: INFERENCE_WORKFLOW, description: '' },
      { name: SCHEDULED_WORKFLOW, description: '' },
    ])) {
      project = document.project;
      for (const r of document.resources) {
        if (r.kind === 'IamBinding') bindings.push({ role: r.role, members: [r.member], ...(r.condition ? { condition: { ...r.condition } } : {}) });
      }
    }
    // Clients' access lives on their managed folders' own policies now (issue 9): the project policy
    // holds the product's grants only.
    assert.ok(bindings.length > 0, 'the product grants something on the project');
    const response = await setPolicy('project', bindings, project);
    assert.is(response.status, 200, `${env}: ${JSON.stringify(response.body)}`);
  }
});

test.run();
