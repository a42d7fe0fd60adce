/** Assign steps: up to 50 `name: value` items, each target a variable or a path into one. */
import { type Expr, parseExpression } from './expression-parser.ts';
import type { ParseContext } from './parse-context.ts';
import { type Value, isList, isMap } from './values.ts';
import type { AssignTarget, Template } from './workflow-ast.ts';

export function assignments(ctx: ParseContext, v: Value, ptr: string, path: string): { target: AssignTarget; value: Template }[] {
  if (!isList(v) || v.length === 0) ctx.fail('"assign" must be a non-empty list of "name: value" items', ptr, path);
  if (v.length > 50) ctx.fail(`an assign step holds at most 50 assignments, this one has ${v.length}`, ptr, path, 'split it into several assign steps');
  return v.map((item, i) => {
    const ip = `${ptr}/${i}`;
    if (!isMap(item) || item.size !== 1) ctx.fail('each assignment is a single "name: value" map', ip, `${path}[${i}]`);
    const [key, value] = [...item][0]!;
    return { target: assignTarget(ctx, key, `${ip}/${key}`, `${path}[${i}]`), value: ctx.template(value, `${ip}/${key}`, `${path}[${i}].${key}`) };
  });
}

function assignTarget(ctx: ParseContext, key: string, ptr: string, path: string): AssignTarget {
  let e: Expr;
  try {
    e = parseExpression(key);
  } catch {
    ctx.fail(`"${key}" is not a variable name or a path like a.b or a["k"][0]`, ptr, path, undefined, true);
  }
  const segments: AssignTarget['path'][number][] = [];
  let cur: Expr = e;
  while (cur.kind === 'member' || cur.kind === 'index') {
    segments.unshift(cur.kind === 'member' ? { kind: 'field', name: cur.name } : { kind: 'index', expr: cur.index, sync: !ctx.mayWait(cur.index) });
    cur = cur.obj;
  }
  if (cur.kind !== 'var') ctx.fail(`cannot assign to "${key}"`, ptr, path, 'assign to a variable or a field/index path inside one', true);
  return { root: cur.name, path: segments, source: key };
}
