/** Call steps: the target (a subworkflow of the file, a library function or a connector), its args and result. */
import { GKE_FUNCTIONS, isConnectorTarget } from './connector-catalog.ts';
import { type ParseContext, type StepBase, VARIABLE_NAME } from './parse-context.ts';
import { LIBRARY } from './stdlib/index.ts';
import { type Value, type WfMap, isMap } from './values.ts';
import type { Step } from './workflow-ast.ts';

export function call(ctx: ParseContext, base: StepBase, body: WfMap, ptr: string, path: string): Step {
  const target = body.get('call');
  if (typeof target !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(target)) {
    ctx.fail('"call" takes a function, connector or subworkflow name such as http.get or my_subworkflow', `${ptr}/call`, `${path}.call`);
  }
  ctx.callTargets.add(target);
  if (!ctx.subworkflowNames.has(target) && !LIBRARY.has(target) && !isConnectorTarget(target)) {
    const fix = target.startsWith('gke.')
      ? `the Kubernetes API connector's functions are ${[...GKE_FUNCTIONS].join(', ')}`
      : 'call a subworkflow of this file, a standard library function (e.g. sys.log), or a connector (googleapis.*, http.*, gke.*)';
    ctx.fail(`unknown function "${target}"`, `${ptr}/call`, `${path}.call`, fix);
  }
  const rawArgs: Value = body.get('args') ?? null;
  if (rawArgs !== null && !isMap(rawArgs)) ctx.fail('"args" must be a map of argument names to values', `${ptr}/args`, `${path}.args`);
  const result = body.get('result');
  if (result !== undefined && (typeof result !== 'string' || !VARIABLE_NAME.test(result))) ctx.fail('"result" must be a variable name', `${ptr}/result`, `${path}.result`);
  return {
    ...base,
    kind: 'call',
    target,
    ...(isMap(rawArgs) ? { args: ctx.template(rawArgs, `${ptr}/args`, `${path}.args`) } : {}),
    ...(typeof result === 'string' ? { result } : {}),
  };
}
