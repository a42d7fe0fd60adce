import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cp, mkdir, readFile, rm, stat, writeFile, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProject } from '../../src/cli/generate.ts';
import { checkProject } from '../../src/cli/check.ts';
import { readTree, writeTreeAtomically } from '../../src/cli/generated-dir.ts';
import type { ProjectLayout } from '../../src/cli/project-files.ts';
import { UserError } from '../../src/diagnostics.ts';
import { scratchProject } from '../support/scratch-project.ts';
import { parseResourceDocument } from '../../src/generate/documents.ts';

const goldenDir = fileURLToPath(new URL('./golden', import.meta.url));

let work: string;
let layout: ProjectLayout;

test.before.each(async () => {
  ({ work, layout } = await scratchProject('bw-generate-'));
});
test.after.each(async () => {
  await rm(work, { recursive: true, force: true });
});

test('golden: the whole generated/ tree of the fixture clients (UPDATE=1 refreshes)', async () => {
  await generateProject(layout);
  const actual = await readTree(layout.generatedDir);
  if (process.env.UPDATE === '1') {
    await rm(goldenDir, { recursive: true, force: true });
    await cp(layout.generatedDir, goldenDir, { recursive: true });
  }
  const golden = await readTree(goldenDir);
  assert.equal([...actual.keys()], [...golden.keys()], 'same files');
  for (const [path, text] of actual) assert.fixture(text, golden.get(path)!, `generated/${path} differs from the golden file`);
});

test('output is byte-identical across runs, and a second run rewrites nothing', async () => {
  const first = await generateProject(layout);
  assert.ok(first.written.length > 0);
  const before = await readTree(layout.generatedDir);
  const mtime = (await stat(join(layout.generatedDir, 'dev/product.yaml'))).mtimeMs;
  const second = await generateProject(layout);
  assert.equal(second.written, []);
  assert.equal(second.removed, []);
  assert.equal(await readTree(layout.generatedDir), before);
  assert.is((await stat(join(layout.generatedDir, 'dev/product.yaml'))).mtimeMs, mtime);
});

test('adding a client adds only its files; removing it makes them disappear', async () => {
  await generateProject(layout);
  const before = await readTree(layout.generatedDir);
  await writeFile(join(layout.clientsDir, 'initech-co.json'), JSON.stringify({ name: 'initech-co', environments: ['dev'] }));
  const added = await generateProject(layout);
  assert.equal(added.written, ['dev/clients/initech-co.yaml']);
  const doc = parseResourceDocument(await readFile(join(layout.generatedDir, 'dev/clients/initech-co.yaml'), 'utf8'), 'x');
  assert.is(doc.client, 'initech-co');
  // Its access is on its own managed folders and topic (issue 9), none on the project policy.
  assert.equal(
    doc.resources.map((r) => r.kind),
    ['ServiceAccount', 'Topic', 'ManagedFolder', 'ResourcePolicy', 'ManagedFolder', 'ResourcePolicy', 'ManagedFolder', 'ResourcePolicy', 'ResourcePolicy', 'Trigger', 'RunSettings'],
  );
  await rm(join(layout.clientsDir, 'initech-co.json'));
  const removed = await generateProject(layout);
  assert.equal(removed.removed, ['dev/clients/initech-co.yaml']);
  assert.equal(await readTree(layout.generatedDir), before);
});

test('adding a client with notification targets changes no product.yaml: its secret grants are in its own file', async () => {
  await generateProject(layout);
  const before = await readTree(layout.generatedDir);
  // Two pull requests, each adding one notifying client in every environment: neither touches a product.yaml.
  for (const name of ['initech-co', 'hooli-xyz']) {
    const notify = [{ type: 'slack', secret: `${name}-slack-webhook`, on: 'failure' }];
    await writeFile(join(layout.clientsDir, `${name}.json`), JSON.stringify({ name, environments: ['dev', 'staging', 'prod'], notify }));
    const added = await generateProject(layout);
    assert.equal(
      added.written,
      ['dev', 'prod', 'staging'].map((env) => `${env}/clients/${name}.yaml`),
    );
    const doc = parseResourceDocument(await readFile(join(layout.generatedDir, `dev/clients/${name}.yaml`), 'utf8'), 'x');
    const grants = doc.resources.filter((r) => r.kind === 'SecretAccess');
    assert.equal(
      grants.map((g) => g.kind === 'SecretAccess' && `${g.secret} ${g.member}`),
      [`projects/${doc.project}/secrets/${name}-slack-webhook serviceAccount:scoring@${doc.project}.iam.gserviceaccount.com`],
    );
  }
  const after = await readTree(layout.generatedDir);
  for (const env of ['dev', 'staging', 'prod']) assert.is(after.get(`${env}/product.yaml`), before.get(`${env}/product.yaml`), `${env}/product.yaml unchanged`);
});

