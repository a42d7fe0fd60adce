/**
 * Loads workflow YAML into workflow values plus a map from each node's path to its line and
 * column, so that syntax and runtime errors can point into the file. The `yaml` package parses it
 * into nodes with source ranges (parseDocument) and turns offsets into lines and columns
 * (LineCounter). Numbers written with a fraction or exponent (`1.0`, `2e3`), and .inf/.nan, load
 * as doubles, the rest as integers, as Workflows reads them. Keys keep their order.
 */
import { type Document, LineCounter, type Node, type ScalarTag, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { LineColumn } from '../text-positions.ts';
import { SimSyntaxError } from './errors.ts';
import { Double, type Value, type WfMap, fromJs } from './values.ts';

/** 1-based, as every located error of the project (src/text-positions.ts). */
export type Position = LineColumn;

export interface LoadedYaml {
  readonly value: Value;
  /** Path like `/main/steps/0/init` (JSON-pointer segments, unescaped) → position of that node; `…#key` → of its key. */
  readonly positions: ReadonlyMap<string, Position>;
}

const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** The core schema's float tags, resolving to a Double so that `1.0` stays a double. */
const doubleTags = (tags: readonly unknown[]): unknown[] =>
  tags.map((t) => {
    const tag = t as ScalarTag;
    if (tag.tag !== FLOAT_TAG || !tag.resolve) return tag;
    const resolve = tag.resolve;
    return {
      ...tag,
      resolve: (...args: Parameters<typeof resolve>) => {
        const r = resolve(...args) as unknown;
        return new Double(isScalar(r) ? (r.value as number) : (r as number));
      },
    };
  });

export function loadWorkflowYaml(text: string, fileName?: string): LoadedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, schema: 'core', customTags: doubleTags as never, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const error = doc.errors[0];
  if (error) {
    // The library's advice for this one names its own API; say it in the file's terms instead.
    const message = error.code === 'MULTIPLE_DOCS' ? 'a workflow file holds one YAML document, but this one has several ("---" starts another)' : error.message;
    throw new SimSyntaxError(`invalid YAML: ${message}`, { file: fileName, ...at(error.pos[0]) });
  }
  if (!doc.contents) throw new SimSyntaxError('invalid YAML: expected a document, but the input is empty', { file: fileName });
  const positions = new Map<string, Position>();
  return { value: valueOf(doc, doc.contents, '', positions, (node) => at(startOf(node, text))), positions };
}

function valueOf(doc: Document, node: Node, path: string, positions: Map<string, Position>, at: (node: Node) => Position): Value {
  if (node.range) positions.set(path, at(node));
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ? valueOf(doc, target, `${path}#alias`, new Map(), at) : null;
  }
  if (isScalar(node)) return fromJs(node.value);
  if (isSeq(node)) return node.items.map((item, i) => (item ? valueOf(doc, item as Node, `${path}/${i}`, positions, at) : null));
  if (isMap(node)) {
    const m: WfMap = new Map();
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = keyText(key);
      const itemPath = `${path}/${name}`;
      // The key's own position is the best place to point at for "step X" problems.
      if (key?.range) positions.set(`${itemPath}#key`, at(key));
      m.set(name, pair.value ? valueOf(doc, pair.value as Node, itemPath, positions, at) : null);
    }
    return m;
  }
  throw new Error('unexpected YAML node');
}

/**
 * Where a node's value starts: for a quoted scalar, its first character after the quote; for a
 * block scalar (`|`, `>`), the first character of its content on the following lines. That is
 * where the line and column of an error inside a `${...}` are counted from (parse-template.ts).
 */
function startOf(node: Node, text: string): number {
  const start = node.range![0];
  if (!isScalar(node)) return start;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return start + 1;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const nextLine = text.indexOf('\n', start);
    if (nextLine < 0) return start;
    let i = nextLine + 1;
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r') i++;
    return Math.min(i, node.range![1]);
  }
  return start;
}

function keyText(key: Node | null): string {
  if (!key) return '';
  if (isScalar(key)) {
    const v = key.value;
    return v instanceof Double ? String(key.source) : String(v);
  }
  return key.toString();
}
