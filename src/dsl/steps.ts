/**
 * The step IR: one tagged union member per Workflows step type, told apart by `kind` (the one
 * discriminant name of the DSL, the resources and the simulator), each with the Google page that
 * defines it. Builders (builder.ts) produce these frozen values; render.ts turns them into the
 * source document, checks.ts validates them and mermaid.ts draws them.
 */
import type { Value } from './expr.ts';

/** `end` stops the (sub)workflow; `break`/`continue` act on the innermost for loop. */
export type JumpKeyword = 'end' | 'break' | 'continue';

/** https://cloud.google.com/workflows/docs/reference/syntax/variables#assign-step */
export interface AssignStep {
  readonly kind: 'assign';
  readonly name: string;
  readonly assign: readonly (readonly [string, Value])[];
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/calls */
export interface CallStep {
  readonly kind: 'call';
  readonly name: string;
  readonly call: string;
  readonly args?: Readonly<Record<string, Value>>;
  readonly result?: string;
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/conditions */
export interface SwitchCondition {
  /** `true` for the default branch. */
  readonly condition: Value;
  readonly next?: string;
  readonly steps?: readonly Step[];
  readonly return?: Value;
  readonly raise?: Value;
}
export interface SwitchStep {
  readonly kind: 'switch';
  readonly name: string;
  readonly conditions: readonly SwitchCondition[];
  /** Where to go when no condition matched (or a matched branch fell through). */
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/retrying */
export type RetryPolicy =
  | { readonly kind: 'predefined'; readonly policy: 'http.default_retry' | 'http.default_retry_non_idempotent' }
  | {
      readonly kind: 'custom';
      /** A stdlib predicate (`http.default_retry_predicate`, `retry.always`...) or a subworkflow name. */
      readonly predicate: string;
      readonly maxRetries: number;
      readonly backoff: { readonly initialDelay: number; readonly maxDelay: number; readonly multiplier: number };
    };

/** https://cloud.google.com/workflows/docs/reference/syntax/catching-errors */
export interface TryStep {
  readonly kind: 'try';
  readonly name: string;
  readonly steps: readonly Step[];
  readonly retry?: RetryPolicy;
  readonly except?: { readonly as: string; readonly steps: readonly Step[] };
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/raising-errors */
export interface RaiseStep {
  readonly kind: 'raise';
  readonly name: string;
  readonly raise: Value;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/completing */
export interface ReturnStep {
  readonly kind: 'return';
  readonly name: string;
  readonly return: Value;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/jumps */
export interface NextStep {
  readonly kind: 'next';
  readonly name: string;
  readonly next: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/iteration */
export interface ForLoop {
  readonly value: string;
  readonly index?: string;
  /** Exactly one of `in` and `range` is set. */
  readonly in?: Value;
  readonly range?: readonly [Value, Value];
  readonly steps: readonly Step[];
}
export interface ForStep {
  readonly kind: 'for';
  readonly name: string;
  readonly for: ForLoop;
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps */
export interface ParallelBranch {
  readonly name: string;
  readonly steps: readonly Step[];
}
export interface ParallelStep {
  readonly kind: 'parallel';
  readonly name: string;
  readonly shared?: readonly string[];
  readonly exceptionPolicy?: 'continueAll';
  readonly concurrencyLimit?: Value;
  /** Exactly one of `branches` and `for` is set. */
  readonly branches?: readonly ParallelBranch[];
  readonly for?: ForLoop;
  readonly next?: string;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/steps#nested-steps */
export interface NestedStepsStep {
  readonly kind: 'steps';
  readonly name: string;
  readonly steps: readonly Step[];
  readonly next?: string;
}

export type Step = AssignStep | CallStep | SwitchStep | TryStep | RaiseStep | ReturnStep | NextStep | ForStep | ParallelStep | NestedStepsStep;

/** A parameter with a default value is optional for callers. */
export type ParamSpec = string | { readonly [name: string]: Value };

/** https://cloud.google.com/workflows/docs/reference/syntax/subworkflows */
export interface SubworkflowIR {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly steps: readonly Step[];
}

export function paramName(param: ParamSpec): string {
  if (typeof param === 'string') return param;
  const [name] = Object.keys(param);
  if (name === undefined) throw new Error('internal: empty parameter spec');
  return name;
}
