/**
 * `npm run simulate -- --workflow FILE (--event-file F | --args JSON) [--env dev] [--json]
 *   [--sandbox-url URL] [--job-outcome SUCCEEDED|FAILED] [--job-seconds N] [--show-args]`
 *
 * Runs a workflow file (normally generated/workflows/*.yaml, the deployed artifact) in the simulator
 * and prints a step-by-step trace, then the result or the raised error. The environment (project,
 * region, user env vars such as BATCH_BUCKET) comes from generated/<env>/. Connectors call a running
 * sandbox when --sandbox-url is given (real Batch jobs, real topics); otherwise scripted fakes on a
 * virtual clock stand in, so a run needs nothing else and takes milliseconds.
 * Exit code: 0 the execution succeeded, 1 it failed (or the input was wrong).
 */
import { readFile } from 'node:fs/promises';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import type { RunSettingsResource, SecretAccessResource, TopicResource, WorkflowResource } from '../resources/types.ts';
import { fakeConnectors } from '../sim/connectors/fake.ts';
import { restConnectors } from '../sim/connectors/rest.ts';
import { formatEvent, formatRun } from '../sim/format-trace.ts';
import { SimSyntaxError, VirtualClock, parseWorkflow, realClock, runWorkflow, type ConnectorRegistry, type RunResult } from '../sim/index.ts';
import { discoverSandbox, loadDocuments } from './plan.ts';
import { projectLayout } from './project-files.ts';

const USAGE = `usage: npm run simulate -- --workflow FILE (--event-file FILE | --args JSON) [options]

  --workflow FILE        workflow YAML to run, e.g. generated/workflows/batch-inference.yaml
  --event-file FILE      JSON file with the execution argument (e.g. the Eventarc CloudEvent)
  --args JSON            the execution argument inline, e.g. '{"client": "acme-corp"}'
  --env NAME             environment in generated/ for project, region and user env vars (default dev)
  --json                 print only {"state", "result"?, "error"?}
  --sandbox-url URL      call a running sandbox (npm run sandbox) instead of fakes
  --job-outcome STATE    with fakes: SUCCEEDED (default) or FAILED
  --job-seconds N        with fakes: how long each Batch job runs, in virtual seconds (default 120)
  --show-args            show call arguments in the trace`;

export interface SimulateOptions {
  readonly workflowFile: string;
  readonly argument: unknown;
  readonly env: string;
  readonly json: boolean;
  readonly sandboxUrl?: string;
  readonly jobOutcome: 'SUCCEEDED' | 'FAILED';
  readonly jobSeconds: number;
  readonly showArgs: boolean;
}

