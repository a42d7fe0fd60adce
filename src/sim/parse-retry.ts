/**
 * The `retry:` block of a try step, checked as Google's retry syntax describes it
 * (https://cloud.google.com/workflows/docs/reference/syntax/retrying): either a default policy
 * written as an expression (`${http.default_retry}`, `${http.default_retry_non_idempotent}`), or a
 * custom policy, a map of `predicate`, `max_retries` and `backoff: {initial_delay, max_delay,
 * multiplier}`.
 *
 * Which fields of a custom policy are required: the syntax page defines a policy as "a predicate
 * that defines which error codes should be retried, as well as retry configuration values such as
 * the maximum number of retries, and the delay in seconds between retries", so `predicate` and
 * `max_retries` are required here. A backoff field that is left out takes the value of Google's
 * default backoff, `retry.default_backoff` (1 s initial, 60 s max, x1.25; see retry-policies.ts),
 * which the default policies use. The page's excerpt available to us does not say whether Google
 * refuses a custom policy without `backoff`; SchemaStore's workflows schema (a cross-check only)
 * requires none of these fields.
 */
import { expressionBody } from './expression-parser.ts';
import { DEFAULT_BACKOFF, RETRY_POLICIES, RETRY_PREDICATES } from './retry-policies.ts';
import { type Value, describe, isMap, isNumber, numberValue, typeOf } from './values.ts';
import type { RetryPolicy, Template } from './workflow-ast.ts';
import { onlyKeys } from './parse-context.ts';

export interface RetryParseContext {
  readonly subworkflowNames: ReadonlySet<string>;
  fail(message: string, ptr: string, path: string, fix?: string, key?: boolean): never;
  template(v: Value, ptr: string, path: string): Template;
}

const BACKOFF_FIELDS = { initial_delay: 'initialDelay', max_delay: 'maxDelay', multiplier: 'multiplier' } as const;

function isExpression(v: Value): boolean {
  return typeof v === 'string' && expressionBody(v) !== undefined;
}

function shown(v: Value | undefined): string {
  return v === undefined ? '(nothing)' : typeof v === 'string' ? JSON.stringify(v) : `${typeOf(v)} ${describe(v)}`;
}

function predicateChoices(ctx: RetryParseContext): string {
  const subs = [...ctx.subworkflowNames].filter((n) => n !== 'main');
  return `write \${name_of_a_subworkflow}${subs.length ? ` (this file has ${subs.map((s) => `\${${s}}`).join(', ')})` : ''} or one of ${[...RETRY_PREDICATES.keys()].map((k) => `\${${k}}`).join(', ')}`;
}

export function parseRetry(ctx: RetryParseContext, v: Value, ptr: string, path: string): RetryPolicy {
  const constant = (value: number): Template => ({ kind: 'const', value });
  const policies = [...RETRY_POLICIES.keys()].map((k) => `\${${k}}`).join(', ');
  if (typeof v === 'string') {
    const name = expressionBody(v)?.trim();
    const policy = name === undefined ? undefined : RETRY_POLICIES.get(name);
    if (!policy) {
      const fix =
        name !== undefined && RETRY_PREDICATES.has(name)
          ? `\${${name}} is a predicate: write retry: {predicate: \${${name}}, max_retries: N}, or use a policy (${policies})`
          : `use one of ${policies}, or a map with predicate, max_retries and backoff`;
      ctx.fail(`unknown retry policy ${JSON.stringify(v)}`, ptr, path, fix);
    }
    return {
      predicate: policy.predicate,
      maxRetries: constant(policy.maxRetries),
      initialDelay: constant(policy.initialDelay),
      maxDelay: constant(policy.maxDelay),
      multiplier: constant(policy.multiplier),
    };
  }
  if (!isMap(v)) ctx.fail(`"retry" must be a default policy (${policies}) or a map with predicate, max_retries and backoff, not ${shown(v)}`, ptr, path);
  onlyKeys(ctx, v, ['predicate', 'max_retries', 'backoff'], { ptr, path, what: 'retry', hint: 'retry has predicate, max_retries and backoff' });

  if (!v.has('predicate')) ctx.fail('a custom retry policy needs a "predicate": which errors to retry', ptr, path, predicateChoices(ctx), true);
  const pred = v.get('predicate');
  const predName = typeof pred === 'string' ? expressionBody(pred)?.trim() : undefined;
  if (predName === undefined || !(RETRY_PREDICATES.has(predName) || ctx.subworkflowNames.has(predName))) {
    const isPolicy = predName !== undefined && RETRY_POLICIES.has(predName);
    const fix = isPolicy ? `\${${predName}} is a whole policy: write retry: \${${predName}} on its own, or predicate: \${${RETRY_POLICIES.get(predName)!.predicate}}` : predicateChoices(ctx);
    ctx.fail(`retry predicate ${shown(pred)} is not a subworkflow or a predefined predicate`, `${ptr}/predicate`, `${path}.predicate`, fix);
  }

  if (!v.has('max_retries')) ctx.fail('a custom retry policy needs "max_retries": how many times to retry after the first attempt', ptr, path, 'add e.g. max_retries: 5', true);
  const maxRetries = v.get('max_retries')!;
  // SchemaStore's schema types max_retries as an integer; a literal is checked here, an expression when the step runs.
  if (!isExpression(maxRetries) && !(typeof maxRetries === 'number' && maxRetries >= 0)) {
    ctx.fail(`max_retries must be a non-negative integer, not ${shown(maxRetries)}`, `${ptr}/max_retries`, `${path}.max_retries`);
  }

  const backoff = v.get('backoff') ?? new Map<string, Value>();
  if (!isMap(backoff)) ctx.fail(`"backoff" must be a map with initial_delay, max_delay and multiplier, not ${shown(backoff)}`, `${ptr}/backoff`, `${path}.backoff`);
  onlyKeys(ctx, backoff, Object.keys(BACKOFF_FIELDS), {
    ptr: `${ptr}/backoff`,
    path: `${path}.backoff`,
    what: 'backoff',
    hint: 'backoff has initial_delay, max_delay and multiplier (seconds, seconds, factor)',
  });
  const field = (k: keyof typeof BACKOFF_FIELDS): Template => {
    const raw = backoff.get(k);
    if (raw === undefined) return constant(DEFAULT_BACKOFF[BACKOFF_FIELDS[k]]);
    // Numbers, doubles included (SchemaStore's integer typing of these fields is a known defect).
    if (!isExpression(raw) && !(isNumber(raw) && numberValue(raw) >= 0)) {
      ctx.fail(`backoff ${k} must be a non-negative number, not ${shown(raw)}`, `${ptr}/backoff/${k}`, `${path}.backoff.${k}`);
    }
    return ctx.template(raw, `${ptr}/backoff/${k}`, `${path}.backoff.${k}`);
  };
  return {
    predicate: predName,
    maxRetries: ctx.template(maxRetries, `${ptr}/max_retries`, `${path}.max_retries`),
    initialDelay: field('initial_delay'),
    maxDelay: field('max_delay'),
    multiplier: field('multiplier'),
  };
}
