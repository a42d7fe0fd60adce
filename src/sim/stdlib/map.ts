/** map. https://cloud.google.com/workflows/docs/reference/stdlib/map/overview */
import { type Value, type WfMap, isList, isMap } from '../values.ts';
import { type Entry, fn, map, str, typeFail, value } from './define.ts';

/**
 * `keys` is one key or a path of keys into nested maps. A missing key, or an input (the map itself
 * or a value on the path) that is not a map, gives null rather than an error.
 */
function get(m: Value, k: Value): Value {
  const path = typeof k === 'string' ? [k] : isList(k) ? k.map((x) => str('keys').read('map.get', x)) : typeFail('map.get', 'keys', 'a string or a list of strings', k);
  let cur: Value = m ?? null;
  for (const key of path) {
    const next: Value | undefined = isMap(cur) ? cur.get(key) : undefined;
    if (next === undefined) return null;
    cur = next;
  }
  return cur;
}

function mergeNested(a: WfMap, b: WfMap): WfMap {
  const out: WfMap = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    out.set(k, prev !== undefined && isMap(prev) && isMap(v) ? mergeNested(prev, v) : v);
  }
  return out;
}

function without(m: WfMap, key: string): WfMap {
  const out = new Map(m);
  out.delete(key);
  return out;
}

export const MAP: readonly Entry[] = [
  fn('map.get', [value('map'), value('keys')], ([m, k]) => get(m, k)),
  fn('map.delete', [map('map'), str('key')], ([m, k]) => without(m, k)),
  fn('map.merge', [map('first'), map('second')], ([a, b]) => new Map([...a, ...b])),
  fn('map.merge_nested', [map('first'), map('second')], ([a, b]) => mergeNested(a, b)),
];
