/**
 * What the interpreter's parts share while running: variable scopes, the thread a step list runs
 * on, how a step ends (Completion), and the Runner interface the loop, parallel and try parts call
 * back into. Scoping follows Google's rules: variables live per subworkflow call; variables first
 * assigned inside a for loop or an except block vanish with it; a parallel branch sees the outer
 * variables but may only write those listed in `shared` (other writes stay local to the branch).
 */
import type { Clock } from './clock.ts';
import { WorkflowError } from './errors.ts';
import type { Limits } from './limits.ts';
import type { TraceEvent, TraceKind, TraceOutcome } from './trace.ts';
import type { Value, WfMap } from './values.ts';
import type { StepList, Subworkflow, Template } from './workflow-ast.ts';

export type Completion =
  | { readonly kind: 'normal' }
  | { readonly kind: 'jump'; readonly target: string }
  | { readonly kind: 'break' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'return'; readonly value: Value }
  | { readonly kind: 'end' };

export const NORMAL: Completion = { kind: 'normal' };

/** Errors no `try` may catch: the execution as a whole is over (step limit, cancellation). */
export class FatalWorkflowError extends WorkflowError {}
/** Thrown into a parallel branch once a sibling's error has ended the parallel step. */
export class BranchCancelled extends Error {}

export class Scope {
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

export interface CancelToken {
  cancelled: boolean;
  readonly parent?: CancelToken;
}

export function isCancelled(t?: CancelToken): boolean {
  for (let c = t; c; c = c.parent) if (c.cancelled) return true;
  return false;
}

export interface Thread {
  readonly sub: Subworkflow;
  /** Subworkflow call depth (main = 1). */
  readonly callDepth: number;
  readonly parallelDepth: number;
  /** Indentation of trace events. */
  readonly depth: number;
  readonly stack: readonly string[];
  readonly cancel?: CancelToken;
}

/** What loops, parallel steps and try steps need from the execution running them. */
export interface Runner {
  readonly limits: Limits;
  readonly clock: Clock;
  subworkflow(name: string): Subworkflow | undefined;
  execList(list: StepList, scope: Scope, t: Thread): Promise<Completion>;
  evalTemplate(tpl: Template, scope: Scope, t: Thread): Promise<Value>;
  callSubworkflow(sub: Subworkflow, named: WfMap | undefined, positional: readonly Value[] | undefined, caller: Omit<Thread, 'sub'>): Promise<Value>;
  emit(t: Thread, step: string, kind: TraceKind, outcome: TraceOutcome, extra?: Partial<TraceEvent>): void;
}
