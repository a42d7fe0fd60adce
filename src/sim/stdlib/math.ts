/** math. https://cloud.google.com/workflows/docs/reference/stdlib/math/overview */
import { Tag, raise } from '../errors.ts';
import { Double, numberValue } from '../values.ts';
import { type Entry, fn, num, numeric } from './define.ts';

export const MATH: readonly Entry[] = [
  fn('math.abs', [numeric('x')], ([x]) => (typeof x === 'number' ? Math.abs(x) : new Double(Math.abs(x.value)))),
  fn('math.floor', [num('x')], ([x]) => Math.floor(x)),
  fn('math.max', [numeric('x'), numeric('y')], ([x, y]) => (numberValue(x) >= numberValue(y) ? x : y)),
  fn('math.min', [numeric('x'), numeric('y')], ([x, y]) => (numberValue(x) <= numberValue(y) ? x : y)),
  fn('math.sqrt', [num('x')], ([x]) => (x < 0 ? raise(Tag.ValueError, 'math.sqrt: negative argument') : new Double(Math.sqrt(x)))),
];
