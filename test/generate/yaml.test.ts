/**
 * toYaml writes what js-yaml's dump writes with the same options, byte for byte: on every YAML file
 * of generated/ (read back) and on awkward and random values. The golden files would catch a
 * difference on today's output; this catches it on tomorrow's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DUMP_OPTIONS, toYaml } from '../../src/generate/yaml.ts';
import { seededRandom } from '../support/random.ts';

const reference = (value: unknown) => dump(value, DUMP_OPTIONS);

function sameAsJsYaml(value: unknown, label: string): void {
  assert.is(toYaml(value), reference(value), label);
}

const generated = fileURLToPath(new URL('../../generated', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : []));
}

test('every YAML file of generated/, read back, is written as js-yaml writes it', () => {
  const files = yamlFiles(generated);
  assert.ok(files.length > 3, 'generated/ has YAML files');
  for (const file of files) sameAsJsYaml(load(readFileSync(file, 'utf8')), file);
});

const AWKWARD_STRINGS = [
  '',
  ' ',
  '\t',
  'a\tb',
  'true',
  'True',
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'null',
  'Null',
  '~',
  '123',
  '-1',
  '0x1F',
  '0o17',
  '1e3',
  '1_000',
  '.5',
  '.inf',
  '.NaN',
  '3:25:45',
  '2026-12-03',
  '=',
  '<<',
  '-',
  '- a',
  '-a',
  '?',
  '? a',
  ':',
  'a:',
  'a: b',
  'a:b',
  '#x',
  'a #b',
  'a#b',
  '${x}',
  '${"a" + b}',
  '---',
  '...',
  '--- a',
  ' lead',
  'trail ',
  'é',
  'Ünïcode',
  '\u2028',
  '\u00a0',
  '\ufeff',
  'a"b',
  "a'b",
  'a\\b',
  '[a]',
  '{a}',
  'a, b',
  '@x',
  '`x`',
  '!x',
  '&x',
  '*x',
  '|',
  '>',
  '%x',
  'gs://bucket/a b',
  'projects/_/buckets/x',
  'x@y.iam.gserviceaccount.com',
  'roles/storage.objectViewer',
  'a:',
  'a b ',
  'a  b',
  'x: ',
  'serviceAccount:x@y',
  'x [managed-by=a b=c]',
  'a [b] {c}',
  'a,b',
  'a # b',
  'a\u007fb',
  '0 6 * * MON-FRI',
  '1 2',
  'a: ',
  'https://x.example/a?b=c&d',
  'a:#',
  'a #',
  'a~',
  '~a',
  'Yes',
  'NULL',
  '12:30',
  '1:2:3',
  '0b101',
  '+1',
  '+.5',
  'a\tb ',
  'a\nb',
  'a\n',
  '\na',
  ' a\nb',
  'a\n\n',
  'x'.repeat(1100),
  '\u0007',
  '\u001b',
  '😀',
];
const AWKWARD_NUMBERS = [0, -0, 1, -1, 1.5, -2.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

test('awkward scalars as values, keys and list items', () => {
  for (const s of AWKWARD_STRINGS) {
    sameAsJsYaml({ key: s }, `value ${JSON.stringify(s)}`);
    sameAsJsYaml({ [s]: 1 }, `key ${JSON.stringify(s)}`);
    sameAsJsYaml([s, { nested: [s] }], `item ${JSON.stringify(s)}`);
  }
  for (const n of AWKWARD_NUMBERS) sameAsJsYaml({ n, list: [n] }, `number ${n}`);
  sameAsJsYaml({ t: true, f: false, z: null, u: undefined, list: [undefined, null, true] }, 'booleans, null, undefined');
  sameAsJsYaml({ emptyMap: {}, emptyList: [], nested: { a: [], b: {} }, list: [[], {}, [[1, 2], [3]]] }, 'empty collections');
  sameAsJsYaml([], 'empty root list');
  sameAsJsYaml({}, 'empty root map');
  sameAsJsYaml('root scalar', 'root scalar');
  sameAsJsYaml({ date: new Date(0), set: new Set([1]) }, 'objects that are not plain');
  const shared = { a: 1 };
  sameAsJsYaml({ x: shared, y: shared }, 'a value shared (no anchors)');
});

test('random documents', () => {
  const next = seededRandom(20261203);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const scalar = (): unknown => (next() < 0.7 ? pick(AWKWARD_STRINGS) : next() < 0.5 ? pick(AWKWARD_NUMBERS) : pick([true, false, null, undefined]));
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 4 || r < 0.4) return scalar();
    const size = Math.floor(next() * 4);
    if (r < 0.7) return Array.from({ length: size }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: size }, () => [String(pick(AWKWARD_STRINGS)), value(depth + 1)]));
  };
  for (let i = 0; i < 2000; i++) {
    const doc = value(0);
    sameAsJsYaml(doc, JSON.stringify(doc) ?? 'undefined');
  }
});

test.run();
