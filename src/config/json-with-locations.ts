/**
 * JSON parsed with jsonc-parser (strict: no comments, no trailing commas; only spaces, tabs and line
 * breaks between tokens), keeping where every value starts, so a problem found later by the schema
 * (`schedule.cron`) can still be reported at its line and column. On top of what the library checks,
 * it rejects duplicate keys, which JSON.parse silently resolves to the last one (a classic source of
 * "my change did nothing").
 *
 * It also refuses, at their position, what JSON allows but a client file must not hold: nesting
 * deeper than MAX_JSON_DEPTH (jsonc-parser recurses once per level, so the depth is checked first by
 * its scanner, which does not: an unbounded depth would overflow the stack), numbers outside the
 * range of a double (`1e999` would become Infinity, which no JSON writer can write back), and the key
 * `__proto__`, which JavaScript objects built from the parsed value (zod's records, spreads) turn into
 * a prototype change and silently drop.
 *
 * Only the first problem in the text is reported, in words of our own (jsonc-parser's error codes
 * carry no message), as the file's author reads it: what was expected, and what was found.
 */
import { createScanner, visit, type ParseErrorCode, type SyntaxKind } from 'jsonc-parser';
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

// jsonc-parser declares these as const enums, which isolatedModules cannot read: their values.
const OPEN_BRACE = 1 as SyntaxKind;
const CLOSE_BRACE = 2 as SyntaxKind;
const OPEN_BRACKET = 3 as SyntaxKind;
const CLOSE_BRACKET = 4 as SyntaxKind;
const EOF = 17 as SyntaxKind;
const COLON_EXPECTED = 5 as ParseErrorCode;
const END_OF_NUMBER = 13 as ParseErrorCode;
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const STRING_ERRORS = new Set([12, 14, 15, 16] as ParseErrorCode[]); // UnexpectedEndOfString, InvalidUnicode, InvalidEscapeCharacter, InvalidCharacter

interface Problem {
  readonly message: string;
  readonly offset: number;
  /** For valid JSON that is refused anyway: what to do instead of "correct the syntax". */
  readonly fix?: string;
}

type Frame =
  | {
      readonly kind: 'object';
      readonly value: Record<string, unknown>;
      readonly path: readonly (string | number)[];
      readonly seen: Set<string>;
      key?: string;
      awaitingValue: boolean;
      afterValue: boolean;
    }
  | { readonly kind: 'array'; readonly value: unknown[]; readonly path: readonly (string | number)[]; afterValue: boolean };

const tooDeep = (offset: number): Problem => ({
  message: `nesting deeper than ${MAX_JSON_DEPTH} levels of objects and lists (no client file field nests more than 4)`,
  offset,
  fix: 'remove the extra nesting: see generated/schema/client.schema.json for the shape of a client file',
});

/** Offset of the first object or list beyond MAX_JSON_DEPTH, found by the scanner alone (no recursion). */
function firstTooDeep(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      if (++depth > MAX_JSON_DEPTH) return scanner.getTokenOffset();
    } else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** Where a string token starting at `start` goes wrong, in JSON's terms (the scanner reports the token only). */
function stringProblem(text: string, start: number): Problem {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') break;
    if (ch === '\\') {
      const esc = text[i + 1];
      if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
      else if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
      else return { message: 'invalid escape sequence in string', offset: i };
    } else if (ch < ' ') return { message: 'control character in string (use \\n, \\t, ...)', offset: i };
  }
  return { message: 'unterminated string', offset: start };
}

export function parseJsonWithLocations(text: string): JsonParseResult {
  const positionOf: (offset: number) => SourcePosition = lineColumnLocator(text);
  // A UTF-8 byte order mark written by some editors is tolerated: a space keeps every offset.
  const source = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const deep = firstTooDeep(source);
  const problem = parse(deep === undefined ? source : source.slice(0, deep), deep, positionOf);
  if ('message' in problem) return { ok: false, message: problem.message, position: positionOf(problem.offset), ...(problem.fix ? { fix: problem.fix } : {}) };
  return { ok: true, value: problem.value, positions: problem.positions };
}

/**
 * Builds the value from jsonc-parser's events. `cut`: where the text was cut because nesting goes
 * too deep there; a problem before it is reported first, as it comes first in the file.
 */
