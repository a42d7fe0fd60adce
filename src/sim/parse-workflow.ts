/**
 * YAML text → ParsedWorkflow: checks the structure Google's deploy-time validation checks (known
 * step kinds, jump targets that exist, `break`/`continue` only in loops, call arguments that match a
 * subworkflow's parameters, parallel limits) and compiles every `${...}`. Every problem is a
 * SimSyntaxError pointing at its line and column, raised before anything runs. This file holds the
 * file and step structure; each step kind's own fields are parsed in parse-<construct>.ts, values
 * in parse-template.ts, and the whole-file checks are check-flow.ts and check-parallel-writes.ts.
 */
import { checkFlow } from './check-flow.ts';
import { checkParallelWrites } from './check-parallel-writes.ts';
import { SimSyntaxError } from './errors.ts';
import { type Expr, expressionBody } from './expression-parser.ts';
import { assignments } from './parse-assign.ts';
import { call } from './parse-call.ts';
import { type ParseContext, VARIABLE_NAME, onlyKeys } from './parse-context.ts';
import { conditions, forLoop, tryStep } from './parse-control.ts';
import { parallel } from './parse-parallel.ts';
import { mayWait, template } from './parse-template.ts';
import type { Location, Param, ParsedWorkflow, Step, StepList, Subworkflow, Template } from './workflow-ast.ts';
import { loadWorkflowYaml, type Position } from './yaml-source.ts';
import { type Value, type WfMap, isList, isMap, typeOf } from './values.ts';

const STEP_KEYS: Record<Step['kind'], readonly string[]> = {
  assign: ['assign', 'next'],
  call: ['call', 'args', 'result', 'next'],
  switch: ['switch', 'next'],
  for: ['for', 'next'],
  parallel: ['parallel', 'next'],
  try: ['try', 'retry', 'except', 'next'],
  raise: ['raise'],
  return: ['return'],
  steps: ['steps', 'next'],
  next: ['next'],
};
const KIND_ORDER: readonly Step['kind'][] = ['call', 'assign', 'switch', 'for', 'parallel', 'try', 'raise', 'return', 'steps'];

class WorkflowParser implements ParseContext {
  readonly warnings: string[] = [];
  readonly callTargets = new Set<string>();
  subworkflowNames: ReadonlySet<string> = new Set();

  constructor(
    readonly fileName: string | undefined,
    private readonly positions: ReadonlyMap<string, Position>,
  ) {}

  loc(ptr: string, path: string, key = false): Location {
    const p = (key ? this.positions.get(`${ptr}#key`) : undefined) ?? this.positions.get(ptr);
    return { path, ...(p ? { line: p.line, column: p.column } : {}) };
  }

  fail(message: string, ptr: string, path: string, fix?: string, key = false): never {
    const l = this.loc(ptr, path, key);
    throw new SimSyntaxError(message, { file: this.fileName, line: l.line, column: l.column, path }, fix);
  }

  parse(top: Value): ParsedWorkflow {
    const subs = new Map<string, Subworkflow>();
    if (isList(top)) {
      this.subworkflowNames = new Set(['main']);
      subs.set('main', { name: 'main', params: [], body: this.stepList(top, '', 'main.steps'), loc: this.loc('', 'main') });
    } else if (isMap(top)) {
      if (!top.has('main')) this.fail('the workflow has no "main" subworkflow', '', '', 'name the entry subworkflow "main", or write the file as a plain list of steps');
      this.subworkflowNames = new Set(top.keys());
      for (const [name, def] of top) subs.set(name, this.subworkflow(name, def));
    } else {
      this.fail(`a workflow must be a list of steps or a map of subworkflows, not ${typeOf(top)}`, '', '');
    }
    for (const sub of subs.values()) {
      checkFlow(this, sub, subs);
      checkParallelWrites(this, sub);
    }
    return { fileName: this.fileName, subworkflows: subs, callTargets: [...this.callTargets].sort(), warnings: this.warnings };
  }

  private subworkflow(name: string, def: Value): Subworkflow {
    const ptr = `/${name}`;
    if (!VARIABLE_NAME.test(name)) this.fail(`"${name}" is not a valid subworkflow name`, ptr, name, 'use letters, digits and underscores', true);
    if (!isMap(def)) this.fail(`subworkflow "${name}" must be a map with "steps" (and optional "params")`, ptr, name);
    onlyKeys(this, def, ['params', 'steps'], { ptr, path: name, what: `subworkflow "${name}"`, hint: 'a subworkflow has only "params" and "steps"' });
    const params: Param[] = [];
    const rawParams = def.get('params') ?? [];
    if (!isList(rawParams)) this.fail('"params" must be a list', `${ptr}/params`, `${name}.params`);
    rawParams.forEach((p, i) => {
      const pp = `${ptr}/params/${i}`;
      if (typeof p === 'string') params.push({ name: p });
      else if (isMap(p) && p.size === 1) {
        const [pn, dv] = [...p][0]!;
        params.push({ name: pn, default: dv });
      } else this.fail('a parameter is a name or a single "name: default" pair', pp, `${name}.params[${i}]`);
      const pn = params[params.length - 1]!.name;
      if (!VARIABLE_NAME.test(pn)) this.fail(`"${pn}" is not a valid parameter name`, pp, `${name}.params[${i}]`);
    });
    if (name === 'main' && params.length > 1)
      this.fail('"main" takes at most one parameter (the execution argument)', `${ptr}/params`, 'main.params', 'receive one map, e.g. params: [args], and read its fields');
    if (!def.has('steps')) this.fail(`subworkflow "${name}" has no "steps"`, ptr, name);
    return { name, params, body: this.stepList(def.get('steps')!, `${ptr}/steps`, `${name}.steps`), loc: this.loc(ptr, name, true) };
  }

