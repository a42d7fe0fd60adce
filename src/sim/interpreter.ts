/**
 * Runs a ParsedWorkflow. Steps execute one after another; a step ends with a Completion (go on,
 * jump, break, continue, return, end) or throws a WorkflowError carrying the workflow's error value.
 * Scoping follows Google's rules: variables live per subworkflow call; variables first assigned
 * inside a for loop or an except block vanish with it; a parallel branch sees the outer variables
 * but may only write those listed in `shared` (other writes stay local to the branch).
 * Semantics: https://cloud.google.com/workflows/docs/reference/syntax
 */
import type { Clock } from './clock.ts';
import { EXPRESSION_CONNECTORS } from './connector-catalog.ts';
import { callConnector, positionalToNamed, secretPlaceholder, stepOfPath, templateReadsSecret } from './connector-calls.ts';
import type { ConnectorContext, ConnectorRegistry } from './connectors/types.ts';
import { type ErrorContext, Tag, WorkflowError, errorMessageOf, errorValue, tagsOf } from './errors.ts';
import { EvalError, evaluate, evaluateSync, fail, indexOf, integralIndex } from './expression-eval.ts';
import { RETRY_PREDICATES } from './retry-policies.ts';
import { LIBRARY, type LibraryContext, bindNamedArguments, checkArity } from './stdlib.ts';
import type { TraceEvent, TraceKind, TraceOutcome } from './trace.ts';
import { Bytes, Double, type Value, type WfMap, describe, isList, isMap, isNumber, numberValue, toJs, typeOf } from './values.ts';
import type { AssignTarget, CompiledExpression, Location, ParallelFor, ParsedWorkflow, RetryPolicy, Step, StepList, Subworkflow, Template } from './workflow-ast.ts';

export interface Limits {
  /** Steps per execution (Google: 100,000). */
  readonly maxSteps: number;
  /** Nested subworkflow calls (Google's call stack depth). */
  readonly maxCallDepth: number;
  /** Parallel steps nested in parallel steps (Google: 2). */
  readonly maxParallelDepth: number;
  /** Branches or iterations running at once in one parallel step (Google: 20). */
  readonly maxConcurrentBranches: number;
  /** Unhandled branch errors kept by continueAll (Google: 100). */
  readonly maxUnhandledBranchErrors: number;
}

export const DEFAULT_LIMITS: Limits = { maxSteps: 100_000, maxCallDepth: 20, maxParallelDepth: 2, maxConcurrentBranches: 20, maxUnhandledBranchErrors: 100 };

type Completion =
  | { readonly k: 'normal' }
  | { readonly k: 'jump'; readonly target: string }
  | { readonly k: 'break' }
  | { readonly k: 'continue' }
  | { readonly k: 'return'; readonly value: Value }
  | { readonly k: 'end' };

const NORMAL: Completion = { k: 'normal' };

/** Errors no `try` may catch: the execution as a whole is over (step limit, cancellation). */
class FatalWorkflowError extends WorkflowError {}
class BranchCancelled extends Error {}

/** A call the simulation cannot make (connector not implemented or not bound): see errors.ts. */
export { SimulationSetupError } from './errors.ts';

class Scope {
  constructor(
    readonly vars: Map<string, Value>,
    readonly parent?: Scope,
    /** Set on a parallel branch: writes stop here unless the name is shared. */
    readonly shared?: ReadonlySet<string>,
  ) {}

  lookup(name: string): Value | undefined {
    const v = this.vars.get(name);
    if (v !== undefined) return v;
    return this.parent?.lookup(name);
  }

  private owner(name: string): Scope | undefined {
    if (this.vars.has(name)) return this;
    if (this.shared) return this.shared.has(name) ? this.parent?.owner(name) : undefined;
    return this.parent?.owner(name);
  }

  assign(name: string, value: Value): void {
    (this.owner(name) ?? this).vars.set(name, value);
  }
}

interface Thread {
  readonly sub: Subworkflow;
  /** Subworkflow call depth (main = 1). */
  readonly callDepth: number;
  readonly parallelDepth: number;
  /** Indentation of trace events. */
  readonly depth: number;
  readonly stack: readonly string[];
  readonly cancel?: CancelToken;
}

interface CancelToken {
  cancelled: boolean;
  readonly parent?: CancelToken;
}

function isCancelled(t?: CancelToken): boolean {
  for (let c = t; c; c = c.parent) if (c.cancelled) return true;
  return false;
}

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

export class Execution {
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

