/**
 * Pure functions (product, environment, clients) → desired resources: the seed's gcloud runbook made
 * declarative (docs/design.md §3). One document for the product and one per client and environment, the
 * unit a reviewer reads in a pull request.
 */
import type { ProductDefinition, EnvironmentDefinition, QuotaDefinition } from '../config/product.ts';
import type { Client } from '../config/client-schema.ts';
import { WORKFLOW_ENV, runSettingsObject } from '../config/runtime-env.ts';
import { ownerLabels, ownershipMarker, type Owner } from '../names/ownership.ts';
import type { IamBindingResource, Resource, ResourceDocument, RunSettings, SecretAccessResource } from './types.ts';
import { clientAccess, productAccess, productIdentities } from './access.ts';
import {
  clientAccountId,
  clientPrefix,
  defaultBucket,
  namingOf,
  productAccountDisplayName,
  workerAccountDisplayName,
  serviceAccountDescription,
  schedulerJobId,
  serviceAccountEmail,
  serviceAccountName,
  topicId,
  workerAccountId,
  triggerId,
  workflowId,
} from '../names/naming.ts';

/** What the resource builder needs to know of each workflow (from src/dsl, passed as plain data). */
export interface WorkflowInfo {
  readonly name: string;
  readonly description: string;
}

export const INFERENCE_WORKFLOW = 'batch-inference';
export const SCHEDULED_WORKFLOW = 'batch-scheduled';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface Environment {
  readonly name: string;
  readonly project: string;
  readonly region: string;
  readonly bucket: string;
  readonly image: string;
  readonly mlflowUri?: string;
  readonly quotas?: QuotaDefinition;
}

export function resolveEnvironment(product: ProductDefinition, name: string): Environment {
  const env: EnvironmentDefinition | undefined = product.environments[name];
  if (!env) throw new Error(`internal: unknown environment ${name}`);
  return {
    name,
    project: env.project,
    region: env.region,
    bucket: env.bucket ?? defaultBucket(env.project),
    image: env.image ?? product.batch.image,
    ...((env.mlflowUri ?? product.tracking?.mlflowUri) ? { mlflowUri: env.mlflowUri ?? product.tracking?.mlflowUri } : {}),
    ...(env.quotas ? { quotas: env.quotas } : {}),
  };
}

/** The orchestrator: runs the workflows, and is the identity of the triggers and scheduler jobs. */
export function productServiceAccountEmail(product: ProductDefinition, env: Environment): string {
  return productIdentities(product, env.project).orchestrator;
}

/**
 * The orchestrator may read exactly the secrets this client names (each labelled for its client:
 * plan checks). In the client's document, not the product's, so adding or removing a client never
 * changes product.yaml: the grant is still recognised live by its member (the orchestrator) on a
 * secret labelled for the product, as before.
 */
function secretAccesses(product: ProductDefinition, env: Environment, client: Client): SecretAccessResource[] {
  const owner: Owner = { product: product.name, client: client.name };
  const member = `serviceAccount:${productServiceAccountEmail(product, env)}`;
  const secrets = new Set((client.notify ?? []).map((t) => secretName(env, t.secret)));
  return [...secrets].sort().map((secret) => ({ kind: 'SecretAccess', owner, secret, role: 'roles/secretmanager.secretAccessor', member }));
}

function secretName(env: Environment, secretId: string): string {
  return `projects/${env.project}/secrets/${secretId}`;
}

