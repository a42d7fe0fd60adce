/**
 * The folder table of docs/architecture.md is the import rule: each row's "imports" column lists, in
 * backticks, what files of that folder may import besides their own folder. Entries: a folder
 * (`src/names/`, also its subfolders), a file (`src/local/sandbox-apis.ts`), `src/*.ts` (the files
 * directly in src/), `src/` (anything). npm packages are free, except the two rules of "Rules that
 * hold everywhere" checked here too: Google SDKs only in src/gcp/, and the Node built-ins that touch
 * files, processes or the network only in src/cli/, src/local/ and scripts/.
 *
 * Imports are read with the TypeScript compiler's `preProcessFile`: static imports (type-only ones
 * too), `export … from`, dynamic `import()` and `typeof import()`.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Row {
  /** First column's backticked names: `src/plan/`, or a file such as `src/cli.ts`. */
  readonly keys: readonly string[];
  readonly allowed: readonly string[];
}

interface SourceFile {
  /** Relative to the repository, with "/" separators. */
  readonly path: string;
  readonly text: string;
}

const SDK_PACKAGES = /^(@google-cloud\/|google-auth-library$|google-gax$|googleapis$)/;
const SDK_FOLDERS = ['src/gcp/'];
const IO_BUILTINS = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|os|readline|readline\/promises|worker_threads|cluster|tls)$/;
// src/cli.ts is the CLI's entry point (the process wiring: which file node runs), so it sits with src/cli/.
const IO_FOLDERS = ['src/cli/', 'src/cli.ts', 'src/local/', 'scripts/'];
/**
 * SDK modules imported outside src/gcp/ for a pure utility, never to call Google: each with its reason.
 * The sandbox computes object checksums with the storage SDK's own CRC32C class, so what it serves is
 * what the SDK validates downloads and uploads against (src/local/objects.ts).
 */
const SDK_UTILITY_IMPORTS: readonly { readonly file: string; readonly spec: string }[] = [{ file: 'src/local/objects.ts', spec: '@google-cloud/storage' }];

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** The rows of the table under "## Folders" whose header is `| folder | holds | imports |`. */
function parseRules(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*folder\s*\|\s*holds\s*\|\s*imports\s*\|/.test(line));
  if (header < 0) throw new Error('docs/architecture.md: no "| folder | holds | imports |" table');
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    // Cells are split on " | " so that a "|" inside backticks (none today) would not matter much.
    const cells = line.split(/\s\|\s/).map((c) => c.replace(/^\|\s*|\s*\|$/g, ''));
    if (cells.length < 3) throw new Error(`docs/architecture.md: a folder row without three cells: ${line.slice(0, 80)}`);
    rows.push({ keys: backticked(cells[0]!), allowed: backticked(cells[cells.length - 1]!) });
  }
  return rows;
}

/** The row a file belongs to: an exact file key first, then the longest folder key containing it. */
function rowOf(path: string, rows: readonly Row[]): { row: Row; key: string } | undefined {
  for (const row of rows) if (row.keys.includes(path)) return { row, key: path };
  let best: { row: Row; key: string } | undefined;
  for (const row of rows) {
    for (const key of row.keys) {
      if (!key.endsWith('/')) continue;
      const inside = key === 'src/' ? posix.dirname(path) === 'src' : path.startsWith(key);
      if (inside && (!best || key.length > best.key.length)) best = { row, key };
    }
  }
  return best;
}

function permits(entry: string, target: string): boolean {
  if (entry === 'src/') return target.startsWith('src/');
  if (entry === 'src/*.ts') return posix.dirname(target) === 'src';
  if (entry.endsWith('/')) return target.startsWith(entry);
  return target === entry;
}

function isInside(path: string, folders: readonly string[]): boolean {
  return folders.some((folder) => path.startsWith(folder));
}

