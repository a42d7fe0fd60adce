/**
 * Bounds and odd files (issue 10, item 8): each is a located user error, and generate writes nothing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateClients } from '../../src/config/load-clients.ts';
import { MAX_CLIENT_FILE_BYTES, MAX_RUN_SETTINGS_BYTES } from '../../src/config/limits.ts';
import { MAX_JSON_DEPTH, parseJsonWithLocations } from '../../src/config/json-with-locations.ts';
import { formatDiagnostic, type Diagnostic } from '../../src/diagnostics.ts';
import { generateProject } from '../../src/cli/generate.ts';
import { readTree } from '../../src/cli/generated-dir.ts';
import { loadClientSources, projectLayout, type ProjectLayout } from '../../src/cli/project-files.ts';
import { product } from '../../workflows/product.ts';
import { userErrorOf } from '../support/user-error.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const validate = (text: string, name = 'acme-corp') => validateClients([{ file: `clients/${name}.json`, text }], product).diagnostics;

test('200,000 nested lists: one located error at the level beyond the bound, no stack overflow', () => {
  const parsed = parseJsonWithLocations('['.repeat(200_000) + ']'.repeat(200_000));
  assert.equal(parsed.ok ? undefined : [parsed.position, parsed.message.slice(0, 20)], [{ line: 1, column: MAX_JSON_DEPTH + 1 }, 'nesting deeper than ']);
  // Within the file size bound: 100,000 deep.
  const [d, ...rest] = validate('['.repeat(100_000) + ']'.repeat(100_000));
  assert.equal(rest, []);
  assert.is(d!.line, 1);
  assert.is(d!.column, MAX_JSON_DEPTH + 1);
  assert.match(d!.message, `nesting deeper than ${MAX_JSON_DEPTH} levels`);
  assert.not.match(d!.message, 'malformed JSON');
});

test('nesting inside a field is refused at the same bound, located where it starts', () => {
  const deep = `${'{"a":'.repeat(20)}1${'}'.repeat(20)}`;
  const [d] = validate(`{\n  "name": "acme-corp",\n  "batch": {"environment": ${deep}}\n}`);
  assert.is(d!.line, 3);
  assert.match(d!.message, 'nesting deeper');
});

test('1e999 is a located error naming the number, not "expected number, found number null"', () => {
  const [d, ...rest] = validate('{\n  "name": "acme-corp",\n  "batch": { "taskCount": 1e999 }\n}');
  assert.equal(rest, []);
  assert.equal([d!.line, d!.column], [3, 27]);
  assert.match(d!.message, 'the number 1e999 is too large');
  assert.not.match(formatDiagnostic(d!), 'null');
});

test('a "__proto__" key is refused where it stands, in a map as at the top', () => {
  for (const text of [
    '{\n  "name": "acme-corp",\n  "batch": { "environment": { "__proto__": "x" } }\n}',
    '{\n  "name": "acme-corp",\n  "tracking": { "tags": {\n    "__proto__": { "a": "b" } } }\n}',
  ]) {
    const [d, ...rest] = validate(text);
    assert.equal(rest, []);
    assert.match(d!.message, 'the key "__proto__" is not allowed');
    assert.ok(d!.line === 3 || d!.line === 4, formatDiagnostic(d!));
  }
});

test('a client file over 256 KiB is refused by the pure core too, before it is parsed', () => {
  const text = JSON.stringify({ name: 'acme-corp', displayName: 'x'.repeat(MAX_CLIENT_FILE_BYTES) });
  const [d, ...rest] = validate(text);
  assert.equal(rest, []);
  assert.match(d!.message, `over the 256 KiB a client file may have`);
});

// --- files on disk, through generate: refused, and generated/ is left as it was -----------------

let work: string;
let layout: ProjectLayout;
test.before.each(async () => {
  work = await mkdtemp(join(tmpdir(), 'bw-bounds-'));
  layout = projectLayout(root, { clientsDir: join(work, 'clients'), generatedDir: join(work, 'generated') });
  await rm(layout.clientsDir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(layout.clientsDir));
  await writeFile(join(layout.clientsDir, 'acme-corp.json'), JSON.stringify({ name: 'acme-corp' }));
  await generateProject(layout);
});
test.after.each(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Generate must fail with a user error whose report contains every fragment, and write nothing. */
async function refused(fragments: string[]): Promise<Diagnostic[]> {
  const before = await readTree(layout.generatedDir);
  const error = await userErrorOf(generateProject(layout));
  for (const fragment of fragments) assert.match(error.message, fragment);
  assert.equal(await readTree(layout.generatedDir), before, 'generated/ is unchanged');
  return [...error.diagnostics];
}

