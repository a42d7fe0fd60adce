/** An unknown role in workflows/product.ts is a user error located at its line and column, before anything is generated. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateProduct } from '../../src/config/validate-product.ts';
import { formatDiagnostic } from '../../src/diagnostics.ts';
import { generateTree } from '../../src/generate/tree.ts';
import { loadGenerateInput, projectLayout } from '../../src/cli/project-files.ts';
import { product } from '../../workflows/product.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const source = readFileSync(new URL('../../workflows/product.ts', import.meta.url), 'utf8');
const workflows = ['batch-inference', 'batch-scheduled'];

/** The product with one role replaced, and product.ts's text with the same edit. */
function withRole(from: string, to: string) {
  assert.ok(source.includes(`'${from}'`), `product.ts grants ${from}`);
  return {
    product: { ...product, serviceAccountRoles: product.serviceAccountRoles.map((r) => (r === from ? to : r)) },
    source: source.replace(`'${from}'`, `'${to}'`),
  };
}

function positionOf(text: string, needle: string) {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

test("the example product's roles all exist", () => {
  assert.equal(validateProduct(product, workflows, source), []);
});

test('a mistyped role: located at the literal, with the nearest real role as the fix', () => {
  const edited = withRole('roles/workflows.invoker', 'roles/workflows.invokr');
  const index = edited.product.serviceAccountRoles.indexOf('roles/workflows.invokr');
  const [problem, ...rest] = validateProduct(edited.product, workflows, edited.source);
  assert.equal(rest, []);
  const { line, column } = positionOf(edited.source, "'roles/workflows.invokr'");
  assert.equal({ file: problem!.file, line: problem!.line, column: problem!.column, path: problem!.path }, { file: 'workflows/product.ts', line, column, path: `serviceAccountRoles[${index}]` });
  assert.is(formatDiagnostic(problem!).split('\n')[0], `workflows/product.ts:${line}:${column}: serviceAccountRoles[${index}]: role "roles/workflows.invokr" does not exist`);
  assert.match(problem!.fix!, 'did you mean "roles/workflows.invoker"?');
});

test("the seed's roles/storage.objectLister is refused; without the file's text the path still locates it", () => {
  const edited = withRole('roles/logging.logWriter', 'roles/storage.objectLister');
  const [problem] = validateProduct(edited.product, workflows);
  assert.is(problem!.line, undefined);
  assert.match(problem!.path!, /^serviceAccountRoles\[\d+\]$/);
  assert.is(problem!.message, 'role "roles/storage.objectLister" does not exist');
  assert.match(problem!.fix!, /did you mean "roles\/storage\.object(Viewer|User)"/);
});

test('a custom role is refused with its own reason', () => {
  const edited = withRole('roles/logging.logWriter', 'projects/scoring-dev-4821/roles/topicReader');
  const [problem] = validateProduct(edited.product, workflows, edited.source);
  assert.match(problem!.message, 'is a custom role');
  assert.ok(problem!.line !== undefined);
});

test('generate stops on it before writing anything, and loadGenerateInput passes the text for the location', async () => {
  const input = await loadGenerateInput(projectLayout(root));
  assert.is(input.productSource, source);
  const edited = withRole('roles/logging.logWriter', 'roles/logging.logwriter');
  const result = generateTree({ ...input, product: edited.product, productSource: edited.source });
  assert.is(result.ok, false);
  if (result.ok) return;
  const { line, column } = positionOf(edited.source, "'roles/logging.logwriter'");
  assert.equal(
    result.diagnostics.map((d) => [d.file, d.line, d.column, d.message]),
    [['workflows/product.ts', line, column, 'role "roles/logging.logwriter" does not exist']],
  );
  assert.match(result.diagnostics[0]!.fix!, '"roles/logging.logWriter"');
});

test.run();
