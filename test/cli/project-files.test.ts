import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadClientSources, loadProduct, loadWorkflows, projectLayout } from '../../src/cli/project-files.ts';
import { userErrorOf } from '../support/user-error.ts';

/** A throw-away project root holding `files` (path → text; a path ending in `/` is a folder). */
async function withProject(files: Record<string, string>, body: (root: string) => Promise<void>): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'project-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path.endsWith('/') ? path : dirname(path)), { recursive: true });
      if (!path.endsWith('/')) writeFileSync(join(root, path), text);
    }
    await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a folder named like a client file is a located user error, not a crash', () =>
  withProject({ 'clients/acme-corp.json': '{"name": "acme-corp"}', 'clients/backup.json/': '' }, async (root) => {
    const [d] = (await userErrorOf(loadClientSources(projectLayout(root)))).diagnostics;
    assert.is(d!.file, 'clients/backup.json');
    assert.match(d!.message, 'is a folder');
  }));

test('client files are read in name order', () =>
  withProject({ ...Object.fromEntries(['zeta-corp', 'acme-corp', 'mid-corp'].map((n) => [`clients/${n}.json`, `{"name": "${n}"}`])), 'clients/notes.txt': 'not a client' }, async (root) => {
    const sources = await loadClientSources(projectLayout(root));
    assert.equal(
      sources.map((s) => s.file),
      ['clients/acme-corp.json', 'clients/mid-corp.json', 'clients/zeta-corp.json'],
    );
  }));

test('a syntax error or an exception in workflows/*.ts is located in that file, not an internal error', () =>
  withProject(
    {
      'workflows/product.ts': 'export const product = {\n  name: "x",\n  oops: ;\n};\n',
      'workflows/broken.ts': 'const a = 1;\nthrow new Error("no workflow today");\n',
    },
    async (root) => {
      const syntax = (await userErrorOf(loadProduct(projectLayout(root)))).diagnostics[0]!;
      assert.is(syntax.file, 'workflows/product.ts');
      assert.is(syntax.line, 3);
      assert.match(syntax.message, 'Unexpected');
      const thrown = (await userErrorOf(loadWorkflows(projectLayout(root)))).diagnostics[0]!;
      assert.is(thrown.file, 'workflows/broken.ts');
      assert.is(thrown.line, 2);
      assert.match(thrown.message, 'no workflow today');
    },
  ));

test.run();