export async function parseSimulateArgs(args: string[]): Promise<SimulateOptions | 'help'> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        workflow: { type: 'string' },
        'event-file': { type: 'string' },
        args: { type: 'string' },
        env: { type: 'string', default: 'dev' },
        json: { type: 'boolean', default: false },
        'sandbox-url': { type: 'string' },
        'job-outcome': { type: 'string', default: 'SUCCEEDED' },
        'job-seconds': { type: 'string', default: '120' },
        'show-args': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UserError({ message: (e as Error).message, fix: USAGE });
  }
  if (values.help) return 'help';
  if (!values.workflow) throw new UserError({ message: '--workflow is required', fix: USAGE });
  if ((values['event-file'] === undefined) === (values.args === undefined)) throw new UserError({ message: 'give exactly one of --event-file and --args', fix: USAGE });
  let argument: unknown;
  if (values['event-file'] !== undefined) {
    const file = values['event-file'];
    let text: string;
    try {
      text = await readFile(file, 'utf8');
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
  const outcome = values['job-outcome']!.toUpperCase();
  if (outcome !== 'SUCCEEDED' && outcome !== 'FAILED') throw new UserError({ path: '--job-outcome', message: `unknown outcome ${values['job-outcome']}`, fix: 'use SUCCEEDED or FAILED' });
  const seconds = Number(values['job-seconds']);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UserError({ path: '--job-seconds', message: `not a number of seconds: ${values['job-seconds']}` });
  return {
    workflowFile: values.workflow,
    argument,
    env: values.env!,
    json: values.json!,
    ...(values['sandbox-url'] ? { sandboxUrl: values['sandbox-url'] } : {}),
    jobOutcome: outcome,
    jobSeconds: seconds,
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
}

async function deployedEnvironment(workflowFile: string, env: string): Promise<DeployedEnvironment> {
  const layout = projectLayout();
  const documents = await loadDocuments(layout.generatedDir, env);
  const product = documents.find((d) => !d.client);
  if (!product) throw new UserError({ file: `generated/${env}/product.yaml`, message: 'has no product document', fix: 'run npm run generate' });
  const deployed = product.resources.find((r): r is WorkflowResource => r.kind === 'Workflow' && basename(r.sourceFile) === basename(workflowFile));
  const builtins: Record<string, string> = { GOOGLE_CLOUD_PROJECT_ID: product.project, GOOGLE_CLOUD_LOCATION: product.region };
  if (deployed) builtins['GOOGLE_CLOUD_WORKFLOW_ID'] = deployed.name.split('/').pop()!;
  // The fakes know the topics apply would create, so a run for an unknown client fails as it would live.
  const topics = new Set(documents.flatMap((d) => d.resources.filter((r): r is TopicResource => r.kind === 'Topic').map((t) => `projects/${d.project}/topics/${t.name.split('/').pop()}`)));
  const resources = documents.flatMap((d) => d.resources);
  const objects = Object.fromEntries(
    resources.filter((r): r is RunSettingsResource => r.kind === 'RunSettings').map((r) => [`${r.bucket}/${r.object}`, r.settings]),
  );
  const secrets = Object.fromEntries(
    resources
      .filter((r): r is SecretAccessResource => r.kind === 'SecretAccess')
      .map((r) => [r.secret, `https://notifications.invalid/${r.secret.split('/').pop()}`]),
  );
  return { builtins, user: { ...(deployed?.userEnvVars ?? {}) }, topics, objects, secrets };
}

export async function simulate(options: SimulateOptions, print: (line: string) => void): Promise<{ exitCode: number; run: RunResult }> {
  let source: string;
  try {
    source = await readFile(options.workflowFile, 'utf8');
  } catch (e) {
    throw new UserError({ file: options.workflowFile, message: `cannot read the workflow: ${(e as Error).message}` });
  }
  const shownName = relative(process.cwd(), options.workflowFile) || options.workflowFile;
  let workflow;
  try {
    workflow = parseWorkflow(source, shownName);
  } catch (e) {
    if (e instanceof SimSyntaxError) {
      throw new UserError({ file: e.file ?? shownName, ...(e.line !== undefined ? { line: e.line } : {}), ...(e.column !== undefined ? { column: e.column } : {}), ...(e.path ? { path: e.path } : {}), message: e.reason, ...(e.fix ? { fix: e.fix } : {}) });
    }
    throw e;
  }
  if (!options.json) for (const w of workflow.warnings) console.error(`warning: ${w}`);
  const env = await deployedEnvironment(options.workflowFile, options.env);

  let connectors: ConnectorRegistry;
  let mode: string;
  if (options.sandboxUrl) {
    const { endpoints } = await discoverSandbox(options.sandboxUrl);
    connectors = restConnectors({ batch: endpoints.batch, pubsub: endpoints.pubsub, secretManager: endpoints.secretmanager, storage: endpoints.storage }, { pollIntervalMs: 100, maxJobWaitSeconds: 600 });
    mode = `connectors → sandbox at ${options.sandboxUrl}`;
  } else {
    // Fakes see what apply would deploy: the clients' topics and run settings, and a stand-in URL for
    // each notification secret (the fake HTTP connector answers 200 and sends nothing).
    connectors = fakeConnectors({
      batch: () => ({ outcome: options.jobOutcome, runSeconds: options.jobSeconds }),
      topics: env.topics,
      objects: env.objects,
      secrets: env.secrets,
    }).registry;
    mode = `connectors → fakes (Batch jobs end ${options.jobOutcome} after ${options.jobSeconds} virtual seconds; pass --sandbox-url to use a sandbox)`;
  }
  if (!options.json) print(`simulating ${shownName} (${options.env}: project ${env.builtins['GOOGLE_CLOUD_PROJECT_ID']}, ${env.builtins['GOOGLE_CLOUD_LOCATION']}); ${mode}\n`);
  const run = await runWorkflow(workflow, {
    argument: options.argument,
    env: { builtins: env.builtins, user: env.user },
    connectors,
    clock: options.sandboxUrl ? realClock : new VirtualClock(Date.now()),
    ...(options.json ? {} : { onTrace: (event) => print(formatEvent(event, { showArgs: options.showArgs })) }),
  });
  if (options.json) {
    print(JSON.stringify({ state: run.state, ...(run.state === 'SUCCEEDED' ? { result: run.result } : { error: run.error }) }, null, 2));
  } else {
    // The trace was printed as it happened; print only the outcome part of formatRun.
    print(formatRun({ ...run, trace: [] }).replace(/^\n/, ''));
  }
  return { exitCode: run.state === 'SUCCEEDED' ? 0 : 1, run };
}

export async function run(args: string[]): Promise<number> {
  const options = await parseSimulateArgs(args);
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  return (await simulate(options, (line) => console.log(line))).exitCode;
}
