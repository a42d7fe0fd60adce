/**
 * Generate-time checks for what the types cannot see. Every problem is collected (none stops the
 * walk) with a location inside the workflow (`main.steps[4] create_job.next`) and a fix.
 * Limits are Google's: https://cloud.google.com/workflows/quotas#resource_limits
 */
import { isIdentifier, variablesInValue, type Value } from './expr.ts';
import { paramName, type ForLoop, type Step, type SubworkflowIR } from './steps.ts';

export interface DslProblem {
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

export const LIMITS = {
  assignmentsPerStep: 50,
  switchConditions: 50,
  parallelBranches: 10,
  /** Workflow source size, in bytes. */
  sourceBytes: 128 * 1024,
} as const;

/** Workflow ids: a letter first, then letters, digits, `-` and `_`, ending in a letter or digit, at most 64. */
const WORKFLOW_ID = /^[A-Za-z](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/;
/** "The step name can include any alphanumeric character as well as underscores." */
const STEP_NAME = /^[A-Za-z0-9_]+$/;
const STDLIB_OR_CONNECTOR = /\./;

export function checkWorkflowId(id: string, path = 'name'): DslProblem[] {
  if (WORKFLOW_ID.test(id)) return [];
  return [
    {
      path,
      message: `"${id}" is not a valid workflow id`,
      fix: 'use 1-64 characters: a letter first, then letters, digits, "-" or "_", ending with a letter or digit',
    },
  ];
}

export function checkSourceSize(name: string, yamlText: string): readonly DslProblem[] {
  const bytes = Buffer.byteLength(yamlText, 'utf8');
  if (bytes <= LIMITS.sourceBytes) return [];
  return [
    {
      path: `generated/workflows/${name}.yaml`,
      message: `the workflow source is ${bytes} bytes, over Google's limit of ${LIMITS.sourceBytes} bytes (128 KB)`,
      fix: 'move repeated steps into subworkflows, or split the workflow into smaller ones',
    },
  ];
}

interface Scope {
  /** Names `next` may target from here (this block and enclosing blocks up to a loop/branch boundary). */
  readonly targets: ReadonlySet<string>;
  readonly inLoop: boolean;
}

class Walker {
  readonly problems: DslProblem[] = [];
  private readonly stepNames = new Map<string, string>();

  constructor(
    private readonly sub: SubworkflowIR,
    private readonly subworkflows: ReadonlyMap<string, SubworkflowIR>,
  ) {}

  report(path: string, message: string, fix: string): void {
    this.problems.push({ path, message, fix });
  }

  run(): void {
    const root = `${this.sub.name}.steps`;
    if (this.sub.steps.length === 0) this.report(root, `${this.sub.name} has no steps`, 'add at least one step');
    const assigned = new Set(this.sub.params.map(paramName));
    this.block(this.sub.steps, root, { targets: new Set(), inLoop: false }, assigned);
  }

  private block(steps: readonly Step[], scopePath: string, outer: Scope, assigned: Set<string>): void {
    const scope: Scope = { targets: new Set([...outer.targets, ...steps.map((s) => s.name)]), inLoop: outer.inLoop };
    steps.forEach((step, i) => this.step(step, `${scopePath}[${i}] ${step.name}`, scope, assigned));
  }

  private reads(value: Value | undefined, path: string, assigned: ReadonlySet<string>): void {
    for (const name of variablesInValue(value)) {
      if (!assigned.has(name)) {
        this.report(path, `reads variable "${name}" before any assignment in reach`, `assign "${name}" in an earlier step (or pass it as a parameter) before reading it`);
      }
    }
  }

  private jump(target: string, path: string, scope: Scope): void {
    if (target === 'end') return;
    if (target === 'break' || target === 'continue') {
      if (!scope.inLoop) this.report(path, `"next: ${target}" outside a for loop`, `use "${target}" only inside a for loop's steps, or jump to a named step`);
      return;
    }
    if (!scope.targets.has(target)) {
      this.report(path, `next: no step named "${target}" in this scope`, 'name an existing step of this block or an enclosing block (jumps into nested steps and out of loops or parallel branches are not allowed), or use end');
    }
  }

  private assignedName(target: string, path: string, assigned: Set<string>): void {
    // `a.b: 1` or `a[0]: 1` updates an existing variable; a plain name creates one.
    const root = /^[A-Za-z_][A-Za-z0-9_]*/.exec(target)?.[0];
    if (root === undefined) {
      this.report(path, `"${target}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
      return;
    }
    if (root !== target && !assigned.has(root)) {
      this.report(path, `updates "${target}" before "${root}" is assigned`, `assign "${root}" first`);
    }
    assigned.add(root);
  }

  private declaresVariable(name: string, path: string, assigned: Set<string>): void {
    if (!isIdentifier(name)) this.report(path, `"${name}" is not a variable name`, 'use letters, digits and underscores, starting with a letter or underscore');
    assigned.add(name);
  }

  private step(step: Step, path: string, scope: Scope, assigned: Set<string>): void {
    if (!STEP_NAME.test(step.name)) this.report(path, `"${step.name}" is not a valid step name`, 'use only letters, digits and underscores');
    const earlier = this.stepNames.get(step.name);
    if (earlier !== undefined) {
      this.report(path, `step name "${step.name}" is already used at ${earlier}`, 'give every step of a subworkflow its own name, so each next has one meaning');
    } else {
      this.stepNames.set(step.name, path);
    }
    // A `next` step's jump is checked with the step itself below.
    if (step.type !== 'next' && 'next' in step && step.next !== undefined) this.jump(step.next, `${path}.next`, scope);

    switch (step.type) {
      case 'assign':
        if (step.assign.length > LIMITS.assignmentsPerStep) {
          this.report(`${path}.assign`, `${step.assign.length} assignments in one step; the limit is ${LIMITS.assignmentsPerStep}`, 'split the assignments over several assign steps');
        }
        step.assign.forEach(([name, value], k) => {
          this.reads(value, `${path}.assign[${k}] ${name}`, assigned);
          this.assignedName(name, `${path}.assign[${k}]`, assigned);
        });
        break;
      case 'call':
        if (step.args !== undefined) for (const [arg, value] of Object.entries(step.args)) this.reads(value, `${path}.args.${arg}`, assigned);
        this.callTarget(step.call, step.args, path);
        if (step.result !== undefined) this.declaresVariable(step.result, `${path}.result`, assigned);
        break;
      case 'switch':
        if (step.conditions.length === 0) this.report(`${path}.switch`, 'a switch needs at least one condition', 'add a condition, or remove the step');
        if (step.conditions.length > LIMITS.switchConditions) {
          this.report(`${path}.switch`, `${step.conditions.length} switch conditions; the limit is ${LIMITS.switchConditions}`, 'split the decision over nested switches or a lookup map');
        }
        step.conditions.forEach((condition, j) => {
          const at = `${path}.switch[${j}]`;
          this.reads(condition.condition, `${at}.condition`, assigned);
          if (condition.next !== undefined) this.jump(condition.next, `${at}.next`, scope);
          if (condition.steps !== undefined) this.block(condition.steps, `${at}.steps`, scope, assigned);
          this.reads(condition.return, `${at}.return`, assigned);
          this.reads(condition.raise, `${at}.raise`, assigned);
        });
        break;
      case 'try':
        this.block(step.steps, `${path}.try.steps`, scope, assigned);
        if (step.retry?.kind === 'custom' && !STDLIB_OR_CONNECTOR.test(step.retry.predicate) && !this.subworkflows.has(step.retry.predicate)) {
          this.report(`${path}.retry.predicate`, `retry predicate "${step.retry.predicate}" is not a subworkflow of this workflow`, 'define the predicate subworkflow (one parameter: the error map; returns a boolean) and pass it to the workflow');
        }
        if (step.except !== undefined) {
          // The error variable (and what the except block assigns) is local to the except block.
          const local = new Set(assigned);
          this.declaresVariable(step.except.as, `${path}.except.as`, local);
          this.block(step.except.steps, `${path}.except.steps`, scope, local);
        }
        break;
      case 'raise':
        this.reads(step.raise, `${path}.raise`, assigned);
        break;
      case 'return':
        this.reads(step.return, `${path}.return`, assigned);
        break;
      case 'next':
        this.jump(step.next, `${path}.next`, scope);
        break;
      case 'for':
        this.loop(step.for, `${path}.for`, assigned);
        break;
      case 'parallel':
        this.reads(step.concurrencyLimit, `${path}.parallel.concurrency_limit`, assigned);
        for (const name of step.shared ?? []) {
          if (!assigned.has(name)) this.report(`${path}.parallel.shared`, `shared variable "${name}" is not assigned before the parallel step`, `assign "${name}" before the parallel step; shared variables must already exist`);
        }
        if (step.branches !== undefined) {
          if (step.branches.length > LIMITS.parallelBranches) {
            this.report(`${path}.parallel.branches`, `${step.branches.length} parallel branches; the limit is ${LIMITS.parallelBranches}`, 'group work into at most 10 branches, or use a parallel for loop over a list');
          }
          step.branches.forEach((branch, k) => {
            const at = `${path}.parallel.branches[${k}] ${branch.name}`;
            if (!STEP_NAME.test(branch.name)) this.report(at, `"${branch.name}" is not a valid branch name`, 'use only letters, digits and underscores');
            this.block(branch.steps, `${at}.steps`, { targets: new Set(), inLoop: false }, new Set(assigned));
          });
        }
        if (step.for !== undefined) this.loop(step.for, `${path}.parallel.for`, assigned);
        break;
      case 'steps':
        this.block(step.steps, `${path}.steps`, scope, assigned);
        break;
    }
  }

  private loop(loop: ForLoop, path: string, assigned: Set<string>): void {
    this.reads(loop.in, `${path}.in`, assigned);
    if (loop.range !== undefined) loop.range.forEach((end, k) => this.reads(end, `${path}.range[${k}]`, assigned));
    // Loop variables, and what the body assigns, do not outlive the loop.
    const local = new Set(assigned);
    this.declaresVariable(loop.value, `${path}.value`, local);
    if (loop.index !== undefined) this.declaresVariable(loop.index, `${path}.index`, local);
    this.block(loop.steps, `${path}.steps`, { targets: new Set(), inLoop: true }, local);
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

/** All checks of a workflow document except its rendered size (see checkSourceSize). */
export function checkDocument(name: string, main: SubworkflowIR, subworkflows: readonly SubworkflowIR[]): DslProblem[] {
  const problems: DslProblem[] = [...checkWorkflowId(name)];
  const byName = new Map<string, SubworkflowIR>();
  for (const sub of subworkflows) {
    if (sub.name === 'main' || byName.has(sub.name)) {
      problems.push({ path: sub.name, message: `subworkflow name "${sub.name}" is used twice`, fix: 'give each subworkflow its own name (main is reserved)' });
    } else if (!isIdentifier(sub.name)) {
      problems.push({ path: sub.name, message: `"${sub.name}" is not a valid subworkflow name`, fix: 'use letters, digits and underscores, starting with a letter' });
    }
    byName.set(sub.name, sub);
  }
  if (main.params.length > 1) problems.push({ path: 'main.params', message: 'main takes at most one parameter (the execution argument)', fix: 'read the fields of the single argument instead' });
  for (const sub of [main, ...subworkflows]) {
    const walker = new Walker(sub, byName);
    walker.run();
    problems.push(...walker.problems);
  }
  return problems;
}
