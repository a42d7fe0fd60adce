/**
 * The parsed, validated form of a workflow ("plan" in cel-es terms): every `${...}` is already an
 * expression tree, every jump target is known to exist, so running it cannot hit a syntax problem.
 * One tagged union per step kind, each with Google's reference page.
 */
import type { Expr } from './expression-parser.ts';
import type { Value } from './values.ts';

export interface Location {
  readonly line?: number;
  readonly column?: number;
  /** Readable path inside the workflow, e.g. `main.steps[3].create_job.args`. */
  readonly path: string;
}

export interface CompiledExpression {
  readonly source: string;
  readonly ast: Expr;
  /** True when no subworkflow is called, so evaluation never waits (see evaluateSync). */
  readonly sync: boolean;
  readonly loc: Location;
}

/** A YAML value with expressions anywhere inside (call args, assigned values, returned values). */
export type Template =
  | { readonly kind: 'const'; readonly value: Value }
  | { readonly kind: 'expr'; readonly expr: CompiledExpression }
  | { readonly kind: 'list'; readonly items: readonly Template[]; readonly sync: boolean }
  /** A key written as `${...}` is computed when the map is built; `key` then holds its source text. */
  | { readonly kind: 'map'; readonly entries: readonly MapEntry[]; readonly sync: boolean };

export type MapEntry = readonly [key: string, value: Template, dynamicKey?: CompiledExpression];

/** `a`, `a.b`, `a["k"][0]`: a variable and a path into it. */
export interface AssignTarget {
  readonly root: string;
  readonly path: readonly ({ readonly kind: 'field'; readonly name: string } | { readonly kind: 'index'; readonly expr: Expr; readonly sync: boolean })[];
  readonly source: string;
}

interface StepBase {
  readonly name: string;
  readonly loc: Location;
  /** `next:` of the step: a step name, or `end`, `break`, `continue`. */
  readonly next?: string;
}

export interface StepList {
  readonly steps: readonly Step[];
  readonly index: ReadonlyMap<string, number>;
}

export interface RetryPolicy {
  /** Dotted name of a subworkflow or a library predicate such as `http.default_retry_predicate`. */
  readonly predicate: string;
  readonly maxRetries: Template;
  readonly initialDelay: Template;
  readonly maxDelay: Template;
  readonly multiplier: Template;
}

export interface ParallelFor {
  readonly value: string;
  readonly index?: string;
  readonly source: { readonly kind: 'in'; readonly t: Template } | { readonly kind: 'range'; readonly t: Template };
  readonly body: StepList;
}

export type Step =
  /** https://cloud.google.com/workflows/docs/reference/syntax/variables#assign-step */
  | (StepBase & { readonly kind: 'assign'; readonly assignments: readonly { readonly target: AssignTarget; readonly value: Template }[] })
  /** https://cloud.google.com/workflows/docs/reference/syntax/calls */
  | (StepBase & { readonly kind: 'call'; readonly target: string; readonly args?: Template; readonly result?: string })
  /** https://cloud.google.com/workflows/docs/reference/syntax/conditions */
  | (StepBase & { readonly kind: 'switch'; readonly conditions: readonly { readonly condition: Template; readonly action: Step }[] })
  /** https://cloud.google.com/workflows/docs/reference/syntax/iteration */
  | (StepBase & { readonly kind: 'for'; readonly loop: ParallelFor })
  /** https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps */
  | (StepBase & {
      readonly kind: 'parallel';
      readonly shared: readonly string[];
      readonly continueAll: boolean;
      readonly concurrencyLimit?: Template;
      readonly branches?: readonly { readonly name: string; readonly body: StepList }[];
      readonly loop?: ParallelFor;
    })
  /** https://cloud.google.com/workflows/docs/reference/syntax/catching-errors */
  | (StepBase & { readonly kind: 'try'; readonly body: StepList; readonly retry?: RetryPolicy; readonly except?: { readonly as?: string; readonly body: StepList } })
  /** https://cloud.google.com/workflows/docs/reference/syntax/raising-errors */
  | (StepBase & { readonly kind: 'raise'; readonly value: Template })
  /** https://cloud.google.com/workflows/docs/reference/syntax/completing */
  | (StepBase & { readonly kind: 'return'; readonly value: Template })
  /** https://cloud.google.com/workflows/docs/reference/syntax/steps#embedded-steps */
  | (StepBase & { readonly kind: 'steps'; readonly body: StepList })
  /** A step with only `next:` (https://cloud.google.com/workflows/docs/reference/syntax/jumps). */
  | (StepBase & { readonly kind: 'next' });

export type StepKind = Step['kind'];

export interface Param {
  readonly name: string;
  /** Present when the parameter is optional. */
  readonly default?: Value;
}

/** https://cloud.google.com/workflows/docs/reference/syntax/subworkflows */
export interface Subworkflow {
  readonly name: string;
  readonly params: readonly Param[];
  readonly body: StepList;
  readonly loc: Location;
}

export interface ParsedWorkflow {
  readonly fileName?: string;
  readonly subworkflows: ReadonlyMap<string, Subworkflow>;
  /** Every `call:` target in the file (library functions, connectors, subworkflows), sorted. */
  readonly callTargets: readonly string[];
  /** Suspicious but legal constructs, e.g. a string that only partly is `${...}` (kept literal by Workflows). */
  readonly warnings: readonly string[];
}
