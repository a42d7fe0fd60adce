/**
 * `npm start`: the whole loop on the local sandbox, with no Google Cloud and no credentials:
 * generate → sandbox → plan and apply → a second plan with no changes → a client uploads a file
 * through the Storage SDK, and nothing else is called: the sandbox delivers the audit-log event to
 * the client's Eventarc trigger, which starts batch-inference; the execution runs the deployed
 * revision in the sandbox, its connectors calling the sandbox (whose Batch job upper-cases the
 * input, like the seed's sample app) → the output file and the status message on the client's topic.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import type { ProgressEvent } from '../apply/index.ts';
import { pullAll, subscribe } from '../gcp/pubsub-messages.ts';
import { formatPlan } from '../plan/format.ts';
import type { TopicResource } from '../resources/types.ts';
import { listExecutions, waitForExecution } from '../gcp/workflow-executions.ts';
import { generateProject } from './generate.ts';
import { deployLocally, describeNotification, inferenceWorkflow } from './local-deployment.ts';
import { loadDocuments } from './plan.ts';
import { projectLayout } from './project-files.ts';
import { processIo, type Io } from './io.ts';
import { START_OPTIONS, START_USAGE } from './usage.ts';

const SAMPLE_INPUT = ['{"id": 1, "text": "hello from acme"}', '{"id": 2, "text": "batch workflows, locally"}', ''].join('\n');

function heading(io: Io, text: string): void {
  io.out(`\n━━ ${text}`);
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: START_OPTIONS,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(START_USAGE);
    return 0;
  }
  const env = values.env!;
  const layout = projectLayout(io.cwd);

  heading(io, '1. generate');
  const generated = await generateProject(layout);
  io.out(`generated/: ${generated.files} files for ${generated.clients} clients (${generated.written.length} written, ${generated.unchanged} unchanged)`);

  const documents = await loadDocuments(layout.generatedDir, env);
  const productDoc = documents.find((d) => !d.client)!;
  const clientDoc = values.client ? documents.find((d) => d.client === values.client) : documents.find((d) => d.client);
  if (!clientDoc) {
    throw new UserError({ message: `no client ${values.client ? `"${values.client}" ` : ''}is deployed to ${env}`, fix: 'add a client file in clients/ or pick one with --client' });
  }
  const inference = inferenceWorkflow(documents);

  heading(io, '2. local sandbox');
  const deployment = await deployLocally({
    documents,
    usePubSubEmulator: !values['sandbox-pubsub'],
    log: (line) => io.out(line),
    onPlan: (plan) => {
      heading(io, `3. plan and apply (${env}, project ${productDoc.project})`);
      io.out(formatPlan(plan));
    },
    onProgress: (event: ProgressEvent) => {
      if (event.type === 'outcome' && event.outcome.status !== 'done') io.out(`  ✗ ${event.outcome.kind} ${event.outcome.name}: ${event.outcome.message ?? event.outcome.status}`);
    },
  });
  const { sandbox, apis, bucket, secrets } = deployment;
  try {
    const outcome = deployment.applied;
    if (outcome.status === 'applied') {
      const { result } = outcome;
      io.out(`applied: ${result.outcomes.filter((o) => o.status === 'done').length} done, ${result.outcomes.filter((o) => o.status !== 'done').length} not done`);
      if (!result.ok) return 1;
    }
    io.out(`second plan: ${deployment.converged ? 'no changes — live matches generated/' : 'CHANGES (apply did not converge)'}`);
    if (!deployment.converged) return 1;

    const client = clientDoc.client!;
    heading(io, `4. ${client} uploads a file`);
    const topic = clientDoc.resources.find((r): r is TopicResource => r.kind === 'Topic')!.name;
    const subscription = await subscribe(sandbox.endpoints.pubsub, topic, `npm-start-${client}`);
    const object = `${productDoc.product}/${client}/inputs/sample.jsonl`;
    const inferenceName = inference.name;
    const before = new Set((await listExecutions(sandbox.endpoints.workflowexecutions, inferenceName)).map((e) => e.name));
    await apis.storage.putObject(bucket, object, SAMPLE_INPUT, 'application/jsonl');
    io.out(`gs://${bucket}/${object} (${SAMPLE_INPUT.length} bytes), uploaded through the Cloud Storage SDK`);

    heading(io, `5. the sandbox delivers the audit-log event to the trigger, which runs ${inferenceName.split('/').pop()}`);
    // Nothing else is called: the sandbox logs the write (DATA_WRITE audit logs are on), its Eventarc
    // trigger matches the path, and the execution runs the deployed revision in the interpreter.
    const started = (await listExecutions(sandbox.endpoints.workflowexecutions, inferenceName)).filter((e) => !before.has(e.name));
    if (started.length !== 1) {
      io.out(`expected one execution of ${inferenceName} started by the upload, found ${started.length}`);
      return 1;
    }
    io.out(`execution ${started[0]!.name}`);
    const run = await waitForExecution(sandbox.endpoints.workflowexecutions, started[0]!.name, { timeoutMs: 90_000, onStep: (step) => io.out(`  step ${step}`) });
    io.out(`execution ${run.state}${run.state === 'FAILED' ? `: ${run.error?.context ?? run.error?.payload ?? ''}` : ''}`);

    heading(io, '6. what the client sees');
    const outputObject = `${productDoc.product}/${client}/outputs/sample.jsonl`;
    const output = await apis.storage.getObject(bucket, outputObject);
    io.out(output ? `gs://${bucket}/${outputObject}:\n${output.toString('utf8').trimEnd().replace(/^/gm, '  ')}` : `no output at gs://${bucket}/${outputObject}`);
    const messages = await pullAll(sandbox.endpoints.pubsub, subscription);
    io.out(`${messages.length} message(s) on ${topic}:`);
    for (const message of messages) {
      io.out(`  attributes: ${JSON.stringify(message.attributes)}`);
      io.out(JSON.stringify(message.data, null, 2).replace(/^/gm, '  '));
    }
    const notices = deployment.notifications;
    io.out(`${notices.length} notification(s) received by the local Slack/Teams/webhook stand-in${secrets.length === 0 ? ' (no client names a notification secret)' : ''}:`);
    for (const notice of notices) {
      io.out(`  ${describeNotification(notice).replace(/\n/g, '\n  ')}`);
    }
    const ok = run.state === 'SUCCEEDED' && messages.length === 1 && output !== undefined;
    io.out(ok ? '\nThe whole loop ran locally. Next: `npm run plan -- --env dev` against your project.' : '\nThe loop did not complete: see above.');
    return ok ? 0 : 1;
  } finally {
    await deployment.close();
  }
}