test('every file starts with a header naming its sources', async () => {
  await generateProject(layout);
  const tree = await readTree(layout.generatedDir);
  assert.match(tree.get('dev/clients/acme-corp.yaml')!, /^# Generated by batch-workflows from clients\/acme-corp\.json, workflows\/product\.ts\.\n# Do not edit/);
  assert.match(tree.get('workflows/batch-inference.yaml')!, /^# Generated by batch-workflows from workflows\/batch-inference\.ts, workflows\/product\.ts\./);
  assert.match(tree.get('workflows/batch-inference.md')!, /^<!-- Generated by batch-workflows/);
  assert.match(tree.get('workflows/batch-inference.md')!, /```mermaid\nflowchart/);
  assert.match(tree.get('schema/client.schema.json')!, /"\$comment": "Generated by batch-workflows/);
});

test('a bad client file writes nothing and reports its location', async () => {
  await generateProject(layout);
  const before = await readTree(layout.generatedDir);
  await writeFile(join(layout.clientsDir, 'acme-corp.json'), '{ "name": "acme-corp", "schedule": { "cron": "* * *" } }');
  await writeFile(join(layout.clientsDir, 'zz.json'), '{ "name": "zz" }');
  try {
    await generateProject(layout);
    assert.unreachable('generate must fail');
  } catch (error) {
    assert.instance(error, UserError);
    const message = (error as UserError).message;
    assert.match(message, /clients\/acme-corp\.json:1:\d+: schedule\.cron: invalid cron expression/);
    assert.match(message, /clients\/zz\.json:1:\d+: name: "zz" is not a valid client name/);
  }
  assert.equal(await readTree(layout.generatedDir), before);
});

test('check names hand-edited, missing and unexpected files, and passes on a fresh tree', async () => {
  await generateProject(layout);
  assert.equal(await checkProject(layout), { missing: [], stale: [], unexpected: [] });
  const edited = join(layout.generatedDir, 'dev/clients/acme-corp.yaml');
  await writeFile(edited, (await readFile(edited, 'utf8')).replace('roles/storage.objectViewer', 'roles/storage.admin'));
  await rm(join(layout.generatedDir, 'prod/product.yaml'));
  await writeFile(join(layout.generatedDir, 'dev/clients/ghost.yaml'), 'x');
  assert.equal(await checkProject(layout), {
    missing: ['prod/product.yaml'],
    stale: ['dev/clients/acme-corp.yaml'],
    unexpected: ['dev/clients/ghost.yaml'],
  });
});

test('a write that fails half-way leaves the previous generated/ intact', async () => {
  const dir = join(work, 'tree');
  await writeTreeAtomically(
    dir,
    new Map([
      ['a.yaml', 'one\n'],
      ['b/c.yaml', 'two\n'],
    ]),
  );
  const before = await readTree(dir);
  // 'b' cannot be both a file and a folder: the assembly fails after some files were written.
  const failed = await writeTreeAtomically(
    dir,
    new Map([
      ['a.yaml', 'changed\n'],
      ['b', 'file\n'],
      ['b/c.yaml', 'x\n'],
    ]),
  ).then(
    () => false,
    () => true,
  );
  assert.ok(failed, 'the write must fail');
  assert.equal(await readTree(dir), before);
  await writeTreeAtomically(dir, new Map([['a.yaml', 'three\n']]));
  assert.equal(await readTree(dir), new Map([['a.yaml', 'three\n']]));
});

test('a crash between the two renames is recovered by the next run', async () => {
  const dir = join(work, 'tree');
  await writeTreeAtomically(dir, new Map([['a.yaml', 'one\n']]));
  await rename(dir, join(work, '.tree.old'));
  await mkdir(join(work, '.tree.next'));
  await writeTreeAtomically(dir, new Map([['a.yaml', 'one\n']]));
  assert.equal(await readTree(dir), new Map([['a.yaml', 'one\n']]));
  assert.not.ok(existsSync(join(work, '.tree.old')));
  assert.not.ok(existsSync(join(work, '.tree.next')));
});

test.run();
