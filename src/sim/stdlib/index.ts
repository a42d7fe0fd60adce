/**
 * The standard library: expression helpers (len, keys, int, ...) and the modules base64, hash, json,
 * list, map, math, sys, text, time, uuid, one file each, every function one `fn(...)` entry (see
 * define.ts). Blocking functions (sys.sleep, sys.log) may only be called from a `call:` step, as on
 * Google. Connectors and http.* are not here: they are pluggable (see ../connectors/types.ts).
 * Docs: https://cloud.google.com/workflows/docs/reference/stdlib/overview
 */
import { Tag, raise } from '../errors.ts';
import type { Value, WfMap } from '../values.ts';
import { BASE64 } from './base64.ts';
import type { Entry, LibraryFunction } from './define.ts';
import { HASH } from './hash.ts';
import { HELPERS } from './helpers.ts';
import { JSON_FUNCTIONS } from './json.ts';
import { LIST } from './list.ts';
import { MAP } from './map.ts';
import { MATH } from './math.ts';
import { SYS } from './sys.ts';
import { TEXT } from './text.ts';
import { TIME } from './time.ts';
import { UUID } from './uuid.ts';

export type { LibraryContext } from './define.ts';

const MODULES: readonly (readonly Entry[])[] = [HELPERS, BASE64, HASH, JSON_FUNCTIONS, LIST, MAP, MATH, SYS, TEXT, TIME, UUID];

export const LIBRARY: ReadonlyMap<string, LibraryFunction> = new Map(MODULES.flat());

/** Binds arguments given by name (a call step's `args`) to a function's positional parameters. */
export function bindNamedArguments(name: string, f: LibraryFunction, args: WfMap): (Value | undefined)[] {
  for (const k of args.keys()) {
    if (!f.params.some((p) => p.name === k)) raise(Tag.TypeError, `${name}: unknown argument "${k}" (arguments: ${f.params.map((p) => p.name).join(', ') || 'none'})`);
  }
  return f.params.map((p) => {
    const v = args.get(p.name);
    if (v === undefined && !p.optional) raise(Tag.TypeError, `${name}: missing required argument "${p.name}"`);
    return v;
  });
}

export function checkArity(name: string, f: LibraryFunction, count: number): void {
  const required = f.params.filter((p) => !p.optional).length;
  if (count < required || count > f.params.length) {
    raise(Tag.TypeError, `${name} takes ${required === f.params.length ? required : `${required} to ${f.params.length}`} argument${f.params.length === 1 ? '' : 's'}, got ${count}`);
  }
}
