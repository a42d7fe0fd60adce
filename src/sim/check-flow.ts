/**
 * Deploy-time checks of control flow, once the whole file is known: `next` targets that exist and
 * are reachable (a jump cannot leave a loop or a parallel branch, nor enter nested steps), `break`
 * and `continue` only in loops (no `break` out of a parallel loop), no `return` in a parallel
 * branch, and subworkflow calls whose arguments match the callee's parameters.
 * https://cloud.google.com/workflows/docs/reference/syntax/jumps
 */
import type { ParseContext } from './parse-context.ts';
import { type StepVisitor, walkSteps } from './step-walker.ts';
import { isMap } from './values.ts';
import type { Step, Subworkflow } from './workflow-ast.ts';

interface FlowScope {
  /** The step names of this list and of the enclosing lists a jump may reach. */
  readonly visible: readonly ReadonlyMap<string, number>[];
  readonly loop: 'none' | 'for' | 'parallel-for';
  readonly inParallel: boolean;
}

type Failer = Pick<ParseContext, 'failAt'>;

function checkNext(ctx: Failer, step: Step, scope: FlowScope): void {
  const next = step.next;
  if (next === undefined || next === 'end') return;
  if (next === 'break' || next === 'continue') {
    if (scope.loop === 'none') ctx.failAt(`"next: ${next}" is only allowed inside a for loop`, step.loc, 'use next: end, or jump to a named step');
    if (scope.loop === 'parallel-for' && next === 'break') ctx.failAt('"next: break" cannot stop a parallel for loop', step.loc, 'use next: continue to end this iteration, or raise an error');
    return;
  }
  if (!scope.visible.some((names) => names.has(next))) {
    ctx.failAt(
      `"next: ${next}" names no step reachable from here`,
      step.loc,
      scope.loop !== 'none' || scope.inParallel
        ? 'a jump cannot leave a loop or a parallel branch (use break, continue or end) nor enter nested steps'
        : 'jump to a step of this list or of an enclosing list',
    );
  }
}

function checkCallArguments(ctx: Failer, s: Extract<Step, { kind: 'call' }>, subs: ReadonlyMap<string, Subworkflow>): void {
  const callee = subs.get(s.target);
  if (!callee) return;
  // Argument names computed at run time (`${name}: value`) are checked when the call runs.
  if (s.args?.kind === 'map' && s.args.entries.some(([, , dyn]) => dyn !== undefined)) return;
  const given = s.args?.kind === 'map' ? s.args.entries.map(([k]) => k) : s.args?.kind === 'const' && isMap(s.args.value) ? [...s.args.value.keys()] : [];
  for (const g of given)
    if (!callee.params.some((p) => p.name === g))
      ctx.failAt(`subworkflow "${callee.name}" has no parameter "${g}"`, s.loc, `its parameters are: ${callee.params.map((p) => p.name).join(', ') || '(none)'}`);
  for (const p of callee.params)
    if (p.default === undefined && !given.includes(p.name))
      ctx.failAt(`call of subworkflow "${callee.name}" misses required parameter "${p.name}"`, s.loc, `pass it under args, or give it a default in ${callee.name}.params`);
}

export function checkFlow(ctx: Failer, sub: Subworkflow, subs: ReadonlyMap<string, Subworkflow>): void {
  const visitor: StepVisitor<FlowScope> = {
    list: (list, scope) => ({ ...scope, visible: [list.index, ...scope.visible] }),
    step: (s, scope) => {
      checkNext(ctx, s, scope);
      if (s.kind === 'return' && scope.inParallel)
        ctx.failAt('"return" is not allowed inside a parallel branch or loop', s.loc, 'assign the outcome to a shared variable and return after the parallel step');
      if (s.kind === 'call') checkCallArguments(ctx, s, subs);
    },
    block: (b, scope) => {
      switch (b.kind) {
        case 'for':
          return { visible: [], loop: 'for', inParallel: scope.inParallel };
        case 'parallel-for':
          return { visible: [], loop: 'parallel-for', inParallel: true };
        case 'branch':
          return { visible: [], loop: 'none', inParallel: true };
        default:
          return scope;
      }
    },
  };
  walkSteps(sub.body, { visible: [], loop: 'none', inParallel: false }, visitor);
}
