/**
 * The checks that walk a subworkflow's steps: names, per-step limits, loop and branch variables,
 * jump targets and calls, and which variables are read before they are assigned (in scope, and on
 * every path). Every problem is collected; none stops the walk.
 */
import { isIdentifier, variablesInValue, type Value } from './expr.ts';
import { type DslProblem, LIMITS } from './problems.ts';
import { paramName, type ForLoop, type Step, type SubworkflowIR } from './steps.ts';

/** "The step name can include any alphanumeric character as well as underscores." */
const STEP_NAME = /^[A-Za-z0-9_]+$/;
const STDLIB_OR_CONNECTOR = /\./;

/**
 * What is known about variables at a point of a (sub)workflow:
 *   inScope  the names assigned earlier in document order within reach (Workflows' own scoping: loop,
 *            except and parallel-branch variables are local, try/switch/steps blocks share the
 *            enclosing scope). A read outside it is what Google rejects at deploy time.
 *   definite the names assigned on every path that reaches the point, following switch branches,
 *            jumps, try/except and returns; `undefined` where the point cannot be reached. A name in
 *            scope but not definite is assigned only on some paths: the execution fails there at run
 *            time whenever another path is taken.
 */
type Definite = ReadonlySet<string> | undefined;

function meet(a: Definite, b: Definite): Definite {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return new Set([...a].filter((name) => b.has(name)));
}

function sameDefinite(a: Definite, b: Definite): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && [...a].every((name) => b.has(name));
}

function withNames(set: Definite, ...names: readonly (string | undefined)[]): Definite {
  if (set === undefined) return undefined;
  const out = new Set(set);
  for (const name of names) if (name !== undefined) out.add(name);
  return out;
}

interface Label {
  /** The path of the step this name denotes. */
  readonly key: string;
  /** Jumping out of an except block leaves its local variables behind: only these survive. */
  readonly visible?: ReadonlySet<string>;
}

interface Scope {
  /** Names `next` may target from here (this block and enclosing blocks up to a loop/branch boundary). */
  readonly labels: ReadonlyMap<string, Label>;
  readonly inLoop: boolean;
  /** Inside a parallel branch or iteration: the parent's variables and those of them declared shared. */
  readonly parallel?: { readonly parent: ReadonlySet<string>; readonly shared: ReadonlySet<string>; readonly path: string };
}

/** Where a block leaves the variables: its fall-through state; `undefined` when it never falls through. */
type Flow = Definite;

class Walker {
  readonly problems: DslProblem[] = [];
  private readonly stepNames = new Map<string, string>();
  /** Definite-assignment states arriving by `next` at a step (by step path), this pass. */
  readonly jumps = new Map<string, Definite>();

  constructor(
    private readonly sub: SubworkflowIR,
    private readonly subworkflows: ReadonlyMap<string, SubworkflowIR>,
    /** The previous pass's jump states: backward jumps are known only from it. */
    private readonly earlierJumps: ReadonlyMap<string, Definite>,
    private readonly reporting: boolean,
  ) {}

  report(path: string, message: string, fix: string): void {
    if (this.reporting) this.problems.push({ path, message, fix });
  }

  run(): void {
    const root = `${this.sub.name}.steps`;
    if (this.sub.steps.length === 0) this.report(root, `${this.sub.name} has no steps`, 'add at least one step');
    const params = this.sub.params.map(paramName);
    this.block(this.sub.steps, root, { labels: new Map(), inLoop: false }, new Set(params), new Set(params));
  }

  private block(steps: readonly Step[], scopePath: string, outer: Scope, inScope: Set<string>, entry: Definite): Flow {
    if (steps.length === 0 && scopePath !== `${this.sub.name}.steps`)
      this.report(scopePath, 'an empty list of steps', 'add at least one step, or remove the block (Workflows rejects an empty steps list)');
    const labels = new Map(outer.labels);
    steps.forEach((step, i) => labels.set(step.name, { key: `${scopePath}[${i}]` }));
    const scope: Scope = { ...outer, labels };
    let state = entry;
    steps.forEach((step, i) => {
      const key = `${scopePath}[${i}]`;
      state = meet(state, meet(this.earlierJumps.get(key), this.jumps.get(key)));
      state = this.step(step, `${scopePath}[${i}] ${step.name}`, scope, inScope, state);
    });
    return state;
  }

  private reads(value: Value | undefined, path: string, inScope: ReadonlySet<string>, definite: Definite): void {
    for (const name of variablesInValue(value)) this.read(name, path, inScope, definite);
  }

