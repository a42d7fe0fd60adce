/**
 * A small JSON parser that remembers where every value starts, so a problem found later by the schema
 * (`schedule.cron`) can still be reported at its line and column, and that rejects duplicate keys,
 * which JSON.parse silently resolves to the last one (a classic source of "my change did nothing").
 *
 * It also refuses, at their position, what JSON allows but a client file must not hold: nesting
 * deeper than MAX_JSON_DEPTH (the parser recurses once per level, so an unbounded depth would
 * overflow the stack), numbers outside the range of a double (`1e999` would become Infinity, which
 * no JSON writer can write back), and the key `__proto__`, which JavaScript objects built from the
 * parsed value (zod's records, spreads) turn into a prototype change and silently drop.
 */
import { lineColumnLocator, type LineColumn } from '../text-positions.ts';

export type SourcePosition = LineColumn;

/**
 * Objects and lists nested in one another, at most. The client schema nests 4 deep
 * (`schedule.argument.args[0]`); the margin leaves room for new fields, and the bound keeps the
 * recursion (and the path of every position) small.
 */
export const MAX_JSON_DEPTH = 16;

export type JsonParseResult =
  | { readonly ok: true; readonly value: unknown; readonly positions: ReadonlyMap<string, SourcePosition> }
  | { readonly ok: false; readonly message: string; readonly position: SourcePosition; readonly fix?: string };

/** The path notation used in every diagnostic: `schedule.cron`, `environments[1]`. */
export function formatJsonPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** For valid JSON that is refused anyway: what to do instead of "correct the syntax". */
    readonly fix?: string,
  ) {
    super(message);
  }
}

export function parseJsonWithLocations(text: string): JsonParseResult {
  const positions = new Map<string, SourcePosition>();
  const positionOf: (offset: number) => SourcePosition = lineColumnLocator(text);

  let i = 0;
  const skipWhitespace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const describe = (offset: number) =>
    offset >= text.length ? 'end of file' : `${JSON.stringify(text[offset])}`;

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        const esc = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (esc !== undefined && esc in simple) {
          out += simple[esc];
          i += 2;
          continue;
        }
        if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        throw new JsonSyntaxError('invalid escape sequence in string', i);
      }
      if (ch < ' ') throw new JsonSyntaxError('control character in string (use \\n, \\t, ...)', i);
      out += ch;
      i++;
    }
    throw new JsonSyntaxError('unterminated string', start);
  };

  const parseValue = (path: (string | number)[]): unknown => {
    skipWhitespace();
    positions.set(formatJsonPath(path), positionOf(i));
    const ch = text[i];
    if ((ch === '{' || ch === '[') && path.length >= MAX_JSON_DEPTH) {
      throw new JsonSyntaxError(`nesting deeper than ${MAX_JSON_DEPTH} levels of objects and lists (no client file field nests more than 4)`, i, 'remove the extra nesting: see generated/schema/client.schema.json for the shape of a client file');
    }
    if (ch === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      const seen = new Set<string>();
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') throw new JsonSyntaxError(`expected a property name in double quotes, found ${describe(i)}`, i);
        const keyOffset = i;
        const key = parseString();
        if (seen.has(key)) throw new JsonSyntaxError(`duplicate key "${key}"`, keyOffset);
        if (key === '__proto__') throw new JsonSyntaxError('the key "__proto__" is not allowed (JavaScript treats it as the object\'s prototype, and it would be silently dropped)', keyOffset, 'rename the key: no client file field, environment variable or tag may be called "__proto__"');
        seen.add(key);
        skipWhitespace();
        if (text[i] !== ':') throw new JsonSyntaxError(`expected ':' after "${key}", found ${describe(i)}`, i);
        i++;
        const value = parseValue([...path, key]);
        Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          skipWhitespace();
          if (text[i] === '}') throw new JsonSyntaxError('trailing comma before }', i);
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        throw new JsonSyntaxError(`expected ',' or '}' after the value of "${key}", found ${describe(i)}`, i);
      }
    }
    if (ch === '[') {
      i++;
      const arr: unknown[] = [];
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue([...path, arr.length]));
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          skipWhitespace();
          if (text[i] === ']') throw new JsonSyntaxError('trailing comma before ]', i);
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        throw new JsonSyntaxError(`expected ',' or ']' in list, found ${describe(i)}`, i);
      }
    }
    if (ch === '"') return parseString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (literal) {
      const value: unknown = JSON.parse(literal[0]);
      if (typeof value === 'number' && !Number.isFinite(value)) throw new JsonSyntaxError(`the number ${literal[0]} is too large (beyond ±1.7976931348623157e308)`, i, 'write a number within the range the field allows (see generated/schema/client.schema.json)');
      i += literal[0].length;
      return value;
    }
    throw new JsonSyntaxError(`unexpected ${describe(i)}: expected a value`, i);
  };

  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1; // tolerate a UTF-8 byte order mark written by some editors
    const value = parseValue([]);
    skipWhitespace();
    if (i < text.length) throw new JsonSyntaxError(`unexpected ${describe(i)} after the end of the JSON value`, i);
    return { ok: true, value, positions };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, message: error.message, position: positionOf(error.offset), ...(error.fix ? { fix: error.fix } : {}) };
    throw error;
  }
}
