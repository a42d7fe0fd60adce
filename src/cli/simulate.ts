/**
 * `npm run simulate -- --workflow FILE (--event-file F | --uploaded gs://B/O | --args JSON) [--env dev] [--json]
 *   [--input FILE | --no-input] [--sandbox-url URL] [--fakes [--job-outcome S] [--job-seconds N]] [--show-args]`
 *
 * Runs a workflow file (normally generated/workflows/*.yaml, the deployed artifact) in the simulator
 * and prints a step-by-step trace, then the result or the raised error. The environment (project,
 * region, user env vars such as BATCH_BUCKET) comes from generated/<env>/. Where the connectors go:
 * - by default, a throw-away local sandbox with generated/<env> applied to it (as `npm start` does):
 *   real Batch jobs that upper-case the input, real topics, the run settings apply wrote, and
 *   notification secrets pointing at a local receiver; the input the event names is uploaded first;
 * - with --sandbox-url, a sandbox that is already running (`npm run sandbox`), as it is;
 * - with --fakes, scripted fakes on a virtual clock: milliseconds, any job outcome or duration.
 * Exit code: 0 the execution succeeded, 1 it failed (or the input was wrong).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Diagnostic, UserError } from '../diagnostics.ts';
import type { ResourceDocument, RunSettingsResource, SecretAccessResource, TopicResource, WorkflowResource } from '../resources/types.ts';
import { auditLogUploadEvent } from '../local/audit-log-event.ts';
import { parseGsUri, type GsUri } from '../local/batch-runner.ts';
import { fakeConnectors } from '../sim/connectors/fake.ts';
import { sandboxConnectors } from '../local/run-execution.ts';
import { formatEvent, formatRun } from '../sim/format-trace.ts';
import { SimSyntaxError, SimulationSetupError, VirtualClock, parseWorkflow, realClock, runWorkflow, type ConnectorRegistry, type RunResult } from '../sim/index.ts';
import { deployLocally, describeNotification, executionEnv, type LocalDeployment } from './local-deployment.ts';
import { discoverSandbox, loadDocuments } from './plan.ts';
import { projectLayout } from './project-files.ts';
import { processIo, type Io } from './io.ts';
import { SIMULATE_OPTIONS, SIMULATE_USAGE } from './usage.ts';

/** Where the connectors of a simulated run go. */
export type ConnectorTarget =
  | { readonly kind: 'throw-away-sandbox'; readonly input: { readonly text: string; readonly from: string } | 'none'; readonly pubsubEmulator: boolean }
  | { readonly kind: 'running-sandbox'; readonly url: string }
  | { readonly kind: 'fakes'; readonly jobOutcome: 'SUCCEEDED' | 'FAILED'; readonly jobSeconds: number };

const SAMPLE_INPUT = ['{"id": 1, "text": "hello from the simulator"}', '{"id": 2, "text": "batch workflows, locally"}', ''].join('\n');

export interface SimulateOptions {
  readonly workflowFile: string;
  /** The execution argument; with `uploaded`, the event is built when the project is known. */
  readonly argument: unknown;
  /** --uploaded: run on the audit-log event of an upload of this object, made at run time. */
  readonly uploaded?: { readonly bucket: string; readonly object: string };
  readonly env: string;
  readonly json: boolean;
  readonly target: ConnectorTarget;
  readonly showArgs: boolean;
}

