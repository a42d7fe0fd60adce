/**
 * YAML text → ParsedWorkflow: checks the structure Google's deploy-time validation checks (known
 * step kinds, jump targets that exist, `break`/`continue` only in loops, call arguments that match a
 * subworkflow's parameters, parallel limits) and compiles every `${...}`. Every problem is a
 * SimSyntaxError pointing at its line and column, raised before anything runs.
 */
import { SimSyntaxError } from './errors.ts';
import { ExpressionSyntaxError, type Expr, expressionBody, parseExpression, partialExpression } from './expression-parser.ts';
import { EXPRESSION_CONNECTORS, GKE_FUNCTIONS, isConnectorTarget } from './connector-catalog.ts';
import { parseRetry } from './parse-retry.ts';
import { LIBRARY } from './stdlib/index.ts';
import type { AssignTarget, CompiledExpression, Location, MapEntry, ParallelFor, Param, ParsedWorkflow, Step, StepList, Subworkflow, Template } from './workflow-ast.ts';
import { loadWorkflowYaml, type Position } from './yaml-source.ts';
import { type Value, type WfMap, isList, isMap, typeOf } from './values.ts';

const MAX_EXPRESSION_CHARS = 400;

/** Google's limit on branches of one parallel step. */
const MAX_BRANCHES = 10;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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

class WorkflowParser {
  readonly warnings: string[] = [];
  readonly callTargets = new Set<string>();
  subworkflowNames: ReadonlySet<string> = new Set();

