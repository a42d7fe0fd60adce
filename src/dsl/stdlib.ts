/**
 * Typed calls of the Workflows standard library usable inside expressions (non-blocking functions).
 * Blocking ones (sys.log, http.*, connectors) are call steps: see connectors.ts.
 *
 * https://cloud.google.com/workflows/docs/reference/stdlib/overview
 */
import { fn, type Expr, type ExprLike } from './expr.ts';

/** Opaque bytes value (text.encode, hash.compute_checksum): can only be passed on, never printed. */
export interface Bytes {
  readonly __bytes: true;
}

export type HashAlgorithm = 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512';

/** The value type of a literal or expression, literals widened (`''` is a string). */
export type Widen<F> = F extends Expr<infer X> ? X : F extends string ? string : F extends number ? number : F extends boolean ? boolean : any;

/** https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers */
export const len = (value: ExprLike<unknown>): Expr<number> => fn('len', value);
export const keys = (value: ExprLike<unknown>): Expr<string[]> => fn('keys', value);
/** `default(value, fallback)`: fallback when value is null. Both are always evaluated. */
export const defaultTo = <F extends ExprLike<any>>(value: ExprLike<unknown>, fallback: F): Expr<Widen<F>> => fn('default', value, fallback);
/** `if(condition, a, b)`: both branches are always evaluated, so neither may fail. */
export const ifElse = <F extends ExprLike<any>>(condition: ExprLike<boolean>, then: ExprLike<unknown>, otherwise: F): Expr<Widen<F>> => fn('if', condition, then, otherwise);
export const getType = (value: ExprLike<unknown>): Expr<'string' | 'integer' | 'double' | 'boolean' | 'list' | 'map' | 'bytes' | 'null'> => fn('get_type', value);
export const toString = (value: ExprLike<number | boolean>): Expr<string> => fn('string', value);
export const toInt = (value: ExprLike<string | number>): Expr<number> => fn('int', value);
export const toDouble = (value: ExprLike<string | number>): Expr<number> => fn('double', value);

export const text = {
  /** https://cloud.google.com/workflows/docs/reference/stdlib/text/encode */
  encode: (value: ExprLike<string>, charset: ExprLike<string> = 'UTF-8'): Expr<Bytes> => fn('text.encode', value, charset),
  decode: (value: ExprLike<Bytes>, charset: ExprLike<string> = 'UTF-8'): Expr<string> => fn('text.decode', value, charset),
  /** Characters [start, end) of source. */
  substring: (source: ExprLike<string>, start: ExprLike<number>, end: ExprLike<number>): Expr<string> => fn('text.substring', source, start, end),
  split: (source: ExprLike<string>, separator: ExprLike<string>): Expr<string[]> => fn('text.split', source, separator),
  /** Every non-overlapping occurrence of substr, as `{index, match}` maps. https://cloud.google.com/workflows/docs/reference/stdlib/text/find_all */
  findAll: (source: ExprLike<string>, substr: ExprLike<string>): Expr<{ index: number; match: string }[]> => fn('text.find_all', source, substr),
  /** Every match of the RE2 pattern, as `{index, match}` maps. https://cloud.google.com/workflows/docs/reference/stdlib/text/find_all_regex */
  findAllRegex: (source: ExprLike<string>, pattern: ExprLike<string>): Expr<{ index: number; match: string }[]> => fn('text.find_all_regex', source, pattern),
  /** True when the RE2 pattern matches anywhere in source (anchor it with ^...$ for a full match). https://cloud.google.com/workflows/docs/reference/stdlib/text/match_regex */
  matchRegex: (source: ExprLike<string>, pattern: ExprLike<string>): Expr<boolean> => fn('text.match_regex', source, pattern),
  replaceAll: (source: ExprLike<string>, substring: ExprLike<string>, replacement: ExprLike<string>): Expr<string> => fn('text.replace_all', source, substring, replacement),
  replaceAllRegex: (source: ExprLike<string>, pattern: ExprLike<string>, replacement: ExprLike<string>): Expr<string> => fn('text.replace_all_regex', source, pattern, replacement),
  toLower: (source: ExprLike<string>): Expr<string> => fn('text.to_lower', source),
  toUpper: (source: ExprLike<string>): Expr<string> => fn('text.to_upper', source),
  /** Percent-encodes every reserved character, `/` included: for a name used as one URL path segment. https://cloud.google.com/workflows/docs/reference/stdlib/text/url_encode */
  urlEncode: (source: ExprLike<string>): Expr<string> => fn('text.url_encode', source),
} as const;

