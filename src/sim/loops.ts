/** `for` loops: the items of `in` or `range`, and the iterations, each in the loop's own scope. */
import { Tag } from './errors.ts';
import { fail } from './expression-eval.ts';
import { type Completion, NORMAL, type Runner, Scope, type Thread } from './scope.ts';
import { Double, type Value, isList, isMap, isNumber, numberValue, toJs, typeOf } from './values.ts';
import type { ParallelFor } from './workflow-ast.ts';

export async function loopItems(run: Runner, loop: ParallelFor, scope: Scope, t: Thread): Promise<readonly Value[]> {
  const src = await run.evalTemplate(loop.source.t, scope, t);
  if (loop.source.kind === 'in') {
    if (isList(src)) return src;
    return fail(Tag.TypeError, `a for loop iterates over a list, got ${typeOf(src)}${isMap(src) ? ' (use keys(map) to iterate over its keys)' : ''}`, 0);
  }
  if (!isList(src) || src.length !== 2 || !src.every((x) => isNumber(x))) return fail(Tag.TypeError, 'range must be a list of two numbers [start, end]', 0);
  const [a, b] = src as [number | Double, number | Double];
  const items: Value[] = [];
  const ints = typeof a === 'number' && typeof b === 'number';
  const end = numberValue(b);
  // Both ends are inclusive.
  for (let x = numberValue(a); x <= end; x++) {
    items.push(ints ? x : new Double(x));
    if (items.length > run.limits.maxSteps) break;
  }
  return items;
}

/** Variables first assigned in the body live in the loop's scope and vanish with it. */
export async function runFor(run: Runner, loop: ParallelFor, scope: Scope, t: Thread, stepName: string): Promise<Completion> {
  const items = await loopItems(run, loop, scope, t);
  const loopScope = new Scope(new Map(), scope);
  for (let i = 0; i < items.length; i++) {
    loopScope.vars.set(loop.value, items[i]!);
    if (loop.index) loopScope.vars.set(loop.index, i);
    run.emit(t, stepName, 'iteration', 'started', { detail: { index: i, value: toJs(items[i]!) } });
    const c = await run.execList(loop.body, loopScope, t);
    if (c.kind === 'break') break;
    if (c.kind === 'continue' || c.kind === 'normal') continue;
    return c;
  }
  return NORMAL;
}
