/**
 * Immutable, typed step builders (after kysely): every call returns a new frozen `Steps` value whose
 * type records three things about the steps so far:
 *   V  the variables assigned (and their value types), so `v.name` only offers variables that exist;
 *   N  the step names declared in this block;
 *   T  the `next` targets referenced.
 * A (sub)workflow body is accepted only when every target in T names a step of N (or end/break/
 * continue), so a `next` to a step that does not exist is a compile error. What types cannot see
 * (jumps across scopes, reads in unusual orders) checks.ts reports at generate time.
 */
import { Expr, variable, type Value } from './expr.ts';
import type { ForLoop, ParallelBranch, ParamSpec, RetryPolicy, Step, SubworkflowIR, SwitchCondition } from './steps.ts';
import { paramName } from './steps.ts';
import type { Vars, Merge, AssignedTypes, Unresolved, EscapingLoop, BranchEscapes, NextTargetsExist, WorkflowError, StepOptions, Producer } from './builder-types.ts';

export type { Vars, Merge, TypeOfValue, NextTargetsExist, WorkflowError } from './builder-types.ts';

// ---------------------------------------------------------------------------------------------
// Call specifications (connectors, stdlib blocking calls, subworkflows)

/** A `call:` with its arguments; R is the type of the result. */
export class CallSpec<R = unknown> {
  declare readonly __result: R;
  readonly call: string;
  readonly args: Readonly<Record<string, Value>> | undefined;
  constructor(call: string, args?: Readonly<Record<string, Value>>) {
    this.call = call;
    this.args = args === undefined ? undefined : stripUndefined(args);
    Object.freeze(this);
  }
}

/** Optional arguments left out are omitted from the source (never rendered as null). */
export function stripUndefined<T extends object>(record: T): T {
  return Object.freeze(Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined))) as T;
}

// ---------------------------------------------------------------------------------------------
// Runtime plumbing

const VARIABLE_READS: Vars<any> = new Proxy(Object.freeze({}), {
  get: (_target, key) => (typeof key === 'string' ? variable(key) : undefined),
}) as Vars<any>;

function produce<V, R>(producer: Producer<V, R>): R {
  return typeof producer === 'function' ? (producer as (v: Vars<V>) => R)(VARIABLE_READS as Vars<V>) : producer;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Expr) && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Switch conditions

export class Condition<X extends string = never> {
  declare readonly __targets: X;
  readonly ir: SwitchCondition;
  constructor(ir: SwitchCondition) {
    this.ir = deepFreeze(ir);
    Object.freeze(this);
  }
}

type ConditionBody<V, X extends string, N2 extends string, T2 extends string> =
  | { readonly next: X }
  | { readonly steps: (s: Steps<V>) => Steps<any, N2, T2>; readonly next?: X }
  | { readonly return: Value }
  | { readonly raise: Value };

export interface ConditionBuilder<V> {
  /** A branch taken when `condition` is true (the first true condition wins). */
  when<const X extends string = never, N2 extends string = never, T2 extends string = never>(condition: Expr<boolean> | boolean, then: ConditionBody<V, X, N2, T2>): Condition<X | Unresolved<T2, N2>>;
  /** The default branch: `condition: true`, placed last. */
  otherwise<const X extends string = never, N2 extends string = never, T2 extends string = never>(then: ConditionBody<V, X, N2, T2>): Condition<X | Unresolved<T2, N2>>;
}

function conditionOf(condition: Value, then: ConditionBody<any, string, string, string>): Condition<any> {
  if ('steps' in then) {
    return new Condition({ condition, steps: then.steps(Steps.start()).list, ...(then.next !== undefined ? { next: then.next } : {}) });
  }
  if ('next' in then) return new Condition({ condition, next: then.next });
  if ('return' in then) return new Condition({ condition, return: then.return });
  return new Condition({ condition, raise: then.raise });
}

const CONDITIONS: ConditionBuilder<any> = Object.freeze({
  when: (condition: Expr<boolean> | boolean, then: ConditionBody<any, string, string, string>) => conditionOf(condition, then),
  otherwise: (then: ConditionBody<any, string, string, string>) => conditionOf(true, then),
}) as ConditionBuilder<any>;

// ---------------------------------------------------------------------------------------------
// Retry policies (https://cloud.google.com/workflows/docs/reference/syntax/retrying)

