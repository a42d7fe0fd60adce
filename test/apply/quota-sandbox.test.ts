/**
 * Issue 10 item 5: a service account quota the apply would exceed is an error before anything is
 * written (Google's default of 100 per project: https://cloud.google.com/iam/quotas), not a
 * warning; a raised quota declared in product.ts (quotas.serviceAccounts, carried in product.yaml)
 * is used instead. Real adapters against the sandbox.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planAndApply } from '../../src/apply/index.ts';
import { UserError } from '../../src/diagnostics.ts';
import { parseResourceDocument, serializeResourceDocument } from '../../src/generate/documents.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

/** Another team's accounts, filling the project up to `count`. */
async function otherAccounts(env: SandboxEnv, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const id = `other-team-${String(i).padStart(3, '0')}`;
    const email = `${id}@${DEV.project}.iam.gserviceaccount.com`;
    await env.apis.serviceAccounts.create({
      kind: 'ServiceAccount',
      owner: { product: '' },
      name: `projects/${DEV.project}/serviceAccounts/${email}`,
      project: DEV.project,
      accountId: id,
      email,
      displayName: id,
      description: 'not ours',
    });
  }
}

const withQuota = (docs: readonly ResourceDocument[], serviceAccounts: number): ResourceDocument[] => docs.map((d) => (d.client === undefined ? { ...d, quotas: { serviceAccounts } } : d));

test('an apply that would exceed the service account quota is refused before any write; a declared raised quota lets it through', async () => {
  await withSandbox({}, async (env) => {
    await otherAccounts(env, 97);
    // The orchestrator, the worker and two client accounts: 101 after the apply.
    const docs = documentsFor([client('acme-corp'), client('globex-inc')]);
    let refused: unknown;
    try {
      await planAndApply({ documents: docs, apis: env.apis, clock: quickClock });
    } catch (error) {
      refused = error;
    }
    assert.ok(refused instanceof UserError, `refused: ${String(refused)}`);
    const problem = refused.diagnostics.find((d) => d.message.includes('service accounts'));
    assert.ok(problem, refused.message);
    assert.match(problem!.message, '101 service accounts (4 to create); its quota is 100');
    assert.match(problem!.fix ?? '', 'quotas: { serviceAccounts: N }');
    assert.is((await env.apis.serviceAccounts.list(DEV.project)).length, 97, 'nothing was created');
    assert.is((await env.apis.topics.list(DEV.project)).length, 0, 'nothing was created');

    // The quota survives the round trip through generated/product.yaml.
    const raised = withQuota(docs, 150).map((d) => ({ ...parseResourceDocument(serializeResourceDocument(d, []), 'x.yaml'), resources: d.resources }));
    assert.equal(raised[0]!.quotas, { serviceAccounts: 150 });
    const applied = await planAndApply({ documents: raised, apis: env.apis, clock: quickClock });
    assert.ok(applied.status === 'applied' && applied.result.ok);
    assert.is((await env.apis.serviceAccounts.list(DEV.project)).length, 101);
    // At the declared quota, one more client is refused again, naming product.ts.
    let again: unknown;
    try {
      await planAndApply({ documents: withQuota(documentsFor([client('acme-corp'), client('globex-inc'), client('initech-llc')]), 101), apis: env.apis, clock: quickClock });
    } catch (error) {
      again = error;
    }
    assert.ok(again instanceof UserError);
    assert.match(again.message, 'quotas.serviceAccounts in workflows/product.ts');
  });
});

test.run();
