/**
 * The type-level half of the builders (builder.ts): the variables a block has assigned, the `next`
 * targets it leaves unresolved, and the error types tsc shows when a target does not exist.
 */
import type { Expr } from './expr.ts';
import type { Steps } from './builder.ts';
import type { JumpKeyword } from './steps.ts';

/** Typed reads of the variables assigned so far. */
export type Vars<V> = { readonly [K in keyof V]: Expr<V[K]> };

export type Merge<A, B> = { [K in keyof A | keyof B]: K extends keyof B ? B[K] : K extends keyof A ? A[K] : never };

/** The value type a variable gets from what is assigned to it. */
export type TypeOfValue<X> = X extends Expr<infer T> ? T : X extends string ? string : X extends number ? number : X extends boolean ? boolean : X extends null ? null : any;

export type AssignedTypes<A> = { [K in keyof A]: TypeOfValue<A[K]> };

/** `next` targets of a nested block that it does not resolve itself: they must exist outside it. */
export type Unresolved<T extends string, N extends string> = Exclude<T, N>;

/**
 * `next` targets a loop or parallel body leaves unresolved: Workflows allows no jump out of them, so
 * they are renamed to a target no step can have, and surface in the (sub)workflow's error type.
 * `break`/`continue` resolve in a for loop; in a parallel branch they are errors too.
 */
export type EscapingLoop<T extends string, N extends string> = Exclude<T, N | JumpKeyword> extends infer X extends string ? `${X} (outside its for loop)` : never;
export type EscapingBranch<T extends string, N extends string> = Exclude<T, N | 'end'> extends infer X extends string ? `${X} (outside its parallel branch)` : never;

/** The targets a built block leaves unresolved when it is a parallel branch. */
export type BranchEscapes<B> = { [K in keyof B]: B[K] extends Steps<any, infer N2, infer T2> ? EscapingBranch<T2, N2> : never }[keyof B];

/**
 * Error types surfaced when a body references a step that does not exist (or `break`/`continue`
 * outside a for loop, or a step outside the loop or parallel branch the jump is in).
 */
export type NextTargetsExist<N extends string, T extends string> = [Exclude<T, N | 'end'>] extends [never] ? unknown : { readonly 'next: no step with this name in scope': Exclude<T, N | 'end'> };

/** The map an `except` variable holds. Fields beyond message/tags depend on the error kind. */
export interface WorkflowError {
  readonly message: string;
  readonly tags: readonly string[];
  /** HttpError only. */
  readonly code: number;
  readonly body: any;
  readonly headers: any;
  /** OperationError only: the failed long-running operation. */
  readonly operation: any;
}

export interface StepOptions<X extends string> {
  readonly next?: X;
}

export type Producer<V, R> = R | ((v: Vars<V>) => R);