export const retry = {
  /** `${http.default_retry}`: 429, 502, 503, 504, connection and timeout errors; 5 retries. */
  httpDefault: Object.freeze({ kind: 'predefined', policy: 'http.default_retry' }) as RetryPolicy,
  /** `${http.default_retry_non_idempotent}`: only 429 and 503, safe for non-idempotent calls. */
  httpDefaultNonIdempotent: Object.freeze({ kind: 'predefined', policy: 'http.default_retry_non_idempotent' }) as RetryPolicy,
  /**
   * A predicate with explicit limits. `predicate` is a stdlib predicate (`http.default_retry_predicate`,
   * `http.default_retry_predicate_non_idempotent`, `retry.always`, `retry.never`) or a subworkflow
   * taking the error map and returning a boolean.
   */
  custom(
    predicate: 'http.default_retry_predicate' | 'http.default_retry_predicate_non_idempotent' | 'retry.always' | 'retry.never' | Subworkflow<any>,
    maxRetries: number,
    backoff: { readonly initialDelay: number; readonly maxDelay: number; readonly multiplier: number },
  ): RetryPolicy {
    return deepFreeze({ kind: 'custom', predicate: typeof predicate === 'string' ? predicate : predicate.name, maxRetries, backoff: { ...backoff } });
  },
} as const;

// ---------------------------------------------------------------------------------------------
// Steps

interface LoopSpec<Val extends string, Idx extends string, V> {
  readonly value: Val;
  readonly index?: Idx;
  readonly in?: Producer<V, Value>;
  readonly range?: Producer<V, readonly [Value, Value]>;
}

type LoopVars<V, Val extends string, Idx extends string> = Merge<V, { [K in Val]: any } & { [K in Idx]: number }>;

function loopOf<V>(spec: LoopSpec<string, string, V>, body: readonly Step[]): ForLoop {
  if ((spec.in === undefined) === (spec.range === undefined)) throw new Error('internal: a for loop needs exactly one of `in` and `range`');
  return {
    value: spec.value,
    ...(spec.index !== undefined ? { index: spec.index } : {}),
    ...(spec.in !== undefined ? { in: produce(spec.in) } : {}),
    ...(spec.range !== undefined ? { range: produce(spec.range) } : {}),
    steps: body,
  };
}

export class Steps<V = {}, N extends string = never, T extends string = never> {
  declare readonly __state: { readonly vars: V; readonly names: N; readonly targets: T };
  readonly list: readonly Step[];

  private constructor(list: readonly Step[]) {
    this.list = Object.freeze(list);
    Object.freeze(this);
  }

  static start<V = {}>(): Steps<V> {
    return new Steps<V>([]);
  }

  private add<V2, N2 extends string, T2 extends string>(step: Step): Steps<V2, N2, T2> {
    return new Steps<V2, N2, T2>([...this.list, deepFreeze(step)]);
  }

  /** Assigns variables in order (later entries may read earlier ones). */
  assign<S extends string, A extends Readonly<Record<string, Value>>, const X extends string = never>(
    name: S,
    values: Producer<V, A>,
    options: StepOptions<X> = {},
  ): Steps<Merge<V, AssignedTypes<A>>, N | S, T | X> {
    const assigned = produce(values);
    return this.add({ kind: 'assign', name, assign: Object.entries(assigned), ...nextOf(options) });
  }

  /** Calls a connector, stdlib function or subworkflow; `result` names the variable that receives its value. */
  call<S extends string, Res, R extends string = never, const X extends string = never>(
    name: S,
    spec: Producer<V, CallSpec<Res>>,
    options: { readonly result?: R; readonly next?: X } = {},
  ): Steps<Merge<V, { [K in R]: Res }>, N | S, T | X> {
    const { call, args } = produce(spec);
    return this.add({
      kind: 'call',
      name,
      call,
      ...(args !== undefined && Object.keys(args).length > 0 ? { args } : {}),
      ...(options.result !== undefined ? { result: options.result } : {}),
      ...nextOf(options),
    });
  }

  /** Branches on the first true condition; falls through to the next step (or `next`) when none is. */
  switch<S extends string, C extends string = never, const X extends string = never>(
    name: S,
    conditions: (v: Vars<V>, branch: ConditionBuilder<V>) => readonly Condition<C>[],
    options: StepOptions<X> = {},
  ): Steps<V, N | S, T | X | C> {
    const built = conditions(VARIABLE_READS as Vars<V>, CONDITIONS as ConditionBuilder<V>);
    return this.add({ kind: 'switch', name, conditions: built.map((c) => c.ir), ...nextOf(options) });
  }

