/**
 * What an execution did, one event per step (and per retry, caught error, log line and connector
 * note), in execution order. Values are plain JSON-like data so that a trace can be printed,
 * asserted in tests, or written as JSON by `simulate --json`.
 */
import type { StepKind } from './workflow-ast.ts';

export type TraceKind = StepKind | 'branch' | 'iteration' | 'retry' | 'except' | 'log' | 'note';

export type TraceOutcome =
  /** A container step (for, parallel, try, steps, switch) or branch began; its children follow. */
  | 'started'
  | 'succeeded'
  | 'failed'
  | 'returned'
  | 'raised'
  /** A switch took a condition (detail: its index), or jumped. */
  | 'chose'
  | 'retrying'
  | 'caught'
  | 'info';

export interface TraceEvent {
  readonly seq: number;
  /** Virtual (or real) time in epoch ms. */
  readonly at: number;
  /** Nesting depth for indentation: subworkflow calls and nested step lists add one. */
  readonly depth: number;
  readonly subworkflow: string;
  readonly step: string;
  readonly kind: TraceKind;
  readonly outcome: TraceOutcome;
  /** For call steps: the function, connector or subworkflow called. */
  readonly call?: string;
  readonly args?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  /** Free-form extra: assigned variables, chosen condition, retry delay, log data, jump target. */
  readonly detail?: unknown;
  readonly line?: number;
}