/** `root`: where relative --event-file and --input paths start (the project folder, as for --workflow). */
export async function parseSimulateArgs(args: string[], root: string = process.cwd()): Promise<SimulateOptions | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: SIMULATE_OPTIONS,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UserError({ message: (e as Error).message, fix: SIMULATE_USAGE });
  }
  if (values.help) return 'help';
  if (!values.workflow) throw new UserError({ message: '--workflow is required', fix: SIMULATE_USAGE });
  const given = [values['event-file'], values.uploaded, values.args].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UserError({ message: 'give exactly one of --event-file, --uploaded and --args', fix: SIMULATE_USAGE });
  let argument: unknown;
  let uploaded: GsUri | undefined;
  if (values.uploaded !== undefined) {
    uploaded = parseGsUri(values.uploaded);
    if (!uploaded?.object)
      throw new UserError({ path: '--uploaded', message: `not a gs://BUCKET/OBJECT URI: ${values.uploaded}`, fix: 'e.g. --uploaded gs://scoring-dev-4821-batch/scoring/acme-corp/inputs/data.jsonl' });
  } else if (values['event-file'] !== undefined) {
    const file = values['event-file'];
    let text: string;
    try {
      text = await readFile(resolve(root, file), 'utf8');
    } catch (e) {
      throw new UserError({ file, message: `cannot read the event file: ${(e as Error).message}` });
    }
    try {
      argument = JSON.parse(text);
    } catch (e) {
      throw new UserError({ file, message: `the event file is not JSON: ${(e as Error).message}`, fix: 'write the CloudEvent (or any execution argument) as JSON' });
    }
  } else {
    try {
      argument = JSON.parse(values.args!);
    } catch (e) {
      throw new UserError({ path: '--args', message: `not JSON: ${(e as Error).message}`, fix: `quote it for the shell, e.g. --args '{"client": "acme-corp"}'` });
    }
  }
  if (values.fakes && values['sandbox-url'] !== undefined)
    throw new UserError({ message: '--fakes and --sandbox-url exclude each other', fix: 'pick one: --fakes for scripted outcomes, --sandbox-url for a running sandbox' });
  if (!values.fakes && (values['job-outcome'] !== undefined || values['job-seconds'] !== undefined)) {
    throw new UserError({
      path: values['job-outcome'] !== undefined ? '--job-outcome' : '--job-seconds',
      message: 'scripts the fake Batch connector, so it needs --fakes',
      fix: 'add --fakes; against a sandbox a job fails when its input is missing (--no-input)',
    });
  }
  const throwAway = !values.fakes && values['sandbox-url'] === undefined;
  if (!throwAway && (values.input !== undefined || values['no-input'] || values['pubsub-emulator'])) {
    throw new UserError({
      path: values.input !== undefined ? '--input' : values['no-input'] ? '--no-input' : '--pubsub-emulator',
      message: 'seeds the throw-away sandbox, so it cannot go with --fakes or --sandbox-url',
      fix: 'drop it, or drop --fakes/--sandbox-url',
    });
  }
  if (values.input !== undefined && values['no-input']) throw new UserError({ message: '--input and --no-input exclude each other', fix: 'pick one' });
  let target: ConnectorTarget;
  if (values.fakes) {
    const outcome = (values['job-outcome'] ?? 'SUCCEEDED').toUpperCase();
    if (outcome !== 'SUCCEEDED' && outcome !== 'FAILED') throw new UserError({ path: '--job-outcome', message: `unknown outcome ${values['job-outcome']}`, fix: 'use SUCCEEDED or FAILED' });
    const seconds = Number(values['job-seconds'] ?? '120');
    if (!Number.isFinite(seconds) || seconds < 0) throw new UserError({ path: '--job-seconds', message: `not a number of seconds: ${values['job-seconds']}` });
    target = { kind: 'fakes', jobOutcome: outcome, jobSeconds: seconds };
  } else if (values['sandbox-url'] !== undefined) {
    target = { kind: 'running-sandbox', url: values['sandbox-url'] };
  } else if (values['no-input']) {
    target = { kind: 'throw-away-sandbox', input: 'none', pubsubEmulator: values['pubsub-emulator']! };
  } else if (values.input !== undefined) {
    const file = values.input;
    try {
      target = { kind: 'throw-away-sandbox', input: { text: await readFile(resolve(root, file), 'utf8'), from: file }, pubsubEmulator: values['pubsub-emulator']! };
    } catch (e) {
      throw new UserError({ file, message: `cannot read the input file: ${(e as Error).message}`, fix: 'give a readable file with --input, or drop --input to use a small sample' });
    }
  } else {
    target = { kind: 'throw-away-sandbox', input: { text: SAMPLE_INPUT, from: 'a sample' }, pubsubEmulator: values['pubsub-emulator']! };
  }
  return {
    workflowFile: values.workflow,
    argument,
    ...(uploaded ? { uploaded } : {}),
    env: values.env!,
    json: values.json!,
    target,
    showArgs: values['show-args']!,
  };
}

/** Project, region and user env vars of the workflow as deployed to `env`, read from generated/. */
interface DeployedEnvironment {
  readonly builtins: Record<string, string>;
  readonly user: Record<string, string>;
  readonly topics: Set<string>;
  /** The clients' run settings objects as apply writes them, keyed `bucket/object`. */
  readonly objects: Record<string, unknown>;
  /** Secrets named by notification targets, standing in for their webhook URLs (never contacted: fakes answer). */
  readonly secrets: Record<string, string>;
  readonly documents: readonly ResourceDocument[];
}

