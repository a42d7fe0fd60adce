/**
 * The standard library: expression helpers (len, keys, int, ...) and the modules base64, hash, json,
 * list, map, math, sys, text, time, uuid. Each function lists its parameter names as Google
 * documents them, because a `call:` step passes arguments by name (`args: {source: ..., separator: ...}`)
 * while an expression passes them by position. Blocking functions (sys.sleep, sys.log) may only be
 * called from a `call:` step, as on Google. Connectors and http.* are not here: they are pluggable
 * (see connectors/types.ts).
 * Docs: https://cloud.google.com/workflows/docs/reference/stdlib/overview
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { Tag, raise } from './errors.ts';
import { Bytes, Double, type Value, type WfMap, describe, formatDouble, isList, isMap, isNumber, numberValue, parseJsonText, toJsonText, typeOf } from './values.ts';

export interface LibraryContext {
  /** Environment variable (built-in or user), undefined when not set. */
  env(name: string): string | undefined;
  /** Current (virtual) time in epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
  log(severity: string, data: Value): void;
  uuid(): string;
}

export interface LibraryFunction {
  readonly params: readonly { readonly name: string; readonly optional?: boolean }[];
  /** Only callable from a call step, never inside an expression. */
  readonly blocking?: boolean;
  readonly fn: (args: readonly (Value | undefined)[], ctx: LibraryContext) => Value | Promise<Value>;
}

const req = (name: string) => ({ name });
const opt = (name: string) => ({ name, optional: true });

function typeFail(fn: string, param: string, expected: string, got: Value | undefined): never {
  return raise(Tag.TypeError, `${fn}: argument "${param}" must be ${expected}, got ${got === undefined ? 'nothing' : `${typeOf(got)} ${describe(got)}`}`);
}
function str(fn: string, param: string, v: Value | undefined): string {
  return typeof v === 'string' ? v : typeFail(fn, param, 'a string', v);
}
/** An integer argument: a double, even 2.0, is a TypeError, as the functions document. */
function int(fn: string, param: string, v: Value | undefined): number {
  return typeof v === 'number' ? v : typeFail(fn, param, 'an integer', v);
}
function num(fn: string, param: string, v: Value | undefined): number {
  return v !== undefined && isNumber(v) ? numberValue(v) : typeFail(fn, param, 'a number', v);
}
function bytes(fn: string, param: string, v: Value | undefined): Uint8Array {
  return v instanceof Bytes ? v.data : typeFail(fn, param, 'bytes (convert text with text.encode)', v);
}
function map(fn: string, param: string, v: Value | undefined): WfMap {
  return v !== undefined && isMap(v) ? v : typeFail(fn, param, 'a map', v);
}
function list(fn: string, param: string, v: Value | undefined): readonly Value[] {
  return v !== undefined && isList(v) ? v : typeFail(fn, param, 'a list', v);
}

/** Code points, so that lengths and offsets count characters as Workflows does, not UTF-16 units. */
function chars(s: string): string[] {
  return Array.from(s);
}

