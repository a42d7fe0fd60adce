/**
 * Runs a ParsedWorkflow. Steps execute one after another; a step ends with a Completion (go on,
 * jump, break, continue, return, end) or throws a WorkflowError carrying the workflow's error value.
 * This file holds steps, calls and templates; scoping is in scope.ts, loops in loops.ts, parallel
 * steps in parallel.ts, try/retry/except in retries.ts, assignment paths in assignment.ts and the
 * limits in limits.ts.
 * Semantics: https://cloud.google.com/workflows/docs/reference/syntax
 */
import type { Clock } from './clock.ts';
import { EXPRESSION_CONNECTORS } from './connector-catalog.ts';
import { callConnector, positionalToNamed, secretPlaceholder, stepOfPath, templateReadsSecret } from './connector-calls.ts';
import type { ConnectorContext, ConnectorRegistry } from './connectors/types.ts';
import { type ErrorContext, Tag, WorkflowError, errorValue } from './errors.ts';
import { EvalError, evaluate, evaluateSync, fail, mapKey } from './expression-eval.ts';
import { LIBRARY, type LibraryContext, bindNamedArguments, checkArity } from './stdlib/index.ts';
import type { Limits } from './limits.ts';
import { assignTo } from './assignment.ts';
import { runFor } from './loops.ts';
import { runParallel } from './parallel.ts';
import { runTry } from './retries.ts';
import { BranchCancelled, type Completion, FatalWorkflowError, NORMAL, type Runner, Scope, type Thread, isCancelled } from './scope.ts';
import type { TraceEvent, TraceKind, TraceOutcome } from './trace.ts';
import { type Value, type WfMap, containsBytes, describe, isMap, toJs, typeOf } from './values.ts';
import type { CompiledExpression, Location, ParsedWorkflow, Step, StepList, Subworkflow, Template } from './workflow-ast.ts';

export interface ExecutionSettings {
  readonly workflow: ParsedWorkflow;
  readonly connectors: ConnectorRegistry;
  readonly clock: Clock;
  readonly env: Readonly<Record<string, string>>;
  readonly limits: Limits;
  readonly uuid: () => string;
  readonly onTrace?: (event: TraceEvent) => void;
}

export interface ExecutionOutcome {
  readonly state: 'SUCCEEDED' | 'FAILED';
  readonly result?: Value;
  readonly error?: Value;
  readonly errorContext?: ErrorContext;
  readonly steps: number;
  readonly trace: readonly TraceEvent[];
}

export class Execution implements Runner {
  private steps = 0;
  private seq = 0;
  private readonly trace: TraceEvent[] = [];
  private readonly library: LibraryContext;

  constructor(private readonly s: ExecutionSettings) {
    this.library = {
      env: (name) => s.env[name],
      now: () => s.clock.now(),
      sleep: (ms) => s.clock.sleep(ms),
      log: () => undefined,
      uuid: s.uuid,
    };
  }

  get limits(): Limits {
    return this.s.limits;
  }

  get clock(): Clock {
    return this.s.clock;
  }

  subworkflow(name: string): Subworkflow | undefined {
    return this.s.workflow.subworkflows.get(name);
  }

  async run(argument: Value): Promise<ExecutionOutcome> {
    const main = this.s.workflow.subworkflows.get('main');
    if (!main) throw new Error('a parsed workflow always has main');
    const args: WfMap = new Map();
    if (main.params[0]) args.set(main.params[0].name, argument);
    try {
      const result = await this.callSubworkflow(main, args, undefined, { callDepth: 0, parallelDepth: 0, depth: -1, stack: [] });
      if (containsBytes(result)) {
        return this.failed(new WorkflowError(errorValue([Tag.TypeError], 'the workflow result contains bytes, which cannot be JSON-encoded; encode them with base64.encode or text.decode')));
      }
      return { state: 'SUCCEEDED', result, steps: this.steps, trace: this.trace };
    } catch (e) {
      if (e instanceof WorkflowError) return this.failed(e);
      throw e;
    }
  }

  private failed(e: WorkflowError): ExecutionOutcome {
    return { state: 'FAILED', error: e.value, ...(e.context ? { errorContext: e.context } : {}), steps: this.steps, trace: this.trace };
  }

  emit(t: Thread, step: string, kind: TraceKind, outcome: TraceOutcome, extra: Partial<TraceEvent> = {}): void {
    const event: TraceEvent = { seq: this.seq++, at: this.s.clock.now(), depth: Math.max(0, t.depth), subworkflow: t.sub.name, step, kind, outcome, ...extra };
    this.trace.push(event);
    this.s.onTrace?.(event);
  }