  private read(name: string, path: string, inScope: ReadonlySet<string>, definite: Definite): void {
    if (!inScope.has(name)) {
      this.report(path, `reads variable "${name}" before any assignment in reach`, `assign "${name}" in an earlier step (or pass it as a parameter) before reading it`);
    } else if (definite !== undefined && !definite.has(name)) {
      this.report(
        path,
        `reads variable "${name}", which is not assigned on every path to this step (a switch branch, a jump or a failed try skips its assignment)`,
        `assign "${name}" a default before the branching step, or on every path that reaches this one`,
      );
    }
  }

  /** Records a jump; the path continues at the target, not after the jumping step. */
  private jump(target: string, path: string, scope: Scope, state: Definite): Flow {
    if (target === 'end') return undefined;
    if (target === 'break' || target === 'continue') {
      if (!scope.inLoop) this.report(path, `"next: ${target}" outside a for loop`, `use "${target}" only inside a for loop's steps (not in a parallel branch), or jump to a named step`);
      return undefined;
    }
    const label = scope.labels.get(target);
    if (label === undefined) {
      this.report(
        path,
        `next: no step named "${target}" in this scope`,
        'name an existing step of this block or an enclosing block (jumps into nested steps and out of loops or parallel branches are not allowed), or use end',
      );
      return undefined;
    }
    const arriving = label.visible === undefined || state === undefined ? state : new Set([...state].filter((name) => label.visible!.has(name)));
    this.jumps.set(label.key, meet(this.jumps.get(label.key), arriving));
    return undefined;
  }

  private then(next: string | undefined, path: string, scope: Scope, state: Definite): Flow {
    return next === undefined ? state : this.jump(next, path, scope, state);
  }

