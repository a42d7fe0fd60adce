/**
 * Try steps: the body, retried under its retry policy (delays on the execution's clock), then the
 * except block, whose `as` variable lives in a scope of its own.
 */
import { Tag, WorkflowError, errorMessageOf, errorValue, tagsOf } from './errors.ts';
import { fail } from './expression-eval.ts';
import { RETRY_PREDICATES } from './retry-policies.ts';
import { type Completion, FatalWorkflowError, type Runner, Scope, type Thread } from './scope.ts';
import { type Value, describe, isNumber, numberValue, toJs, typeOf } from './values.ts';
import type { RetryPolicy, StepList, Template } from './workflow-ast.ts';

export async function runTry(
  run: Runner,
  body: StepList,
  retry: RetryPolicy | undefined,
  except: { as?: string; body: StepList } | undefined,
  scope: Scope,
  t: Thread,
  stepName: string,
): Promise<Completion> {
  const inner: Thread = { ...t, depth: t.depth + 1 };
  let attempt = 0;
  while (true) {
    try {
      return await run.execList(body, scope, inner);
    } catch (e) {
      if (!(e instanceof WorkflowError) || e instanceof FatalWorkflowError) throw e;
      if (retry) {
        const policy = await retryNumbers(run, retry, scope, t);
        if (attempt < policy.maxRetries && (await retryPredicate(run, retry.predicate, e.value, t, stepName))) {
          const delay = Math.min(policy.initialDelay * policy.multiplier ** attempt, policy.maxDelay);
          attempt++;
          run.emit(t, stepName, 'retry', 'retrying', { error: toJs(e.value), detail: { attempt, of: policy.maxRetries, delaySeconds: delay } });
          await run.clock.sleep(delay * 1000);
          continue;
        }
      }
      if (!except) throw e;
      run.emit(t, stepName, 'except', 'caught', { error: toJs(e.value) });
      const vars = new Map<string, Value>();
      if (except.as) vars.set(except.as, e.value);
      return run.execList(except.body, new Scope(vars, scope), inner);
    }
  }
}

async function retryNumbers(run: Runner, r: RetryPolicy, scope: Scope, t: Thread): Promise<{ maxRetries: number; initialDelay: number; maxDelay: number; multiplier: number }> {
  const n = async (tpl: Template, what: string): Promise<number> => {
    const v = await run.evalTemplate(tpl, scope, t);
    const integral = what === 'max_retries';
    if (!isNumber(v) || numberValue(v) < 0 || (integral && typeof v !== 'number'))
      fail(Tag.TypeError, `retry ${what} must be a non-negative ${integral ? 'integer' : 'number'}, got ${typeOf(v)} ${describe(v)}`, 0);
    return numberValue(v);
  };
  return {
    maxRetries: await n(r.maxRetries, 'max_retries'),
    initialDelay: await n(r.initialDelay, 'initial_delay'),
    maxDelay: await n(r.maxDelay, 'max_delay'),
    multiplier: await n(r.multiplier, 'multiplier'),
  };
}

async function retryPredicate(run: Runner, name: string, error: Value, t: Thread, stepName: string): Promise<boolean> {
  const builtin = RETRY_PREDICATES.get(name);
  if (builtin) return builtin(error);
  const sub = run.subworkflow(name);
  if (!sub) throw new Error(`retry predicate ${name} was validated by the parser`);
  let v: Value;
  try {
    v = await run.callSubworkflow(sub, undefined, [error], t);
  } catch (e) {
    // The predicate's own error ends the try step, as any error would; the trace says where it came from.
    if (e instanceof WorkflowError) run.emit(t, stepName, 'note', 'info', { detail: `retry predicate "${name}" raised ${describeError(e.value)} while deciding whether to retry` });
    throw e;
  }
  if (typeof v !== 'boolean') {
    const got = v === null ? 'null (it ended without a return step, or returned null)' : `${typeOf(v)} ${describe(v)}`;
    throw new WorkflowError(errorValue([Tag.TypeError], `retry predicate "${name}" must return true or false, but returned ${got}`));
  }
  return v;
}

function describeError(e: Value): string {
  const tags = tagsOf(e);
  return `${tags.length ? `${tags.join('/')}: ` : ''}${errorMessageOf(e)}`;
}