async function deployedEnvironment(workflowFile: string, env: string, root: string): Promise<DeployedEnvironment> {
  const layout = projectLayout(root);
  const documents = await loadDocuments(layout.generatedDir, env);
  const product = documents.find((d) => !d.client);
  if (!product) throw new UserError({ file: `generated/${env}/product.yaml`, message: 'has no product document', fix: 'run npm run generate' });
  const deployed = product.resources.find((r): r is WorkflowResource => r.kind === 'Workflow' && basename(r.sourceFile) === basename(workflowFile));
  // The fakes know the topics apply would create, so a run for an unknown client fails as it would live.
  const topics = new Set(documents.flatMap((d) => d.resources.filter((r): r is TopicResource => r.kind === 'Topic').map((t) => `projects/${d.project}/topics/${t.name.split('/').pop()}`)));
  const resources = documents.flatMap((d) => d.resources);
  const objects = Object.fromEntries(resources.filter((r): r is RunSettingsResource => r.kind === 'RunSettings').map((r) => [`${r.bucket}/${r.object}`, r.settings]));
  const secrets = Object.fromEntries(
    resources.filter((r): r is SecretAccessResource => r.kind === 'SecretAccess').map((r) => [r.secret, `https://notifications.invalid/${r.secret.split('/').pop()}`]),
  );
  return { ...executionEnv(product, deployed), topics, objects, secrets, documents };
}

/** Where the run's connectors go, and what was set up for them (lines for the header of the trace). */
interface BoundConnectors {
  readonly connectors: ConnectorRegistry;
  readonly mode: string;
  readonly setUp: readonly string[];
  /** The throw-away sandbox, to close after the run. */
  readonly deployment?: LocalDeployment;
}

async function bindConnectors(target: ConnectorTarget, env: DeployedEnvironment, argument: unknown, envName: string): Promise<BoundConnectors> {
  const setUp: string[] = [];
  if (target.kind === 'running-sandbox') {
    const { endpoints } = await discoverSandbox(target.url);
    const connectors = sandboxConnectors(endpoints, { pollIntervalMs: 100, maxJobWaitSeconds: 600 });
    return { connectors, mode: `connectors → sandbox at ${target.url}`, setUp };
  }
  if (target.kind === 'throw-away-sandbox') {
    const deployment = await deployLocally({ documents: env.documents, usePubSubEmulator: target.pubsubEmulator });
    if (deployment.applied.status === 'applied' && !deployment.applied.result.ok) {
      const failed = deployment.applied.result.outcomes.filter((o) => o.status !== 'done');
      await deployment.close();
      throw new UserError({
        file: `generated/${envName}/`,
        message: `could not be applied to the throw-away sandbox: ${failed.map((o) => `${o.kind} ${o.name}: ${o.message ?? o.status}`).join('; ')}`,
        fix: 'run `npm start` to see the whole apply, or use --fakes',
      });
    }
    const changes = deployment.applied.plan.changes.filter((c) => c.action !== 'no-op').length;
    setUp.push(`applied generated/${envName}/ to a throw-away sandbox (${changes} changes; ${deployment.secrets.length} notification secret(s) point at a local receiver)`);
    setUp.push(
      `Pub/Sub: ${deployment.sandbox.pubsub.kind === 'emulator' ? "Google's emulator" : `served by the sandbox${target.pubsubEmulator ? ` (${deployment.sandbox.pubsub.reason ?? 'emulator unavailable'})` : " (--pubsub-emulator for Google's emulator)"}`}`,
    );
    const upload = target.input === 'none' ? undefined : inputToUpload(argument, deployment.product.product, deployment.bucket);
    if (upload && target.input !== 'none') {
      deployment.sandbox.state.putObject(upload.bucket, upload.object, target.input.text, 'application/jsonl');
      setUp.push(`uploaded ${target.input.from} (${Buffer.byteLength(target.input.text)} bytes) to gs://${upload.bucket}/${upload.object}`);
    } else if (target.input === 'none') {
      setUp.push('uploaded no input (--no-input): a Batch job will fail for want of it');
    }
    return {
      connectors: deployment.connectors({ maxJobWaitSeconds: 600 }),
      mode: 'connectors → a throw-away local sandbox (--fakes for scripted outcomes, --sandbox-url for a running sandbox)',
      setUp,
      deployment,
    };
  }
  // Fakes see what apply would deploy: the clients' topics and run settings, and a stand-in URL for
  // each notification secret (the fake HTTP connector answers 200 and sends nothing).
  const connectors = fakeConnectors({
    batch: () => ({ outcome: target.jobOutcome, runSeconds: target.jobSeconds }),
    topics: env.topics,
    objects: env.objects,
    secrets: env.secrets,
  }).registry;
  return { connectors, mode: `connectors → fakes (Batch jobs end ${target.jobOutcome} after ${target.jobSeconds} virtual seconds)`, setUp };
}