/** The client's settings with every product default filled in, so generated/ shows what a run uses. */
export function runSettings(product: ProductDefinition, env: Environment, client: Client): RunSettings {
  const batch = client.batch ?? {};
  return {
    client: client.name,
    batch: {
      machineType: batch.machineType ?? product.batch.machineType,
      taskCount: batch.taskCount ?? product.batch.taskCount,
      parallelism: batch.parallelism ?? product.batch.parallelism,
      maxRunDurationSeconds: batch.maxRunDurationSeconds ?? product.batch.maxRunDurationSeconds,
      environment: Object.fromEntries(Object.entries(batch.environment ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
      // Exactly the client file's batch overrides (src/config/client-schema.ts), as the return type
      // holds it to exactly the batch settings the workflows read (RunSettings): a field added to
      // either side alone fails to compile here.
    } satisfies Record<keyof NonNullable<Client['batch']>, unknown>,
    notify: (client.notify ?? []).map((t) => ({ type: t.type, secret: secretName(env, t.secret), on: t.on })),
    tracking: { tags: Object.fromEntries(Object.entries(client.tracking?.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) },
  };
}

export function productDocument(product: ProductDefinition, env: Environment, workflows: readonly WorkflowInfo[]): ResourceDocument {
  const owner: Owner = { product: product.name };
  const email = productServiceAccountEmail(product, env);
  const member = `serviceAccount:${email}`;
  const worker = productIdentities(product, env.project).worker;
  const workerMember = `serviceAccount:${worker}`;
  const resources: Resource[] = [
    {
      kind: 'ServiceAccount',
      owner,
      name: serviceAccountName(product.name, env.project),
      project: env.project,
      accountId: product.name,
      email,
      displayName: productAccountDisplayName(product.displayName),
      description: serviceAccountDescription(`Runs the ${product.name} batch workflows; the identity of their triggers and scheduler jobs.`, `Runs the ${product.name} batch workflows.`, owner),
    },
    {
      kind: 'ServiceAccount',
      owner,
      name: serviceAccountName(workerAccountId(product.name), env.project),
      project: env.project,
      accountId: workerAccountId(product.name),
      email: worker,
      displayName: workerAccountDisplayName(product.displayName),
      description: serviceAccountDescription(`The ${product.name} Batch jobs run as this account: reads client inputs, writes their outputs.`, `Runs the ${product.name} Batch jobs.`, owner),
    },
    ...[...new Set(product.serviceAccountRoles)].sort().map((role): IamBindingResource => ({ kind: 'IamBinding', owner, project: env.project, role, member })),
    ...[...new Set(product.workerServiceAccountRoles)].sort().map((role): IamBindingResource => ({ kind: 'IamBinding', owner, project: env.project, role, member: workerMember })),
    { kind: 'AuditConfig', owner, project: env.project, service: 'storage.googleapis.com', logTypes: ['DATA_WRITE'] },
    ...productAccess(product, env.project, env.bucket),
    ...workflows.map(
      (workflow): Resource => ({
        kind: 'Workflow',
        owner,
        name: `projects/${env.project}/locations/${env.region}/workflows/${workflowId(product.name, workflow.name)}`,
        description: workflow.description,
        serviceAccount: serviceAccountName(product.name, env.project),
        sourceFile: `workflows/${workflow.name}.yaml`,
        userEnvVars: {
          [WORKFLOW_ENV.bucket]: env.bucket,
          [WORKFLOW_ENV.image]: env.image,
          [WORKFLOW_ENV.jobServiceAccount]: worker,
          ...(env.mlflowUri ? { [WORKFLOW_ENV.mlflowTrackingUri]: env.mlflowUri } : {}),
        },
        // Call logging would write connector arguments and results to Cloud Logging, and a detailed
        // execution history keeps every in-scope variable: both would hold the notification webhook
        // URLs read from Secret Manager. Stated explicitly so that turning either on in the console
        // shows up as drift in the next plan (and apply turns it off again).
        callLogLevel: 'LOG_NONE',
        executionHistoryLevel: 'EXECUTION_HISTORY_BASIC',
        labels: ownerLabels(owner),
      }),
    ),
  ];
  return { environment: env.name, project: env.project, region: env.region, product: product.name, ...(env.quotas ? { quotas: env.quotas } : {}), resources };
}

export function clientDocument(product: ProductDefinition, env: Environment, client: Client): ResourceDocument {
  const owner: Owner = { product: product.name, client: client.name };
  const naming = namingOf(product);
  const accountId = clientAccountId(product.name, client.name, naming);
  const email = serviceAccountEmail(accountId, env.project);
  const prefix = clientPrefix(product.name, client.name);
  const productSa = productServiceAccountEmail(product, env);
  const topic = `projects/${env.project}/topics/${topicId(product.name, client.name, naming)}`;
  const resources: Resource[] = [
    {
      kind: 'ServiceAccount',
      owner,
      name: serviceAccountName(accountId, env.project),
      project: env.project,
      accountId,
      email,
      displayName: client.displayName,
      description: serviceAccountDescription(
        `Uploads inputs and reads outputs of ${client.displayName} in gs://${env.bucket}/${prefix}.`,
        `Uploads inputs and reads outputs of client ${client.name}.`,
        owner,
      ),
    },
    {
      kind: 'Topic',
      owner,
      name: topic,
      labels: ownerLabels(owner),
    },
    ...clientAccess(product, env.project, env.bucket, client, accountId, topic),
    ...secretAccesses(product, env, client),
    {
      kind: 'Trigger',
      owner,
      name: `projects/${env.project}/locations/global/triggers/${triggerId(product.name, client.name, naming)}`,
      eventFilters: [
        { attribute: 'type', value: 'google.cloud.audit.log.v1.written' },
        { attribute: 'serviceName', value: 'storage.googleapis.com' },
        { attribute: 'methodName', value: 'storage.objects.create' },
        // `**` rather than the seed's `*`: uploads in nested folders under inputs/ are runs too.
        { attribute: 'resourceName', value: `/projects/_/buckets/${env.bucket}/objects/${prefix}inputs/**`, operator: 'match-path-pattern' },
      ],
      destinationWorkflow: `projects/${env.project}/locations/${env.region}/workflows/${workflowId(product.name, INFERENCE_WORKFLOW)}`,
      serviceAccount: productSa,
      labels: ownerLabels(owner),
    },
    {
      kind: 'RunSettings',
      owner,
      bucket: env.bucket,
      object: runSettingsObject(product.name, client.name),
      settings: runSettings(product, env, client),
    },
  ];
  if (client.schedule) {
    const argument = { client: client.name, ...(client.schedule.argument?.args ? { args: client.schedule.argument.args } : {}) };
    const workflow = `projects/${env.project}/locations/${env.region}/workflows/${workflowId(product.name, SCHEDULED_WORKFLOW)}`;
    resources.push({
      kind: 'SchedulerJob',
      owner,
      name: `projects/${env.project}/locations/${env.region}/jobs/${schedulerJobId(product.name, client.name, naming)}`,
      description: `Scheduled batch run of ${client.displayName}. ${ownershipMarker(owner)}`,
      schedule: client.schedule.cron,
      timeZone: client.schedule.timeZone,
      state: client.schedule.paused ? 'PAUSED' : 'ENABLED',
      httpTarget: {
        uri: `https://workflowexecutions.googleapis.com/v1/${workflow}/executions`,
        httpMethod: 'POST',
        headers: { 'Content-Type': 'application/json' },
        // The Executions API takes the workflow argument as a JSON-encoded string.
        body: JSON.stringify({ argument: JSON.stringify(argument) }),
        oauthToken: { serviceAccountEmail: productSa, scope: CLOUD_PLATFORM_SCOPE },
      },
    });
  }
  return { environment: env.name, project: env.project, region: env.region, product: product.name, client: client.name, resources };
}

/** Every document of one environment: the product's, then each deployed client's by name. */
export function buildDesiredResources(product: ProductDefinition, clients: readonly Client[], envName: string, workflows: readonly WorkflowInfo[]): ResourceDocument[] {
  const env = resolveEnvironment(product, envName);
  const deployed = clients.filter((client) => client.environments.includes(envName));
  return [productDocument(product, env, workflows), ...deployed.sort((a, b) => (a.name < b.name ? -1 : 1)).map((client) => clientDocument(product, env, client))];
}