  private assignedName(target: string, path: string, scope: Scope, inScope: Set<string>, definite: Definite): void {
    // `a.b: 1` or `a[0]: 1` updates an existing variable; a plain name creates one.
    const root = /^[A-Za-z_][A-Za-z0-9_]*/.exec(target)?.[0];
    if (root === undefined) {
      this.report(path, `"${target}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
      return;
    }
    if (root !== target) {
      if (!inScope.has(root)) this.report(path, `updates "${target}" before "${root}" is assigned`, `assign "${root}" first`);
      else this.read(root, path, inScope, definite);
    }
    this.parallelWrite(root, path, scope);
    inScope.add(root);
  }

  private declaresVariable(name: string, path: string, scope: Scope, inScope: Set<string>): void {
    if (!isIdentifier(name)) this.report(path, `"${name}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
    this.parallelWrite(name, path, scope);
    inScope.add(name);
  }

  /** https://cloud.google.com/workflows/docs/reference/syntax/parallel-steps#shared-variables */
  private parallelWrite(name: string, path: string, scope: Scope): void {
    const parallel = scope.parallel;
    if (parallel?.parent.has(name) && !parallel.shared.has(name)) {
      this.report(
        path,
        `assigns "${name}", a variable of the enclosing scope that ${parallel.path} does not declare shared`,
        `add "${name}" to the parallel step's shared list, or use a new local name`,
      );
    }
  }

  private step(step: Step, path: string, scope: Scope, inScope: Set<string>, state: Definite): Flow {
    if (!STEP_NAME.test(step.name)) this.report(path, `"${step.name}" is not a valid step name`, 'use only letters, digits and underscores');
    if (step.name === 'end' || step.name === 'break' || step.name === 'continue') {
      this.report(path, `a step named "${step.name}" cannot be jumped to: "next: ${step.name}" means the keyword`, 'rename the step');
    }
    if (this.subworkflows.has(step.name) || step.name === 'main') {
      this.report(path, `step name "${step.name}" is also the name of a subworkflow`, 'rename the step, so a name means one thing in the source and the diagram');
    }
    const earlier = this.stepNames.get(step.name);
    if (earlier !== undefined) {
      this.report(path, `step name "${step.name}" is already used at ${earlier}`, 'give every step of a subworkflow its own name, so each next has one meaning');
    } else {
      this.stepNames.set(step.name, path);
    }

    switch (step.kind) {
      case 'assign': {
        if (step.assign.length === 0) this.report(`${path}.assign`, 'an assign step with no assignments', 'assign at least one variable, or remove the step');
        if (step.assign.length > LIMITS.assignmentsPerStep) {
          this.report(`${path}.assign`, `${step.assign.length} assignments in one step; the limit is ${LIMITS.assignmentsPerStep}`, 'split the assignments over several assign steps');
        }
        let definite = state;
        step.assign.forEach(([name, value], k) => {
          this.reads(value, `${path}.assign[${k}] ${name}`, inScope, definite);
          this.assignedName(name, `${path}.assign[${k}]`, scope, inScope, definite);
          definite = withNames(definite, /^[A-Za-z_][A-Za-z0-9_]*/.exec(name)?.[0]);
        });
        return this.then(step.next, `${path}.next`, scope, definite);
      }
      case 'call':
        if (step.args !== undefined) for (const [arg, value] of Object.entries(step.args)) this.reads(value, `${path}.args.${arg}`, inScope, state);
        this.callTarget(step.call, step.args, path);
        if (step.result !== undefined) this.declaresVariable(step.result, `${path}.result`, scope, inScope);
        return this.then(step.next, `${path}.next`, scope, withNames(state, step.result));
      case 'switch': {
        if (step.conditions.length === 0) this.report(`${path}.switch`, 'a switch needs at least one condition', 'add a condition, or remove the step');
        if (step.conditions.length > LIMITS.switchConditions) {
          this.report(`${path}.switch`, `${step.conditions.length} switch conditions; the limit is ${LIMITS.switchConditions}`, 'split the decision over nested switches or a lookup map');
        }
        // Conditions are tried in order; a matched branch that falls through, and no match at all,
        // continue after the switch (or at its next).
        let after: Definite;
        let reachable = state;
        step.conditions.forEach((condition, j) => {
          const at = `${path}.switch[${j}]`;
          this.reads(condition.condition, `${at}.condition`, inScope, reachable);
          this.reads(condition.return, `${at}.return`, inScope, reachable);
          this.reads(condition.raise, `${at}.raise`, inScope, reachable);
          let branch: Flow = reachable;
          if (condition.return !== undefined || condition.raise !== undefined) branch = undefined;
          if (condition.steps !== undefined) branch = this.block(condition.steps, `${at}.steps`, scope, inScope, branch);
          if (condition.next !== undefined) branch = this.jump(condition.next, `${at}.next`, scope, branch);
          after = meet(after, branch);
          // A literal `true` always matches: nothing after it is reached by this switch.
          if (condition.condition === true) reachable = undefined;
        });
        after = meet(after, reachable);
        return this.then(step.next, `${path}.next`, scope, after);
      }
      case 'try': {
        const tried = this.block(step.steps, `${path}.try.steps`, scope, inScope, state);
        if (step.retry?.kind === 'custom') this.retryPredicate(step.retry.predicate, `${path}.retry.predicate`);
        let after = tried;
        if (step.except !== undefined) {
          // The error variable, and what the except block creates, are local to the except block.
          // The error may come from the first step of the try: only what was assigned before it is sure.
          // Only a variable that surely existed before the try is updated (not created) by an
          // assignment in the except block, so only those survive it.
          const local = new Set(inScope);
          const outside: ReadonlySet<string> = new Set(state ?? []);
          this.declaresVariable(step.except.as, `${path}.except.as`, scope, local);
          const exceptScope: Scope = { ...scope, labels: new Map([...scope.labels].map(([name, label]) => [name, { key: label.key, visible: label.visible ?? outside }])) };
          const handled = this.block(step.except.steps, `${path}.except.steps`, exceptScope, local, withNames(state, step.except.as));
          after = meet(after, handled === undefined ? undefined : new Set([...handled].filter((name) => outside.has(name))));
        }
        return this.then(step.next, `${path}.next`, scope, after);
      }
      case 'raise':
        this.reads(step.raise, `${path}.raise`, inScope, state);
        return undefined;
      case 'return':
        this.reads(step.return, `${path}.return`, inScope, state);
        return undefined;
      case 'next':
        return this.jump(step.next, `${path}.next`, scope, state);
      case 'for':
        this.loop(step.for, `${path}.for`, scope, inScope, state);
        return this.then(step.next, `${path}.next`, scope, state);
      case 'parallel': {
        this.reads(step.concurrencyLimit, `${path}.parallel.concurrency_limit`, inScope, state);
        for (const name of step.shared ?? []) {
          if (!inScope.has(name))
            this.report(
              `${path}.parallel.shared`,
              `shared variable "${name}" is not assigned before the parallel step`,
              `assign "${name}" before the parallel step; shared variables must already exist`,
            );
          else this.read(name, `${path}.parallel.shared`, inScope, state);
        }
        const parallel = { parent: new Set(inScope), shared: new Set(step.shared ?? []), path: `parallel step "${step.name}"` };
        if (step.branches !== undefined) {
          if (step.branches.length < 2) {
            this.report(
              `${path}.parallel.branches`,
              `${step.branches.length} parallel branch${step.branches.length === 1 ? '' : 'es'}; a parallel step needs at least 2`,
              'run a single branch as plain steps, or add branches',
            );
          }
          if (step.branches.length > LIMITS.parallelBranches) {
            this.report(
              `${path}.parallel.branches`,
              `${step.branches.length} parallel branches; the limit is ${LIMITS.parallelBranches}`,
              'group work into at most 10 branches, or use a parallel for loop over a list',
            );
          }
          const branchNames = new Set<string>();
          step.branches.forEach((branch, k) => {
            const at = `${path}.parallel.branches[${k}] ${branch.name}`;
            if (!STEP_NAME.test(branch.name)) this.report(at, `"${branch.name}" is not a valid branch name`, 'use only letters, digits and underscores');
            if (branchNames.has(branch.name)) this.report(at, `branch name "${branch.name}" is used twice in this parallel step`, 'give every branch its own name');
            branchNames.add(branch.name);
            this.block(branch.steps, `${at}.steps`, { labels: new Map(), inLoop: false, parallel }, new Set(inScope), state);
          });
        }
        if (step.for !== undefined) this.loop(step.for, `${path}.parallel.for`, { ...scope, parallel }, inScope, state);
        return this.then(step.next, `${path}.next`, scope, state);
      }
      case 'steps':
        return this.then(step.next, `${path}.next`, scope, this.block(step.steps, `${path}.steps`, scope, inScope, state));
    }
  }

  /** Loop variables, and what the body assigns, do not outlive the loop: after it, the state is as before. */
  private loop(loop: ForLoop, path: string, outer: Scope, inScope: Set<string>, state: Definite): void {
    this.reads(loop.in, `${path}.in`, inScope, state);
    if (loop.range !== undefined) loop.range.forEach((end, k) => this.reads(end, `${path}.range[${k}]`, inScope, state));
    const local = new Set(inScope);
    const scope: Scope = { labels: new Map(), inLoop: true, ...(outer.parallel !== undefined ? { parallel: outer.parallel } : {}) };
    // The loop variables are the loop's own, even in a parallel iteration.
    if (!isIdentifier(loop.value)) this.report(`${path}.value`, `"${loop.value}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
    local.add(loop.value);
    if (loop.index !== undefined) {
      if (!isIdentifier(loop.index)) this.report(`${path}.index`, `"${loop.index}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
      local.add(loop.index);
    }
    this.block(loop.steps, `${path}.steps`, scope, local, withNames(state, loop.value, loop.index));
  }

  /** https://cloud.google.com/workflows/docs/reference/syntax/retrying#custom-predicate */
  private retryPredicate(predicate: string, path: string): void {
    if (STDLIB_OR_CONNECTOR.test(predicate)) return;
    const target = this.subworkflows.get(predicate);
    if (target === undefined) {
      this.report(
        path,
        `retry predicate "${predicate}" is not a subworkflow of this workflow`,
        'define the predicate subworkflow (one parameter: the error map; returns a boolean) and pass it to the workflow',
      );
    } else if (target.params.filter((p) => typeof p === 'string').length !== 1) {
      this.report(
        path,
        `retry predicate "${predicate}" must take exactly one required parameter (the error map), not ${target.params.length}`,
        'declare the predicate subworkflow with one parameter, e.g. ["e"]',
      );
    }
  }

  private callTarget(call: string, args: Readonly<Record<string, Value>> | undefined, path: string): void {
    if (STDLIB_OR_CONNECTOR.test(call)) return;
    const target = this.subworkflows.get(call);
    if (target === undefined) {
      this.report(`${path}.call`, `calls "${call}", which is neither a subworkflow of this workflow nor a library function`, 'pass the subworkflow to the workflow definition, or fix the name');
      return;
    }
    const given = new Set(Object.keys(args ?? {}));
    for (const param of target.params) {
      const name = paramName(param);
      if (typeof param === 'string' && !given.has(name)) this.report(`${path}.args`, `missing argument "${name}" of subworkflow ${call}`, `pass ${name}`);
    }
    const known = new Set(target.params.map(paramName));
    for (const name of given) if (!known.has(name)) this.report(`${path}.args.${name}`, `subworkflow ${call} has no parameter "${name}"`, `use one of: ${[...known].join(', ') || '(none)'}`);
  }
}

/**
 * Walks a subworkflow until the states carried by jumps settle (a backward jump is known only after
 * its first walk; states only shrink, so this ends), then once more to report.
 */
export function walkSubworkflow(sub: SubworkflowIR, byName: ReadonlyMap<string, SubworkflowIR>): DslProblem[] {
  let jumps: ReadonlyMap<string, Definite> = new Map();
  for (let pass = 0; pass < 100; pass++) {
    const walker = new Walker(sub, byName, jumps, false);
    walker.run();
    const settled = walker.jumps.size === jumps.size && [...walker.jumps].every(([key, state]) => jumps.has(key) && sameDefinite(state, jumps.get(key)));
    jumps = walker.jumps;
    if (settled) break;
  }
  const walker = new Walker(sub, byName, jumps, true);
  walker.run();
  return walker.problems;
}
