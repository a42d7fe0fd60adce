/** Expression helpers. https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers */
import { Tag, raise } from '../errors.ts';
import { concatOperand } from '../expression-eval.ts';
import { Bytes, Double, type Value, isList, isMap, isNumber, numberValue, typeOf } from '../values.ts';
import { type Entry, chars, fn, map, typeFail, value } from './define.ts';

function length(v: Value): number {
  if (typeof v === 'string') return chars(v).length;
  if (isList(v)) return v.length;
  if (isMap(v)) return v.size;
  if (v instanceof Bytes) return v.data.length;
  return typeFail('len', 'value', 'a string, list, map or bytes', v);
}

function toInt(v: Value): number {
  if (typeof v === 'number') return v;
  if (v instanceof Double) return Math.trunc(v.value);
  if (typeof v === 'string') {
    const t = v.trim();
    if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return raise(Tag.ValueError, `int: ${JSON.stringify(v)} is not an integer`);
    return Number(t);
  }
  return typeFail('int', 'value', 'a number or a string', v);
}

function toDouble(v: Value): Double {
  if (isNumber(v)) return new Double(numberValue(v));
  if (typeof v === 'string') {
    const t = v.trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return raise(Tag.ValueError, `double: ${JSON.stringify(v)} is not a number`);
    return new Double(Number(t));
  }
  return typeFail('double', 'value', 'a number or a string', v);
}

/** string(): the text `+` gives a number or a boolean beside a string (concatOperand), else a TypeError. */
function toText(v: Value): string {
  return concatOperand(v) ?? raise(Tag.TypeError, `string: cannot convert ${typeOf(v)} to a string (use json.encode_to_string for lists and maps)`);
}

export const HELPERS: readonly Entry[] = [
  fn('default', [value('val'), value('default_val')], ([v, d]) => (v === null ? d : v)),
  fn('keys', [map('map')], ([m]) => [...m.keys()]),
  fn('len', [value('value')], ([v]) => length(v)),
  fn('int', [value('value')], ([v]) => toInt(v)),
  fn('double', [value('value')], ([v]) => toDouble(v)),
  fn('string', [value('value')], ([v]) => toText(v)),
  fn('get_type', [value('value')], ([v]) => (typeOf(v) === 'boolean' ? 'bool' : typeOf(v))),
];
