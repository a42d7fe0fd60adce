import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientSources, loadProduct, loadWorkflows, projectLayout } from '../../src/cli/project-files.ts';
import { UserError } from '../../src/diagnostics.ts';
import { userErrorOf } from '../user-error.ts';

test('a folder named like a client file is a located user error, not a crash', async () => {
  const root = mkdtempSync(join(tmpdir(), 'clients-'));
  try {
    mkdirSync(join(root, 'clients'));
    writeFileSync(join(root, 'clients', 'acme-corp.json'), '{"name": "acme-corp"}');
    mkdirSync(join(root, 'clients', 'backup.json'));
    let error: unknown;
    try {
      await loadClientSources(projectLayout(root));
    } catch (e) {
      error = e;
    }
    assert.instance(error, UserError);
    const [d] = (error as UserError).diagnostics;
    assert.is(d!.file, 'clients/backup.json');
    assert.match(d!.message, 'is a folder');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('client files are read in name order', async () => {
  const root = mkdtempSync(join(tmpdir(), 'clients-'));
  try {
    mkdirSync(join(root, 'clients'));
    for (const name of ['zeta-corp', 'acme-corp', 'mid-corp']) writeFileSync(join(root, 'clients', `${name}.json`), `{"name": "${name}"}`);
    writeFileSync(join(root, 'clients', 'notes.txt'), 'not a client');
    const sources = await loadClientSources(projectLayout(root));
    assert.equal(sources.map((s) => s.file), ['clients/acme-corp.json', 'clients/mid-corp.json', 'clients/zeta-corp.json']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});


test('a syntax error or an exception in workflows/*.ts is located in that file, not an internal error', async () => {
  const root = mkdtempSync(join(tmpdir(), 'workflows-'));
  try {
    mkdirSync(join(root, 'workflows'));
    writeFileSync(join(root, 'workflows', 'product.ts'), 'export const product = {\n  name: "x",\n  oops: ;\n};\n');
    writeFileSync(join(root, 'workflows', 'broken.ts'), 'const a = 1;\nthrow new Error("no workflow today");\n');
    const syntax = (await userErrorOf(loadProduct(projectLayout(root)))).diagnostics[0]!;
    assert.is(syntax.file, 'workflows/product.ts');
    assert.is(syntax.line, 3);
    assert.match(syntax.message, 'Unexpected');
    const thrown = (await userErrorOf(loadWorkflows(projectLayout(root)))).diagnostics[0]!;
    assert.is(thrown.file, 'workflows/broken.ts');
    assert.is(thrown.line, 2);
    assert.match(thrown.message, 'no workflow today');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
