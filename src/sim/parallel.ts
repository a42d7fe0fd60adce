/**
 * Parallel steps: branches or a parallel for loop, at most `concurrency_limit` (and Google's
 * per-step limit) running at once. The first unhandled error cancels the rest, unless the
 * exception policy is continueAll, which collects them into one UnhandledBranchError.
 */
import { Tag, WorkflowError, errorValue } from './errors.ts';
import { fail } from './expression-eval.ts';
import { loopItems } from './loops.ts';
import { BranchCancelled, type CancelToken, FatalWorkflowError, type Runner, Scope, type Thread, isCancelled } from './scope.ts';
import { type Value, describe, toJs } from './values.ts';
import type { Step } from './workflow-ast.ts';

type Task = { readonly id: string; readonly run: () => Promise<unknown> };

export async function runParallel(run: Runner, step: Extract<Step, { kind: 'parallel' }>, scope: Scope, t: Thread): Promise<void> {
  const limits = run.limits;
  if (t.parallelDepth + 1 > limits.maxParallelDepth) {
    throw new WorkflowError(errorValue([Tag.ParallelNestingError], `parallel steps may be nested at most ${limits.maxParallelDepth} deep`));
  }
  for (const name of step.shared) {
    if (scope.lookup(name) === undefined) fail(Tag.KeyError, `shared variable "${name}" must be assigned before the parallel step`, 0);
  }
  let limit = limits.maxConcurrentBranches;
  if (step.concurrencyLimit) {
    const l = await run.evalTemplate(step.concurrencyLimit, scope, t);
    if (typeof l !== 'number' || l < 1) fail(Tag.ValueError, `concurrency_limit must be a positive integer, got ${describe(l)}`, 0);
    limit = Math.min(limit, l);
  }
  const shared = new Set(step.shared);
  const cancel: CancelToken = { cancelled: false, ...(t.cancel ? { parent: t.cancel } : {}) };
  const inner: Thread = { ...t, parallelDepth: t.parallelDepth + 1, depth: t.depth + 1, cancel };
  const tasks: Task[] = [];
  if (step.branches) {
    for (const b of step.branches) {
      tasks.push({
        id: b.name,
        run: async () => {
          run.emit(inner, b.name, 'branch', 'started');
          await run.execList(b.body, new Scope(new Map(), scope, shared), { ...inner, depth: inner.depth + 1 });
        },
      });
    }
  } else if (step.loop) {
    const loop = step.loop;
    const items = await loopItems(run, loop, scope, t);
    items.forEach((item, i) => {
      tasks.push({
        id: String(i),
        run: async () => {
          const vars = new Map<string, Value>([[loop.value, item]]);
          if (loop.index) vars.set(loop.index, i);
          run.emit(inner, step.name, 'iteration', 'started', { detail: { index: i, value: toJs(item) } });
          await run.execList(loop.body, new Scope(vars, scope, shared), { ...inner, depth: inner.depth + 1 });
        },
      });
    });
  }
  const unhandled: { id: string; error: WorkflowError }[] = [];
  let first: WorkflowError | undefined;
  let bug: unknown;
  let nextTask = 0;
  const worker = async (): Promise<void> => {
    while (nextTask < tasks.length && !cancel.cancelled && bug === undefined) {
      const task = tasks[nextTask++]!;
      try {
        await task.run();
      } catch (e) {
        if (e instanceof BranchCancelled) continue;
        if (e instanceof FatalWorkflowError || !(e instanceof WorkflowError)) {
          bug ??= e;
          cancel.cancelled = true;
        } else if (step.continueAll && unhandled.length < limits.maxUnhandledBranchErrors) {
          unhandled.push({ id: task.id, error: e });
        } else {
          first ??= e;
          cancel.cancelled = true;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (bug !== undefined) throw bug;
  if (isCancelled(t.cancel)) throw new BranchCancelled();
  if (first) throw first;
  if (unhandled.length > 0) {
    const branches = unhandled.map((u) => ({ id: u.id, error: toJs(u.error.value) }));
    throw new WorkflowError(
      errorValue([Tag.UnhandledBranchError], `${unhandled.length} of ${tasks.length} branches or iterations of parallel step "${step.name}" ended with an unhandled error`, { branches }),
    );
  }
}
