/**
 * Values of a step (arguments, assigned values, conditions) compiled into templates: constants, or
 * `${...}` expressions parsed once, with their calls checked (known, non-blocking functions) and
 * marked sync when nothing in them waits.
 */
import { SimSyntaxError } from './errors.ts';
import { EXPRESSION_CONNECTORS, isConnectorTarget } from './connector-catalog.ts';
import { ExpressionSyntaxError, type Expr, expressionBody, operandsOf, parseExpression, partialExpression } from './expression-parser.ts';
import type { ParseContext } from './parse-context.ts';
import { LIBRARY } from './stdlib/index.ts';
import { type Value, isList, isMap } from './values.ts';
import type { CompiledExpression, Location, MapEntry, Template } from './workflow-ast.ts';

const MAX_EXPRESSION_CHARS = 400;

export function template(ctx: ParseContext, v: Value, ptr: string, path: string): Template {
  if (typeof v === 'string') {
    const body = expressionBody(v);
    if (body !== undefined) return { kind: 'expr', expr: expression(ctx, body, ptr, path) };
    if (partialExpression(v)) {
      const l = ctx.loc(ptr, path);
      ctx.warnings.push(
        `${ctx.fileName ?? ''}${l.line ? `:${l.line}:${l.column}` : ''} ${path}: ${JSON.stringify(v)} is not a whole \${...} expression, so Workflows keeps it as literal text; build it with "+" inside one expression instead`,
      );
    }
    return { kind: 'const', value: v };
  }
  if (isList(v)) {
    const items = v.map((x, i) => template(ctx, x, `${ptr}/${i}`, `${path}[${i}]`));
    return items.every((t) => t.kind === 'const') ? { kind: 'const', value: v } : { kind: 'list', items, sync: items.every(templateIsSync) };
  }
  if (isMap(v)) {
    // A key may itself be an expression (`${dynamicKey}: value`), computed when the map is built.
    const entries: MapEntry[] = [...v].map(([key, x]) => {
      const value = template(ctx, x, `${ptr}/${key}`, `${path}.${key}`);
      const body = expressionBody(key);
      return body === undefined ? [key, value] : [key, value, expression(ctx, body, `${ptr}/${key}#key`, `${path}.${key}`)];
    });
    if (entries.every(([, t, dyn]) => t.kind === 'const' && dyn === undefined)) return { kind: 'const', value: v };
    return { kind: 'map', entries, sync: entries.every(([, t, dyn]) => templateIsSync(t) && (dyn === undefined || dyn.sync)) };
  }
  return { kind: 'const', value: v };
}

function expression(ctx: ParseContext, src: string, ptr: string, path: string): CompiledExpression {
  const loc = ctx.loc(ptr, path);
  // Google's limits table: an expression, "${" and "}" included, is at most 400 characters.
  if (src.length + 3 > MAX_EXPRESSION_CHARS) {
    ctx.failAt(`an expression of ${src.length + 3} characters, over the ${MAX_EXPRESSION_CHARS} Google accepts`, loc, 'compute parts of it in earlier assignments and combine the variables');
  }
  let ast: Expr;
  try {
    ast = parseExpression(src);
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    // Column of the offending character: after the scalar's start, any opening quote, and "${".
    const before = src.slice(0, e.offset);
    const line = (loc.line ?? 0) + (before.match(/\n/g)?.length ?? 0);
    const column = before.includes('\n') ? before.length - before.lastIndexOf('\n') : (loc.column ?? 0) + 2 + e.offset;
    throw new SimSyntaxError(`invalid expression \${${src}}: ${e.reason} (at offset ${e.offset})`, {
      file: ctx.fileName,
      line: loc.line ? line : undefined,
      column: loc.column ? column : undefined,
      path,
    });
  }
  checkCalls(ctx, ast, src, loc, path);
  return { source: src, ast, loc, sync: !mayWait(ctx, ast) };
}

/** Whether evaluating `e` can wait: it calls a subworkflow or a connector (see evaluateSync). */
export function mayWait(ctx: ParseContext, e: Expr): boolean {
  if (e.kind === 'call' && (ctx.subworkflowNames.has(e.callee) || EXPRESSION_CONNECTORS.has(e.callee))) return true;
  return operandsOf(e).some((x) => mayWait(ctx, x));
}

/** Functions called inside an expression must exist and must not block (no sys.sleep, http.*, connectors). */
function checkCalls(ctx: ParseContext, e: Expr, src: string, loc: Location, path: string): void {
  if (e.kind === 'call') {
    const where = { file: ctx.fileName, line: loc.line, column: loc.column, path };
    const connector = EXPRESSION_CONNECTORS.get(e.callee);
    const f = LIBRARY.get(e.callee);
    if (connector) {
      if (e.args.length < connector.required || e.args.length > connector.params.length) {
        const want = connector.params.map((p, i) => (i < connector.required ? p : `[${p}]`)).join(', ');
        throw new SimSyntaxError(
          `${e.callee} takes ${connector.required === connector.params.length ? connector.required : `${connector.required} to ${connector.params.length}`} positional arguments (${want}), got ${e.args.length} in \${${src}}`,
          where,
        );
      }
    } else if (e.callee !== 'if' && !f && !ctx.subworkflowNames.has(e.callee)) {
      const hint = isConnectorTarget(e.callee)
        ? `connectors and http.* block, so call them from a call step and use its result (only ${[...EXPRESSION_CONNECTORS.keys()].map((n) => n.split('.').pop()).join(' and ')} of Secret Manager may be called inside an expression)`
        : 'check the name against the standard library or the subworkflows of this file';
      throw new SimSyntaxError(`unknown function "${e.callee}" in \${${src}}`, where, hint);
    } else if (f?.blocking) {
      throw new SimSyntaxError(`${e.callee} blocks and cannot be used inside an expression: \${${src}}`, where, `call it from a step: call: ${e.callee}`);
    }
  }
  for (const x of operandsOf(e)) checkCalls(ctx, x, src, loc, path);
}

function templateIsSync(t: Template): boolean {
  return t.kind === 'const' || (t.kind === 'expr' ? t.expr.sync : t.sync);
}