  // ---- subworkflows and calls -------------------------------------------------------------------

  async callSubworkflow(sub: Subworkflow, named: WfMap | undefined, positional: readonly Value[] | undefined, caller: Omit<Thread, 'sub'>): Promise<Value> {
    if (caller.callDepth + 1 > this.s.limits.maxCallDepth) {
      throw new WorkflowError(errorValue([Tag.RecursionError], `maximum call stack depth (${this.s.limits.maxCallDepth}) exceeded calling "${sub.name}"`));
    }
    const vars = new Map<string, Value>();
    if (positional) {
      if (positional.length > sub.params.length) fail(Tag.TypeError, `subworkflow "${sub.name}" takes ${sub.params.length} argument(s), got ${positional.length}`, 0);
      sub.params.forEach((p, i) => {
        const v = positional[i] ?? p.default;
        if (v === undefined) throw new WorkflowError(errorValue([Tag.TypeError], `subworkflow "${sub.name}": missing argument "${p.name}"`));
        vars.set(p.name, v);
      });
    } else {
      for (const k of named?.keys() ?? []) if (!sub.params.some((p) => p.name === k)) throw new WorkflowError(errorValue([Tag.TypeError], `subworkflow "${sub.name}" has no parameter "${k}"`));
      for (const p of sub.params) {
        const v = named?.get(p.name) ?? p.default;
        if (v === undefined) throw new WorkflowError(errorValue([Tag.TypeError], `subworkflow "${sub.name}": missing argument "${p.name}"`));
        vars.set(p.name, v);
      }
    }
    const t: Thread = { ...caller, sub, callDepth: caller.callDepth + 1, depth: caller.depth + 1, stack: [...caller.stack, sub.name] };
    const c = await this.execList(sub.body, new Scope(vars), t);
    switch (c.kind) {
      case 'return':
        return c.value;
      case 'normal':
      case 'end':
        return null;
      default:
        throw new Error(`"${c.kind}" escaped subworkflow ${sub.name}; the parser should have rejected it`);
    }
  }

  /** A call from an expression: positional arguments, no blocking functions but the documented connector helpers. */
  private async callFromExpression(name: string, args: readonly Value[], t: Thread, ce: CompiledExpression): Promise<Value> {
    const sub = this.s.workflow.subworkflows.get(name);
    if (sub) return this.callSubworkflow(sub, undefined, args, t);
    if (EXPRESSION_CONNECTORS.has(name)) return this.callConnectorAt(name, positionalToNamed(name, args), t, stepOfPath(ce.loc.path), ce.loc);
    const f = LIBRARY.get(name);
    if (!f) throw new WorkflowError(errorValue([Tag.TypeError], `unknown function "${name}"`));
    if (f.blocking) throw new WorkflowError(errorValue([Tag.TypeError], `${name} blocks and cannot be called inside an expression; call it from a call step`));
    checkArity(name, f, args.length);
    return f.fn(args, this.library);
  }

  /** A `call:` step: arguments by name; subworkflow, library function or connector. */
  private async callFromStep(name: string, args: WfMap, t: Thread, step: string, loc: Location): Promise<Value> {
    const sub = this.s.workflow.subworkflows.get(name);
    if (sub) return this.callSubworkflow(sub, args, undefined, t);
    const f = LIBRARY.get(name);
    if (f) {
      const lib = name === 'sys.log' ? { ...this.library, log: (severity: string, data: Value) => this.emit(t, step, 'log', 'info', { detail: { severity, data: toJs(data) } }) } : this.library;
      return f.fn(bindNamedArguments(name, f, args), lib);
    }
    return this.callConnectorAt(name, args, t, step, loc);
  }

  private callConnectorAt(name: string, args: WfMap, t: Thread, step: string, loc: Location): Promise<Value> {
    const ctx: ConnectorContext = {
      clock: this.s.clock,
      step,
      subworkflow: t.sub.name,
      env: this.s.env,
      note: (message) => this.emit(t, step, 'note', 'info', { detail: message }),
    };
    return callConnector(name, args, this.s.connectors, ctx, { file: this.s.workflow.fileName, line: loc.line, column: loc.column, path: loc.path });
  }

  // ---- expressions and templates ------------------------------------------------------------------

