/**
 * The one YAML serializer of batch-workflows. Everything in generated/ that is YAML goes through
 * toYaml, so its output is a pure function of the data.
 *
 * Determinism policy (after cdk8s-core):
 * - Map keys are written in insertion order. Builders construct objects in a fixed, meaningful order
 *   (Workflows: `main` first, step fields in Google's documented order; resources: kind, name, then
 *   spec), so the order is part of the reviewed output and never depends on the machine.
 * - Lines are never folded (no line width): a long expression or condition stays on one line, so a
 *   change shows as one changed line in a diff.
 * - No anchors or aliases: repeated values are written out in full.
 * - `undefined` values and keys are dropped; `null` is written as `null`.
 * - Strings are quoted only when YAML needs it, with double quotes.
 * - Indentation 2, lists indented under their key, a final newline, LF line endings.
 * - No timestamps, host names or absolute paths anywhere.
 */
import { DUMP_SCHEMA, dump } from 'js-yaml';
import { DIGEST_PLACEHOLDER } from './staleness.ts';

/** js-yaml's dump options this serializer reproduces (its tests compare with dump under these). */
export const DUMP_OPTIONS: Parameters<typeof dump>[1] = {
  indent: 2,
  lineWidth: -1,
  noRefs: true,
  sortKeys: false,
  skipInvalid: false,
  quoteStyle: 'double',
  forceQuotes: false,
};

/**
 * js-yaml's dump, written faster: the output is js-yaml's, byte for byte (test/generate/yaml.test.ts
 * compares the two on generated documents and on awkward values). Profiling `npm run generate` of
 * 1,000 clients found three quarters of its time in dump, which builds an AST of every document and
 * tests each scalar against the YAML grammar's regular expressions. Here the block layout (plain
 * objects and arrays, which is all batch-workflows writes) is written directly and each distinct
 * scalar's text is asked of js-yaml once and remembered. Anything else — a multi-line string (its
 * block style depends on indentation), a long key, a non-plain object, a scalar at the root — goes
 * to dump whole, so a value the fast path does not know is still written exactly as before.
 */
export function toYaml(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    try {
      return `${writeNode(value, 0, true)}\n`;
    } catch (error) {
      if (error !== NOT_FAST) throw error;
    }
  }
  return dump(value, DUMP_OPTIONS);
}

const NOT_FAST = Symbol('not for the fast path');
const INDENT = '  ';

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === null || prototype === Object.prototype;
}

/** js-yaml's writeNode for block collections: `compact` leaves out the line break before the first entry (a list item, the root). */
function writeNode(value: unknown, level: number, compact: boolean): string {
  if (typeof value !== 'object' || value === null) return scalarText(value, false);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let text = '';
    for (const item of value as unknown[]) {
      // js-yaml writes an undefined list item as null (in a mapping, it drops the key).
      const itemText = writeNode(item === undefined ? null : item, level + 1, true);
      if (!compact || text !== '') text += `\n${INDENT.repeat(level)}`;
      text += `- ${itemText}`;
    }
    return text;
  }
  if (!isPlainObject(value)) throw NOT_FAST;
  let text = '';
  for (const key of Object.keys(value)) {
    const entry = value[key];
    if (entry === undefined) continue;
    const keyText = scalarText(key, true);
    const valueText = writeNode(entry, level + 1, false);
    if (!compact || text !== '') text += `\n${INDENT.repeat(level)}`;
    text += valueText.charCodeAt(0) === 10 ? `${keyText}:${valueText}` : `${keyText}: ${valueText}`;
  }
  return text === '' ? '{}' : text;
}

/**
 * One line of printable ASCII that YAML's plain style can hold (YAML 1.2 §7.3.3): not starting with
 * an indicator, no `: ` or ` #`, no `:` or space at the end. Such a string is written plain unless
 * the schema reads it as something else (`yes`, `null`, `12`); anything not matched asks js-yaml.
 */
const PLAIN_CANDIDATE = /^(?![-?:,[\]{}#&*!|>'"%@`])[\x21-\x7e][\x20-\x7e]*$/;
const NOT_PLAIN = /: | #|[: ]$/;
// js-yaml also quotes a lone `=` (YAML 1.1's value key), which the schema alone reads as a string.
const STRING_TAG = DUMP_SCHEMA.defaultScalarTag.tagName;
const known = new Map<unknown, string>();

/** A scalar below the root as js-yaml writes it: the same whatever its depth when it is one line. */
function scalarText(value: unknown, isKey: boolean): string {
  // A key longer than 1,024 characters is written as an explicit `? key` entry.
  if (isKey && (value as string).length > 1024) throw NOT_FAST;
  // A Map holds 0 and -0 as one key; js-yaml writes them differently.
  if (Object.is(value, -0)) throw NOT_FAST;
  const found = known.get(value);
  if (found !== undefined) return found;
  let text: string;
  if (typeof value === 'string') {
    if (value.includes('\n')) throw NOT_FAST;
    text = value !== '=' && PLAIN_CANDIDATE.test(value) && !NOT_PLAIN.test(value) && DUMP_SCHEMA.resolveImplicitScalarTag(value).tag.tagName === STRING_TAG ? value : askJsYaml(value);
  } else if (typeof value === 'boolean' || value === null || typeof value === 'number') {
    text = askJsYaml(value);
  } else {
    throw NOT_FAST;
  }
  if (known.size >= 100_000) known.clear();
  known.set(value, text);
  return text;
}

function askJsYaml(value: unknown): string {
  const text = dump([value], DUMP_OPTIONS);
  if (!text.startsWith('- ') || text.indexOf('\n') !== text.length - 1) throw NOT_FAST;
  return text.slice(2, -1);
}

/** A generated-file header as YAML comments: what it was made from and how to change it. */
export function yamlHeader(sources: readonly string[]): string {
  // The digest lets check tell a hand edit from a change of the sources (src/generate/staleness.ts).
  return `# Generated by batch-workflows from ${sources.join(', ')}.\n# Do not edit: change the sources and run \`npm run generate\` (${DIGEST_PLACEHOLDER}).\n`;
}