/** Every import that breaks a rule, as `file → import (resolved): rule`. */
function violations(files: readonly SourceFile[], rows: readonly Row[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const found = rowOf(file.path, rows);
    if (!found) {
      problems.push(`${file.path}: no row of the folder table in docs/architecture.md covers this file; add one`);
      continue;
    }
    const { row, key } = found;
    const own = key.endsWith('/') ? key : `${posix.dirname(key)}/`;
    for (const imported of ts.preProcessFile(file.text, true, true).importedFiles) {
      const spec = imported.fileName;
      if (!spec.startsWith('.')) {
        const utility = SDK_UTILITY_IMPORTS.some((u) => u.file === file.path && u.spec === spec);
        if (SDK_PACKAGES.test(spec) && !isInside(file.path, SDK_FOLDERS) && !utility) {
          problems.push(`${file.path} → ${spec}: only src/gcp/ calls Google SDKs`);
        }
        if (IO_BUILTINS.test(spec) && !isInside(file.path, IO_FOLDERS)) {
          problems.push(`${file.path} → ${spec}: only ${IO_FOLDERS.join(', ')} touch files, processes or the network`);
        }
        continue;
      }
      const target = posix.normalize(posix.join(posix.dirname(file.path), spec));
      // A folder imports itself freely (the src/ files row holds single files: they import each other by the rule).
      if (own !== 'src/' && target.startsWith(own)) continue;
      if (row.allowed.some((entry) => permits(entry, target))) continue;
      const rule = row.allowed.length ? row.allowed.join(', ') : 'nothing outside itself';
      problems.push(`${file.path} → ${spec} (${target}): ${row.keys.join(', ')} may import only ${rule} (docs/architecture.md, folder table)`);
    }
  }
  return problems;
}

function sources(folder: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) out.push({ path: relative(ROOT, full).split('\\').join('/'), text: readFileSync(full, 'utf8') });
    }
  };
  walk(join(ROOT, folder));
  return out;
}

const rows = parseRules(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));

test('every src and scripts file imports only what the folder table of docs/architecture.md allows', () => {
  const files = [...sources('src'), ...sources('scripts')];
  assert.ok(files.length > 100, `only ${files.length} files found`);
  const problems = violations(files, rows);
  assert.ok(problems.length === 0, `import rules broken:\n  ${problems.join('\n  ')}`);
});

test('the table has the rows the rules rely on', () => {
  const keys = rows.flatMap((r) => r.keys);
  for (const key of ['src/', 'src/plan/', 'src/gcp/', 'src/config/', 'src/resources/', 'src/names/', 'src/cli/', 'src/local/', 'scripts/']) {
    assert.ok(keys.includes(key), `docs/architecture.md's folder table has no row for ${key}`);
  }
});

test('a pure folder importing src/gcp is caught, named file → import and rule (static, type-only, dynamic, re-export)', () => {
  const problems = violations(
    [
      { path: 'src/plan/fake.ts', text: "import type { CloudApis } from '../gcp/types.ts';\nexport async function f() { return import('../gcp/index.ts'); }\n" },
      { path: 'src/resources/fake.ts', text: "export { x } from '../config/product.ts';\nexport { run } from '../cli/plan.ts';\n" },
    ],
    rows,
  );
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /^src\/plan\/fake\.ts → \.\.\/gcp\/types\.ts \(src\/gcp\/types\.ts\): src\/plan\/ may import only /);
  assert.match(problems[1]!, /^src\/plan\/fake\.ts → \.\.\/gcp\/index\.ts /);
  assert.match(problems[2]!, /^src\/resources\/fake\.ts → \.\.\/cli\/plan\.ts /);
  assert.ok(!problems.some((p) => p.includes('config/product.ts')), 'resources may import config');
});

test('config importing resources is refused: they no longer import each other', () => {
  const problems = violations([{ path: 'src/config/fake.ts', text: "import { defaultBucket } from '../resources/index.ts';\n" }], rows);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /src\/config\/fake\.ts → \.\.\/resources\/index\.ts .*src\/config\/ may import only/);
});

test('SDKs outside src/gcp and file I/O outside cli/local are caught; a file no row covers is reported', () => {
  const problems = violations(
    [
      { path: 'src/plan/fake.ts', text: "import { Storage } from '@google-cloud/storage';\nimport { readFile } from 'node:fs/promises';\n" },
      { path: 'src/gcp/fake.ts', text: "import { Storage } from '@google-cloud/storage';\n" },
      { path: 'src/nowhere/fake.ts', text: '' },
    ],
    rows,
  );
  assert.equal(problems, [
    'src/plan/fake.ts → @google-cloud/storage: only src/gcp/ calls Google SDKs',
    'src/plan/fake.ts → node:fs/promises: only src/cli/, src/cli.ts, src/local/, scripts/ touch files, processes or the network',
    'src/nowhere/fake.ts: no row of the folder table in docs/architecture.md covers this file; add one',
  ]);
});

test.run();
