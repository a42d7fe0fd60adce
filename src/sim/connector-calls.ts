/**
 * Calling a connector from the interpreter: from a `call:` step (arguments by name) or from an
 * expression (positional arguments, only for the helpers connector-catalog.ts lists). A call the
 * registry has no implementation for is not a workflow error (Google would run it) nor an internal
 * error: it is a located SimulationSetupError naming the call and what can be done about it.
 */
import { EXPRESSION_CONNECTORS } from './connector-catalog.ts';
import { CONNECTOR, type ConnectorContext, type ConnectorRegistry } from './connectors/types.ts';
import { SimulationSetupError, type SourceLocation } from './errors.ts';
import { type Value, type WfMap, fromJs, toJs } from './values.ts';

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
    `the simulator implements ${[...PROJECT_CONNECTORS].sort().join(', ')}; run this workflow on Google Cloud, take the call out of the path you simulate, or give runWorkflow a stand-in connector under the name ${name}`,
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
