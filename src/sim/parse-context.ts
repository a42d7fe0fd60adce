/** What the per-construct parsers (parse-*.ts) share: the parser they call back into, and common rules. */
import type { Expr } from './expression-parser.ts';
import type { RetryParseContext } from './parse-retry.ts';
import type { Value, WfMap } from './values.ts';
import type { Location, Step, StepList } from './workflow-ast.ts';

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses the first key of `map` outside `allowed`, as Workflows does: `unknown key "K" in WHAT`,
 * located at that key, with `hint` saying which keys there are.
 */
export function onlyKeys(
  ctx: Pick<RetryParseContext, 'fail'>,
  map: WfMap,
  allowed: readonly string[],
  at: { readonly ptr: string; readonly path: string; readonly what: string; readonly hint?: string },
): void {
  for (const k of map.keys()) if (!allowed.includes(k)) ctx.fail(`unknown key "${k}" in ${at.what}`, `${at.ptr}/${k}`, at.path, at.hint, true);
}

/** The fields every step has, parsed before its kind-specific ones. */
export interface StepBase {
  readonly name: string;
  readonly loc: Location;
  readonly next?: string;
}

/**
 * `ptr` is the JSON-pointer-like path of a YAML node (`/main/steps/0/init`), used to find its line;
 * `path` is how messages name it (`main.steps[0].init`). `key` points at the node's key rather
 * than its value.
 */
export interface ParseContext extends RetryParseContext {
  readonly fileName: string | undefined;
  readonly warnings: string[];
  readonly callTargets: Set<string>;
  loc(ptr: string, path: string, key?: boolean): Location;
  failAt(message: string, loc: Location, fix?: string): never;
  stepList(v: Value, ptr: string, path: string): StepList;
  step(name: string, body: Value, ptr: string, path: string): Step;
  /** Whether evaluating `e` can wait (a subworkflow or connector call), so it must run asynchronously. */
  mayWait(e: Expr): boolean;
}
