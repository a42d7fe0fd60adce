/**
 * Assignment to a variable or into it (`a.b`, `a["k"][0]`): values are immutable, so the variable
 * gets a copy with the one value replaced.
 */
import { Tag } from './errors.ts';
import { fail, indexOf, integralIndex } from './expression-eval.ts';
import type { Expr } from './expression-parser.ts';
import type { Scope } from './scope.ts';
import { type Value, isList, isMap, typeOf } from './values.ts';
import type { AssignTarget } from './workflow-ast.ts';

/** `evalIndex` computes an index expression of the target; the parser made sure none waits. */
export function assignTo(target: AssignTarget, value: Value, scope: Scope, evalIndex: (e: Expr) => Value): void {
  if (target.path.length === 0) return scope.assign(target.root, value);
  const root = scope.lookup(target.root);
  if (root === undefined) fail(Tag.KeyError, `variable "${target.root}" is not defined; assign it before assigning into ${target.source}`, 0);
  const keys: (string | number)[] = [];
  for (const seg of target.path) {
    if (seg.kind === 'field') keys.push(seg.name);
    else {
      if (!seg.sync) fail(Tag.TypeError, `an assignment target cannot call a subworkflow: ${target.source}`, seg.expr.pos);
      const k = evalIndex(seg.expr);
      if (typeof k === 'string') keys.push(k);
      else {
        const i = integralIndex(k);
        if (i === undefined) fail(Tag.TypeError, `index in ${target.source} must be a string or an integer, got ${typeOf(k)}`, seg.expr.pos);
        keys.push(i);
      }
    }
  }
  scope.assign(target.root, setIn(root, keys, value, target.source));
}

/** A copy of `root` with the value at `keys` replaced; missing map keys along the way become maps. */
function setIn(root: Value, keys: readonly (string | number)[], value: Value, source: string): Value {
  if (keys.length === 0) return value;
  const [k, ...rest] = keys as [string | number, ...(string | number)[]];
  if (typeof k === 'number') {
    if (!isList(root)) return fail(Tag.TypeError, `cannot index ${typeOf(root)} with ${k} in ${source}`, 0);
    indexOf(root, k, 0);
    const copy = [...root];
    copy[k] = setIn(root[k] as Value, rest, value, source);
    return copy;
  }
  if (isList(root)) return fail(Tag.TypeError, `list index must be an integer in ${source}, got "${k}"`, 0);
  if (!isMap(root)) return fail(Tag.TypeError, `cannot set field "${k}" of ${typeOf(root)} in ${source}`, 0);
  const copy = new Map(root);
  const child = root.get(k);
  copy.set(k, setIn(child === undefined && rest.length > 0 ? new Map() : (child ?? null), rest, value, source));
  return copy;
}
