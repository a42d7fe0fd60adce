/** Desired resources and a sandbox + adapters pair, for the adapter tests against the local sandbox. */
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/local/index.ts';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import { conditionTitle, ownershipMarker } from '../../src/names/ownership.ts';
import { serviceAccountEmail, serviceAccountName } from '../../src/names/naming.ts';
import type { SchedulerJobResource, ServiceAccountResource, TopicResource, TriggerResource, WorkflowResource } from '../../src/resources/types.ts';

export interface Rig {
  readonly sandbox: Sandbox;
  readonly apis: GcpCloudApis;
  close(): Promise<void>;
}

export async function startRig(options: SandboxOptions = {}): Promise<Rig> {
  const sandbox = await startSandbox(options);
  const apis = createCloudApis(
    { kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind },
    // Polling tuned for a local server; the defaults are for Google.
    { serviceAccountVisibility: { initialDelayMs: 20, maxDelayMs: 200, timeoutMs: 60_000 } },
  );
  return {
    sandbox,
    apis,
    async close() {
      await apis.close();
      await sandbox.stop();
    },
  };
}

/** Raw JSON from the sandbox, for fields the desired model does not carry (uids, etags). */
export async function rawGet(baseUrl: string, path: string): Promise<Record<string, any>> {
  const response = await fetch(`${baseUrl}/${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, any>;
}

export const PRODUCT = 'ml-batch';
export const REGION = 'europe-west1';
const productLabels = { 'managed-by': 'batch-workflows', product: PRODUCT };

export function serviceAccount(project: string, accountId: string, client?: string): ServiceAccountResource {
  const owner = client ? { product: PRODUCT, client } : { product: PRODUCT };
  return {
    kind: 'ServiceAccount',
    owner,
    name: serviceAccountName(accountId, project),
    project,
    accountId,
    email: serviceAccountEmail(accountId, project),
    displayName: `Batch ${accountId}`,
    description: `Uploads inputs of ${accountId}. ${ownershipMarker(owner)}`,
  };
}

export function workflow(project: string, source = 'main:\n  steps:\n    - done:\n        return: "ok"\n'): WorkflowResource {
  return {
    kind: 'Workflow',
    owner: { product: PRODUCT },
    name: `projects/${project}/locations/${REGION}/workflows/${PRODUCT}-batch-inference`,
    description: 'Runs batch inference for one uploaded input',
    serviceAccount: serviceAccountName(PRODUCT, project),
    sourceFile: 'workflows/batch-inference.yaml',
    sourceContents: source,
    userEnvVars: { BUCKET: `${project}-batch`, REGION },
    callLogLevel: 'LOG_NONE',
    executionHistoryLevel: 'EXECUTION_HISTORY_BASIC',
    labels: productLabels,
  };
}

export function trigger(project: string, client: string, inputs = 'inputs'): TriggerResource {
  return {
    kind: 'Trigger',
    owner: { product: PRODUCT, client },
    name: `projects/${project}/locations/global/triggers/batch-${PRODUCT}-${client}`,
    eventFilters: [
      { attribute: 'type', value: 'google.cloud.audit.log.v1.written' },
      { attribute: 'serviceName', value: 'storage.googleapis.com' },
      { attribute: 'methodName', value: 'storage.objects.create' },
      { attribute: 'resourceName', value: `/projects/_/buckets/${project}-batch/objects/${PRODUCT}/${client}/${inputs}/*`, operator: 'match-path-pattern' },
    ],
    destinationWorkflow: workflow(project).name,
    serviceAccount: serviceAccountEmail(PRODUCT, project),
    labels: { ...productLabels, client },
  };
}

export function topic(project: string, client: string): TopicResource {
  return {
    kind: 'Topic',
    owner: { product: PRODUCT, client },
    name: `projects/${project}/topics/batch-${PRODUCT}-${client}-outputs`,
    labels: { client, ...productLabels },
  };
}

export function schedulerJob(project: string, client: string, schedule = '0 3 * * *'): SchedulerJobResource {
  const owner = { product: PRODUCT, client };
  return {
    kind: 'SchedulerJob',
    owner,
    name: `projects/${project}/locations/${REGION}/jobs/batch-${PRODUCT}-${client}`,
    state: 'ENABLED',
    description: `Scheduled batch run of ${client}. ${ownershipMarker(owner)}`,
    schedule,
    timeZone: 'Europe/Paris',
    httpTarget: {
      uri: `https://workflowexecutions.googleapis.com/v1/projects/${project}/locations/${REGION}/workflows/${PRODUCT}-batch-scheduled/executions`,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ argument: JSON.stringify({ client, input: `gs://${project}-batch/${PRODUCT}/${client}/inputs/` }) }),
      oauthToken: { serviceAccountEmail: serviceAccountEmail(PRODUCT, project), scope: 'https://www.googleapis.com/auth/cloud-platform' },
    },
  };
}

export function uploadCondition(project: string, client: string) {
  return {
    title: conditionTitle({ product: PRODUCT, client }, 'upload'),
    description: `Uploads of ${client}`,
    expression: `resource.name.startsWith("projects/_/buckets/${project}-batch/objects/${PRODUCT}/${client}/inputs/")`,
  };
}

/**
 * Collects process warnings. google-auth-library warns (MetadataLookupWarning) when it probed the GCE
 * metadata server: against the sandbox nothing may look for credentials at all.
 */
export function watchWarnings(): { stop(): string[] } {
  const seen: string[] = [];
  const onWarning = (warning: Error) => seen.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  return {
    stop() {
      process.off('warning', onWarning);
      return seen;
    },
  };
}
