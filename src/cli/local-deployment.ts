/**
 * A throw-away local deployment of one environment: a sandbox control plane on 127.0.0.1, the
 * product bucket and the notification secrets it needs (preconditions a real project sets up once),
 * and generated/<env> applied to it. `npm start` and `npm run simulate` (its default mode) both run
 * the generated workflows against it, so what they show is what apply would have deployed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makePlan, planAndApply, type PlanAndApplyResult, type ProgressEvent } from '../apply/index.ts';
import type { GcpCloudApis } from '../gcp/index.ts';
import type { Sandbox } from '../local/index.ts';
import { hasChanges } from '../plan/summary.ts';
import { exampleWebhookUrl } from '../plan/run-settings.ts';
import type { Plan } from '../plan/types.ts';
import { WORKFLOW_ENV } from '../config/runtime-env.ts';
import { INFERENCE_WORKFLOW } from '../resources/index.ts';
import { secretLabels, secretLabelsFlag } from '../names/naming.ts';
import type { ResourceDocument, WorkflowResource } from '../resources/types.ts';
import { sandboxConnectors } from '../local/run-execution.ts';
import type { ConnectorRegistry } from '../sim/index.ts';

export interface ReceivedNotification {
  /** Secret id of the target whose URL was posted to. */
  readonly secret: string;
  /** slack, teams or webhook, from the client's run settings. */
  readonly type: string | undefined;
  readonly body: string;
}

export interface LocalDeployment {
  readonly sandbox: Sandbox;
  readonly apis: GcpCloudApis;
  readonly documents: readonly ResourceDocument[];
  readonly product: ResourceDocument;
  readonly bucket: string;
  /** Secret resource names the clients' notification targets read. */
  readonly secrets: readonly string[];
  /** What the workflows posted to the local stand-in for Slack, Teams and webhooks, in order. */
  readonly notifications: readonly ReceivedNotification[];
  /** The result of the apply, and whether a second plan found nothing left to do. */
  readonly applied: PlanAndApplyResult;
  readonly converged: boolean;
  /** Connectors that call this sandbox's REST APIs, as the real connectors call Google's. */
  connectors(options?: { maxJobWaitSeconds?: number }): ConnectorRegistry;
  close(): Promise<void>;
}

