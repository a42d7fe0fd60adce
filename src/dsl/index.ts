/**
 * The typed Cloud Workflows DSL: public API.
 *
 *   const publish = subworkflow('publish', ['topic', 'message'], (s) => s.call(...));
 *   export const workflow = defineWorkflow({
 *     name: 'batch-inference',
 *     description: '...',
 *     main: mainWorkflow('event', (s) => s.assign('init', (v) => ({ path: v.event.get('data') })) ...),
 *     subworkflows: [publish],
 *   });
 *
 * `render()` is pure and deterministic; `check()` reports what the types cannot see. The YAML text
 * is produced by the generate command's serializer, whose size `checkSourceSize` checks.
 */
import { checkDocument, checkExpressionLengths, type DslProblem } from './checks.ts';
import { renderMermaid } from './mermaid.ts';
import { renderDocument } from './render.ts';
import type { SubworkflowIR } from './steps.ts';
import type { Subworkflow } from './builder.ts';

export type { DslProblem } from './checks.ts';
export { checkSourceSize, checkWorkflowId, LIMITS } from './checks.ts';
export { Expr, concat, fn, list, literal, map, not, and, or, variable, renderString, type Value, type ExprLike } from './expr.ts';
export * as stdlib from './stdlib.ts';
export { len, keys, defaultTo, ifElse, getType, toString, toInt, toDouble, text, base64, json, hash, sys, time, mapFns, listFns } from './stdlib.ts';
export { Steps, CallSpec, Condition, Subworkflow, mainWorkflow, subworkflow, retry, type Vars, type WorkflowError, type SubworkflowArgs } from './builder.ts';
export { batch, pubsub, storage, secretmanager, http, sysCalls, type BatchJobSpec, type BatchJob, type ConnectorParams, type StorageObject } from './connectors.ts';
export type { Step, SubworkflowIR } from './steps.ts';

export interface WorkflowDefinition {
  /** File/base name, e.g. 'batch-inference' (validated as a workflow id). */
  readonly name: string;
  readonly description: string;
  /** The Workflows source document: `{main: {params, steps}, <subworkflow>: {...}}`, keys in canonical order. */
  render(): Record<string, unknown>;
  /** Every generate-time check except source size. */
  check(): readonly DslProblem[];
  /** Mermaid `flowchart TD` of steps and branches. */
  toMermaid(): string;
}

export interface WorkflowSpec {
  readonly name: string;
  readonly description: string;
  /** Built with mainWorkflow(). */
  readonly main: SubworkflowIR;
  /** Rendered after main, in this order. */
  readonly subworkflows?: readonly Subworkflow<any, any>[];
}

export function defineWorkflow(spec: WorkflowSpec): WorkflowDefinition {
  const main = spec.main;
  const subs = (spec.subworkflows ?? []).map((s) => s.ir);
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    render: () => renderDocument(main, subs),
    check: () => Object.freeze([...checkDocument(spec.name, main, subs), ...checkExpressionLengths(renderDocument(main, subs))]),
    toMermaid: () => renderMermaid(main, subs),
  });
}