  private emit(t: Thread, step: string, kind: TraceKind, outcome: TraceOutcome, extra: Partial<TraceEvent> = {}): void {
    const event: TraceEvent = { seq: this.seq++, at: this.s.clock.now(), depth: Math.max(0, t.depth), subworkflow: t.sub.name, step, kind, outcome, ...extra };
    this.trace.push(event);
    this.s.onTrace?.(event);
  }

  // ---- subworkflows and calls -------------------------------------------------------------------

  private async callSubworkflow(sub: Subworkflow, named: WfMap | undefined, positional: readonly Value[] | undefined, caller: Omit<Thread, 'sub'>): Promise<Value> {
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
    switch (c.k) {
      case 'return':
        return c.value;
      case 'normal':
      case 'end':
        return null;
      default:
        throw new Error(`"${c.k}" escaped subworkflow ${sub.name}; the parser should have rejected it`);
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
      e.context = { subworkflow: t.sub.name, step: '', expression: ce.source, offset: e.offset, ...(ce.loc.line !== undefined ? { line: ce.loc.line } : {}), ...(ce.loc.column !== undefined ? { column: ce.loc.column } : {}) };
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
    switch (tpl.k) {
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
        if (tpl.sync) return new Map(tpl.entries.map(([k, v, dyn]) => [dyn ? this.mapKey(dyn, this.valueOf({ k: 'expr', expr: dyn }, scope, t) as Value, t) : k, this.valueOf(v, scope, t) as Value]));
        return (async () => {
          const m: WfMap = new Map();
          for (const [k, v, dyn] of tpl.entries) {
            const key = dyn ? this.mapKey(dyn, await this.valueOf({ k: 'expr', expr: dyn }, scope, t), t) : k;
            m.set(key, await this.valueOf(v, scope, t));
          }
          return m;
        })();
    }
  }

  /** A computed map key must be a string, like a key in a `{...}` expression. */
  private mapKey(ce: CompiledExpression, key: Value, t: Thread): string {
    if (typeof key === 'string') return key;
    const e = new EvalError(errorValue([Tag.TypeError], `map keys must be strings, got ${typeOf(key)} ${describe(key)}`), 0);
    this.locate(e, ce, t);
    throw e;
  }

  private async evalTemplate(tpl: Template, scope: Scope, t: Thread): Promise<Value> {
    return this.valueOf(tpl, scope, t);
  }

  // ---- step lists and steps -----------------------------------------------------------------------

  private async execList(list: StepList, scope: Scope, t: Thread): Promise<Completion> {
    let i = 0;
    while (i < list.steps.length) {
      const step = list.steps[i]!;
      const c = await this.execStep(step, scope, t);
      let target: string | undefined;
      if (c.k === 'normal') target = step.next;
      else if (c.k === 'jump') target = c.target;
      else return c;
      if (target === undefined) {
        i++;
        continue;
      }
      if (target === 'end') return { k: 'end' };
      if (target === 'break') return { k: 'break' };
      if (target === 'continue') return { k: 'continue' };
      const j = list.index.get(target);
      if (j === undefined) return { k: 'jump', target };
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
          this.assign(a.target, v, scope);
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
          if (e instanceof WorkflowError && !(e instanceof FatalWorkflowError)) this.emit(t, step.name, 'call', 'failed', { call: step.target, ...(isSub ? {} : { args: toJs(args) }), error: toJs(e.value), ...line });
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
          return c.k === 'normal' && action.next !== undefined ? { k: 'jump', target: action.next } : c;
        }
        this.emit(t, step.name, 'switch', 'chose', { detail: { condition: null }, ...line });
        return NORMAL;
      }
      case 'for':
        this.emit(t, step.name, 'for', 'started', line);
        return this.execFor(step.loop, scope, { ...t, depth: t.depth + 1 }, step.name);
      case 'parallel':
        this.emit(t, step.name, 'parallel', 'started', line);
        await this.execParallel(step, scope, t);
        return NORMAL;
      case 'try':
        this.emit(t, step.name, 'try', 'started', line);
        return this.execTry(step.body, step.retry, step.except, scope, t, step.name);
      case 'raise': {
        const v = await this.evalTemplate(step.value, scope, t);
        this.emit(t, step.name, 'raise', 'raised', { error: templateReadsSecret(step.value) ? secretPlaceholder(v) : toJs(v), ...line });
        throw new WorkflowError(v);
      }
      case 'return': {
        const v = await this.evalTemplate(step.value, scope, t);
        this.emit(t, step.name, 'return', 'returned', { result: templateReadsSecret(step.value) ? secretPlaceholder(v) : toJs(v), ...line });
        return { k: 'return', value: v };
      }
      case 'steps':
        this.emit(t, step.name, 'steps', 'started', line);
        return this.execList(step.body, scope, { ...t, depth: t.depth + 1 });
      case 'next':
        this.emit(t, step.name, 'next', 'chose', { detail: { next: step.next }, ...line });
        return NORMAL;
    }
  }

  // ---- assignment ---------------------------------------------------------------------------------

  private assign(target: AssignTarget, value: Value, scope: Scope): void {
    if (target.path.length === 0) return scope.assign(target.root, value);
    const root = scope.lookup(target.root);
    if (root === undefined) fail(Tag.KeyError, `variable "${target.root}" is not defined; assign it before assigning into ${target.source}`, 0);
    const keys: (string | number)[] = [];
    for (const seg of target.path) {
      if (seg.k === 'field') keys.push(seg.name);
      else {
        if (!seg.sync) fail(Tag.TypeError, `an assignment target cannot call a subworkflow: ${target.source}`, seg.expr.pos);
        const k = evaluateSync(seg.expr, this.syncHost(scope));
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

  // ---- loops --------------------------------------------------------------------------------------

  private async loopItems(loop: ParallelFor, scope: Scope, t: Thread): Promise<readonly Value[]> {
    const src = await this.evalTemplate(loop.source.t, scope, t);
    if (loop.source.k === 'in') {
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
      if (items.length > this.s.limits.maxSteps) break;
    }
    return items;
  }

  private async execFor(loop: ParallelFor, scope: Scope, t: Thread, stepName: string): Promise<Completion> {
    const items = await this.loopItems(loop, scope, t);
    const loopScope = new Scope(new Map(), scope);
    for (let i = 0; i < items.length; i++) {
      loopScope.vars.set(loop.value, items[i]!);
      if (loop.index) loopScope.vars.set(loop.index, i);
      this.emit(t, stepName, 'iteration', 'started', { detail: { index: i, value: toJs(items[i]!) } });
      const c = await this.execList(loop.body, loopScope, t);
      if (c.k === 'break') break;
      if (c.k === 'continue' || c.k === 'normal') continue;
      return c;
    }
    return NORMAL;
  }

  // ---- parallel -----------------------------------------------------------------------------------

  private async execParallel(step: Extract<Step, { kind: 'parallel' }>, scope: Scope, t: Thread): Promise<void> {
    if (t.parallelDepth + 1 > this.s.limits.maxParallelDepth) {
      throw new WorkflowError(errorValue([Tag.ParallelNestingError], `parallel steps may be nested at most ${this.s.limits.maxParallelDepth} deep`));
    }
    for (const name of step.shared) {
      if (scope.lookup(name) === undefined) fail(Tag.KeyError, `shared variable "${name}" must be assigned before the parallel step`, 0);
    }
    let limit = this.s.limits.maxConcurrentBranches;
    if (step.concurrencyLimit) {
      const l = await this.evalTemplate(step.concurrencyLimit, scope, t);
      if (typeof l !== 'number' || l < 1) fail(Tag.ValueError, `concurrency_limit must be a positive integer, got ${describe(l)}`, 0);
      limit = Math.min(limit, l);
    }
    const shared = new Set(step.shared);
    const cancel: CancelToken = { cancelled: false, ...(t.cancel ? { parent: t.cancel } : {}) };
    const inner: Thread = { ...t, parallelDepth: t.parallelDepth + 1, depth: t.depth + 1, cancel };
    type Task = { readonly id: string; readonly run: () => Promise<unknown> };
    const tasks: Task[] = [];
    if (step.branches) {
      for (const b of step.branches) {
        tasks.push({
          id: b.name,
          run: async () => {
            this.emit(inner, b.name, 'branch', 'started');
            await this.execList(b.body, new Scope(new Map(), scope, shared), { ...inner, depth: inner.depth + 1 });
          },
        });
      }
    } else if (step.loop) {
      const loop = step.loop;
      const items = await this.loopItems(loop, scope, t);
      items.forEach((item, i) => {
        tasks.push({
          id: String(i),
          run: async () => {
            const vars = new Map<string, Value>([[loop.value, item]]);
            if (loop.index) vars.set(loop.index, i);
            this.emit(inner, step.name, 'iteration', 'started', { detail: { index: i, value: toJs(item) } });
            await this.execList(loop.body, new Scope(vars, scope, shared), { ...inner, depth: inner.depth + 1 });
          },
        });
      });
    }
    const unhandled: { id: string; error: WorkflowError }[] = [];
    let first: WorkflowError | undefined;
    let bug: unknown;
    let nextTask = 0;
    const worker = async (): Promise<void> => {
      while (nextTask < tasks.length && !cancel.cancelled && bug === undefined) {
        const task = tasks[nextTask++]!;
        try {
          await task.run();
        } catch (e) {
          if (e instanceof BranchCancelled) continue;
          if (e instanceof FatalWorkflowError || !(e instanceof WorkflowError)) {
            bug ??= e;
            cancel.cancelled = true;
          } else if (step.continueAll && unhandled.length < this.s.limits.maxUnhandledBranchErrors) {
            unhandled.push({ id: task.id, error: e });
          } else {
            first ??= e;
            cancel.cancelled = true;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
    if (bug !== undefined) throw bug;
    if (isCancelled(t.cancel)) throw new BranchCancelled();
    if (first) throw first;
    if (unhandled.length > 0) {
      const branches = unhandled.map((u) => ({ id: u.id, error: toJs(u.error.value) }));
      throw new WorkflowError(errorValue([Tag.UnhandledBranchError], `${unhandled.length} of ${tasks.length} branches or iterations of parallel step "${step.name}" ended with an unhandled error`, { branches }));
    }
  }

  // ---- try / retry / except -----------------------------------------------------------------------

  private async execTry(body: StepList, retry: RetryPolicy | undefined, except: { as?: string; body: StepList } | undefined, scope: Scope, t: Thread, stepName: string): Promise<Completion> {
    const inner: Thread = { ...t, depth: t.depth + 1 };
    let attempt = 0;
    while (true) {
      try {
        return await this.execList(body, scope, inner);
      } catch (e) {
        if (!(e instanceof WorkflowError) || e instanceof FatalWorkflowError) throw e;
        if (retry) {
          const policy = await this.retryNumbers(retry, scope, t);
          if (attempt < policy.maxRetries && (await this.retryPredicate(retry.predicate, e.value, t, stepName))) {
            const delay = Math.min(policy.initialDelay * policy.multiplier ** attempt, policy.maxDelay);
            attempt++;
            this.emit(t, stepName, 'retry', 'retrying', { error: toJs(e.value), detail: { attempt, of: policy.maxRetries, delaySeconds: delay } });
            await this.s.clock.sleep(delay * 1000);
            continue;
          }
        }
        if (!except) throw e;
        this.emit(t, stepName, 'except', 'caught', { error: toJs(e.value) });
        const vars = new Map<string, Value>();
        if (except.as) vars.set(except.as, e.value);
        return this.execList(except.body, new Scope(vars, scope), inner);
      }
    }
  }

  private async retryNumbers(r: RetryPolicy, scope: Scope, t: Thread): Promise<{ maxRetries: number; initialDelay: number; maxDelay: number; multiplier: number }> {
    const n = async (tpl: Template, what: string): Promise<number> => {
      const v = await this.evalTemplate(tpl, scope, t);
      const integral = what === 'max_retries';
      if (!isNumber(v) || numberValue(v) < 0 || (integral && typeof v !== 'number')) fail(Tag.TypeError, `retry ${what} must be a non-negative ${integral ? 'integer' : 'number'}, got ${typeOf(v)} ${describe(v)}`, 0);
      return numberValue(v);
    };
    return { maxRetries: await n(r.maxRetries, 'max_retries'), initialDelay: await n(r.initialDelay, 'initial_delay'), maxDelay: await n(r.maxDelay, 'max_delay'), multiplier: await n(r.multiplier, 'multiplier') };
  }

  private async retryPredicate(name: string, error: Value, t: Thread, stepName: string): Promise<boolean> {
    const builtin = RETRY_PREDICATES.get(name);
    if (builtin) return builtin(error);
    const sub = this.s.workflow.subworkflows.get(name);
    if (!sub) throw new Error(`retry predicate ${name} was validated by the parser`);
    let v: Value;
    try {
      v = await this.callSubworkflow(sub, undefined, [error], t);
    } catch (e) {
      // The predicate's own error ends the try step, as any error would; the trace says where it came from.
      if (e instanceof WorkflowError) this.emit(t, stepName, 'note', 'info', { detail: `retry predicate "${name}" raised ${describeError(e.value)} while deciding whether to retry` });
      throw e;
    }
    if (typeof v !== 'boolean') {
      const got = v === null ? 'null (it ended without a return step, or returned null)' : `${typeOf(v)} ${describe(v)}`;
      throw new WorkflowError(errorValue([Tag.TypeError], `retry predicate "${name}" must return true or false, but returned ${got}`));
    }
    return v;
  }
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

function describeError(e: Value): string {
  const tags = tagsOf(e);
  return `${tags.length ? `${tags.join('/')}: ` : ''}${errorMessageOf(e)}`;
}

function containsBytes(v: Value): boolean {
  if (v instanceof Bytes) return true;
  if (isList(v)) return v.some(containsBytes);
  if (isMap(v)) return [...v.values()].some(containsBytes);
  return false;
}

