/** Parallel steps: branches or a parallel for loop, shared variables, the exception policy and the concurrency limit. */
import { forLoop } from './parse-control.ts';
import { type ParseContext, type StepBase, VARIABLE_NAME, onlyKeys } from './parse-context.ts';
import { type Value, isList, isMap } from './values.ts';
import type { Step } from './workflow-ast.ts';

/** Google's limit on branches of one parallel step. */
const MAX_BRANCHES = 10;

export function parallel(ctx: ParseContext, base: StepBase, v: Value, ptr: string, path: string): Step {
  if (!isMap(v)) ctx.fail('"parallel" must be a map with branches or for', ptr, path);
  onlyKeys(ctx, v, ['shared', 'exception_policy', 'concurrency_limit', 'branches', 'for'], {
    ptr,
    path,
    what: 'parallel',
    hint: 'parallel has shared, exception_policy, concurrency_limit, and branches or for',
  });
  const shared: Value = v.get('shared') ?? [];
  if (!isList(shared) || !shared.every((s) => typeof s === 'string' && VARIABLE_NAME.test(s))) ctx.fail('"shared" must be a list of variable names', `${ptr}/shared`, `${path}.shared`);
  const policy = v.get('exception_policy');
  if (policy !== undefined && policy !== 'continueAll')
    ctx.fail(
      `unknown exception_policy ${JSON.stringify(policy)}`,
      `${ptr}/exception_policy`,
      `${path}.exception_policy`,
      'the only policy is continueAll (omit it to stop at the first unhandled error)',
    );
  if (v.has('branches') === v.has('for')) ctx.fail('parallel needs exactly one of "branches" and "for"', ptr, path);
  const common = {
    ...base,
    kind: 'parallel' as const,
    shared: shared as string[],
    continueAll: policy === 'continueAll',
    ...(v.has('concurrency_limit') ? { concurrencyLimit: ctx.template(v.get('concurrency_limit')!, `${ptr}/concurrency_limit`, `${path}.concurrency_limit`) } : {}),
  };
  if (v.has('for')) return { ...common, loop: forLoop(ctx, v.get('for')!, `${ptr}/for`, `${path}.for`) };
  const raw = v.get('branches')!;
  if (!isList(raw) || raw.length === 0) ctx.fail('"branches" must be a non-empty list', `${ptr}/branches`, `${path}.branches`);
  if (raw.length > MAX_BRANCHES)
    ctx.fail(`a parallel step has at most ${MAX_BRANCHES} branches, this one has ${raw.length}`, `${ptr}/branches`, `${path}.branches`, 'use a parallel for loop over a list instead');
  const names = new Set<string>();
  const branches = raw.map((b, i) => {
    const bp = `${ptr}/branches/${i}`;
    if (!isMap(b) || b.size !== 1) ctx.fail('each branch is "- branch_name: {steps: [...]}"', bp, `${path}.branches[${i}]`);
    const [bn, bb] = [...b][0]!;
    if (names.has(bn)) ctx.fail(`duplicate branch name "${bn}"`, `${bp}/${bn}`, `${path}.branches[${i}]`, undefined, true);
    names.add(bn);
    if (!isMap(bb) || !bb.has('steps') || bb.size !== 1) ctx.fail(`branch "${bn}" must contain only "steps"`, `${bp}/${bn}`, `${path}.branches[${i}].${bn}`);
    return { name: bn, body: ctx.stepList(bb.get('steps')!, `${bp}/${bn}/steps`, `${path}.branches[${i}].${bn}.steps`) };
  });
  return { ...common, branches };
}
