/**
 * `npm start`: the whole loop on the local sandbox, with no Google Cloud and no credentials:
 * generate → sandbox → plan and apply → a second plan with no changes → a client uploads a file →
 * the audit-log event Eventarc would deliver → batch-inference runs in the simulator, its connectors
 * calling the sandbox (whose Batch job upper-cases the input, like the seed's sample app) → the
 * status message that arrived on the client's topic.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import { makePlan, planAndApply, type ProgressEvent } from '../apply/index.ts';
import { createCloudApis } from '../gcp/index.ts';
import { pullAll, subscribe } from '../gcp/pubsub-messages.ts';
import { formatPlan } from '../plan/format.ts';
import { hasChanges } from '../plan/diff.ts';
import type { ResourceDocument, RunSettingsResource, TopicResource, WorkflowResource } from '../resources/types.ts';
import { INFERENCE_WORKFLOW } from '../resources/index.ts';
import { auditLogUploadEvent } from '../local/audit-log-event.ts';
import { parseWorkflow, runWorkflow, realClock, defaultBuiltins } from '../sim/index.ts';
import { restConnectors } from '../sim/connectors/rest.ts';
import { formatEvent } from '../sim/format-trace.ts';
import { generateProject } from './generate.ts';
import { loadDocuments } from './plan.ts';
import { projectLayout } from './project-files.ts';

const SAMPLE_INPUT = ['{"id": 1, "text": "hello from acme"}', '{"id": 2, "text": "batch workflows, locally"}', ''].join('\n');

function heading(text: string): void {
  console.log(`\n━━ ${text}`);
}

interface Received {
  readonly path: string;
  readonly body: string;
}

/**
 * Stands in for Slack, Teams and webhook endpoints: a server on 127.0.0.1 that records what is posted
 * to it. The sandbox's notification secrets hold its URL, so the workflows' posts arrive here.
 */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
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
function describeNotification(type: string | undefined, body: string): string {
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

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { env: { type: 'string', default: 'dev' }, client: { type: 'string' }, 'sandbox-pubsub': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
  });
  if (values.help) {
    console.log('usage: npm start [-- --env dev] [--client NAME] [--sandbox-pubsub]\n\nRuns generate, apply and one batch-inference execution on a throw-away local sandbox.\n--sandbox-pubsub  serve Pub/Sub from the sandbox instead of Google\'s emulator (which takes ~10 s to start)');
    return 0;
  }
  const env = values.env!;
  const layout = projectLayout();

  heading('1. generate');
  const generated = await generateProject(layout);
  console.log(`generated/: ${generated.files} files for ${generated.clients} clients (${generated.written.length} written, ${generated.unchanged} unchanged)`);

  const documents = await loadDocuments(layout.generatedDir, env);
  const productDoc = documents.find((d) => !d.client)!;
  const clientDoc = values.client ? documents.find((d) => d.client === values.client) : documents.find((d) => d.client);
  if (!clientDoc) {
    throw new UserError({ message: `no client ${values.client ? `"${values.client}" ` : ''}is deployed to ${env}`, fix: 'add a client file in clients/ or pick one with --client' });
  }
  const inference = productDoc.resources.find((r): r is WorkflowResource => r.kind === 'Workflow' && r.sourceFile === `workflows/${INFERENCE_WORKFLOW}.yaml`)!;
  const bucket = inference.userEnvVars.BATCH_BUCKET!;
  // Secret id → notification type, for printing what arrives.
  const notifyTypes = new Map<string, string>();
  for (const r of documents.flatMap((d) => d.resources)) {
    if (r.kind === 'RunSettings') for (const t of (r as RunSettingsResource).settings.notify) notifyTypes.set(t.secret.split('/').pop()!, t.type);
  }
  const secrets = [...new Set(documents.flatMap((d) => d.resources.flatMap((r) => (r.kind === 'SecretAccess' ? [r.secret] : []))))].sort();

  heading('2. local sandbox');
  const { startSandbox } = await import('../local/index.ts');
  const sandbox = await startSandbox({ usePubSubEmulator: !values['sandbox-pubsub'] });
  const apis = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind }, { projectId: productDoc.project });
  const receiver = await startReceiver();
  try {
    console.log(`control plane on ${sandbox.endpoints.workflows.replace(/:\d+$/, '')}, one port per API; Pub/Sub: ${sandbox.pubsub.kind === 'emulator' ? "Google's emulator" : `served by the sandbox (${sandbox.pubsub.reason ?? 'emulator not requested'})`}`);
    // The product bucket is a precondition, not a managed resource: in a real project you create it once.
    sandbox.state.createBucket(bucket, productDoc.project);
    console.log(`bucket gs://${bucket} created (in Google Cloud: gcloud storage buckets create gs://${bucket} --location=${productDoc.region})`);
    // The notification secrets are preconditions too; here they hold the URL of a local stand-in for Slack/Teams.
    for (const secret of secrets) {
      const [, project, , id] = secret.split('/') as [string, string, string, string];
      sandbox.state.addSecretVersion(project, id, `${receiver.url}/${id}`);
      console.log(`secret ${id} created, holding the URL of a local receiver (in Google Cloud: printf %s 'https://hooks.slack.com/…' | gcloud secrets create ${id} --project=${project} --data-file=-)`);
    }

    heading(`3. plan and apply (${env}, project ${productDoc.project})`);
    const outcome = await planAndApply({
      documents,
      apis,
      onPlan: (plan) => console.log(formatPlan(plan)),
      onProgress: (event: ProgressEvent) => {
        if (event.type === 'outcome' && event.outcome.status !== 'done') console.log(`  ✗ ${event.outcome.kind} ${event.outcome.name}: ${event.outcome.message ?? event.outcome.status}`);
      },
    });
    if (outcome.status === 'applied') {
      const { result } = outcome;
      console.log(`applied: ${result.outcomes.filter((o) => o.status === 'done').length} done, ${result.outcomes.filter((o) => o.status !== 'done').length} not done`);
      if (!result.ok) return 1;
    }
    const again = await makePlan(apis, documents);
    console.log(`second plan: ${hasChanges(again) ? 'CHANGES (apply did not converge)' : 'no changes — live matches generated/'}`);
    if (hasChanges(again)) return 1;

    const client = clientDoc.client!;
    heading(`4. ${client} uploads a file`);
    const topic = clientDoc.resources.find((r): r is TopicResource => r.kind === 'Topic')!.name;
    const subscription = await subscribe(sandbox.endpoints.pubsub, topic, `npm-start-${client}`);
    const object = `${productDoc.product}/${client}/inputs/sample.jsonl`;
    await apis.storage.putObject(bucket, object, SAMPLE_INPUT, 'application/jsonl');
    console.log(`gs://${bucket}/${object} (${SAMPLE_INPUT.length} bytes), uploaded through the Cloud Storage SDK`);
    const now = new Date().toISOString();
    const event = auditLogUploadEvent({ project: productDoc.project, bucket, object, time: now, insertId: `start-${Date.now().toString(36)}` });

    heading(`5. ${inference.name.split('/').pop()} runs on the audit-log event (simulator, connectors → sandbox)`);
    const source = await readFile(join(layout.generatedDir, inference.sourceFile), 'utf8');
    const workflow = parseWorkflow(source, `generated/${inference.sourceFile}`);
    const workflowId = inference.name.split('/').pop()!;
    const run = await runWorkflow(workflow, {
      argument: event,
      env: {
        builtins: {
          ...defaultBuiltins(workflowId),
          GOOGLE_CLOUD_PROJECT_ID: productDoc.project,
          GOOGLE_CLOUD_LOCATION: productDoc.region,
        },
        user: { ...inference.userEnvVars },
      },
      connectors: restConnectors({ batch: sandbox.endpoints.batch, pubsub: sandbox.endpoints.pubsub, secretManager: sandbox.endpoints.secretmanager, storage: sandbox.endpoints.storage }, { pollIntervalMs: 50 }),
      clock: realClock,
      onTrace: (traceEvent) => console.log(`  ${formatEvent(traceEvent)}`),
    });
    console.log(`execution ${run.state}${run.state === 'FAILED' ? `: ${JSON.stringify(run.error)}` : ''}`);

    heading('6. what the client sees');
    const outputObject = `${productDoc.product}/${client}/outputs/sample.jsonl`;
    const output = await apis.storage.getObject(bucket, outputObject);
    console.log(output ? `gs://${bucket}/${outputObject}:\n${output.toString('utf8').trimEnd().replace(/^/gm, '  ')}` : `no output at gs://${bucket}/${outputObject}`);
    const messages = await pullAll(sandbox.endpoints.pubsub, subscription);
    console.log(`${messages.length} message(s) on ${topic}:`);
    for (const message of messages) {
      console.log(`  attributes: ${JSON.stringify(message.attributes)}`);
      console.log(JSON.stringify(message.data, null, 2).replace(/^/gm, '  '));
    }
    const notices = receiver.received;
    console.log(`${notices.length} notification(s) received by the local Slack/Teams/webhook stand-in${secrets.length === 0 ? ' (no client names a notification secret)' : ''}:`);
    for (const notice of notices) {
      const id = notice.path.replace(/^\//, '');
      console.log(`  ${describeNotification(notifyTypes.get(id), notice.body).replace(/\n/g, '\n  ')}`);
    }
    const ok = run.state === 'SUCCEEDED' && messages.length === 1 && output !== undefined;
    console.log(ok ? '\nThe whole loop ran locally. Next: `npm run plan -- --env dev` against your project.' : '\nThe loop did not complete: see above.');
    return ok ? 0 : 1;
  } finally {
    await receiver.close();
    await apis.close();
    await sandbox.stop();
  }
}
