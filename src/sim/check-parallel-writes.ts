/**
 * Google rejects at deploy time a parallel branch (or parallel loop iteration) that assigns a
 * variable of the surrounding scope without listing it in `shared`. Variables count as the
 * surrounding scope's when they are parameters, or are assigned (assign, call result, loop
 * variable, except `as`) before the parallel step in an enclosing scope. Writing textually later
 * ones is left to run time, where such a write stays local to the branch.
 * https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps#variable-scope
 */
import type { ParseContext } from './parse-context.ts';
import { type Block, loopVariables, walkSteps } from './step-walker.ts';
import type { Step, StepList, Subworkflow } from './workflow-ast.ts';

type Failer = Pick<ParseContext, 'failAt'>;
/** The scopes around a point, innermost last; each holds the names assigned in it so far. */
type Chain = readonly Set<string>[];

/** Names a block defines for its body: an except block's `as`, a loop's value and index. */
function ownNames(b: Block): readonly string[] {
  if (b.kind === 'except') return b.as ? [b.as] : [];
  if (b.kind === 'for' || b.kind === 'parallel-for') return loopVariables(b.loop);
  return [];
}

export function checkParallelWrites(ctx: Failer, sub: Subworkflow): void {
  const define = (chain: Chain, name: string) => chain[chain.length - 1]!.add(name);
  walkSteps<Chain>(sub.body, [new Set(sub.params.map((p) => p.name))], {
    step: (s, chain) => {
      if (s.kind === 'assign') for (const a of s.assignments) if (a.target.path.length === 0) define(chain, a.target.root);
      if (s.kind === 'call' && s.result) define(chain, s.result);
    },
    block: (b, chain, owner) => {
      if (owner.kind === 'parallel') {
        const own = new Set(ownNames(b));
        checkWrites(ctx, b.body, owner.name, new Set(chain.flatMap((scope) => [...scope])), new Set(owner.shared), own);
        return [...chain, new Set(own)];
      }
      return b.kind === 'steps' || b.kind === 'try' ? chain : [...chain, new Set(ownNames(b))];
    },
  });
}

/** Every write inside a branch to an outer, non-shared name; `local` holds names shadowing outer ones. */
function checkWrites(ctx: Failer, list: StepList, parallelStep: string, outer: ReadonlySet<string>, shared: ReadonlySet<string>, local: ReadonlySet<string>): void {
  const check = (name: string, s: Step, localNames: ReadonlySet<string>): void => {
    if (outer.has(name) && !shared.has(name) && !localNames.has(name)) {
      ctx.failAt(
        `step "${s.name}" assigns "${name}", a variable of the scope around parallel step "${parallelStep}" that is not listed in its "shared"`,
        s.loc,
        `add ${name} to shared: [...] of "${parallelStep}", or assign to a new variable local to the branch`,
      );
    }
  };
  const visitor = {
    step: (s: Step, localNames: ReadonlySet<string>) => {
      if (s.kind === 'assign') s.assignments.forEach((a) => check(a.target.root, s, localNames));
      if (s.kind === 'call' && s.result) check(s.result, s, localNames);
    },
    block: (b: Block, localNames: ReadonlySet<string>) => (ownNames(b).length ? new Set([...localNames, ...ownNames(b)]) : localNames),
  };
  walkSteps(list, local, visitor);
}