  private locate(e: unknown, ce: CompiledExpression, t: Thread): void {
    if (e instanceof EvalError && e.context === undefined) {
      e.context = {
        subworkflow: t.sub.name,
        step: '',
        expression: ce.source,
        offset: e.offset,
        ...(ce.loc.line !== undefined ? { line: ce.loc.line } : {}),
        ...(ce.loc.column !== undefined ? { column: ce.loc.column } : {}),
      };
    }
  }

  private syncHost(scope: Scope) {
    return { lookup: (n: string) => scope.lookup(n), call: (n: string, a: readonly Value[]) => this.callLibrary(n, a) };
  }

  /** A non-blocking library call from an expression (the parser rejected blocking ones). */
  private callLibrary(name: string, args: readonly Value[]): Value {
    const f = LIBRARY.get(name);
    if (!f || f.blocking) throw new Error(`expression call of ${name} should have been rejected by the parser`);
    checkArity(name, f, args.length);
    const v = f.fn(args, this.library);
    if (v instanceof Promise) throw new Error(`library function ${name} is not synchronous`);
    return v;
  }

  /**
   * Evaluates a template: synchronously when no subworkflow is called (so the step is atomic with
   * respect to parallel branches), otherwise returns a promise.
   */
  private valueOf(tpl: Template, scope: Scope, t: Thread): Value | Promise<Value> {
    switch (tpl.kind) {
      case 'const':
        return tpl.value;
      case 'expr': {
        const ce = tpl.expr;
        if (ce.sync) {
          try {
            return evaluateSync(ce.ast, this.syncHost(scope));
          } catch (e) {
            this.locate(e, ce, t);
            throw e;
          }
        }
        return evaluate(ce.ast, { lookup: (n) => scope.lookup(n), call: (n, a) => this.callFromExpression(n, a, t, ce) }).catch((e: unknown) => {
          this.locate(e, ce, t);
          throw e;
        });
      }
      case 'list':
        if (tpl.sync) return tpl.items.map((item) => this.valueOf(item, scope, t) as Value);
        return (async () => {
          const out: Value[] = [];
          for (const item of tpl.items) out.push(await this.valueOf(item, scope, t));
          return out;
        })();
      case 'map':
        if (tpl.sync)
          return new Map(tpl.entries.map(([k, v, dyn]) => [dyn ? this.mapKey(dyn, this.valueOf({ kind: 'expr', expr: dyn }, scope, t) as Value, t) : k, this.valueOf(v, scope, t) as Value]));
        return (async () => {
          const m: WfMap = new Map();
          for (const [k, v, dyn] of tpl.entries) {
            const key = dyn ? this.mapKey(dyn, await this.valueOf({ kind: 'expr', expr: dyn }, scope, t), t) : k;
            m.set(key, await this.valueOf(v, scope, t));
          }
          return m;
        })();
    }
  }

  /** A computed map key must be a string, like a key in a `{...}` expression. */
  private mapKey(ce: CompiledExpression, key: Value, t: Thread): string {
    try {
      return mapKey(key, 0);
    } catch (e) {
      this.locate(e, ce, t);
      throw e;
    }
  }

  async evalTemplate(tpl: Template, scope: Scope, t: Thread): Promise<Value> {
    return this.valueOf(tpl, scope, t);
  }

  // ---- step lists and steps -----------------------------------------------------------------------

  async execList(list: StepList, scope: Scope, t: Thread): Promise<Completion> {
    let i = 0;
    while (i < list.steps.length) {
      const step = list.steps[i]!;
      const c = await this.execStep(step, scope, t);
      let target: string | undefined;
      if (c.kind === 'normal') target = step.next;
      else if (c.kind === 'jump') target = c.target;
      else return c;
      if (target === undefined) {
        i++;
        continue;
      }
      if (target === 'end') return { kind: 'end' };
      if (target === 'break') return { kind: 'break' };
      if (target === 'continue') return { kind: 'continue' };
      const j = list.index.get(target);
      if (j === undefined) return { kind: 'jump', target };
      i = j;
    }
    return NORMAL;
  }

  private async execStep(step: Step, scope: Scope, t: Thread): Promise<Completion> {
    if (isCancelled(t.cancel)) throw new BranchCancelled();
    if (++this.steps > this.s.limits.maxSteps) {
      throw new FatalWorkflowError(errorValue([Tag.ResourceLimitError], `the execution exceeded ${this.s.limits.maxSteps} steps`), this.contextOf(step, t));
    }
    try {
      return await this.execBody(step, scope, t);
    } catch (e) {
      if (e instanceof WorkflowError) {
        if (e.context === undefined) e.context = this.contextOf(step, t);
        else if (e.context.step === '') e.context = { ...e.context, step: step.name, stack: t.stack };
      }
      throw e;
    }
  }