  /** try/retry/except. Variables assigned in the try block stay visible after it, as in Workflows. */
  try<S extends string, V2, N2 extends string, T2 extends string, E extends string = never, NE extends string = never, TE extends string = never, const X extends string = never>(
    name: S,
    body: (s: Steps<V>) => Steps<V2, N2, T2>,
    options: {
      readonly retry?: RetryPolicy;
      readonly except?: { readonly as: E; readonly steps: (s: Steps<Merge<V, { [K in E]: WorkflowError }>>) => Steps<any, NE, TE> };
      readonly next?: X;
    } = {},
  ): Steps<Merge<V, V2>, N | S, T | X | Unresolved<T2, N2> | Unresolved<TE, NE>> {
    const tried = body(Steps.start<V>()).list;
    const except = options.except ? { as: options.except.as, steps: options.except.steps(Steps.start()).list } : undefined;
    return this.add({
      kind: 'try',
      name,
      steps: tried,
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(except !== undefined ? { except } : {}),
      ...nextOf(options),
    });
  }

  raise<S extends string>(name: S, value: Producer<V, Value>): Steps<V, N | S, T> {
    return this.add({ kind: 'raise', name, raise: produce(value) });
  }

  return<S extends string>(name: S, value: Producer<V, Value>): Steps<V, N | S, T> {
    return this.add({ kind: 'return', name, return: produce(value) });
  }

  /** A jump: to a step name, or `end`, `break`, `continue`. */
  next<S extends string, const X extends string>(name: S, target: X): Steps<V, N | S, T | X> {
    return this.add({ kind: 'next', name, next: target });
  }

  /** `for: {value, index, in}`. The loop variables exist only inside the body. */
  forIn<S extends string, Val extends string, N2 extends string, T2 extends string, Idx extends string = never, const X extends string = never>(
    name: S,
    loop: { readonly value: Val; readonly index?: Idx; readonly in: Producer<V, Value> },
    body: (s: Steps<LoopVars<V, Val, Idx>>) => Steps<any, N2, T2>,
    options: StepOptions<X> = {},
  ): Steps<V, N | S, T | X | EscapingLoop<T2, N2>> {
    return this.add({ kind: 'for', name, for: loopOf(loop, body(Steps.start()).list), ...nextOf(options) });
  }

  /** `for: {value, index, range: [from, to]}`, both ends inclusive. */
  forRange<S extends string, Val extends string, N2 extends string, T2 extends string, Idx extends string = never, const X extends string = never>(
    name: S,
    loop: { readonly value: Val; readonly index?: Idx; readonly range: Producer<V, readonly [Value, Value]> },
    body: (s: Steps<LoopVars<V, Val, Idx>>) => Steps<any, N2, T2>,
    options: StepOptions<X> = {},
  ): Steps<V, N | S, T | X | EscapingLoop<T2, N2>> {
    return this.add({ kind: 'for', name, for: loopOf(loop, body(Steps.start()).list), ...nextOf(options) });
  }

  /** Parallel branches. Only `shared` variables (declared before) may be assigned inside them. */
  parallel<S extends string, B extends Readonly<Record<string, Steps<any, any, any>>>, const X extends string = never>(
    name: S,
    spec: {
      readonly branches: { readonly [K in keyof B]: (s: Steps<V>) => B[K] };
      readonly shared?: readonly (keyof V & string)[];
      readonly exceptionPolicy?: 'continueAll';
      readonly concurrencyLimit?: Producer<V, Value>;
    },
    options: StepOptions<X> = {},
  ): Steps<V, N | S, T | X | BranchEscapes<B>> {
    const branches: ParallelBranch[] = Object.entries(spec.branches as Readonly<Record<string, (s: Steps<V>) => Steps<any, any, any>>>).map(([branch, build]) => ({
      name: branch,
      steps: build(Steps.start<V>()).list,
    }));
    return this.add({ kind: 'parallel', name, ...parallelOptions(spec), branches, ...nextOf(options) });
  }

  /** Parallel iteration: `parallel: {for: ...}`. */
  parallelFor<S extends string, Val extends string, N2 extends string, T2 extends string, Idx extends string = never, const X extends string = never>(
    name: S,
    spec: LoopSpec<Val, Idx, V> & {
      readonly shared?: readonly (keyof V & string)[];
      readonly exceptionPolicy?: 'continueAll';
      readonly concurrencyLimit?: Producer<V, Value>;
    },
    body: (s: Steps<LoopVars<V, Val, Idx>>) => Steps<any, N2, T2>,
    options: StepOptions<X> = {},
  ): Steps<V, N | S, T | X | EscapingLoop<T2, N2>> {
    return this.add({ kind: 'parallel', name, ...parallelOptions(spec), for: loopOf(spec, body(Steps.start()).list), ...nextOf(options) });
  }