function parse(text: string, cut: number | undefined, positionOf: (offset: number) => SourcePosition): Problem | { value: unknown; positions: Map<string, SourcePosition> } {
  const positions = new Map<string, SourcePosition>();
  const stack: Frame[] = [];
  let root: unknown;
  let hasRoot = false;
  let first: Problem | undefined;
  const fail = (p: Problem) => {
    first ??= p;
  };
  const describe = (offset: number) => (offset >= text.length ? 'end of file' : JSON.stringify(text[offset]));
  const previousToken = (offset: number) => text.slice(0, offset).trimEnd().at(-1);

  /** Records a value in its container (or as the root) and returns its path. */
  const place = (value: unknown, offset: number): (string | number)[] => {
    const frame = stack.at(-1);
    let path: (string | number)[];
    if (!frame) {
      path = [];
      root = value;
      hasRoot = true;
    } else if (frame.kind === 'array') {
      path = [...frame.path, frame.value.length];
      frame.value.push(value);
    } else {
      path = [...frame.path, frame.key!];
      Object.defineProperty(frame.value, frame.key!, { value, enumerable: true, writable: true, configurable: true });
      frame.awaitingValue = false;
    }
    positions.set(formatJsonPath(path), positionOf(offset));
    return path;
  };
  const valueDone = () => {
    const frame = stack.at(-1);
    if (frame) frame.afterValue = true;
  };
  /** A value that ends where the scanner broke off: its container moves on as if it were placed. */
  const valueDoneAt = () => {
    const frame = stack.at(-1);
    if (!frame) hasRoot = true;
    else if (frame.kind === 'object') frame.awaitingValue = false;
    valueDone();
  };

  /** What the author is told at `offset`, from where the parser stood. */
  const contextual = (offset: number): string => {
    const frame = stack.at(-1);
    const found = describe(offset);
    if (!frame) return hasRoot ? `unexpected ${found} after the end of the JSON value` : `unexpected ${found}: expected a value`;
    if (frame.kind === 'array') {
      if (text[offset] === ']' && previousToken(offset) === ',') return 'trailing comma before ]';
      return frame.afterValue ? `expected ',' or ']' in list, found ${found}` : `unexpected ${found}: expected a value`;
    }
    if (frame.awaitingValue) return `unexpected ${found}: expected a value`;
    if (text[offset] === '}' && previousToken(offset) === ',') return 'trailing comma before }';
    if (frame.afterValue) return `expected ',' or '}' after the value of "${frame.key}", found ${found}`;
    return `expected a property name in double quotes, found ${found}`;
  };

  visit(
    text,
    {
      onObjectBegin: (offset) => {
        if (first) return false;
        const value: Record<string, unknown> = {};
        const path = place(value, offset);
        stack.push({ kind: 'object', value, path, seen: new Set(), awaitingValue: false, afterValue: false });
        return undefined;
      },
      onArrayBegin: (offset) => {
        if (first) return false;
        const value: unknown[] = [];
        const path = place(value, offset);
        stack.push({ kind: 'array', value, path, afterValue: false });
        return undefined;
      },
      // Called at the end of file too, before the missing "}" or "]" is reported: the container stays open.
      onObjectEnd: (offset) => {
        if (first || text[offset] !== '}') return;
        stack.pop();
        valueDone();
      },
      onArrayEnd: (offset) => {
        if (first || text[offset] !== ']') return;
        stack.pop();
        valueDone();
      },
      onObjectProperty: (key, offset) => {
        const frame = stack.at(-1);
        if (first || frame?.kind !== 'object') return;
        if (frame.seen.has(key)) return fail({ message: `duplicate key "${key}"`, offset });
        if (key === '__proto__') {
          return fail({
            message: 'the key "__proto__" is not allowed (JavaScript treats it as the object\'s prototype, and it would be silently dropped)',
            offset,
            fix: 'rename the key: no client file field, environment variable or tag may be called "__proto__"',
          });
        }
        frame.seen.add(key);
        frame.key = key;
        frame.awaitingValue = true;
        frame.afterValue = false;
      },
      onLiteralValue: (value, offset, length) => {
        if (first) return;
        if (typeof value === 'number' && !Number.isFinite(value)) {
          return fail({
            message: `the number ${text.slice(offset, offset + length)} is too large (beyond ±1.7976931348623157e308)`,
            offset,
            fix: 'write a number within the range the field allows (see generated/schema/client.schema.json)',
          });
        }
        place(value, offset);
        valueDone();
      },
      onSeparator: (character) => {
        const frame = stack.at(-1);
        if (!first && frame && character === ',') frame.afterValue = false;
      },
      onError: (error, offset) => {
        if (first || (cut !== undefined && offset >= cut)) return;
        if (STRING_ERRORS.has(error) && text[offset] === '"') return fail(stringProblem(text, offset));
        if (error === END_OF_NUMBER) {
          // `1.` or `1.e3`: the valid number before the break is the value, and what follows is unexpected.
          const valid = JSON_NUMBER.exec(text.slice(offset, offset + 400))?.[0] ?? '';
          if (valid) valueDoneAt();
          return fail({ message: contextual(offset + valid.length), offset: offset + valid.length });
        }
        const frame = stack.at(-1);
        if (error === COLON_EXPECTED && frame?.kind === 'object') return fail({ message: `expected ':' after "${frame.key}", found ${describe(offset)}`, offset });
        return fail({ message: contextual(offset), offset });
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  if (cut !== undefined) return first ?? tooDeep(cut);
  return first ?? { value: root, positions };
}