  private contextOf(step: Step, t: Thread): ErrorContext {
    return { subworkflow: t.sub.name, step: step.name, stack: t.stack, ...(step.loc.line !== undefined ? { line: step.loc.line, column: step.loc.column } : {}) };
  }

  private async execBody(step: Step, scope: Scope, t: Thread): Promise<Completion> {
    const line = step.loc.line !== undefined ? { line: step.loc.line } : {};
    switch (step.kind) {
      case 'assign': {
        const assigned: Record<string, unknown> = {};
        for (const a of step.assignments) {
          let v = this.valueOf(a.value, scope, t);
          if (v instanceof Promise) v = await v;
          assignTo(a.target, v, scope, (e) => evaluateSync(e, this.syncHost(scope)));
          assigned[a.target.source] = templateReadsSecret(a.value) ? secretPlaceholder(v) : toJs(v);
        }
        this.emit(t, step.name, 'assign', 'succeeded', { detail: assigned, ...line });
        return NORMAL;
      }
      case 'call': {
        const args = step.args ? await this.evalTemplate(step.args, scope, t) : new Map<string, Value>();
        if (!isMap(args)) fail(Tag.TypeError, 'call arguments must be a map', 0);
        const isSub = this.s.workflow.subworkflows.has(step.target);
        if (isSub) this.emit(t, step.name, 'call', 'started', { call: step.target, args: toJs(args), ...line });
        let result: Value;
        try {
          result = await this.callFromStep(step.target, args, t, step.name, step.loc);
        } catch (e) {
          if (e instanceof WorkflowError && !(e instanceof FatalWorkflowError))
            this.emit(t, step.name, 'call', 'failed', { call: step.target, ...(isSub ? {} : { args: toJs(args) }), error: toJs(e.value), ...line });
          throw e;
        }
        if (step.result) scope.assign(step.result, result);
        this.emit(t, step.name, 'call', 'succeeded', { call: step.target, ...(isSub ? {} : { args: toJs(args) }), result: toJs(result), ...line });
        return NORMAL;
      }
      case 'switch': {
        for (let i = 0; i < step.conditions.length; i++) {
          const { condition, action } = step.conditions[i]!;
          let v = this.valueOf(condition, scope, t);
          if (v instanceof Promise) v = await v;
          if (typeof v !== 'boolean') fail(Tag.TypeError, `a switch condition must be a boolean, got ${typeOf(v)} ${describe(v)}`, 0);
          if (!v) continue;
          this.emit(t, step.name, 'switch', 'chose', { detail: { condition: i, ...(action.next ? { next: action.next } : {}) }, ...line });
          const c = action.kind === 'next' ? NORMAL : await this.execBody(action, scope, { ...t, depth: t.depth + 1 });
          return c.kind === 'normal' && action.next !== undefined ? { kind: 'jump', target: action.next } : c;
        }
        this.emit(t, step.name, 'switch', 'chose', { detail: { condition: null }, ...line });
        return NORMAL;
      }
      case 'for':
        this.emit(t, step.name, 'for', 'started', line);
        return runFor(this, step.loop, scope, { ...t, depth: t.depth + 1 }, step.name);
      case 'parallel':
        this.emit(t, step.name, 'parallel', 'started', line);
        await runParallel(this, step, scope, t);
        return NORMAL;
      case 'try':
        this.emit(t, step.name, 'try', 'started', line);
        return runTry(this, step.body, step.retry, step.except, scope, t, step.name);
      case 'raise': {
        const v = await this.evalTemplate(step.value, scope, t);
        this.emit(t, step.name, 'raise', 'raised', { error: templateReadsSecret(step.value) ? secretPlaceholder(v) : toJs(v), ...line });
        throw new WorkflowError(v);
      }
      case 'return': {
        const v = await this.evalTemplate(step.value, scope, t);
        this.emit(t, step.name, 'return', 'returned', { result: templateReadsSecret(step.value) ? secretPlaceholder(v) : toJs(v), ...line });
        return { kind: 'return', value: v };
      }
      case 'steps':
        this.emit(t, step.name, 'steps', 'started', line);
        return this.execList(step.body, scope, { ...t, depth: t.depth + 1 });
      case 'next':
        this.emit(t, step.name, 'next', 'chose', { detail: { next: step.next }, ...line });
        return NORMAL;
    }
  }
}