  /** A named block of nested steps (shares the enclosing variables). */
  steps<S extends string, V2, N2 extends string, T2 extends string, const X extends string = never>(
    name: S,
    body: (s: Steps<V>) => Steps<V2, N2, T2>,
    options: StepOptions<X> = {},
  ): Steps<Merge<V, V2>, N | S, T | X | Unresolved<T2, N2>> {
    return this.add({ kind: 'steps', name, steps: body(Steps.start<V>()).list, ...nextOf(options) });
  }
}

function nextOf(options: { readonly next?: string | undefined }): { next?: string } {
  return options.next !== undefined ? { next: options.next } : {};
}

function parallelOptions(spec: { readonly shared?: readonly string[]; readonly exceptionPolicy?: 'continueAll'; readonly concurrencyLimit?: Producer<any, Value> }) {
  return {
    ...(spec.exceptionPolicy !== undefined ? { exceptionPolicy: spec.exceptionPolicy } : {}),
    ...(spec.shared !== undefined && spec.shared.length > 0 ? { shared: [...spec.shared] } : {}),
    ...(spec.concurrencyLimit !== undefined ? { concurrencyLimit: produce(spec.concurrencyLimit) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Subworkflows

type ParamNames<P extends readonly ParamSpec[]> = P[number] extends infer Q ? (Q extends string ? Q : Q extends object ? Extract<keyof Q, string> : never) : never;
type RequiredParams<P extends readonly ParamSpec[]> = Extract<P[number], string>;
type OptionalParams<P extends readonly ParamSpec[]> = Exclude<ParamNames<P>, RequiredParams<P>>;

/** The arguments a subworkflow call must pass: every parameter without a default, and any with one. */
export type SubworkflowArgs<P extends readonly ParamSpec[]> = { readonly [K in RequiredParams<P>]: Value } & { readonly [K in OptionalParams<P>]?: Value };

export class Subworkflow<P extends readonly ParamSpec[] = readonly ParamSpec[], R = any> {
  declare readonly __result: R;
  readonly ir: SubworkflowIR;
  constructor(ir: SubworkflowIR) {
    this.ir = deepFreeze(ir);
    Object.freeze(this);
  }
  get name(): string {
    return this.ir.name;
  }
  /** A call step invoking this subworkflow. */
  call(args: SubworkflowArgs<P>): CallSpec<R> {
    return new CallSpec<R>(this.ir.name, args as Readonly<Record<string, Value>>);
  }
}

/**
 * A subworkflow: parameters are names, or `{name: default}` for optional ones.
 * https://cloud.google.com/workflows/docs/reference/syntax/subworkflows
 */
export function subworkflow<const P extends readonly ParamSpec[], N extends string, T extends string, R = any>(
  name: string,
  params: P,
  body: (s: Steps<{ [K in ParamNames<P>]: any }>) => Steps<any, N, T> & NextTargetsExist<N, T>,
): Subworkflow<P, R> {
  return new Subworkflow<P, R>({ name, params: [...params], steps: body(Steps.start()).list });
}

/** The `main` block: at most one parameter (the execution argument). */
export function mainWorkflow<N extends string = never, T extends string = never>(body: (s: Steps<{}>) => Steps<any, N, T> & NextTargetsExist<N, T>): SubworkflowIR;
export function mainWorkflow<const P extends string, N extends string = never, T extends string = never>(
  param: P,
  body: (s: Steps<{ [K in P]: any }>) => Steps<any, N, T> & NextTargetsExist<N, T>,
): SubworkflowIR;
export function mainWorkflow(paramOrBody: string | ((s: Steps<any>) => Steps<any, any, any>), maybeBody?: (s: Steps<any>) => Steps<any, any, any>): SubworkflowIR {
  const [params, body] = typeof paramOrBody === 'string' ? [[paramOrBody], maybeBody] : [[], paramOrBody];
  if (body === undefined) throw new Error('internal: mainWorkflow needs a body');
  return deepFreeze({ name: 'main', params, steps: body(Steps.start()).list });
}

/** Helper for arrays of param names: keeps the tuple literal types. */
export type { ParamSpec };
export { paramName };
