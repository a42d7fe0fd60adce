/**
 * Run settings and secret access through the real adapters (@google-cloud/storage, Secret Manager
 * REST via google-auth-library) against the local sandbox: what lands in the bucket and in each
 * secret's policy, as Google would hold it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { makePlan, planAndApply } from '../../src/apply/index.ts';
import type { Client } from '../../src/config/client-schema.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { addClientSecret, pending, quickClock, withSandbox as withSandboxOptions, type SandboxEnv } from './sandbox-env.ts';

const SETTINGS = (name: string) => `scoring/_settings/${name}.json`;
const SECRET = (id: string) => `projects/${DEV.project}/secrets/${id}`;
const PRODUCT_SA = `serviceAccount:scoring@${DEV.project}.iam.gserviceaccount.com`;
const ACCESSOR = 'roles/secretmanager.secretAccessor';
const FOREIGN = { role: ACCESSOR, members: ['group:oncall@example.com'] };

type Env = SandboxEnv;
const withSandbox = (body: (env: Env) => Promise<void>) => withSandboxOptions({}, body);

async function apply(env: Env, clients: readonly Client[], options: { prune?: boolean } = {}) {
  const outcome = await planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock, ...options });
  if (outcome.status === 'applied') assert.ok(outcome.result.ok, JSON.stringify(outcome.result.outcomes.filter((o) => o.status !== 'done')));
  return outcome;
}

const slack = (name: string, secret: string): Client => client(name, { notify: [{ type: 'slack', secret, on: 'failure' }] });

/** A person grants someone else on the secret, as `gcloud secrets add-iam-policy-binding` would. */
async function grantForeign(sandbox: Env['sandbox'], secret: string): Promise<void> {
  const url = `${sandbox.endpoints.secretmanager}/v1/${secret}`;
  const read = (await (await fetch(`${url}:getIamPolicy`)).json()) as { etag: string };
  const response = await fetch(`${url}:setIamPolicy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ policy: { etag: read.etag, bindings: [FOREIGN] } }) });
  assert.is(response.status, 200);
}

test('settings objects: created with real md5Hash and metadata, updated in place, unchanged ones not rewritten, pruned with the client', async () => {
  await withSandbox(async (env) => {
    const { state } = env.sandbox;
    await apply(env, [client('acme-corp'), client('globex-inc')]);
    const acme = state.getObject(DEV.bucket, SETTINGS('acme-corp'))!;
    const content = state.readObjectText(DEV.bucket, SETTINGS('acme-corp'))!;
    assert.is(JSON.parse(content).client, 'acme-corp');
    assert.is(acme.contentType, 'application/json');
    assert.is(acme.md5Hash, createHash('md5').update(content).digest('base64'));
    assert.equal(acme.metadata, { 'managed-by': 'batch-workflows', product: 'scoring', client: 'acme-corp' });
    const globex = state.getObject(DEV.bucket, SETTINGS('globex-inc'))!;

    env.apis.calls.reset();
    assert.equal(pending(await makePlan(env.apis, documentsFor([client('acme-corp'), client('globex-inc')]))), []);
    assert.is(env.apis.calls.snapshot()['storage.objects.get'], undefined);
    assert.is(env.apis.calls.snapshot()['storage.objects.list'], 1);

    const edited = [client('acme-corp', { batch: { taskCount: 4, parallelism: 2 } }), client('globex-inc')];
    const plan = await makePlan(env.apis, documentsFor(edited));
    assert.equal(pending(plan), [`update RunSettings gs://${DEV.bucket}/${SETTINGS('acme-corp')}`]);
    const update = plan.changes.find((c) => c.action === 'update');
    assert.equal(update?.action === 'update' ? update.fields.map((f) => f.path) : [], ['settings.batch.parallelism', 'settings.batch.taskCount']);
    await apply(env, edited);
    const acmeAfter = state.getObject(DEV.bucket, SETTINGS('acme-corp'))!;
    assert.is.not(acmeAfter.generation, acme.generation);
    assert.equal(JSON.parse(state.readObjectText(DEV.bucket, SETTINGS('acme-corp'))!).batch.taskCount, 4);
    assert.is(state.getObject(DEV.bucket, SETTINGS('globex-inc'))!.generation, globex.generation);
    assert.equal(
      state.listObjects(DEV.bucket, 'scoring/_settings/').map((o) => o.name),
      [SETTINGS('acme-corp'), SETTINGS('globex-inc')],
    );

    await apply(env, [edited[0]!]);
    assert.ok(state.getObject(DEV.bucket, SETTINGS('globex-inc')));
    await apply(env, [edited[0]!], { prune: true });
    assert.is(state.getObject(DEV.bucket, SETTINGS('globex-inc')), undefined);
    assert.equal(pending(await makePlan(env.apis, documentsFor([edited[0]!]), { prune: true })), []);
  });
});