function regex(fn: string, pattern: string, flags = ''): RegExp {
  // RE2 spells case-insensitivity as a leading (?i); JS RegExp takes it as a flag.
  let p = pattern;
  let f = flags;
  if (p.startsWith('(?i)')) {
    p = p.slice(4);
    f += 'i';
  }
  try {
    return new RegExp(p, `${f}u`);
  } catch (e) {
    return raise(Tag.ValueError, `${fn}: invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

function checksum(fn: string, algorithm: string): string {
  const a = algorithm.toUpperCase();
  const known: Record<string, string> = { MD5: 'md5', SHA1: 'sha1', SHA224: 'sha224', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
  return known[a] ?? raise(Tag.ValueError, `${fn}: unsupported algorithm ${JSON.stringify(algorithm)} (use one of ${Object.keys(known).join(', ')})`);
}

/**
 * json.encode's `indent`: false or absent for compact output; true, or a map with optional string
 * fields `prefix` (default "") and `indent` (default four spaces), for one element per line.
 */
function jsonLayout(fn: string, v: Value | undefined): { indent?: string; prefix?: string } {
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
function jsonText(fn: string, data: Value, indent: Value | undefined): string {
  if (containsBytes(data)) raise(Tag.ValueError, `${fn}: bytes cannot be JSON-encoded; convert them with base64.encode or text.decode first`);
  const layout = jsonLayout(fn, indent);
  return toJsonText(data, layout.indent, layout.prefix);
}

function containsBytes(v: Value): boolean {
  if (v instanceof Bytes) return true;
  if (isList(v)) return v.some(containsBytes);
  if (isMap(v)) return [...v.values()].some(containsBytes);
  return false;
}

function mergeNested(a: WfMap, b: WfMap): WfMap {
  const out: WfMap = new Map(a);
  for (const [k, v] of b) {
    const prev = out.get(k);
    out.set(k, prev !== undefined && isMap(prev) && isMap(v) ? mergeNested(prev, v) : v);
  }
  return out;
}

/** Formats epoch seconds as ISO 8601 with microseconds, in UTC ("Z") or a tz database zone ("+02:00"). */
export function formatTime(seconds: number, timezone?: string): string {
  const wholeMs = Math.floor(seconds * 1000);
  const micros = Math.round((seconds - Math.floor(seconds)) * 1e6) % 1e6;
  const zone = timezone && timezone !== '' ? timezone : 'UTC';
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(wholeMs));
  } catch {
    return raise(Tag.ValueError, `time.format: unknown time zone ${JSON.stringify(timezone)}`);
  }
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '00';
  const local = Date.UTC(Number(p('year')), Number(p('month')) - 1, Number(p('day')), Number(p('hour')), Number(p('minute')), Number(p('second')));
  const offsetMin = Math.round((local - Math.floor(wholeMs / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 && (zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC') ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}.${String(micros).padStart(6, '0')}${offset}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function parseTime(value: string): number {
  const m = RFC3339.exec(value);
  if (!m) return raise(Tag.ValueError, `time.parse: ${JSON.stringify(value)} is not an RFC 3339 timestamp such as 2024-07-12T12:50:33Z`);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase()}`);
  // Date.parse rolls 2025-02-30 over into March; a calendar check rejects it as Google does.
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(ms) || day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3]) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    return raise(Tag.ValueError, `time.parse: ${JSON.stringify(value)} is not a valid date and time`);
  }
  return ms / 1000 + (m[7] ? Number(`0${m[7]}`) : 0);
}

function stringOf(v: Value | undefined): string {
  if (v === undefined) return typeFail('string', 'value', 'a value', v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Double) return formatDouble(v.value);
  return raise(Tag.TypeError, `string: cannot convert ${typeOf(v)} to a string (use json.encode_to_string for lists and maps)`);
}

