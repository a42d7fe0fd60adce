import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateProduct } from '../../src/config/validate-product.ts';
import { product } from '../../workflows/product.ts';

const workflows = ['batch-inference', 'batch-scheduled'];
const withDev = (dev: Record<string, unknown>) => ({ ...product, environments: { ...product.environments, dev: { ...product.environments.dev, ...dev } } });

test('the example product is valid', () => {
  assert.equal(validateProduct(product, workflows), []);
});

test('a project name pasted for the id is one problem, not two (the default bucket derives from it)', () => {
  const problems = validateProduct(withDev({ project: 'Scoring Dev' }) as typeof product, workflows);
  assert.equal(
    problems.map((p) => p.path),
    ['environments.dev.project'],
  );
  assert.match(problems[0]!.fix!, 'project id');
});

test('an explicit bad bucket is reported with the rule; dots are named only when there are dots', () => {
  const [underscore] = validateProduct(withDev({ bucket: '_scoring' }) as typeof product, workflows);
  assert.is(underscore!.path, 'environments.dev.bucket');
  assert.not.match(underscore!.message, 'dotted');
  const [dotted] = validateProduct(withDev({ bucket: 'batch.example.com' }) as typeof product, workflows);
  assert.match(dotted!.message, 'dotted');
});

test('a product display name that makes the service account display name too long', () => {
  const problems = validateProduct({ ...product, displayName: 'x'.repeat(95) }, workflows);
  assert.equal(
    problems.map((p) => p.path),
    ['displayName'],
  );
});

test('a basic role or a project-wide actAs role in product.ts is refused at generate, with line and column', () => {
  const source = [
    'export const product = defineProduct({',
    "  serviceAccountRoles: ['roles/batch.jobsEditor', 'roles/editor', 'roles/iam.serviceAccountUser'],",
    "  workerServiceAccountRoles: ['roles/logging.logWriter', 'roles/iam.serviceAccountTokenCreator', 'roles/owner'],",
    '});',
  ].join('\n');
  const bad = {
    ...product,
    serviceAccountRoles: ['roles/batch.jobsEditor', 'roles/editor', 'roles/iam.serviceAccountUser'],
    workerServiceAccountRoles: ['roles/logging.logWriter', 'roles/iam.serviceAccountTokenCreator', 'roles/owner'],
  };
  const problems = validateProduct(bad, workflows, source);
  assert.equal(
    problems.map((p) => [p.path, p.line, p.column]),
    [
      ['serviceAccountRoles[1]', 2, 51],
      ['serviceAccountRoles[2]', 2, 67],
      ['workerServiceAccountRoles[1]', 3, 58],
      ['workerServiceAccountRoles[2]', 3, 98],
    ],
  );
  assert.match(problems[0]!.message, 'basic role');
  assert.match(problems[1]!.message, 'iam.serviceAccounts.actAs');
  assert.match(problems[1]!.fix!, "worker account's own policy");
  assert.match(problems[2]!.message, 'iam.serviceAccounts.getAccessToken');
});

test('a product name whose worker account id would be too long', () => {
  const problems = validateProduct({ ...product, name: 'a-product-name-of-24-chars' }, workflows);
  assert.ok(
    problems.some((p) => p.path === 'name' && /worker service account id/.test(p.message)),
    JSON.stringify(problems),
  );
});

test.run();
