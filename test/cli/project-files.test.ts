import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadClientSources, projectLayout } from '../../src/cli/project-files.ts';
import { UserError } from '../../src/diagnostics.ts';

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

test.run();