  constructor(
    private readonly fileName: string | undefined,
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
      this.checkFlow(sub, subs);
      this.checkParallelWrites(sub);
    }
    return { fileName: this.fileName, subworkflows: subs, callTargets: [...this.callTargets].sort(), warnings: this.warnings };
  }

  private subworkflow(name: string, def: Value): Subworkflow {
    const ptr = `/${name}`;
    if (!VARIABLE_NAME.test(name)) this.fail(`"${name}" is not a valid subworkflow name`, ptr, name, 'use letters, digits and underscores', true);
    if (!isMap(def)) this.fail(`subworkflow "${name}" must be a map with "steps" (and optional "params")`, ptr, name);
    for (const k of def.keys()) if (k !== 'params' && k !== 'steps') this.fail(`unknown key "${k}" in subworkflow "${name}"`, `${ptr}/${k}`, name, 'a subworkflow has only "params" and "steps"', true);
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
    if (name === 'main' && params.length > 1) this.fail('"main" takes at most one parameter (the execution argument)', `${ptr}/params`, 'main.params', 'receive one map, e.g. params: [args], and read its fields');
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
    for (const k of body.keys()) {
      if (!STEP_KEYS[kind].includes(k)) {
        const hint = kind === 'next' ? 'a step needs one of assign, call, switch, for, parallel, try, raise, return, steps or next' : `a ${kind} step allows ${STEP_KEYS[kind].join(', ')}`;
        this.fail(`unknown key "${k}" in step "${name}"`, `${ptr}/${k}`, path, hint, true);
      }
    }
    const base = { name, loc: this.loc(ptr, path, true), ...this.nextOf(body, ptr, path) };
    switch (kind) {
      case 'assign':
        return { ...base, kind, assignments: this.assignments(body.get('assign')!, `${ptr}/assign`, `${path}.assign`) };
      case 'call':
        return this.call(base, body, ptr, path);
      case 'switch':
        return { ...base, kind, conditions: this.conditions(name, body.get('switch')!, `${ptr}/switch`, `${path}.switch`) };
      case 'for':
        return { ...base, kind, loop: this.forLoop(body.get('for')!, `${ptr}/for`, `${path}.for`) };
      case 'parallel':
        return this.parallel(base, body.get('parallel')!, `${ptr}/parallel`, `${path}.parallel`);
      case 'try':
        return this.tryStep(base, body, ptr, path);
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

  private assignments(v: Value, ptr: string, path: string): { target: AssignTarget; value: Template }[] {
    if (!isList(v) || v.length === 0) this.fail('"assign" must be a non-empty list of "name: value" items', ptr, path);
    if (v.length > 50) this.fail(`an assign step holds at most 50 assignments, this one has ${v.length}`, ptr, path, 'split it into several assign steps');
    return v.map((item, i) => {
      const ip = `${ptr}/${i}`;
      if (!isMap(item) || item.size !== 1) this.fail('each assignment is a single "name: value" map', ip, `${path}[${i}]`);
      const [key, value] = [...item][0]!;
      return { target: this.assignTarget(key, `${ip}/${key}`, `${path}[${i}]`), value: this.template(value, `${ip}/${key}`, `${path}[${i}].${key}`) };
    });
  }

  private assignTarget(key: string, ptr: string, path: string): AssignTarget {
    let e: Expr;
    try {
      e = parseExpression(key);
    } catch {
      this.fail(`"${key}" is not a variable name or a path like a.b or a["k"][0]`, ptr, path, undefined, true);
    }
    const segments: AssignTarget['path'][number][] = [];
    let cur: Expr = e;
    while (cur.k === 'member' || cur.k === 'index') {
      segments.unshift(cur.k === 'member' ? { k: 'field', name: cur.name } : { k: 'index', expr: cur.index, sync: !this.mayWait(cur.index) });
      cur = cur.obj;
    }
    if (cur.k !== 'var') this.fail(`cannot assign to "${key}"`, ptr, path, 'assign to a variable or a field/index path inside one', true);
    return { root: cur.name, path: segments, source: key };
  }

  private call(base: { name: string; loc: Location; next?: string }, body: WfMap, ptr: string, path: string): Step {
    const target = body.get('call');
    if (typeof target !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(target)) {
      this.fail('"call" takes a function, connector or subworkflow name such as http.get or my_subworkflow', `${ptr}/call`, `${path}.call`);
    }
    this.callTargets.add(target);
    if (!this.subworkflowNames.has(target) && !LIBRARY.has(target) && !isConnectorTarget(target)) {
      const fix = target.startsWith('gke.')
        ? `the Kubernetes API connector's functions are ${[...GKE_FUNCTIONS].join(', ')}`
        : 'call a subworkflow of this file, a standard library function (e.g. sys.log), or a connector (googleapis.*, http.*, gke.*)';
      this.fail(`unknown function "${target}"`, `${ptr}/call`, `${path}.call`, fix);
    }
    const rawArgs: Value = body.get('args') ?? null;
    if (rawArgs !== null && !isMap(rawArgs)) this.fail('"args" must be a map of argument names to values', `${ptr}/args`, `${path}.args`);
    const result = body.get('result');
    if (result !== undefined && (typeof result !== 'string' || !VARIABLE_NAME.test(result))) this.fail('"result" must be a variable name', `${ptr}/result`, `${path}.result`);
    return {
      ...base,
      kind: 'call',
      target,
      ...(isMap(rawArgs) ? { args: this.template(rawArgs, `${ptr}/args`, `${path}.args`) } : {}),
      ...(typeof result === 'string' ? { result } : {}),
    };
  }

  private conditions(name: string, v: Value, ptr: string, path: string): { condition: Template; action: Step }[] {
    if (!isList(v) || v.length === 0) this.fail('"switch" must be a non-empty list of conditions', ptr, path);
    if (v.length > 50) this.fail(`a switch holds at most 50 conditions, this one has ${v.length}`, ptr, path);
    return v.map((c, i) => {
      const cp = `${ptr}/${i}`;
      const cpath = `${path}[${i}]`;
      if (!isMap(c) || !c.has('condition')) this.fail('each switch entry needs a "condition"', cp, cpath);
      const rest = new Map(c);
      rest.delete('condition');
      if (rest.size === 0) this.fail('this condition does nothing', cp, cpath, 'add next, steps, assign, call, return or raise');
      return { condition: this.template(c.get('condition')!, `${cp}/condition`, `${cpath}.condition`), action: this.step(name, rest, cp, cpath) };
    });
  }

  private forLoop(v: Value, ptr: string, path: string): ParallelFor {
    if (!isMap(v)) this.fail('"for" must be a map with value, in or range, and steps', ptr, path);
    for (const k of v.keys()) if (!['value', 'index', 'in', 'range', 'steps'].includes(k)) this.fail(`unknown key "${k}" in for`, `${ptr}/${k}`, path, 'a for loop has value, index, in or range, and steps', true);
    const value = v.get('value');
    if (typeof value !== 'string' || !VARIABLE_NAME.test(value)) this.fail('"value" must name the loop variable', `${ptr}/value`, `${path}.value`);
    const index = v.get('index');
    if (index !== undefined && (typeof index !== 'string' || !VARIABLE_NAME.test(index))) this.fail('"index" must be a variable name', `${ptr}/index`, `${path}.index`);
    if (v.has('in') === v.has('range')) this.fail('a for loop needs exactly one of "in" and "range"', ptr, path);
    const source = v.has('in')
      ? ({ k: 'in', t: this.template(v.get('in')!, `${ptr}/in`, `${path}.in`) } as const)
      : ({ k: 'range', t: this.template(v.get('range')!, `${ptr}/range`, `${path}.range`) } as const);
    if (!v.has('steps')) this.fail('a for loop needs "steps"', ptr, path);
    return { value, ...(typeof index === 'string' ? { index } : {}), source, body: this.stepList(v.get('steps')!, `${ptr}/steps`, `${path}.steps`) };
  }

  private parallel(base: { name: string; loc: Location; next?: string }, v: Value, ptr: string, path: string): Step {
    if (!isMap(v)) this.fail('"parallel" must be a map with branches or for', ptr, path);
    for (const k of v.keys()) if (!['shared', 'exception_policy', 'concurrency_limit', 'branches', 'for'].includes(k)) this.fail(`unknown key "${k}" in parallel`, `${ptr}/${k}`, path, 'parallel has shared, exception_policy, concurrency_limit, and branches or for', true);
    const shared: Value = v.get('shared') ?? [];
    if (!isList(shared) || !shared.every((s) => typeof s === 'string' && VARIABLE_NAME.test(s))) this.fail('"shared" must be a list of variable names', `${ptr}/shared`, `${path}.shared`);
    const policy = v.get('exception_policy');
    if (policy !== undefined && policy !== 'continueAll') this.fail(`unknown exception_policy ${JSON.stringify(policy)}`, `${ptr}/exception_policy`, `${path}.exception_policy`, 'the only policy is continueAll (omit it to stop at the first unhandled error)');
    if (v.has('branches') === v.has('for')) this.fail('parallel needs exactly one of "branches" and "for"', ptr, path);
    const common = {
      ...base,
      kind: 'parallel' as const,
      shared: shared as string[],
      continueAll: policy === 'continueAll',
      ...(v.has('concurrency_limit') ? { concurrencyLimit: this.template(v.get('concurrency_limit')!, `${ptr}/concurrency_limit`, `${path}.concurrency_limit`) } : {}),
    };
    if (v.has('for')) return { ...common, loop: this.forLoop(v.get('for')!, `${ptr}/for`, `${path}.for`) };
    const raw = v.get('branches')!;
    if (!isList(raw) || raw.length === 0) this.fail('"branches" must be a non-empty list', `${ptr}/branches`, `${path}.branches`);
    if (raw.length > MAX_BRANCHES) this.fail(`a parallel step has at most ${MAX_BRANCHES} branches, this one has ${raw.length}`, `${ptr}/branches`, `${path}.branches`, 'use a parallel for loop over a list instead');
    const names = new Set<string>();
    const branches = raw.map((b, i) => {
      const bp = `${ptr}/branches/${i}`;
      if (!isMap(b) || b.size !== 1) this.fail('each branch is "- branch_name: {steps: [...]}"', bp, `${path}.branches[${i}]`);
      const [bn, bb] = [...b][0]!;
      if (names.has(bn)) this.fail(`duplicate branch name "${bn}"`, `${bp}/${bn}`, `${path}.branches[${i}]`, undefined, true);
      names.add(bn);
      if (!isMap(bb) || !bb.has('steps') || bb.size !== 1) this.fail(`branch "${bn}" must contain only "steps"`, `${bp}/${bn}`, `${path}.branches[${i}].${bn}`);
      return { name: bn, body: this.stepList(bb.get('steps')!, `${bp}/${bn}/steps`, `${path}.branches[${i}].${bn}.steps`) };
    });
    return { ...common, branches };
  }

  private tryStep(base: { name: string; loc: Location; next?: string }, body: WfMap, ptr: string, path: string): Step {
    const t = body.get('try') ?? null;
    if (!isMap(t)) this.fail('"try" must be a step body or a map with "steps"', `${ptr}/try`, `${path}.try`);
    const tryBody = t.has('steps') && t.size === 1 ? this.stepList(t.get('steps')!, `${ptr}/try/steps`, `${path}.try.steps`) : { steps: [this.step(base.name, t, `${ptr}/try`, `${path}.try`)], index: new Map<string, number>() };
    const retry = body.has('retry') ? parseRetry(this, body.get('retry')!, `${ptr}/retry`, `${path}.retry`) : undefined;
    let except: { as?: string; body: StepList } | undefined;
    if (body.has('except')) {
      const e = body.get('except') ?? null;
      const ep = `${ptr}/except`;
      if (!isMap(e) || !e.has('steps')) this.fail('"except" must be a map with "steps" (and optional "as")', ep, `${path}.except`);
      for (const k of e.keys()) if (k !== 'as' && k !== 'steps') this.fail(`unknown key "${k}" in except`, `${ep}/${k}`, `${path}.except`, undefined, true);
      const as = e.get('as');
      if (as !== undefined && (typeof as !== 'string' || !VARIABLE_NAME.test(as))) this.fail('"as" must be a variable name', `${ep}/as`, `${path}.except.as`);
      except = { ...(typeof as === 'string' ? { as } : {}), body: this.stepList(e.get('steps')!, `${ep}/steps`, `${path}.except.steps`) };
    }
    if (!retry && !except) this.fail(`try step "${base.name}" has neither "retry" nor "except"`, ptr, path, 'add except: {as: e, steps: [...]} or a retry policy', true);
    return { ...base, kind: 'try', body: tryBody, ...(retry ? { retry } : {}), ...(except ? { except } : {}) };
  }

  template(v: Value, ptr: string, path: string): Template {
    if (typeof v === 'string') {
      const body = expressionBody(v);
      if (body !== undefined) return { k: 'expr', expr: this.expression(body, ptr, path) };
      if (partialExpression(v)) {
        const l = this.loc(ptr, path);
        this.warnings.push(`${this.fileName ?? ''}${l.line ? `:${l.line}:${l.column}` : ''} ${path}: ${JSON.stringify(v)} is not a whole \${...} expression, so Workflows keeps it as literal text; build it with "+" inside one expression instead`);
      }
      return { k: 'const', value: v };
    }
    if (isList(v)) {
      const items = v.map((x, i) => this.template(x, `${ptr}/${i}`, `${path}[${i}]`));
      return items.every((t) => t.k === 'const') ? { k: 'const', value: v } : { k: 'list', items, sync: items.every(templateIsSync) };
    }
    if (isMap(v)) {
      // A key may itself be an expression (`${dynamicKey}: value`), computed when the map is built.
      const entries: MapEntry[] = [...v].map(([key, x]) => {
        const value = this.template(x, `${ptr}/${key}`, `${path}.${key}`);
        const body = expressionBody(key);
        return body === undefined ? [key, value] : [key, value, this.expression(body, `${ptr}/${key}#key`, `${path}.${key}`)];
      });
      if (entries.every(([, t, dyn]) => t.k === 'const' && dyn === undefined)) return { k: 'const', value: v };
      return { k: 'map', entries, sync: entries.every(([, t, dyn]) => templateIsSync(t) && (dyn === undefined || dyn.sync)) };
    }
    return { k: 'const', value: v };
  }

  private expression(src: string, ptr: string, path: string): CompiledExpression {
    const loc = this.loc(ptr, path);
    // Google's limits table: an expression, "${" and "}" included, is at most 400 characters.
    if (src.length + 3 > MAX_EXPRESSION_CHARS) {
      this.failAt(`an expression of ${src.length + 3} characters, over the ${MAX_EXPRESSION_CHARS} Google accepts`, loc, 'compute parts of it in earlier assignments and combine the variables');
    }
    let ast: Expr;
    try {
      ast = parseExpression(src);
    } catch (e) {
      if (!(e instanceof ExpressionSyntaxError)) throw e;
      // Column of the offending character: after the scalar's start, any opening quote, and "${".
      const before = src.slice(0, e.offset);
      const line = (loc.line ?? 0) + (before.match(/\n/g)?.length ?? 0);
      const column = before.includes('\n') ? before.length - before.lastIndexOf('\n') : (loc.column ?? 0) + 2 + e.offset;
      throw new SimSyntaxError(`invalid expression \${${src}}: ${e.reason} (at offset ${e.offset})`, { file: this.fileName, line: loc.line ? line : undefined, column: loc.column ? column : undefined, path });
    }
    this.checkCalls(ast, src, loc, path);
    return { source: src, ast, loc, sync: !this.mayWait(ast) };
  }

  /** Whether evaluating `e` can wait: it calls a subworkflow or a connector (see evaluateSync). */
  private mayWait(e: Expr): boolean {
    switch (e.k) {
      case 'call':
        return this.subworkflowNames.has(e.callee) || EXPRESSION_CONNECTORS.has(e.callee) || e.args.some((a) => this.mayWait(a));
      case 'member':
        return this.mayWait(e.obj);
      case 'index':
        return this.mayWait(e.obj) || this.mayWait(e.index);
      case 'unary':
        return this.mayWait(e.arg);
      case 'binary':
        return this.mayWait(e.left) || this.mayWait(e.right);
      case 'list':
        return e.items.some((x) => this.mayWait(x));
      case 'map':
        return e.entries.some(([k, v]) => this.mayWait(k) || this.mayWait(v));
      default:
        return false;
    }
  }

  /** Functions called inside an expression must exist and must not block (no sys.sleep, http.*, connectors). */
  private checkCalls(e: Expr, src: string, loc: Location, path: string): void {
    const visit = (x: Expr): void => {
      switch (x.k) {
        case 'call': {
          const f = LIBRARY.get(x.callee);
          const where = { file: this.fileName, line: loc.line, column: loc.column, path };
          const connector = EXPRESSION_CONNECTORS.get(x.callee);
          if (connector) {
            if (x.args.length < connector.required || x.args.length > connector.params.length) {
              const want = connector.params.map((p, i) => (i < connector.required ? p : `[${p}]`)).join(', ');
              throw new SimSyntaxError(`${x.callee} takes ${connector.required === connector.params.length ? connector.required : `${connector.required} to ${connector.params.length}`} positional arguments (${want}), got ${x.args.length} in \${${src}}`, where);
            }
            x.args.forEach(visit);
            return;
          }
          if (x.callee !== 'if' && !f && !this.subworkflowNames.has(x.callee)) {
            const blockingConnector = isConnectorTarget(x.callee);
            const hint = blockingConnector
              ? `connectors and http.* block, so call them from a call step and use its result (only ${[...EXPRESSION_CONNECTORS.keys()].map((n) => n.split('.').pop()).join(' and ')} of Secret Manager may be called inside an expression)`
              : 'check the name against the standard library or the subworkflows of this file';
            throw new SimSyntaxError(`unknown function "${x.callee}" in \${${src}}`, where, hint);
          }
          if (f?.blocking) throw new SimSyntaxError(`${x.callee} blocks and cannot be used inside an expression: \${${src}}`, where, `call it from a step: call: ${x.callee}`);
          x.args.forEach(visit);
          return;
        }
        case 'member':
          return visit(x.obj);
        case 'index':
          visit(x.obj);
          return visit(x.index);
        case 'unary':
          return visit(x.arg);
        case 'binary':
          visit(x.left);
          return visit(x.right);
        case 'list':
          return x.items.forEach(visit);
        case 'map':
          return x.entries.forEach(([k, v]) => {
            visit(k);
            visit(v);
          });
        default:
          return;
      }
    };
    visit(e);
  }

  /** Checks jumps, loop control and subworkflow calls once the whole file is known. */
  private checkFlow(sub: Subworkflow, subs: ReadonlyMap<string, Subworkflow>): void {
    type Scope = { readonly visible: readonly ReadonlyMap<string, number>[]; readonly loop: 'none' | 'for' | 'parallel-for'; readonly inParallel: boolean };
    const checkNext = (step: Step, next: string | undefined, scope: Scope): void => {
      if (next === undefined || next === 'end') return;
      const where = { ptrLoc: step.loc };
      if (next === 'break' || next === 'continue') {
        if (scope.loop === 'none') this.failAt(`"next: ${next}" is only allowed inside a for loop`, where.ptrLoc, 'use next: end, or jump to a named step');
        if (scope.loop === 'parallel-for' && next === 'break') this.failAt('"next: break" cannot stop a parallel for loop', where.ptrLoc, 'use next: continue to end this iteration, or raise an error');
        return;
      }
      if (!scope.visible.some((names) => names.has(next))) {
        this.failAt(`"next: ${next}" names no step reachable from here`, where.ptrLoc, scope.loop !== 'none' || scope.inParallel ? 'a jump cannot leave a loop or a parallel branch (use break, continue or end) nor enter nested steps' : 'jump to a step of this list or of an enclosing list');
      }
    };
    const walkList = (list: StepList, scope: Scope): void => {
      const inner: Scope = { ...scope, visible: [list.index, ...scope.visible] };
      for (const s of list.steps) walkStep(s, inner);
    };
    const walkStep = (s: Step, scope: Scope): void => {
      checkNext(s, s.next, scope);
      switch (s.kind) {
        case 'switch':
          for (const c of s.conditions) walkStep(c.action, scope);
          return;
        case 'steps':
          return walkList(s.body, scope);
        case 'try':
          walkList(s.body, scope);
          if (s.except) walkList(s.except.body, scope);
          return;
        case 'for':
          return walkList(s.loop.body, { visible: [], loop: 'for', inParallel: scope.inParallel });
        case 'parallel':
          if (s.loop) walkList(s.loop.body, { visible: [], loop: 'parallel-for', inParallel: true });
          for (const b of s.branches ?? []) walkList(b.body, { visible: [], loop: 'none', inParallel: true });
          return;
        case 'return':
          if (scope.inParallel) this.failAt('"return" is not allowed inside a parallel branch or loop', s.loc, 'assign the outcome to a shared variable and return after the parallel step');
          return;
        case 'call': {
          const callee = subs.get(s.target);
          if (!callee) return;
          // Argument names computed at run time (`${name}: value`) are checked when the call runs.
          if (s.args?.k === 'map' && s.args.entries.some(([, , dyn]) => dyn !== undefined)) return;
          const given = s.args?.k === 'map' ? s.args.entries.map(([k]) => k) : s.args?.k === 'const' && isMap(s.args.value) ? [...s.args.value.keys()] : [];
          for (const g of given) if (!callee.params.some((p) => p.name === g)) this.failAt(`subworkflow "${callee.name}" has no parameter "${g}"`, s.loc, `its parameters are: ${callee.params.map((p) => p.name).join(', ') || '(none)'}`);
          for (const p of callee.params) if (p.default === undefined && !given.includes(p.name)) this.failAt(`call of subworkflow "${callee.name}" misses required parameter "${p.name}"`, s.loc, `pass it under args, or give it a default in ${callee.name}.params`);
          return;
        }
        default:
          return;
      }
    };
    walkList(sub.body, { visible: [], loop: 'none', inParallel: false });
  }

  /**
   * Google rejects at deploy time a parallel branch (or parallel loop iteration) that assigns a
   * variable of the surrounding scope without listing it in `shared`. Variables count as the
   * surrounding scope's when they are parameters, or are assigned (assign, call result, loop
   * variable, except `as`) before the parallel step in an enclosing scope. Writing textually later
   * ones is left to run time, where such a write stays local to the branch.
   */
  private checkParallelWrites(sub: Subworkflow): void {
    type Chain = readonly Set<string>[];
    const define = (chain: Chain, name: string) => chain[chain.length - 1]!.add(name);
    const loopScope = (loop: ParallelFor) => new Set([loop.value, ...(loop.index ? [loop.index] : [])]);
    const walkList = (list: StepList, chain: Chain): void => list.steps.forEach((s) => walkStep(s, chain));
    const walkStep = (s: Step, chain: Chain): void => {
      switch (s.kind) {
        case 'assign':
          for (const a of s.assignments) if (a.target.path.length === 0) define(chain, a.target.root);
          return;
        case 'call':
          if (s.result) define(chain, s.result);
          return;
        case 'switch':
          return s.conditions.forEach((c) => walkStep(c.action, chain));
        case 'steps':
          return walkList(s.body, chain);
        case 'try':
          walkList(s.body, chain);
          if (s.except) walkList(s.except.body, [...chain, new Set(s.except.as ? [s.except.as] : [])]);
          return;
        case 'for':
          return walkList(s.loop.body, [...chain, loopScope(s.loop)]);
        case 'parallel': {
          const outer = new Set(chain.flatMap((scope) => [...scope]));
          const shared = new Set(s.shared);
          const bodies = s.branches ? s.branches.map((b) => ({ body: b.body, own: new Set<string>() })) : [{ body: s.loop!.body, own: loopScope(s.loop!) }];
          for (const { body, own } of bodies) {
            checkWrites(body, s.name, outer, shared, own);
            walkList(body, [...chain, new Set(own)]);
          }
          return;
        }
        default:
          return;
      }
    };
    /** Every write inside a branch to an outer, non-shared name; `local` holds names shadowing outer ones. */
    const checkWrites = (list: StepList, parallelStep: string, outer: ReadonlySet<string>, shared: ReadonlySet<string>, local: ReadonlySet<string>): void => {
      const check = (name: string, s: Step, localNames: ReadonlySet<string>): void => {
        if (outer.has(name) && !shared.has(name) && !localNames.has(name)) {
          this.failAt(`step "${s.name}" assigns "${name}", a variable of the scope around parallel step "${parallelStep}" that is not listed in its "shared"`, s.loc, `add ${name} to shared: [...] of "${parallelStep}", or assign to a new variable local to the branch`);
        }
      };
      const visit = (s: Step, localNames: ReadonlySet<string>): void => {
        switch (s.kind) {
          case 'assign':
            return s.assignments.forEach((a) => check(a.target.root, s, localNames));
          case 'call':
            if (s.result) check(s.result, s, localNames);
            return;
          case 'switch':
            return s.conditions.forEach((c) => visit(c.action, localNames));
          case 'steps':
            return s.body.steps.forEach((x) => visit(x, localNames));
          case 'try':
            s.body.steps.forEach((x) => visit(x, localNames));
            if (s.except) {
              const inner = new Set([...localNames, ...(s.except.as ? [s.except.as] : [])]);
              s.except.body.steps.forEach((x) => visit(x, inner));
            }
            return;
          case 'for':
          case 'parallel': {
            const loop = s.loop;
            const inner = loop ? new Set([...localNames, ...loopScope(loop)]) : localNames;
            if (s.kind === 'parallel' && s.branches) return s.branches.forEach((b) => b.body.steps.forEach((x) => visit(x, inner)));
            return loop?.body.steps.forEach((x) => visit(x, inner));
          }
          default:
            return;
        }
      };
      list.steps.forEach((s) => visit(s, local));
    };
    walkList(sub.body, [new Set(sub.params.map((p) => p.name))]);
  }

  private failAt(message: string, loc: Location, fix?: string): never {
    throw new SimSyntaxError(message, { file: this.fileName, line: loc.line, column: loc.column, path: loc.path }, fix);
  }
}

function templateIsSync(t: Template): boolean {
  return t.k === 'const' || (t.k === 'expr' ? t.expr.sync : t.sync);
}

/** Parses and validates workflow YAML (or JSON, a subset of YAML). Throws a located SimSyntaxError. */
export function parseWorkflow(yamlText: string, fileName?: string): ParsedWorkflow {
  const { value, positions } = loadWorkflowYaml(yamlText, fileName);
  return new WorkflowParser(fileName, positions).parse(value);
}
