/**
 * What Google's Workflows offers beyond the standard library, as far as deploy-time validation is
 * concerned: which call targets are connectors, which connector functions may also be called inside
 * an expression (with positional arguments), and in what order those arguments come. Whether the
 * simulator can *run* a connector is a separate question, answered by the registry it is given
 * (connectors/types.ts): a documented connector that is not bound deploys, and fails at run time
 * with a located SimulationSetupError.
 */

/** Call targets served by connectors rather than the standard library. */
export const CONNECTOR_PREFIXES = ['googleapis.', 'http.', 'events.', 'experimental.'] as const;

/**
 * The Kubernetes API connector's functions, the only `gke.*` names Google documents:
 * https://cloud.google.com/workflows/docs/reference/connectors/gke/Overview
 * (await_job, create_job, delete_job, request).
 */
export const GKE_FUNCTIONS: ReadonlySet<string> = new Set(['gke.await_job', 'gke.create_job', 'gke.delete_job', 'gke.request']);

export interface ExpressionConnector {
  /** Argument names in positional order. */
  readonly params: readonly string[];
  /** How many leading arguments are required. */
  readonly required: number;
}

/**
 * Connector helpers Google documents as callable inside an expression as well as from a call step.
 * Secret Manager's overview: "In addition to using a call step, you can call the helper methods in
 * an expression" (the helpers are accessString and addVersionString),
 * https://cloud.google.com/workflows/docs/reference/googleapis/secretmanager/Overview
 * Positional order: Google's connector_secretmanager sample calls
 * `accessString(secret_id, version, project_id)`
 * (https://cloud.google.com/workflows/docs/samples/workflows-connector-secretmanager), the order the
 * method page lists its arguments in (secret_id required; version defaults to "latest", project_id
 * to the workflow's project):
 * https://cloud.google.com/workflows/docs/reference/googleapis/secretmanager/v1/projects.secrets.versions/accessString
 * addVersionString takes secret_id and data (both required) and project_id, in the order its page
 * lists them (no sample shows it called positionally):
 * https://cloud.google.com/workflows/docs/reference/googleapis/secretmanager/v1/projects.secrets/addVersionString
 */
export const EXPRESSION_CONNECTORS: ReadonlyMap<string, ExpressionConnector> = new Map([
  ['googleapis.secretmanager.v1.projects.secrets.versions.accessString', { params: ['secret_id', 'version', 'project_id'], required: 1 }],
  ['googleapis.secretmanager.v1.projects.secrets.addVersionString', { params: ['secret_id', 'data', 'project_id'], required: 2 }],
]);

/** Whether a `call:` target names a connector function Google documents (or a namespace of them). */
export function isConnectorTarget(name: string): boolean {
  return GKE_FUNCTIONS.has(name) || CONNECTOR_PREFIXES.some((p) => name.startsWith(p));
}
