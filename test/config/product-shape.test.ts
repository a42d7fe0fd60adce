/**
 * workflows/product.ts is checked at generate time as its types check it (tsx runs it unchecked):
 * unknown keys, machine types, regions and image references, each at workflows/product.ts:LINE:COL.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateProduct } from '../../src/config/validate-product.ts';
import { imageReferenceProblem } from '../../src/config/image-reference.ts';
import { PRODUCT_REGIONS } from '../../src/config/regions-data.ts';
import { formatDiagnostic } from '../../src/diagnostics.ts';
import type { ProductDefinition } from '../../src/config/product.ts';

const original = await readFile(new URL('../../workflows/product.ts', import.meta.url), 'utf8');
const productModule = pathToFileURL(new URL('../../src/config/product.ts', import.meta.url).pathname).href;

/** Loads an edited copy of workflows/product.ts, as generate would, and validates it with its text. */
async function validateEdited(edit: (text: string) => string): Promise<string[]> {
  const text = edit(original).replace("'../src/config/product.ts'", `'${productModule}'`);
  const dir = await mkdtemp(join(tmpdir(), 'bw-product-'));
  try {
    await writeFile(join(dir, 'product.ts'), text);
    const { product } = (await import(pathToFileURL(join(dir, 'product.ts')).href)) as { product: ProductDefinition };
    return validateProduct(product, ['batch-inference', 'batch-scheduled'], edit(original)).map((d) => formatDiagnostic(d));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** 1-based line and column of the `nth` occurrence of `needle` in `text`. */
function where(text: string, needle: string, nth = 0): string {
  let index = -1;
  for (let k = 0; k <= nth; k++) index = text.indexOf(needle, index + 1);
  const before = text.slice(0, index).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

test('the example product has no problems', async () => {
  assert.equal(await validateEdited((t) => t), []);
});

test('imgae, foo, n1-standard-3, europe-west99, us-east99 and a bad image: every one located, with a fix', async () => {
  const edit = (t: string) =>
    t
      .replace("      image: 'europe-west1-docker.pkg.dev/scoring-prod", "      imgae: 'europe-west1-docker.pkg.dev/scoring-prod")
      .replace("  displayName: 'Batch scoring',", "  displayName: 'Batch scoring',\n  foo: 1,")
      .replace("machineType: 'n1-standard-2'", "machineType: 'n1-standard-3'")
      .replace("staging: { project: 'scoring-staging-4821', region: 'europe-west1' }", "staging: { project: 'scoring-staging-4821', region: 'europe-west99' }")
      .replace("dev: { project: 'scoring-dev-4821', region: 'europe-west1' }", "dev: { project: 'scoring-dev-4821', region: 'us-east99', image: 'Europe-west1-docker.pkg.dev/x/y' }");
  const text = edit(original);
  const lines = await validateEdited(edit);
  const expected = [
    `workflows/product.ts:${where(text, 'foo: 1')}: foo: unknown key "foo"`,
    `workflows/product.ts:${where(text, "'n1-standard-3'")}: batch.machineType: "n1-standard-3" does not exist`,
    `workflows/product.ts:${where(text, "'Europe-west1")}: environments.dev.image: image "Europe-west1-docker.pkg.dev/x/y" an Artifact Registry image is`,
    `workflows/product.ts:${where(text, "'us-east99'")}: environments.dev.region: "us-east99" is not a region offering Workflows and Batch`,
    `workflows/product.ts:${where(text, "'europe-west99'")}: environments.staging.region: "europe-west99" is not a region`,
    `workflows/product.ts:${where(text, 'imgae:')}: environments.prod.imgae: unknown key "imgae" in environments.prod`,
  ];
  for (const line of expected)
    assert.ok(
      lines.some((l) => l.startsWith(line)),
      `missing\n  ${line}\nin\n${lines.join('\n')}`,
    );
  assert.is(lines.length, expected.length, lines.join('\n'));
  assert.match(lines.join('\n'), 'did you mean "image"?');
  assert.match(lines.join('\n'), 'did you mean "europe-west9"?');
  assert.match(lines.join('\n'), 'fix: ');
});

test('quotas: serviceAccounts is accepted as a whole number; a misspelt key or a bad value is located', async () => {
  const dev = "dev: { project: 'scoring-dev-4821', region: 'europe-west1' }";
  assert.equal(await validateEdited((t) => t.replace(dev, "dev: { project: 'scoring-dev-4821', region: 'europe-west1', quotas: { serviceAccounts: 250 } }")), []);
  const edit = (t: string) => t.replace(dev, "dev: { project: 'scoring-dev-4821', region: 'europe-west1', quotas: { serviceAcounts: 250 } }");
  const lines = await validateEdited(edit);
  assert.is(lines.length, 1, lines.join('\n'));
  assert.ok(lines[0]!.startsWith(`workflows/product.ts:${where(edit(original), 'serviceAcounts')}: environments.dev.quotas.serviceAcounts: unknown key`), lines[0]);
  assert.match(lines[0]!, 'did you mean "serviceAccounts"?');
  const bad = await validateEdited((t) => t.replace(dev, "dev: { project: 'scoring-dev-4821', region: 'europe-west1', quotas: { serviceAccounts: 2.5 } }"));
  assert.is(bad.length, 1, bad.join('\n'));
  assert.match(bad[0]!, 'environments.dev.quotas.serviceAccounts: quotas.serviceAccounts must be a whole number');
});

test('image references: Artifact Registry, gcr.io, Docker Hub, digests; and what is refused', () => {
  for (const ok of [
    'europe-west1-docker.pkg.dev/scoring-dev-4821/batch/scoring-app:latest',
    `us-docker.pkg.dev/my-project/my-repo/team/app@sha256:${'a'.repeat(64)}`,
    'gcr.io/my-project/app:v1.2_3',
    'python:3.12-slim',
    'localhost:5000/app',
  ]) {
    assert.is(imageReferenceProblem(ok), undefined, ok);
  }
  for (const [bad, why] of [
    ['https://europe-west1-docker.pkg.dev/p/r/i', 'is a URL'],
    ['europe-west1-docker.pkg.dev/scoring-dev-4821/app:1', 'LOCATION-docker.pkg.dev/PROJECT-ID/REPOSITORY/IMAGE'],
    ['europe-west1-docker.pkg.dev/Scoring/batch/app', 'path component "Scoring"'],
    ['gcr.io/p/app:-bad', 'tag "-bad"'],
    ['gcr.io/p/app@sha256:xyz', 'digest'],
    [' gcr.io/p/app', 'spaces'],
    ['gcr.io/p//app', 'path component ""'],
  ] as const) {
    assert.match(imageReferenceProblem(bad) ?? '', why, bad);
  }
});

test("the region list is the intersection of Google's Workflows and Batch locations", () => {
  assert.ok(PRODUCT_REGIONS.includes('europe-west1') && PRODUCT_REGIONS.includes('us-central1'));
  assert.not.ok((PRODUCT_REGIONS as readonly string[]).includes('northamerica-south1'), 'Workflows only');
  assert.not.ok((PRODUCT_REGIONS as readonly string[]).includes('me-west1'), 'Batch only (as retrieved)');
});

test.run();