  stepList(v: Value, ptr: string, path: string): StepList {
    if (!isList(v) || v.length === 0) this.fail('"steps" must be a non-empty list of steps', ptr, path);
    const steps: Step[] = [];
    const index = new Map<string, number>();
    v.forEach((item, i) => {
      const ip = `${ptr}/${i}`;
      if (!isMap(item) || item.size !== 1) this.fail('each step is a map with exactly one key, its name: "- step_name: {...}"', ip, `${path}[${i}]`);
      const [name, body] = [...item][0]!;
      const stepPath = `${path}[${i}].${name}`;
      if (index.has(name)) this.fail(`duplicate step name "${name}" in the same list`, `${ip}/${name}`, stepPath, 'give every step in a list its own name', true);
      if (['end', 'break', 'continue'].includes(name)) this.fail(`"${name}" is reserved for next: and cannot name a step`, `${ip}/${name}`, stepPath, undefined, true);
      index.set(name, i);
      steps.push(this.step(name, body, `${ip}/${name}`, stepPath));
    });
    return { steps, index };
  }

  step(name: string, body: Value, ptr: string, path: string): Step {
    if (!isMap(body)) this.fail(`step "${name}" must be a map (assign, call, switch, for, parallel, try, raise, return, steps or next)`, ptr, path, undefined, true);
    const kinds = KIND_ORDER.filter((k) => body.has(k));
    if (kinds.length > 1) this.fail(`step "${name}" mixes ${kinds.map((k) => `"${k}"`).join(' and ')}; a step does one thing`, ptr, path, 'split it into consecutive steps', true);
    const kind: Step['kind'] = kinds[0] ?? 'next';
    const hint = kind === 'next' ? 'a step needs one of assign, call, switch, for, parallel, try, raise, return, steps or next' : `a ${kind} step allows ${STEP_KEYS[kind].join(', ')}`;
    onlyKeys(this, body, STEP_KEYS[kind], { ptr, path, what: `step "${name}"`, hint });
    const base = { name, loc: this.loc(ptr, path, true), ...this.nextOf(body, ptr, path) };
    switch (kind) {
      case 'assign':
        return { ...base, kind, assignments: assignments(this, body.get('assign')!, `${ptr}/assign`, `${path}.assign`) };
      case 'call':
        return call(this, base, body, ptr, path);
      case 'switch':
        return { ...base, kind, conditions: conditions(this, name, body.get('switch')!, `${ptr}/switch`, `${path}.switch`) };
      case 'for':
        return { ...base, kind, loop: forLoop(this, body.get('for')!, `${ptr}/for`, `${path}.for`) };
      case 'parallel':
        return parallel(this, base, body.get('parallel')!, `${ptr}/parallel`, `${path}.parallel`);
      case 'try':
        return tryStep(this, base, body, ptr, path);
      case 'raise':
        return { ...base, kind, value: this.template(body.get('raise')!, `${ptr}/raise`, `${path}.raise`) };
      case 'return':
        return { ...base, kind, value: this.template(body.get('return')!, `${ptr}/return`, `${path}.return`) };
      case 'steps':
        return { ...base, kind, body: this.stepList(body.get('steps')!, `${ptr}/steps`, `${path}.steps`) };
      case 'next':
        if (base.next === undefined) this.fail(`step "${name}" does nothing`, ptr, path, 'give it assign, call, switch, for, parallel, try, raise, return, steps or next', true);
        return { ...base, kind };
    }
  }

  private nextOf(body: WfMap, ptr: string, path: string): { next?: string } {
    if (!body.has('next')) return {};
    const n = body.get('next');
    if (typeof n !== 'string' || n === '') this.fail('"next" must be a step name, "end", "break" or "continue"', `${ptr}/next`, `${path}.next`);
    if (expressionBody(n) !== undefined) this.fail('"next" takes a step name, not an expression', `${ptr}/next`, `${path}.next`, 'use a switch to choose between steps');
    return { next: n };
  }

  template(v: Value, ptr: string, path: string): Template {
    return template(this, v, ptr, path);
  }

  mayWait(e: Expr): boolean {
    return mayWait(this, e);
  }

  failAt(message: string, loc: Location, fix?: string): never {
    throw new SimSyntaxError(message, { file: this.fileName, line: loc.line, column: loc.column, path: loc.path }, fix);
  }
}

/** Parses and validates workflow YAML (or JSON, a subset of YAML). Throws a located SimSyntaxError. */
export function parseWorkflow(yamlText: string, fileName?: string): ParsedWorkflow {
  const { value, positions } = loadWorkflowYaml(yamlText, fileName);
  return new WorkflowParser(fileName, positions).parse(value);
}
