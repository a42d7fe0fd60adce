/**
 * Calling a connector from the interpreter: from a `call:` step (arguments by name) or from an
 * expression (positional arguments, only for the helpers connector-catalog.ts lists). A call the
 * registry has no implementation for is not a workflow error (Google would run it) nor an internal
 * error: it is a located SimulationSetupError naming the call and what can be done about it.
 */
import { EXPRESSION_CONNECTORS } from './connector-catalog.ts';
import { CONNECTOR, type ConnectorContext, type ConnectorRegistry } from './connectors/types.ts';
import { SimulationSetupError, type SourceLocation } from './errors.ts';
import { type Expr, operandsOf } from './expression-parser.ts';
import { type Value, type WfMap, fromJs, toJs } from './values.ts';
import type { Template } from './workflow-ast.ts';

const PROJECT_CONNECTORS: ReadonlySet<string> = new Set(Object.values(CONNECTOR));

export function missingConnector(name: string, registry: ConnectorRegistry, where: SourceLocation): SimulationSetupError {
  const bound = Object.keys(registry).sort();
  if (PROJECT_CONNECTORS.has(name)) {
    return new SimulationSetupError(
      `calls ${name}, which the simulator implements but this run was not given`,
      where,
      `bind it in the connectors the run gets (fakeConnectors() binds every connector the simulator has; restConnectors() binds only those whose endpoint it is given)${bound.length ? `; bound now: ${bound.join(', ')}` : ''}`,
    );
  }
  return new SimulationSetupError(
    `calls ${name}, a connector the simulator does not implement, so this run cannot go past this step (Google's Workflows would make the call)`,
    where,
    `the simulator implements http.* and ${[...PROJECT_CONNECTORS]
      .filter((c) => !c.startsWith('http.'))
      .sort()
      .join(
        ', ',
      )}; run this workflow on Google Cloud, or keep the call out of the path you simulate (e.g. behind a switch on an argument); from code, runWorkflow's connectors option can bind a stand-in named ${name}`,
  );
}

/** Named arguments of an expression call such as `accessString(secret_id, version, project_id)`. */
export function positionalToNamed(name: string, args: readonly Value[]): WfMap {
  const spec = EXPRESSION_CONNECTORS.get(name);
  if (!spec) throw new Error(`${name} is not callable from an expression; the parser should have rejected it`);
  const named: WfMap = new Map();
  args.forEach((a, i) => named.set(spec.params[i]!, a));
  return named;
}

/** The step name inside a readable path such as `main.steps[4].get_secret.assign[0].x`. */
export function stepOfPath(path: string): string {
  const names = [...path.matchAll(/(?:^|\.)steps\[\d+\]\.([A-Za-z_][A-Za-z0-9_]*)/g)];
  return names.length ? names[names.length - 1]![1]! : '';
}

export async function callConnector(name: string, args: WfMap, registry: ConnectorRegistry, ctx: ConnectorContext, where: SourceLocation): Promise<Value> {
  const connector = registry[name];
  if (!connector) throw missingConnector(name, registry, where);
  return fromJs(await connector(toJs(args) as Record<string, unknown>, ctx));
}

const readsSecretCache = new WeakMap<object, boolean>();

function exprReadsSecret(e: Expr): boolean {
  return (e.kind === 'call' && e.callee.startsWith('googleapis.secretmanager.')) || operandsOf(e).some(exprReadsSecret);
}

/**
 * Whether a template calls Secret Manager inside an expression (accessString(...)): then what it
 * computes is a secret and stays out of the trace, as the result of an accessString call step does
 * (format-trace.ts). Cached per template, as templates are immutable.
 */
export function templateReadsSecret(t: Template): boolean {
  if (t.kind === 'const') return false;
  let known = readsSecretCache.get(t);
  if (known === undefined) {
    known =
      t.kind === 'expr'
        ? exprReadsSecret(t.expr.ast)
        : t.kind === 'list'
          ? t.items.some(templateReadsSecret)
          : t.entries.some(([, v, dyn]) => templateReadsSecret(v) || (dyn !== undefined && exprReadsSecret(dyn.ast)));
    readsSecretCache.set(t, known);
  }
  return known;
}

/** What the trace shows instead of a value computed from a secret. */
export function secretPlaceholder(v: Value): string {
  return typeof v === 'string' ? `«secret value, ${v.length} characters, not shown»` : '«computed from a secret, not shown»';
}