/** A call whose last argument is optional: left out of the call, not passed as null, when undefined. */
function fnWithOptional<T>(name: string, required: readonly ExprLike<unknown>[], optional: ExprLike<unknown> | undefined): Expr<T> {
  return optional === undefined ? fn(name, ...required) : fn(name, ...required, optional);
}

export const base64 = {
  encode: (value: ExprLike<Bytes>, padding?: ExprLike<boolean>): Expr<string> => fnWithOptional('base64.encode', [value], padding),
  decode: (value: ExprLike<string>): Expr<Bytes> => fn('base64.decode', value),
} as const;

export const json = {
  encode: (value: ExprLike<unknown>): Expr<Bytes> => fn('json.encode', value),
  encodeToString: (value: ExprLike<unknown>): Expr<string> => fn('json.encode_to_string', value),
  decode: <T = any>(value: ExprLike<Bytes | string>): Expr<T> => fn('json.decode', value),
} as const;

export const hash = {
  /** https://cloud.google.com/workflows/docs/reference/stdlib/hash/compute_checksum: returns bytes. */
  computeChecksum: (data: ExprLike<Bytes>, algorithm: HashAlgorithm): Expr<Bytes> => fn('hash.compute_checksum', data, algorithm),
} as const;

/** Built-in environment variables (plus the deployment's userEnvVars). */
export type BuiltinEnvVar =
  | 'GOOGLE_CLOUD_PROJECT_ID'
  | 'GOOGLE_CLOUD_PROJECT_NUMBER'
  | 'GOOGLE_CLOUD_LOCATION'
  | 'GOOGLE_CLOUD_WORKFLOW_ID'
  | 'GOOGLE_CLOUD_WORKFLOW_REVISION_ID'
  | 'GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'
  | 'GOOGLE_CLOUD_WORKFLOW_EXECUTION_ATTEMPT';

export const sys = {
  /** https://cloud.google.com/workflows/docs/reference/stdlib/sys/get_env */
  getEnv: (name: BuiltinEnvVar | (string & {}), fallback?: ExprLike<string>): Expr<string> => fnWithOptional('sys.get_env', [name], fallback),
  /** Seconds since the epoch, as a double. */
  now: (): Expr<number> => fn('sys.now'),
} as const;

export const time = {
  /** RFC 3339 text of a timestamp in seconds (UTC unless a time zone is given). */
  format: (seconds: ExprLike<number>, timeZone?: ExprLike<string>): Expr<string> => fnWithOptional('time.format', [seconds], timeZone),
  parse: (value: ExprLike<string>): Expr<number> => fn('time.parse', value),
} as const;

export const mapFns = {
  /** `map.get(map, key)`: null instead of a KeyError when the key (or a key on the path) is missing. */
  get: <T = any>(source: ExprLike<unknown>, key: ExprLike<string> | readonly string[]): Expr<T> => fn('map.get', source, key as ExprLike<unknown>),
  merge: <T = any>(first: ExprLike<unknown>, second: ExprLike<unknown>): Expr<T> => fn('map.merge', first, second),
} as const;

export const listFns = {
  /** A new list with value appended. */
  concat: <T>(source: ExprLike<readonly T[]>, value: ExprLike<T>): Expr<T[]> => fn('list.concat', source as ExprLike<unknown>, value as ExprLike<unknown>),
} as const;
