/**
 * The one walk over a parsed workflow's steps that the deploy-time checks share (check-flow.ts,
 * check-parallel-writes.ts): every step, switch actions included, and the blocks nested in each,
 * with a context each check derives per block (visible jump targets, variables in scope, ...).
 */
import type { ParallelFor, Step, StepList } from './workflow-ast.ts';

/** A step list nested in a step, and what kind of block it is. */
export type Block =
  | { readonly kind: 'steps' | 'try'; readonly body: StepList }
  | { readonly kind: 'except'; readonly body: StepList; readonly as?: string }
  | { readonly kind: 'for' | 'parallel-for'; readonly body: StepList; readonly loop: ParallelFor }
  | { readonly kind: 'branch'; readonly body: StepList; readonly name: string };

export interface StepVisitor<C> {
  /** Each step, before the blocks nested in it. */
  readonly step?: (s: Step, ctx: C) => void;
  /** The context of a block nested in `owner`, derived from the owner's; by default the same. */
  readonly block?: (b: Block, ctx: C, owner: Step) => C;
  /** The context inside a step list entered with `ctx`; by default the same. */
  readonly list?: (list: StepList, ctx: C) => C;
}

/** The step lists directly inside `s`, in document order (a switch's actions are steps, not lists: see walkStep). */
function blocksOf(s: Step): readonly Block[] {
  switch (s.kind) {
    case 'steps':
      return [{ kind: 'steps', body: s.body }];
    case 'try':
      return [{ kind: 'try', body: s.body }, ...(s.except ? [{ kind: 'except' as const, body: s.except.body, ...(s.except.as ? { as: s.except.as } : {}) }] : [])];
    case 'for':
      return [{ kind: 'for', body: s.loop.body, loop: s.loop }];
    case 'parallel':
      return s.loop ? [{ kind: 'parallel-for', body: s.loop.body, loop: s.loop }] : (s.branches ?? []).map((b) => ({ kind: 'branch' as const, body: b.body, name: b.name }));
    default:
      return [];
  }
}

export function walkSteps<C>(list: StepList, ctx: C, visitor: StepVisitor<C>): void {
  const inner = visitor.list ? visitor.list(list, ctx) : ctx;
  for (const s of list.steps) walkStep(s, inner, visitor);
}

export function walkStep<C>(s: Step, ctx: C, visitor: StepVisitor<C>): void {
  visitor.step?.(s, ctx);
  if (s.kind === 'switch') for (const c of s.conditions) walkStep(c.action, ctx, visitor);
  for (const b of blocksOf(s)) walkSteps(b.body, visitor.block ? visitor.block(b, ctx, s) : ctx, visitor);
}

/** The loop variables a loop's body sees. */
export function loopVariables(loop: ParallelFor): readonly string[] {
  return [loop.value, ...(loop.index ? [loop.index] : [])];
}
