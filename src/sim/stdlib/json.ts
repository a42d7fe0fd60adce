/** json. https://cloud.google.com/workflows/docs/reference/stdlib/json/overview */
import { Tag, raise } from '../errors.ts';
import { Bytes, type Value, isMap, parseJsonText, toJsonText } from '../values.ts';
import { containsBytes } from '../values.ts';
import { type Entry, fn, opt, typeFail, value } from './define.ts';

/**
 * json.encode's `indent`: false or absent for compact output; true, or a map with optional string
 * fields `prefix` (default "") and `indent` (default four spaces), for one element per line.
 */
function layoutOf(fn: string, v: Value | undefined): { indent?: string; prefix?: string } {
  if (v === undefined || v === null || v === false) return {};
  if (v === true) return { indent: '    ', prefix: '' };
  if (isMap(v)) {
    for (const k of v.keys()) if (k !== 'indent' && k !== 'prefix') raise(Tag.TypeError, `${fn}: unknown indent option "${k}" (options: prefix, indent)`);
    const field = (k: string, dflt: string): string => {
      const x = v.get(k);
      return x === undefined || x === null ? dflt : typeof x === 'string' ? x : typeFail(fn, `indent.${k}`, 'a string', x);
    };
    return { indent: field('indent', '    '), prefix: field('prefix', '') };
  }
  return typeFail(fn, 'indent', 'a boolean or a map with prefix and indent', v);
}

/** json.encode refuses what JSON cannot hold; bytes are the value type that can reach it. */
function encode(fn: string, data: Value, indent: Value | undefined): string {
  if (containsBytes(data)) raise(Tag.ValueError, `${fn}: bytes cannot be JSON-encoded; convert them with base64.encode or text.decode first`);
  const layout = layoutOf(fn, indent);
  return toJsonText(data, layout.indent, layout.prefix);
}

function decode(d: Value): Value {
  const text = typeof d === 'string' ? d : d instanceof Bytes ? Buffer.from(d.data).toString('utf8') : typeFail('json.decode', 'data', 'bytes or a string', d);
  try {
    return parseJsonText(text);
  } catch (e) {
    return raise(Tag.ValueError, `json.decode: invalid JSON: ${(e as Error).message}`);
  }
}

export const JSON_FUNCTIONS: readonly Entry[] = [
  fn('json.decode', [value('data')], ([d]) => decode(d)),
  fn('json.encode', [value('data'), opt(value('indent'))], ([d, i]) => new Bytes(new Uint8Array(Buffer.from(encode('json.encode', d, i), 'utf8')))),
  fn('json.encode_to_string', [value('data'), opt(value('indent'))], ([d, i]) => encode('json.encode_to_string', d, i)),
];
