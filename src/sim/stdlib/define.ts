/**
 * How a standard-library function is declared: its name, its parameters as Google documents them
 * (each with the type it converts its argument to), and its implementation over the converted,
 * typed arguments. One `fn(...)` per function, registered in the table in index.ts, the way cel-es
 * declares CEL functions. Parameter names matter because a `call:` step passes arguments by name
 * (`args: {source: ..., separator: ...}`) while an expression passes them by position.
 */
import { Tag, raise } from '../errors.ts';
import { Bytes, type Double, type Value, type WfMap, describe, isList, isMap, isNumber, numberValue, typeOf } from '../values.ts';

export interface LibraryContext {
  /** Environment variable (built-in or user), undefined when not set. */
  env(name: string): string | undefined;
  /** Current (virtual) time in epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  log(severity: string, data: Value): void;
  uuid(): string;
}

/** A function as the interpreter calls it: raw arguments by position, converted by the function itself. */
export interface LibraryFunction {
  readonly params: readonly { readonly name: string; readonly optional?: boolean }[];
  /** Only callable from a call step, never inside an expression. */
  readonly blocking?: boolean;
  readonly fn: (args: readonly (Value | undefined)[], ctx: LibraryContext) => Value | Promise<Value>;
}

/** One parameter: its documented name, and the conversion of an argument to the type `T` (a TypeError when it does not fit). */
export interface Param<T> {
  readonly name: string;
  readonly optional?: boolean;
  readonly read: (fn: string, v: Value | undefined) => T;
}

type ArgsOf<P extends readonly Param<unknown>[]> = { readonly [K in keyof P]: P[K] extends Param<infer T> ? T : never };

export type Entry = readonly [name: string, f: LibraryFunction];

/** Declares a function; `impl` receives the arguments already converted to the parameters' types. */
export function fn<const P extends readonly Param<unknown>[]>(
  name: string,
  params: P,
  impl: (args: ArgsOf<P>, ctx: LibraryContext) => Value | Promise<Value>,
  options: { readonly blocking?: boolean } = {},
): Entry {
  const signature = params.map((p) => (p.optional ? { name: p.name, optional: true } : { name: p.name }));
  return [name, { params: signature, ...(options.blocking ? { blocking: true } : {}), fn: (args, ctx) => impl(params.map((p, i) => p.read(name, args[i])) as ArgsOf<P>, ctx) }];
}

/** A blocking function (sys.sleep, sys.log): callable from a `call:` step only, as on Google. */
export function blockingFn<const P extends readonly Param<unknown>[]>(name: string, params: P, impl: (args: ArgsOf<P>, ctx: LibraryContext) => Value | Promise<Value>): Entry {
  return fn(name, params, impl, { blocking: true });
}

export function typeFail(fn: string, param: string, expected: string, got: Value | undefined): never {
  return raise(Tag.TypeError, `${fn}: argument "${param}" must be ${expected}, got ${got === undefined ? 'nothing' : `${typeOf(got)} ${describe(got)}`}`);
}

const param = <T>(name: string, read: (fn: string, name: string, v: Value | undefined) => T): Param<T> => ({ name, read: (fn, v) => read(fn, name, v) });

/** Any value, unconverted (the function inspects it itself). */
export const value = (name: string): Param<Value> => param(name, (_fn, _p, v) => v as Value);
export const str = (name: string): Param<string> => param(name, (fn, p, v) => (typeof v === 'string' ? v : typeFail(fn, p, 'a string', v)));
/** An integer argument: a double, even 2.0, is a TypeError, as the functions document. */
export const int = (name: string): Param<number> => param(name, (fn, p, v) => (typeof v === 'number' ? v : typeFail(fn, p, 'an integer', v)));
/** An integer or a double, as a JS number. */
export const num = (name: string): Param<number> => param(name, (fn, p, v) => (v !== undefined && isNumber(v) ? numberValue(v) : typeFail(fn, p, 'a number', v)));
/** An integer or a double, kept as it is (math.abs and math.max keep an integer an integer). */
export const numeric = (name: string): Param<number | Double> => param(name, (fn, p, v) => (v !== undefined && isNumber(v) ? v : typeFail(fn, p, 'a number', v)));
export const bytes = (name: string): Param<Uint8Array> => param(name, (fn, p, v) => (v instanceof Bytes ? v.data : typeFail(fn, p, 'bytes (convert text with text.encode)', v)));
export const map = (name: string): Param<WfMap> => param(name, (fn, p, v) => (v !== undefined && isMap(v) ? v : typeFail(fn, p, 'a map', v)));
export const list = (name: string): Param<readonly Value[]> => param(name, (fn, p, v) => (v !== undefined && isList(v) ? v : typeFail(fn, p, 'a list', v)));

/** An optional parameter: absent stays undefined; anything given is converted. */
export const opt = <T>(p: Param<T>): Param<T | undefined> => ({ name: p.name, optional: true, read: (fn, v) => (v === undefined ? undefined : p.read(fn, v)) });
/** An optional parameter for which null means absent too. */
export const nullable = <T>(p: Param<T>): Param<T | undefined> => ({ name: p.name, optional: true, read: (fn, v) => (v === undefined || v === null ? undefined : p.read(fn, v)) });

/** Code points, so that lengths and offsets count characters as Workflows does, not UTF-16 units. */
export function chars(s: string): string[] {
  return Array.from(s);
}