test('a 48 MB client file is refused without being read', async () => {
  const handle = await open(join(layout.clientsDir, 'big-client.json'), 'w');
  await handle.truncate(48 * 1024 * 1024); // sparse: the size is what counts, not the content
  await handle.close();
  const before = process.memoryUsage().rss;
  await refused(['clients/big-client.json: is 50331648 bytes, over the 256 KiB a client file may have (it was not read)']);
  assert.ok(process.memoryUsage().rss - before < 40 * 1024 * 1024, 'the file was not read whole');
});

test('clients/x.JSON and clients/x.json.bak are refused, not silently skipped; notes.txt and dot-files are not client files', async () => {
  await writeFile(join(layout.clientsDir, 'globex-retail.JSON'), JSON.stringify({ name: 'globex-retail' }));
  await writeFile(join(layout.clientsDir, 'initech-co.json.bak'), JSON.stringify({ name: 'initech-co' }));
  await writeFile(join(layout.clientsDir, 'notes.txt'), 'not a client');
  await writeFile(join(layout.clientsDir, '.acme-corp.json.swp'), 'editor swap');
  const ds = await refused(['rename it to clients/globex-retail.json', 'rename it to clients/initech-co.json']);
  assert.equal(
    ds.map((d) => d.file),
    ['clients/globex-retail.JSON', 'clients/initech-co.json.bak'],
  );
});

test('a symbolic link to a file outside the project is refused; one inside the project is read', async () => {
  const outside = join(work, 'elsewhere.json');
  await writeFile(outside, JSON.stringify({ name: 'globex-retail' }));
  await symlink(outside, join(layout.clientsDir, 'globex-retail.json'));
  await refused(['clients/globex-retail.json: is a symbolic link to', 'outside the project']);
  await rm(join(layout.clientsDir, 'globex-retail.json'));
  await symlink(join(root, 'clients/globex-retail.json'), join(layout.clientsDir, 'globex-retail.json'));
  const sources = await loadClientSources(layout);
  assert.equal(
    sources.map((s) => s.file),
    ['clients/acme-corp.json', 'clients/globex-retail.json'],
  );
  assert.is(sources[1]!.text, await readFile(join(root, 'clients/globex-retail.json'), 'utf8'));
});

test('run settings larger than a workflow can hold are refused at generate, naming the client file', async () => {
  // 40 variables of 4,000 characters: a 160 KB file (under 256 KiB), settings over the 128 KiB budget.
  const environment = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`VAR_${i}`, 'v'.repeat(4000)]));
  await writeFile(join(layout.clientsDir, 'globex-retail.json'), JSON.stringify({ name: 'globex-retail', batch: { environment } }));
  const [d] = await refused(['clients/globex-retail.json: the resolved run settings of this client are', `over the ${MAX_RUN_SETTINGS_BYTES / 1024} KiB a run can hold`]);
  assert.is(d!.file, 'clients/globex-retail.json');
  // Just under the budget is fine.
  const fits = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`VAR_${i}`, 'v'.repeat(4000)]));
  await writeFile(join(layout.clientsDir, 'globex-retail.json'), JSON.stringify({ name: 'globex-retail', batch: { environment: fits } }));
  const summary = await generateProject(layout);
  assert.is(summary.clients, 2);
});

test.run();
