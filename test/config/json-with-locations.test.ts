/**
 * The located JSON parser's own cases: each problem at its line and column with the message a file's
 * author reads (these pinned the hand-written parser, and hold for the jsonc-parser one that replaced
 * it), and the positions of every value of a valid file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseJsonWithLocations } from '../../src/config/json-with-locations.ts';

const problems: [text: string, line: number, column: number, message: string][] = [
  ['', 1, 1, 'unexpected end of file: expected a value'],
  ['{', 1, 2, 'expected a property name in double quotes, found end of file'],
  ['[1,2,3', 1, 7, "expected ',' or ']' in list, found end of file"],
  ['{"a":[1,2', 1, 10, "expected ',' or ']' in list, found end of file"],
  ['{"a":1,}', 1, 8, 'trailing comma before }'],
  ['[1,,2]', 1, 4, 'unexpected ",": expected a value'],
  ['{,}', 1, 2, 'expected a property name in double quotes, found ","'],
  ['{"a" 1}', 1, 6, 'expected \':\' after "a", found "1"'],
  ['{"a":}', 1, 6, 'unexpected "}": expected a value'],
  ['{"a":1}x', 1, 8, 'unexpected "x" after the end of the JSON value'],
  ['"a\\qb"', 1, 3, 'invalid escape sequence in string'],
  ['"a\\u12g4"', 1, 3, 'invalid escape sequence in string'],
  ['"a\nb"', 1, 3, 'control character in string (use \\n, \\t, ...)'],
  ['"abc', 1, 1, 'unterminated string'],
  ['1.', 1, 2, 'unexpected "." after the end of the JSON value'],
  ['[1.e3]', 1, 3, "expected ',' or ']' in list, found \".\""],
  ['01', 1, 2, 'unexpected "1" after the end of the JSON value'],
  ['{"a":{"a":1,"a":2}}', 1, 13, 'duplicate key "a"'],
  ['{"a":1 // c\n}', 1, 8, 'expected \',\' or \'}\' after the value of "a", found "/"'],
  ["{'a':1}", 1, 2, 'expected a property name in double quotes, found "\'"'],
  ['{\u00a0"a":1}', 1, 2, 'expected a property name in double quotes, found "\u00a0"'],
  ['[x[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', 1, 2, 'unexpected "x": expected a value'],
  [
    '[{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":{"k":',
    1,
    77,
    'nesting deeper than 16 levels of objects and lists (no client file field nests more than 4)',
  ],
];

test('each malformed or refused text: one problem, at its line and column, in our words', () => {
  for (const [text, line, column, message] of problems) {
    const parsed = parseJsonWithLocations(text);
    assert.equal(parsed.ok ? 'parsed' : [parsed.position, parsed.message], [{ line, column }, message], JSON.stringify(text));
  }
});

test('a valid file: the value as JSON.parse reads it, and where every value starts', () => {
  const text = '\ufeff{\n  "name": "acme-corp",\n  "tags": { "é": "ü", "b": [true, null, -0.5e-3] },\r\n  "": 1\n}\n';
  const parsed = parseJsonWithLocations(text);
  assert.ok(parsed.ok);
  assert.equal(parsed.value, JSON.parse(text.slice(1)));
  assert.equal(Object.fromEntries(parsed.positions), {
    '': { line: 1, column: 2 },
    name: { line: 2, column: 11 },
    tags: { line: 3, column: 11 },
    'tags["é"]': { line: 3, column: 18 },
    'tags.b': { line: 3, column: 28 },
    'tags.b[0]': { line: 3, column: 29 },
    'tags.b[1]': { line: 3, column: 35 },
    'tags.b[2]': { line: 3, column: 41 },
    '[""]': { line: 4, column: 7 },
  });
});

test.run();
