/**
 * The one renderer from the step IR to the Workflows source document as plain JSON-compatible data.
 * Key order is fixed here (the serializer keeps insertion order), so output is deterministic:
 * a step's own keyword first, then its arguments in Google's documented order, then `next`.
 */
import { Expr, renderValue, toNode, type Value } from './expr.ts';
import type { ForLoop, ParamSpec, RetryPolicy, Step, SubworkflowIR, SwitchCondition } from './steps.ts';

type Plain = Record<string, unknown>;

function withNext(body: Plain, next: string | undefined): Plain {
  return next === undefined ? body : { ...body, next };
}

function renderArgs(args: Readonly<Record<string, Value>>): Plain {
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, renderValue(v)]));
}

function renderRetry(policy: RetryPolicy): unknown {
  switch (policy.kind) {
    case 'predefined':
      return `\${${policy.policy}}`;
    case 'custom':
      return {
        predicate: `\${${policy.predicate}}`,
        max_retries: policy.maxRetries,
        backoff: { initial_delay: policy.backoff.initialDelay, max_delay: policy.backoff.maxDelay, multiplier: policy.backoff.multiplier },
      };
  }
}

/**
 * `[1, 9]` when both ends are numbers; otherwise one expression `${[a, b]}`: Google's syntax does not
 * allow a list of separate expressions (`[${a}, ${b}]`) as a range.
 */
function renderRange(range: readonly [Value, Value]): unknown {
  if (range.every((end) => typeof end === 'number')) return [...range];
  return new Expr({ kind: 'list', items: range.map(toNode) }).toString();
}

function renderLoop(loop: ForLoop): Plain {
  return {
    value: loop.value,
    ...(loop.index !== undefined ? { index: loop.index } : {}),
    ...(loop.in !== undefined ? { in: renderValue(loop.in) } : {}),
    ...(loop.range !== undefined ? { range: renderRange(loop.range) } : {}),
    steps: renderSteps(loop.steps),
  };
}

function renderCondition(condition: SwitchCondition): Plain {
  return {
    condition: renderValue(condition.condition),
    ...(condition.steps !== undefined ? { steps: renderSteps(condition.steps) } : {}),
    ...(condition.return !== undefined ? { return: renderValue(condition.return) } : {}),
    ...(condition.raise !== undefined ? { raise: renderValue(condition.raise) } : {}),
    ...(condition.next !== undefined ? { next: condition.next } : {}),
  };
}

function renderStepBody(step: Step): Plain {
  switch (step.kind) {
    case 'assign':
      return withNext({ assign: step.assign.map(([name, value]) => ({ [name]: renderValue(value) })) }, step.next);
    case 'call':
      return withNext(
        {
          call: step.call,
          ...(step.args !== undefined ? { args: renderArgs(step.args) } : {}),
          ...(step.result !== undefined ? { result: step.result } : {}),
        },
        step.next,
      );
    case 'switch':
      return withNext({ switch: step.conditions.map(renderCondition) }, step.next);
    case 'try':
      return withNext(
        {
          try: { steps: renderSteps(step.steps) },
          ...(step.retry !== undefined ? { retry: renderRetry(step.retry) } : {}),
          ...(step.except !== undefined ? { except: { as: step.except.as, steps: renderSteps(step.except.steps) } } : {}),
        },
        step.next,
      );
    case 'raise':
      return { raise: renderValue(step.raise) };
    case 'return':
      return { return: renderValue(step.return) };
    case 'next':
      return { next: step.next };
    case 'for':
      return withNext({ for: renderLoop(step.for) }, step.next);
    case 'parallel':
      return withNext(
        {
          parallel: {
            ...(step.exceptionPolicy !== undefined ? { exception_policy: step.exceptionPolicy } : {}),
            ...(step.shared !== undefined ? { shared: [...step.shared] } : {}),
            ...(step.concurrencyLimit !== undefined ? { concurrency_limit: renderValue(step.concurrencyLimit) } : {}),
            ...(step.branches !== undefined ? { branches: step.branches.map((b) => ({ [b.name]: { steps: renderSteps(b.steps) } })) } : {}),
            ...(step.for !== undefined ? { for: renderLoop(step.for) } : {}),
          },
        },
        step.next,
      );
    case 'steps':
      return withNext({ steps: renderSteps(step.steps) }, step.next);
  }
}

export function renderSteps(steps: readonly Step[]): Plain[] {
  return steps.map((step) => ({ [step.name]: renderStepBody(step) }));
}

function renderParam(param: ParamSpec): unknown {
  return typeof param === 'string' ? param : Object.fromEntries(Object.entries(param).map(([k, v]) => [k, renderValue(v)]));
}

export function renderSubworkflow(sub: SubworkflowIR): Plain {
  return {
    ...(sub.params.length > 0 ? { params: sub.params.map(renderParam) } : {}),
    steps: renderSteps(sub.steps),
  };
}

/** `{main: {...}, <subworkflow>: {...}}`: main first, then subworkflows in definition order. */
export function renderDocument(main: SubworkflowIR, subworkflows: readonly SubworkflowIR[]): Record<string, unknown> {
  const document: Plain = { main: renderSubworkflow(main) };
  for (const sub of subworkflows) document[sub.name] = renderSubworkflow(sub);
  return document;
}
