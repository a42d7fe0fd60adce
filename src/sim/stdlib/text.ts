/** text. https://cloud.google.com/workflows/docs/reference/stdlib/text/overview */
import { RE2JS } from 're2js';
import { Tag, raise } from '../errors.ts';
import { Bytes, type Value, describe } from '../values.ts';
import { type Entry, bytes, chars, fn, int, nullable, str } from './define.ts';

/**
 * Workflows' regular expressions are RE2 (https://github.com/google/re2/wiki/Syntax), so they run
 * on re2js, not on JavaScript's engine: RE2-only syntax such as (?P<name>...) works, and
 * backreferences or lookaround are refused as Google refuses them. find_all_regex and
 * replace_all_regex take the leftmost-longest match, as their reference pages document
 * (https://cloud.google.com/workflows/docs/reference/stdlib/text/find_all_regex).
 */
function regex(fn: string, pattern: string, longest = false): RE2JS {
  try {
    return RE2JS.compile(pattern, longest ? RE2JS.LONGEST_MATCH : 0);
  } catch (e) {
    return raise(Tag.ValueError, `${fn}: invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
  }
}

/** Character (code point) offset of a UTF-16 offset in `s`. */
const charIndex = (s: string, utf16: number): number => chars(s.slice(0, utf16)).length;

function findAllRegex(src: string, pattern: string): Value[] {
  const m = regex('text.find_all_regex', pattern, true).matcher(src);
  const out: Value[] = [];
  while (m.find())
    out.push(
      new Map<string, Value>([
        ['index', charIndex(src, m.start())],
        ['match', m.group() ?? ''],
      ]),
    );
  return out;
}

function findAll(src: string, needle: string): Value[] {
  if (needle === '') return raise(Tag.ValueError, 'text.find_all: substr must not be empty');
  const out: Value[] = [];
  for (let i = src.indexOf(needle); i >= 0; i = src.indexOf(needle, i + needle.length))
    out.push(
      new Map<string, Value>([
        ['index', charIndex(src, i)],
        ['match', needle],
      ]),
    );
  return out;
}

function decode(data: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset, { fatal: true }).decode(data);
  } catch (e) {
    return raise(Tag.ValueError, `text.decode: cannot decode as ${charset}: ${(e as Error).message}`);
  }
}

function encode(s: string, given: string | undefined): Bytes {
  const charset = given === undefined ? 'UTF-8' : given.toUpperCase();
  if (charset === 'UTF-8' || charset === 'UTF8') return new Bytes(new TextEncoder().encode(s));
  if (charset === 'US-ASCII' || charset === 'ISO-8859-1' || charset === 'LATIN1') return new Bytes(new Uint8Array(Buffer.from(s, 'latin1')));
  return raise(Tag.ValueError, `text.encode: unsupported charset ${JSON.stringify(given)}`);
}

function replaceAll(src: string, needle: string, repl: string): string {
  if (needle === '') return raise(Tag.ValueError, 'text.replace_all: substr must not be empty');
  return src.split(needle).join(repl);
}

/** A negative index counts from the end of the string; then both are clamped to it. */
function substring(s: string, start: number, end: number): string {
  const cs = chars(s);
  const at = (n: number) => Math.max(0, Math.min(cs.length, n < 0 ? cs.length + n : n));
  return at(start) >= at(end) ? '' : cs.slice(at(start), at(end)).join('');
}

function urlDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return raise(Tag.ValueError, `text.url_decode: ${describe(s)} is not valid percent-encoding`);
  }
}

/** encodeURIComponent leaves !'()* alone; Workflows percent-encodes them. */
const urlEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export const TEXT: readonly Entry[] = [
  fn('text.decode', [bytes('data'), nullable(str('charset'))], ([d, c]) => decode(d, c ?? 'UTF-8')),
  fn('text.encode', [str('text'), nullable(str('charset'))], ([t, c]) => encode(t, c)),
  fn('text.find_all', [str('source'), str('substr')], ([s, sub]) => findAll(s, sub)),
  fn('text.find_all_regex', [str('source'), str('regexp')], ([s, r]) => findAllRegex(s, r)),
  fn('text.match_regex', [str('source'), str('regexp')], ([s, r]) => regex('text.match_regex', r).test(s)),
  fn('text.replace_all', [str('source'), str('substr'), str('repl')], ([s, sub, repl]) => replaceAll(s, sub, repl)),
  // Google documents that repl has no group references: "\\1" or "$1" is literal text, hence a replacer function.
  fn('text.replace_all_regex', [str('source'), str('regexp'), str('repl')], ([s, r, repl]) =>
    regex('text.replace_all_regex', r, true)
      .matcher(s)
      .replaceAll(() => repl),
  ),
  fn('text.split', [str('source'), str('separator')], ([s, sep]) => (sep === '' ? chars(s) : s.split(sep))),
  fn('text.substring', [str('source'), int('start'), int('end')], ([s, a, b]) => substring(s, a, b)),
  fn('text.to_lower', [str('source')], ([s]) => s.toLowerCase()),
  fn('text.to_upper', [str('source')], ([s]) => s.toUpperCase()),
  fn('text.url_decode', [str('source')], ([s]) => urlDecode(s)),
  fn('text.url_encode', [str('source')], ([s]) => urlEncode(s)),
  fn('text.url_encode_plus', [str('source')], ([s]) => urlEncode(s).replace(/%20/g, '+')),
];