export const LIBRARY: ReadonlyMap<string, LibraryFunction> = new Map<string, LibraryFunction>([
  // Expression helpers. https://cloud.google.com/workflows/docs/reference/stdlib/expression-helpers
  ['default', { params: [req('val'), req('default_val')], fn: ([v, d]) => (v === null ? (d as Value) : (v as Value)) }],
  ['keys', { params: [req('map')], fn: ([m]) => [...map('keys', 'map', m).keys()] }],
  [
    'len',
    {
      params: [req('value')],
      fn: ([v]) => {
        if (typeof v === 'string') return chars(v).length;
        if (v !== undefined && isList(v)) return v.length;
        if (v !== undefined && isMap(v)) return v.size;
        if (v instanceof Bytes) return v.data.length;
        return typeFail('len', 'value', 'a string, list, map or bytes', v);
      },
    },
  ],
  [
    'int',
    {
      params: [req('value')],
      fn: ([v]) => {
        if (typeof v === 'number') return v;
        if (v instanceof Double) return Math.trunc(v.value);
        if (typeof v === 'string') {
          const t = v.trim();
          if (!/^[-+]?\d+$/.test(t) || !Number.isSafeInteger(Number(t))) return raise(Tag.ValueError, `int: ${JSON.stringify(v)} is not an integer`);
          return Number(t);
        }
        return typeFail('int', 'value', 'a number or a string', v);
      },
    },
  ],
  [
    'double',
    {
      params: [req('value')],
      fn: ([v]) => {
        if (v !== undefined && isNumber(v)) return new Double(numberValue(v));
        if (typeof v === 'string') {
          const t = v.trim();
          if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return raise(Tag.ValueError, `double: ${JSON.stringify(v)} is not a number`);
          return new Double(Number(t));
        }
        return typeFail('double', 'value', 'a number or a string', v);
      },
    },
  ],
  ['string', { params: [req('value')], fn: ([v]) => stringOf(v) }],
  [
    'get_type',
    {
      params: [req('value')],
      fn: ([v]) => {
        const t = typeOf(v as Value);
        return t === 'boolean' ? 'bool' : t;
      },
    },
  ],
  // base64. https://cloud.google.com/workflows/docs/reference/stdlib/base64/overview
  [
    'base64.decode',
    {
      params: [req('data'), opt('padding')],
      fn: ([d, padding]) => {
        const s = str('base64.decode', 'data', d);
        const pad = padding !== false;
        const ok = pad ? /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 : /^[A-Za-z0-9+/]*$/.test(s);
        if (!ok) return raise(Tag.ValueError, `base64.decode: ${describe(s)} is not valid base64${pad ? ' with padding' : ''}`);
        return new Bytes(new Uint8Array(Buffer.from(s, 'base64')));
      },
    },
  ],
  [
    'base64.encode',
    {
      params: [req('data'), opt('padding')],
      fn: ([d, padding]) => {
        const s = Buffer.from(bytes('base64.encode', 'data', d)).toString('base64');
        return padding === false ? s.replace(/=+$/, '') : s;
      },
    },
  ],
  // hash. https://cloud.google.com/workflows/docs/reference/stdlib/hash/overview
  ['hash.compute_checksum', { params: [req('data'), req('algorithm')], fn: ([d, a]) => new Bytes(new Uint8Array(createHash(checksum('hash.compute_checksum', str('hash.compute_checksum', 'algorithm', a))).update(bytes('hash.compute_checksum', 'data', d)).digest())) }],
  ['hash.compute_hmac', { params: [req('key'), req('data'), req('algorithm')], fn: ([k, d, a]) => new Bytes(new Uint8Array(createHmac(checksum('hash.compute_hmac', str('hash.compute_hmac', 'algorithm', a)), bytes('hash.compute_hmac', 'key', k)).update(bytes('hash.compute_hmac', 'data', d)).digest())) }],
  // json. https://cloud.google.com/workflows/docs/reference/stdlib/json/overview
  [
    'json.decode',
    {
      params: [req('data')],
      fn: ([d]) => {
        const text = typeof d === 'string' ? d : d instanceof Bytes ? Buffer.from(d.data).toString('utf8') : typeFail('json.decode', 'data', 'bytes or a string', d);
        try {
          return parseJsonText(text);
        } catch (e) {
          return raise(Tag.ValueError, `json.decode: invalid JSON: ${(e as Error).message}`);
        }
      },
    },
  ],
  ['json.encode', { params: [req('data'), opt('indent')], fn: ([d, i]) => new Bytes(new Uint8Array(Buffer.from(jsonText('json.encode', d as Value, i), 'utf8'))) }],
  ['json.encode_to_string', { params: [req('data'), opt('indent')], fn: ([d, i]) => jsonText('json.encode_to_string', d as Value, i) }],
  // list. https://cloud.google.com/workflows/docs/reference/stdlib/list/overview
  ['list.concat', { params: [req('objs'), req('val')], fn: ([l, v]) => [...list('list.concat', 'objs', l), v as Value] }],
  ['list.prepend', { params: [req('objs'), req('val')], fn: ([l, v]) => [v as Value, ...list('list.prepend', 'objs', l)] }],
  // map. https://cloud.google.com/workflows/docs/reference/stdlib/map/overview
  [
    'map.get',
    {
      params: [req('map'), req('keys')],
      fn: ([m, k]) => {
        // `keys` is one key or a path of keys into nested maps. A missing key, or an input (the
        // map itself or a value on the path) that is not a map, gives null rather than an error.
        const path = typeof k === 'string' ? [k] : k !== undefined && isList(k) ? k.map((x) => str('map.get', 'keys', x)) : typeFail('map.get', 'keys', 'a string or a list of strings', k);
        let cur: Value = m ?? null;
        for (const key of path) {
          const next: Value | undefined = isMap(cur) ? cur.get(key) : undefined;
          if (next === undefined) return null;
          cur = next;
        }
        return cur;
      },
    },
  ],
  [
    'map.delete',
    {
      params: [req('map'), req('key')],
      fn: ([m, k]) => {
        const out = new Map(map('map.delete', 'map', m));
        out.delete(str('map.delete', 'key', k));
        return out;
      },
    },
  ],
  ['map.merge', { params: [req('first'), req('second')], fn: ([a, b]) => new Map([...map('map.merge', 'first', a), ...map('map.merge', 'second', b)]) }],
  ['map.merge_nested', { params: [req('first'), req('second')], fn: ([a, b]) => mergeNested(map('map.merge_nested', 'first', a), map('map.merge_nested', 'second', b)) }],
  // math. https://cloud.google.com/workflows/docs/reference/stdlib/math/overview
  ['math.abs', { params: [req('x')], fn: ([x]) => (typeof x === 'number' ? Math.abs(x) : new Double(Math.abs(num('math.abs', 'x', x)))) }],
  ['math.floor', { params: [req('x')], fn: ([x]) => Math.floor(num('math.floor', 'x', x)) }],
  ['math.max', { params: [req('x'), req('y')], fn: ([x, y]) => (num('math.max', 'x', x) >= num('math.max', 'y', y) ? (x as Value) : (y as Value)) }],
  ['math.min', { params: [req('x'), req('y')], fn: ([x, y]) => (num('math.min', 'x', x) <= num('math.min', 'y', y) ? (x as Value) : (y as Value)) }],
  [
    'math.sqrt',
    {
      params: [req('x')],
      fn: ([x]) => {
        const n = num('math.sqrt', 'x', x);
        return n < 0 ? raise(Tag.ValueError, 'math.sqrt: negative argument') : new Double(Math.sqrt(n));
      },
    },
  ],
  // sys. https://cloud.google.com/workflows/docs/reference/stdlib/sys/overview
  [
    'sys.get_env',
    {
      params: [req('name'), opt('default')],
      fn: ([n, d], ctx) => {
        const name = str('sys.get_env', 'name', n);
        const fallback = d === undefined ? null : str('sys.get_env', 'default', d);
        return ctx.env(name) ?? fallback;
      },
    },
  ],
  ['sys.now', { params: [], fn: (_, ctx) => new Double(ctx.now() / 1000) }],
  [
    'sys.log',
    {
      params: [opt('data'), opt('severity'), opt('text'), opt('json'), opt('timeout')],
      blocking: true,
      fn: ([data, severity, text, json], ctx) => {
        const sev = severity === undefined || severity === null ? 'DEFAULT' : str('sys.log', 'severity', severity);
        const payload = data ?? text ?? json;
        if (payload === undefined) return raise(Tag.TypeError, 'sys.log: pass data, text or json');
        ctx.log(sev, payload);
        return null;
      },
    },
  ],
  [
    'sys.sleep',
    {
      params: [req('seconds')],
      blocking: true,
      fn: async ([s], ctx) => {
        const seconds = num('sys.sleep', 'seconds', s);
        if (seconds < 0) return raise(Tag.ValueError, 'sys.sleep: seconds must not be negative');
        await ctx.sleep(seconds * 1000);
        return null;
      },
    },
  ],
  [
    'sys.sleep_until',
    {
      params: [req('time')],
      blocking: true,
      fn: async ([t], ctx) => {
        const until = parseTime(str('sys.sleep_until', 'time', t)) * 1000;
        if (until > ctx.now()) await ctx.sleep(until - ctx.now());
        return null;
      },
    },
  ],
  // text. https://cloud.google.com/workflows/docs/reference/stdlib/text/overview
  [
    'text.decode',
    {
      params: [req('data'), opt('charset')],
      fn: ([d, c]) => {
        const charset = c === undefined || c === null ? 'UTF-8' : str('text.decode', 'charset', c);
        try {
          return new TextDecoder(charset, { fatal: true }).decode(bytes('text.decode', 'data', d));
        } catch (e) {
          return raise(Tag.ValueError, `text.decode: cannot decode as ${charset}: ${(e as Error).message}`);
        }
      },
    },
  ],
  [
    'text.encode',
    {
      params: [req('text'), opt('charset')],
      fn: ([t, c]) => {
        const charset = c === undefined || c === null ? 'UTF-8' : str('text.encode', 'charset', c).toUpperCase();
        const s = str('text.encode', 'text', t);
        if (charset === 'UTF-8' || charset === 'UTF8') return new Bytes(new TextEncoder().encode(s));
        if (charset === 'US-ASCII' || charset === 'ISO-8859-1' || charset === 'LATIN1') return new Bytes(new Uint8Array(Buffer.from(s, 'latin1')));
        return raise(Tag.ValueError, `text.encode: unsupported charset ${JSON.stringify(c)}`);
      },
    },
  ],
  [
    'text.find_all',
    {
      params: [req('source'), req('substr')],
      fn: ([s, sub]) => {
        const src = str('text.find_all', 'source', s);
        const needle = str('text.find_all', 'substr', sub);
        if (needle === '') return raise(Tag.ValueError, 'text.find_all: substr must not be empty');
        const out: Value[] = [];
        for (let i = src.indexOf(needle); i >= 0; i = src.indexOf(needle, i + needle.length)) {
          out.push(new Map<string, Value>([['index', chars(src.slice(0, i)).length], ['match', needle]]));
        }
        return out;
      },
    },
  ],
  [
    'text.find_all_regex',
    {
      params: [req('source'), req('regexp')],
      fn: ([s, r]) => {
        const src = str('text.find_all_regex', 'source', s);
        const re = regex('text.find_all_regex', str('text.find_all_regex', 'regexp', r), 'g');
        return [...src.matchAll(re)].map((m) => new Map<string, Value>([['index', chars(src.slice(0, m.index)).length], ['match', m[0]]]));
      },
    },
  ],
  ['text.match_regex', { params: [req('source'), req('regexp')], fn: ([s, r]) => regex('text.match_regex', str('text.match_regex', 'regexp', r)).test(str('text.match_regex', 'source', s)) }],
  [
    'text.replace_all',
    {
      params: [req('source'), req('substr'), req('repl')],
      fn: ([s, sub, repl]) => {
        const needle = str('text.replace_all', 'substr', sub);
        if (needle === '') return raise(Tag.ValueError, 'text.replace_all: substr must not be empty');
        return str('text.replace_all', 'source', s).split(needle).join(str('text.replace_all', 'repl', repl));
      },
    },
  ],
  [
    'text.replace_all_regex',
    {
      params: [req('source'), req('regexp'), req('repl')],
      fn: ([s, r, repl]) => {
        const re = regex('text.replace_all_regex', str('text.replace_all_regex', 'regexp', r), 'g');
        // Google documents that repl has no group references: "\\1" or "$1" is literal text, so
        // a replacer function keeps JS from reading $-patterns in it.
        const literal = str('text.replace_all_regex', 'repl', repl);
        return str('text.replace_all_regex', 'source', s).replace(re, () => literal);
      },
    },
  ],
  [
    'text.split',
    {
      params: [req('source'), req('separator')],
      fn: ([s, sep]) => {
        const src = str('text.split', 'source', s);
        const separator = str('text.split', 'separator', sep);
        return separator === '' ? chars(src) : src.split(separator);
      },
    },
  ],
  [
    'text.substring',
    {
      params: [req('source'), req('start'), req('end')],
      fn: ([s, a, b]) => {
        const cs = chars(str('text.substring', 'source', s));
        // A negative index counts from the end of the string; then both are clamped to it.
        const at = (n: number) => Math.max(0, Math.min(cs.length, n < 0 ? cs.length + n : n));
        const start = at(int('text.substring', 'start', a));
        const end = at(int('text.substring', 'end', b));
        return start >= end ? '' : cs.slice(start, end).join('');
      },
    },
  ],
  ['text.to_lower', { params: [req('source')], fn: ([s]) => str('text.to_lower', 'source', s).toLowerCase() }],
  ['text.to_upper', { params: [req('source')], fn: ([s]) => str('text.to_upper', 'source', s).toUpperCase() }],
  [
    'text.url_decode',
    {
      params: [req('source')],
      fn: ([s]) => {
        try {
          return decodeURIComponent(str('text.url_decode', 'source', s).replace(/\+/g, ' '));
        } catch {
          return raise(Tag.ValueError, `text.url_decode: ${describe(s as Value)} is not valid percent-encoding`);
        }
      },
    },
  ],
  ['text.url_encode', { params: [req('source')], fn: ([s]) => encodeURIComponent(str('text.url_encode', 'source', s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) }],
  ['text.url_encode_plus', { params: [req('source')], fn: ([s]) => encodeURIComponent(str('text.url_encode_plus', 'source', s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+') }],
  // time. https://cloud.google.com/workflows/docs/reference/stdlib/time/overview
  ['time.format', { params: [req('seconds'), opt('timezone')], fn: ([s, tz]) => formatTime(num('time.format', 'seconds', s), tz === undefined || tz === null ? undefined : str('time.format', 'timezone', tz)) }],
  ['time.parse', { params: [req('value')], fn: ([v]) => new Double(parseTime(str('time.parse', 'value', v))) }],
  // uuid. https://cloud.google.com/workflows/docs/reference/stdlib/uuid/overview
  ['uuid.generate', { params: [], fn: (_, ctx) => ctx.uuid() }],
]);

export const defaultUuid = (): string => randomUUID();

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