export interface LocalDeploymentOptions {
  readonly documents: readonly ResourceDocument[];
  /** Google's Pub/Sub emulator when installed (~10 s to start); otherwise the sandbox serves Pub/Sub. */
  readonly usePubSubEmulator: boolean;
  /** One line per step of the set-up, for a person to read. */
  readonly log?: (line: string) => void;
  readonly onPlan?: (plan: Plan) => void;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Stands in for Slack, Teams and webhook endpoints: a server on 127.0.0.1 that records what is posted
 * to it. The sandbox's notification secrets hold its URL, so the workflows' posts arrive here.
 */
async function startReceiver(types: ReadonlyMap<string, string>): Promise<{ url: string; received: ReceivedNotification[]; close(): Promise<void> }> {
  const received: ReceivedNotification[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const secret = (req.url ?? '/').replace(/^\//, '');
      received.push({ secret, type: types.get(secret), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** One line per notification, as a person would read it in Slack or Teams. */
export function describeNotification(notification: ReceivedNotification): string {
  const { type, body } = notification;
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    return `Notification received: ${body}`;
  }
  if (type === 'slack') return `Slack message received: ${typeof json?.text === 'string' ? json.text : body}`;
  if (type === 'teams') return `Teams card received: ${json?.title ?? json?.summary ?? body}`;
  return `Webhook received: ${body}`;
}

/**
 * What a deployed workflow sees through sys.get_env: the project, region and workflow id built-ins of
 * its deployment and its userEnvVars (the simulator fills in the other built-ins). `workflow`
 * undefined: a file that is not one of the product's deployments, run with the project and region only.
 */
export function executionEnv(product: ResourceDocument, workflow: WorkflowResource | undefined): { builtins: Record<string, string>; user: Record<string, string> } {
  return {
    builtins: {
      GOOGLE_CLOUD_PROJECT_ID: product.project,
      GOOGLE_CLOUD_LOCATION: product.region,
      ...(workflow ? { GOOGLE_CLOUD_WORKFLOW_ID: workflow.name.split('/').pop()! } : {}),
    },
    user: { ...(workflow?.userEnvVars ?? {}) },
  };
}

/** The product's batch-inference deployment (its user env vars name the bucket). */
export function inferenceWorkflow(documents: readonly ResourceDocument[]): WorkflowResource {
  const product = documents.find((d) => !d.client)!;
  return product.resources.find((r): r is WorkflowResource => r.kind === 'Workflow' && r.sourceFile === `workflows/${INFERENCE_WORKFLOW}.yaml`)!;
}

export async function deployLocally(options: LocalDeploymentOptions): Promise<LocalDeployment> {
  const log = options.log ?? (() => {});
  const product = options.documents.find((d) => !d.client)!;
  const bucket = inferenceWorkflow(options.documents).userEnvVars[WORKFLOW_ENV.bucket]!;
  const notifyTypes = new Map<string, string>();
  const secretClients = new Map<string, string>();
  for (const r of options.documents.flatMap((d) => d.resources)) {
    if (r.kind !== 'RunSettings') continue;
    for (const t of r.settings.notify) {
      notifyTypes.set(t.secret.split('/').pop()!, t.type);
      secretClients.set(t.secret, r.owner.client ?? r.settings.client);
    }
  }
  const secrets = [...new Set(options.documents.flatMap((d) => d.resources.flatMap((r) => (r.kind === 'SecretAccess' ? [r.secret] : []))))].sort();

  const { startSandbox } = await import('../local/index.ts');
  // Loaded here, not at the top: the SDK clients are a large module graph `--help` never needs.
  const { createCloudApis } = await import('../gcp/index.ts');
  const sandbox = await startSandbox({ usePubSubEmulator: options.usePubSubEmulator });
  // Google's Pub/Sub emulator serves topics but no IAM methods: with it, the topics' own policies
  // (publisher for the orchestrator, subscriber for the client's subscribers) are left out here,
  // and said so. The sandbox's own Pub/Sub (--sandbox-pubsub) serves and enforces them.
  const withoutTopicPolicies = sandbox.pubsub.kind === 'emulator';
  const documents = withoutTopicPolicies ? options.documents.map((d) => ({ ...d, resources: d.resources.filter((r) => !(r.kind === 'ResourcePolicy' && r.target === 'topic')) })) : options.documents;
  const apis = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind }, { projectId: product.project });
  const receiver = await startReceiver(notifyTypes);
  const close = async () => {
    await receiver.close();
    await apis.close();
    await sandbox.stop();
  };
  try {
    log(
      `control plane on ${sandbox.endpoints.workflows.replace(/:\d+$/, '')}, one port per API; Pub/Sub: ${sandbox.pubsub.kind === 'emulator' ? "Google's emulator" : `served by the sandbox (${sandbox.pubsub.reason ?? 'emulator not requested'})`}`,
    );
    if (withoutTopicPolicies) log("topic IAM policies not applied: Google's Pub/Sub emulator has no IAM methods (--sandbox-pubsub applies and enforces them)");
    // The product bucket is a precondition, not a managed resource: in a real project you create it once.
    // Uniform bucket-level access: client access goes through managed folders, which need it.
    sandbox.state.createBucket(bucket, product.project, product.region, { uniformBucketLevelAccess: true });
    log(`bucket gs://${bucket} created (in Google Cloud: gcloud storage buckets create gs://${bucket} --location=${product.region} --uniform-bucket-level-access)`);
    // The notification secrets are preconditions too; here they hold the URL of the local stand-in for Slack/Teams.
    for (const secret of secrets) {
      const [, project, , id] = secret.split('/') as [string, string, string, string];
      sandbox.state.addSecretVersion(project, id, `${receiver.url}/${id}`);
      // Labelled for the client that names it: plan refuses a secret that is not provably the client's.
      const labels = secretLabels(product.product, secretClients.get(secret) ?? '');
      sandbox.state.put('secrets', secret, { ...sandbox.state.get('secrets', secret)!, labels });
      log(
        `secret ${id} created, holding the URL of a local receiver (in Google Cloud: printf %s '${exampleWebhookUrl(notifyTypes.get(id) ?? 'webhook')}' | gcloud secrets create ${id} --project=${project} --labels=${secretLabelsFlag(product.product, secretClients.get(secret) ?? '')} --data-file=-)`,
      );
    }
    const applied = await planAndApply({
      documents,
      apis,
      ...(options.onPlan ? { onPlan: options.onPlan } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const converged = applied.status !== 'applied' || applied.result.ok ? !hasChanges(await makePlan(apis, documents)) : false;
    return {
      sandbox,
      apis,
      documents,
      product,
      bucket,
      secrets,
      notifications: receiver.received,
      applied,
      converged,
      connectors: (o = {}) => sandboxConnectors(sandbox.endpoints, { pollIntervalMs: 50, ...(o.maxJobWaitSeconds !== undefined ? { maxJobWaitSeconds: o.maxJobWaitSeconds } : {}) }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
