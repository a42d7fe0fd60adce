/**
 * The value model of the interpreter. Cloud Workflows distinguishes 64-bit integers from doubles
 * (`4 / 2` is the double 2.0, `string(2.0)` differs from `string(2)`), which a JS number cannot
 * express, so integers are plain numbers and doubles are boxed in `Double`. Maps are JS `Map`s so
 * that key order is insertion order and keys such as `__proto__` or `"1"` behave like any other.
 * Values are never mutated after construction: assignment to `a.b[0]` copies the path, so sharing
 * a value between variables, branches and trace events is safe.
 * Docs: https://cloud.google.com/workflows/docs/reference/syntax/datatypes
 */

export class Double {
  constructor(readonly value: number) {}
}

export class Bytes {
  constructor(readonly data: Uint8Array) {}
}

/** A reference to a function (a subworkflow or a library predicate), used only by retry predicates. */
export class FunctionRef {
  constructor(readonly name: string) {}
}

export type WfMap = Map<string, Value>;
export type Value = null | boolean | number | Double | string | Bytes | FunctionRef | readonly Value[] | WfMap;

export type TypeName = 'null' | 'boolean' | 'integer' | 'double' | 'string' | 'bytes' | 'list' | 'map' | 'function';

export function typeOf(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'integer';
    case 'string':
      return 'string';
  }
  if (v instanceof Double) return 'double';
  if (v instanceof Bytes) return 'bytes';
  if (v instanceof FunctionRef) return 'function';
  if (Array.isArray(v)) return 'list';
  return 'map';
}

export function isMap(v: Value): v is WfMap {
  return v instanceof Map;
}
export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

/** Whether `v` is bytes or holds bytes anywhere inside (JSON has no bytes; neither does a workflow result). */
export function containsBytes(v: Value): boolean {
  if (v instanceof Bytes) return true;
  if (isList(v)) return v.some(containsBytes);
  if (isMap(v)) return [...v.values()].some(containsBytes);
  return false;
}
export function isNumber(v: Value): v is number | Double {
  return typeof v === 'number' || v instanceof Double;
}
export function numberValue(v: number | Double): number {
  return typeof v === 'number' ? v : v.value;
}

export function deepEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) return numberValue(a) === numberValue(b);
  if (a instanceof Bytes && b instanceof Bytes) {
    return a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
  }
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as Value));
  if (isMap(a) && isMap(b)) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !deepEqual(v, b.get(k) as Value)) return false;
    }
    return true;
  }
  if (a instanceof FunctionRef && b instanceof FunctionRef) return a.name === b.name;
  return false;
}

/**
 * Converts plain JS data (JSON-like, from YAML, arguments or connectors) to a workflow value.
 * Non-integral numbers become doubles; integral ones stay integers, as JSON cannot tell 1 from 1.0.
 */
export function fromJs(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'boolean':
    case 'string':
      return x;
    case 'number':
      return Number.isInteger(x) ? x : new Double(x);
    case 'bigint':
      return Number(x);
  }
  if (x instanceof Double || x instanceof Bytes || x instanceof FunctionRef) return x;
  if (x instanceof Uint8Array) return new Bytes(x);
  if (Array.isArray(x)) return x.map(fromJs);
  if (x instanceof Map) {
    const m: WfMap = new Map();
    for (const [k, v] of x) m.set(String(k), fromJs(v));
    return m;
  }
  if (x instanceof Date) return x.toISOString();
  if (typeof x === 'object') {
    const m: WfMap = new Map();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) m.set(k, fromJs(v));
    return m;
  }
  throw new Error(`cannot convert a ${typeof x} to a workflow value`);
}

/**
 * Workflow value of JSON text, keeping what JSON.parse loses: a number written with a fraction or
 * an exponent (`1.0`, `2e3`) is a double, one without is an integer. Throws SyntaxError on invalid
 * JSON (checked by JSON.parse first, so the walk below only ever sees valid text).
 */
export function parseJsonText(text: string): Value {
  JSON.parse(text);
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (): Value => {
    ws();
    const c = text[i]!;
    if (c === '{') {
      i++;
      const m: WfMap = new Map();
      ws();
      if (text[i] === '}') return (i++, m);
      for (;;) {
        ws();
        const k = value() as string;
        ws();
        i++; // ':'
        const v = value();
        m.delete(k); // the last of duplicate keys wins, as with JSON.parse
        m.set(k, v);
        ws();
        if (text[i++] === '}') return m;
      }
    }
    if (c === '[') {
      i++;
      const out: Value[] = [];
      ws();
      if (text[i] === ']') return (i++, out);
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === ']') return out;
      }
    }
    if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i)) as string;
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) return ((i += word.length), v);
    }
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i))!;
    i += m[0].length;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new Double(n) : n;
  };
  return value();
}

/** Converts a workflow value to plain JS data: doubles become numbers, maps objects, bytes Uint8Array. */
export function toJs(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Double) return v.value;
  if (v instanceof Bytes) return v.data;
  if (v instanceof FunctionRef) return `<function ${v.name}>`;
  if (isList(v)) return v.map(toJs);
  const o: Record<string, unknown> = {};
  for (const [k, x] of v) {
    // defineProperty keeps a key named "__proto__" an ordinary key.
    Object.defineProperty(o, k, { value: toJs(x), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

export function mapOf(entries: Record<string, Value>): WfMap {
  return new Map(Object.entries(entries));
}

/** How Workflows prints a double: always with a fractional part or exponent, like `2.0` or `1e+21`. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  const s = String(d);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * JSON text of a value, as json.encode and error messages show it (doubles keep their `.0`). With
 * an indent, every element after the first line starts on a new line made of `prefix` and one
 * `indent` per nesting level, as json.encode documents it.
 */
export function toJsonText(v: Value, indent?: string, prefix = ''): string {
  const parts: string[] = [];
  const write = (x: Value, level: number): void => {
    const nl = indent === undefined ? '' : `\n${prefix}${indent.repeat(level + 1)}`;
    const close = indent === undefined ? '' : `\n${prefix}${indent.repeat(level)}`;
    const colon = indent === undefined ? ':' : ': ';
    if (x === null) parts.push('null');
    else if (typeof x === 'boolean' || typeof x === 'number') parts.push(String(x));
    else if (typeof x === 'string') parts.push(JSON.stringify(x));
    else if (x instanceof Double) parts.push(Number.isFinite(x.value) ? formatDouble(x.value) : 'null');
    else if (x instanceof Bytes) parts.push(JSON.stringify(Buffer.from(x.data).toString('base64')));
    else if (x instanceof FunctionRef) parts.push(JSON.stringify(`<function ${x.name}>`));
    else if (isList(x)) {
      if (x.length === 0) return void parts.push('[]');
      parts.push('[');
      x.forEach((item, i) => {
        if (i > 0) parts.push(',');
        parts.push(nl);
        write(item, level + 1);
      });
      parts.push(close, ']');
    } else {
      if (x.size === 0) return void parts.push('{}');
      parts.push('{');
      let first = true;
      for (const [k, item] of x) {
        if (!first) parts.push(',');
        first = false;
        parts.push(nl, JSON.stringify(k), colon);
        write(item, level + 1);
      }
      parts.push(close, '}');
    }
  };
  write(v, 0);
  return parts.join('');
}

/** Short description of a value for error messages. */
export function describe(v: Value): string {
  const t = typeOf(v);
  if (t === 'string') {
    const s = v as string;
    return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
  }
  if (t === 'integer' || t === 'boolean' || t === 'null') return String(v);
  if (t === 'double') return formatDouble((v as Double).value);
  return t;
}