test('secret access: bound on the named secrets only, other members kept; an unnamed secret loses only our member with --prune', async () => {
  await withSandbox(async (env) => {
    const { state } = env.sandbox;
    addClientSecret(env.sandbox, 'acme-slack', 'https://hooks.slack.com/services/T/B/acme', 'acme-corp');
    addClientSecret(env.sandbox, 'globex-slack', 'https://hooks.slack.com/services/T/B/globex', 'globex-inc');
    state.addSecretVersion(DEV.project, 'unrelated', 'x');
    await grantForeign(env.sandbox, SECRET('acme-slack'));
    const clients = [slack('acme-corp', 'acme-slack'), slack('globex-inc', 'globex-slack')];
    await apply(env, clients);

    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, [{ role: ACCESSOR, members: [...FOREIGN.members, PRODUCT_SA] }]);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('globex-slack')))!.bindings, [{ role: ACCESSOR, members: [PRODUCT_SA] }]);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('unrelated')))!.bindings, []);
    const project = await env.apis.projectIam.getPolicy(DEV.project);
    assert.not.ok(
      project.bindings.some((b) => b.role.startsWith('roles/secretmanager.')),
      JSON.stringify(project.bindings),
    );
    assert.is(state.getObject(DEV.bucket, SETTINGS('acme-corp'))!.metadata?.secrets, SECRET('acme-slack'));
    assert.equal(pending(await makePlan(env.apis, documentsFor(clients))), []);

    // acme-corp stops notifying: without --prune the grant stays, listed as would-revoke.
    const quiet = [client('acme-corp'), slack('globex-inc', 'globex-slack')];
    const kept = await apply(env, quiet);
    assert.ok(kept.plan.changes.some((c) => c.kind === 'SecretAccess' && c.action === 'orphan' && c.key.includes('acme-slack')));
    assert.ok((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings[0]!.members.includes(PRODUCT_SA));
    await apply(env, quiet, { prune: true });
    assert.equal((await env.apis.secrets.getPolicy(SECRET('acme-slack')))!.bindings, [FOREIGN]);
    assert.equal((await env.apis.secrets.getPolicy(SECRET('globex-slack')))!.bindings, [{ role: ACCESSOR, members: [PRODUCT_SA] }]);
    assert.equal(pending(await makePlan(env.apis, documentsFor(quiet), { prune: true })), []);
  });
});

test('a secret that does not exist: the plan refuses with the gcloud command that creates it', async () => {
  await withSandbox(async (env) => {
    const plan = await makePlan(env.apis, documentsFor([slack('acme-corp', 'acme-slack')]));
    assert.equal(
      plan.errors.map((e) => e.path),
      [SECRET('acme-slack')],
    );
    // The set-up command labels the secret for the client that names it (issue 9).
    assert.match(plan.errors[0]!.fix ?? '', `| gcloud secrets create acme-slack --project=${DEV.project} --labels=batch-workflows-product=scoring,batch-workflows-client=acme-corp --data-file=-`);
  });
});

test.run();
