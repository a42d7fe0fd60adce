import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { and, concat, Expr, fn, list, literal, map, not, or, renderString, variable } from '../../src/dsl/index.ts';
import { renderValue } from '../../src/dsl/expr.ts';
import { base64, defaultTo, hash, mapFns, sys, text } from '../../src/dsl/stdlib.ts';

const a = variable('a');
const b = variable('b');
const c = variable('c');

test('literals render with Workflows spelling', () => {
  assert.is(literal('he said "hi"\n').toString(), '${"he said \\"hi\\"\\n"}');
  assert.is(literal(42).toString(), '${42}');
  assert.is(literal(-1.5).toString(), '${-1.5}');
  assert.is(literal(true).toString(), '${true}');
  assert.is(literal(null).toString(), '${null}');
  assert.is(list([1, 'x', a]).toString(), '${[1, "x", a]}');
  assert.is(map({ k: 1, 'with space': a }).toString(), '${{"k": 1, "with space": a}}');
  assert.is(literal('ünïcödé ✓').toString(), '${"ünïcödé ✓"}');
});

test('member access uses dots for identifiers and brackets otherwise', () => {
  assert.is(a.get('data').get('protoPayload').toString(), '${a.data.protoPayload}');
  assert.is(a.get('managed-by').toString(), '${a["managed-by"]}');
  assert.is(a.at(0).at(b).toString(), '${a[0][b]}');
  assert.is(a.plus(b).get('x').toString(), '${(a + b).x}');
});

test('function calls take positional arguments', () => {
  assert.is(sys.getEnv('GOOGLE_CLOUD_PROJECT_ID').toString(), '${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}');
  assert.is(mapFns.get(a, ['data', 'timestamp']).toString(), '${map.get(a, ["data", "timestamp"])}');
  assert.is(base64.encode(hash.computeChecksum(text.encode(a), 'SHA256')).toString(), '${base64.encode(hash.compute_checksum(text.encode(a, "UTF-8"), "SHA256"))}');
  assert.is(defaultTo(a, '').toString(), '${default(a, "")}');
  assert.throws(() => fn('not a name'), /not a function name/);
});

test('precedence: parentheses only where Workflows needs them', () => {
  assert.is(a.plus(b).times(c).toString(), '${(a + b) * c}');
  assert.is(a.plus(b.times(c)).toString(), '${a + b * c}');
  assert.is(a.times(b).plus(c).toString(), '${a * b + c}');
  // Left-associative: the right operand of the same level keeps its parentheses.
  assert.is(a.minus(b.minus(c)).toString(), '${a - (b - c)}');
  assert.is(a.minus(b).minus(c).toString(), '${a - b - c}');
  assert.is(a.dividedBy(b.times(c)).toString(), '${a / (b * c)}');
  assert.is(a.floorDividedBy(b).modulo(c).toString(), '${a // b % c}');
  // and binds tighter than or.
  assert.is(a.or(b).and(c).toString(), '${(a or b) and c}');
  assert.is(a.or(b.and(c)).toString(), '${a or b and c}');
  assert.is(or(a, b, c).toString(), '${a or b or c}');
  assert.is(and(a.eq(1), b.ne('x')).toString(), '${a == 1 and b != "x"}');
  // not binds tighter than comparison in Workflows, so not over a comparison needs parentheses.
  assert.is(not(a.eq(b)).toString(), '${not (a == b)}');
  assert.is(not(a).eq(b).toString(), '${not a == b}');
  assert.is(not(fn('text.match_regex', a, '^x$')).toString(), '${not text.match_regex(a, "^x$")}');
  // Comparisons do not chain: a comparison operand of a comparison is parenthesised.
  assert.is(a.eq(b).eq(c).toString(), '${(a == b) == c}');
  assert.is(a.in(b).toString(), '${a in b}');
  assert.is(a.plus(1).lt(b.times(2)).toString(), '${a + 1 < b * 2}');
  // Unary minus binds tighter than multiplication; double negation keeps its parentheses.
  assert.is(a.negate().times(b).toString(), '${-a * b}');
  assert.is(a.plus(b).negate().toString(), '${-(a + b)}');
  assert.is(literal(-5).negate().toString(), '${-(-5)}');
  assert.is(a.minus(-5).toString(), '${a - -5}');
});

test('concat flattens and merges adjacent string literals', () => {
  assert.is(concat('gs://', a, '/', 'x/', b).toString(), '${"gs://" + a + "/x/" + b}');
  assert.is(concat(concat('p/', a, '/'), 'inputs/').toString(), '${"p/" + a + "/inputs/"}');
  assert.is(concat('only').toString(), '${"only"}');
});

test('a literal string containing ${ is written so it is never evaluated', () => {
  assert.is(renderString('${not evaluated}'), '${"${not evaluated}"}');
  assert.is(renderString('cost: ${5}'), '${"cost: ${5}"}');
  assert.is(renderString('a "quoted" ${x}'), '${"a \\"quoted\\" ${x}"}');
  assert.is(renderString('plain $ and {braces}'), 'plain $ and {braces}');
  assert.equal(renderValue({ note: '${x}', list: ['${y}', 'z'], n: 1 }), { note: '${"${x}"}', list: ['${"${y}"}', 'z'], n: 1 });
  // The same holds inside expressions and for literal expressions rendered as plain values.
  assert.is(renderValue(literal('${x}')), '${"${x}"}');
  assert.is(concat('${', a).toString(), '${"${" + a}');
});

test('values: plain data stays plain, computed leaves become ${...}', () => {
  assert.equal(renderValue({ a: 1, b: [true, null, 'x'], c: variable('v').get('f') }), { a: 1, b: [true, null, 'x'], c: '${v.f}' });
  assert.equal(renderValue(list(['x', variable('y')])), ['x', '${y}']);
  assert.equal(renderValue(map({ k: variable('y') })), { k: '${y}' });
  assert.throws(() => renderValue(Number.NaN), /non-finite/);
});

test('expressions are immutable values', () => {
  const base = variable('x');
  const derived = base.get('f');
  assert.ok(Object.isFrozen(base));
  assert.ok(derived instanceof Expr);
  assert.is(base.toString(), '${x}');
  assert.throws(() => variable('not-an-identifier'), /not a variable name/);
});

test.run();