/**
 * Runs the workflow: the trace on `print`, the parser's warnings on `warn`; `root` is the project
 * folder (its generated/ for --env), the current one by default.
 */
export async function simulate(
  options: SimulateOptions,
  print: (line: string) => void,
  root: string = process.cwd(),
  warn: (line: string) => void = (line) => console.error(line),
): Promise<{ exitCode: number; run: RunResult }> {
  let source: string;
  try {
    source = await readFile(resolve(root, options.workflowFile), 'utf8');
  } catch (e) {
    throw new UserError({ file: options.workflowFile, message: `cannot read the workflow: ${(e as Error).message}` });
  }
  const shownName = relative(root, resolve(root, options.workflowFile)) || options.workflowFile;
  let workflow;
  try {
    workflow = parseWorkflow(source, shownName);
  } catch (e) {
    if (e instanceof SimSyntaxError) throw new UserError(locatedDiagnostic(e, shownName));
    throw e;
  }
  if (!options.json) for (const w of workflow.warnings) warn(`warning: ${w}`);
  const env = await deployedEnvironment(options.workflowFile, options.env, root);
  const argument = options.uploaded
    ? auditLogUploadEvent({ project: env.builtins['GOOGLE_CLOUD_PROJECT_ID']!, ...options.uploaded, time: new Date().toISOString(), insertId: randomUUID().slice(0, 16) })
    : options.argument;

  const target = options.target;
  const { connectors, mode, setUp, deployment } = await bindConnectors(target, env, argument, options.env);
  let run: RunResult;
  let notices: string[] = [];
  try {
    if (!options.json) {
      print(`simulating ${shownName} (${options.env}: project ${env.builtins['GOOGLE_CLOUD_PROJECT_ID']}, ${env.builtins['GOOGLE_CLOUD_LOCATION']}); ${mode}`);
      for (const line of setUp) print(`  ${line}`);
      print('');
    }
    try {
      run = await runWorkflow(workflow, {
        argument,
        env: { builtins: env.builtins, user: env.user },
        connectors,
        clock: target.kind === 'fakes' ? new VirtualClock(Date.now()) : realClock,
        ...(options.json ? {} : { onTrace: (event) => print(formatEvent(event, { showArgs: options.showArgs })) }),
      });
    } catch (e) {
      // A call the simulator cannot make (e.g. gke.request, googleapis.bigquery.*): the user's to know, located.
      if (e instanceof SimulationSetupError) throw new UserError(locatedDiagnostic(e, shownName));
      throw e;
    }
    notices = deployment ? deployment.notifications.map(describeNotification) : [];
  } finally {
    await deployment?.close();
  }
  if (options.json) {
    print(JSON.stringify({ state: run.state, ...(run.state === 'SUCCEEDED' ? { result: run.result } : { error: run.error }) }, null, 2));
  } else {
    // The trace was printed as it happened; print only the outcome part of formatRun.
    print(formatRun({ ...run, trace: [] }).replace(/^\n/, ''));
    if (deployment) print(`${notices.length} notification(s) received by the local Slack/Teams/webhook stand-in${notices.map((n) => `\n  ${n.replace(/\n/g, '\n  ')}`).join('')}`);
  }
  return { exitCode: run.state === 'SUCCEEDED' ? 0 : 1, run };
}

function locatedDiagnostic(e: SimSyntaxError | SimulationSetupError, file: string): Diagnostic {
  return {
    file: e.file ?? file,
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
    ...(e.path ? { path: e.path } : {}),
    message: e.reason,
    ...(e.fix ? { fix: e.fix } : {}),
  };
}

/**
 * Where the run will look for its input: the object an audit-log upload event names (in the product
 * bucket), or, for a `{"client": ...}` argument, a sample file in the client's inputs folder.
 */
function inputToUpload(argument: unknown, product: string, bucket: string): { bucket: string; object: string } | undefined {
  const arg = argument as any;
  const resourceName = arg?.data?.protoPayload?.resourceName;
  if (typeof resourceName === 'string') {
    const match = /^projects\/_\/buckets\/([^/]+)\/objects\/(.+)$/.exec(resourceName);
    return match && match[1] === bucket ? { bucket, object: match[2]! } : undefined;
  }
  if (typeof arg?.client === 'string' && /^[a-z][a-z0-9-]*$/.test(arg.client)) return { bucket, object: `${product}/${arg.client}/inputs/sample.jsonl` };
  return undefined;
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  const options = await parseSimulateArgs(args, io.cwd);
  if (options === 'help') {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  return (
    await simulate(
      options,
      (line) => io.out(line),
      io.cwd,
      (line) => io.err(line),
    )
  ).exitCode;
}
