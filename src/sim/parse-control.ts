/** Switch, for and try steps: the constructs that hold conditions, a loop or an except block. */
import { parseRetry } from './parse-retry.ts';
import { type ParseContext, type StepBase, VARIABLE_NAME, onlyKeys } from './parse-context.ts';
import { type Value, type WfMap, isList, isMap } from './values.ts';
import type { ParallelFor, Step, StepList, Template } from './workflow-ast.ts';

export function conditions(ctx: ParseContext, name: string, v: Value, ptr: string, path: string): { condition: Template; action: Step }[] {
  if (!isList(v) || v.length === 0) ctx.fail('"switch" must be a non-empty list of conditions', ptr, path);
  if (v.length > 50) ctx.fail(`a switch holds at most 50 conditions, this one has ${v.length}`, ptr, path);
  return v.map((c, i) => {
    const cp = `${ptr}/${i}`;
    const cpath = `${path}[${i}]`;
    if (!isMap(c) || !c.has('condition')) ctx.fail('each switch entry needs a "condition"', cp, cpath);
    const rest = new Map(c);
    rest.delete('condition');
    if (rest.size === 0) ctx.fail('this condition does nothing', cp, cpath, 'add next, steps, assign, call, return or raise');
    return { condition: ctx.template(c.get('condition')!, `${cp}/condition`, `${cpath}.condition`), action: ctx.step(name, rest, cp, cpath) };
  });
}

export function forLoop(ctx: ParseContext, v: Value, ptr: string, path: string): ParallelFor {
  if (!isMap(v)) ctx.fail('"for" must be a map with value, in or range, and steps', ptr, path);
  onlyKeys(ctx, v, ['value', 'index', 'in', 'range', 'steps'], { ptr, path, what: 'for', hint: 'a for loop has value, index, in or range, and steps' });
  const value = v.get('value');
  if (typeof value !== 'string' || !VARIABLE_NAME.test(value)) ctx.fail('"value" must name the loop variable', `${ptr}/value`, `${path}.value`);
  const index = v.get('index');
  if (index !== undefined && (typeof index !== 'string' || !VARIABLE_NAME.test(index))) ctx.fail('"index" must be a variable name', `${ptr}/index`, `${path}.index`);
  if (v.has('in') === v.has('range')) ctx.fail('a for loop needs exactly one of "in" and "range"', ptr, path);
  const source = v.has('in')
    ? ({ kind: 'in', t: ctx.template(v.get('in')!, `${ptr}/in`, `${path}.in`) } as const)
    : ({ kind: 'range', t: ctx.template(v.get('range')!, `${ptr}/range`, `${path}.range`) } as const);
  if (!v.has('steps')) ctx.fail('a for loop needs "steps"', ptr, path);
  return { value, ...(typeof index === 'string' ? { index } : {}), source, body: ctx.stepList(v.get('steps')!, `${ptr}/steps`, `${path}.steps`) };
}

export function tryStep(ctx: ParseContext, base: StepBase, body: WfMap, ptr: string, path: string): Step {
  const t = body.get('try') ?? null;
  if (!isMap(t)) ctx.fail('"try" must be a step body or a map with "steps"', `${ptr}/try`, `${path}.try`);
  const tryBody =
    t.has('steps') && t.size === 1
      ? ctx.stepList(t.get('steps')!, `${ptr}/try/steps`, `${path}.try.steps`)
      : { steps: [ctx.step(base.name, t, `${ptr}/try`, `${path}.try`)], index: new Map<string, number>() };
  const retry = body.has('retry') ? parseRetry(ctx, body.get('retry')!, `${ptr}/retry`, `${path}.retry`) : undefined;
  let except: { as?: string; body: StepList } | undefined;
  if (body.has('except')) {
    const e = body.get('except') ?? null;
    const ep = `${ptr}/except`;
    if (!isMap(e) || !e.has('steps')) ctx.fail('"except" must be a map with "steps" (and optional "as")', ep, `${path}.except`);
    onlyKeys(ctx, e, ['as', 'steps'], { ptr: ep, path: `${path}.except`, what: 'except' });
    const as = e.get('as');
    if (as !== undefined && (typeof as !== 'string' || !VARIABLE_NAME.test(as))) ctx.fail('"as" must be a variable name', `${ep}/as`, `${path}.except.as`);
    except = { ...(typeof as === 'string' ? { as } : {}), body: ctx.stepList(e.get('steps')!, `${ep}/steps`, `${path}.except.steps`) };
  }
  if (!retry && !except) ctx.fail(`try step "${base.name}" has neither "retry" nor "except"`, ptr, path, 'add except: {as: e, steps: [...]} or a retry policy', true);
  return { ...base, kind: 'try', body: tryBody, ...(retry ? { retry } : {}), ...(except ? { except } : {}) };
}
