/**
 * `npm run plan -- --env dev [--client NAME] [--format text|json|markdown] [--prune] [--adopt] [--target sandbox|gcp]
 * [--sandbox-url URL] [--out FILE]`: what apply would do, and an exit code CI can gate on: 0 nothing would change,
 * 2 something would, 1 errors (a failing precondition, a conflict). Also the shared plumbing of
 * `apply`: arguments, loading generated/<env>/, and connecting to Google or the sandbox.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, type Diagnostic } from '../diagnostics.ts';
// The SDK clients (../gcp/index.ts) and google-auth-library load in connect(), not here: a module
// graph of ~600 files that --help, argument errors and a stale generated/ never need.
import type { GcpCloudApis } from '../gcp/index.ts';
import { SANDBOX_APIS, type SandboxApi } from '../local/sandbox-apis.ts';
import type { FoundCredentials } from '../gcp/credentials.ts';
import { cloudAccessProblem, missingCredentials } from './cloud-access.ts';
import { parseResourceDocument, ResourceDocumentError } from '../generate/documents.ts';
import { planWithLive } from '../apply/index.ts';
import { differs } from '../plan/summary.ts';
import { formatPlan, planToJson } from '../plan/format.ts';
import { formatPlanMarkdown } from '../plan/markdown.ts';
import type { LiveState, Plan } from '../plan/types.ts';
import type { ResourceDocument } from '../resources/types.ts';
import { projectLayout, SANDBOX_STATE_DIR } from './project-files.ts';
import { refuseStaleGenerated } from './check.ts';
import { processIo, useColor, type Io } from './io.ts';
import { noteHeldLock } from './apply-lock.ts';
import { savePlan, writeTextPlan } from './saved-plan.ts';
import { COMMON_OPTIONS, PLAN_OPTIONS, PLAN_USAGE } from './usage.ts';

export type PlanFormat = 'text' | 'json' | 'markdown';
const FORMATS: readonly PlanFormat[] = ['text', 'json', 'markdown'];

export interface CommonArgs {
  readonly env: string;
  readonly client?: string;
  /** --format: text for people, json for machines, markdown for a pull-request comment (--json: json). */
  readonly format: PlanFormat;
  readonly prune: boolean;
  readonly adopt: boolean;
  readonly target: 'gcp' | 'sandbox';
  readonly sandboxUrl?: string;
  /** --no-color given (NO_COLOR in the environment is read where colour is decided: io.ts). */
  readonly noColor: boolean;
}

export function parseCommonArgs(
  command: string,
  args: string[],
  extra: NonNullable<ParseArgsConfig['options']>,
): { common: CommonArgs; values: Record<string, string | boolean | undefined> } | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UserError({ message: `${command}: ${(error as Error).message}`, fix: `npm run ${command} -- --help` });
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return undefined;
  const env = values.env;
  if (typeof env !== 'string' || env === '') {
    throw new UserError({ message: `${command} needs an environment`, fix: `npm run ${command} -- --env dev` });
  }
  const sandboxUrl = values['sandbox-url'] as string | undefined;
  const target = (values.target as string | undefined) ?? (sandboxUrl ? 'sandbox' : 'gcp');
  if (target !== 'gcp' && target !== 'sandbox') {
    throw new UserError({ message: `--target must be "gcp" or "sandbox" (got "${target}")`, fix: 'use --target sandbox to try it locally, or leave it out for Google Cloud' });
  }
  if (sandboxUrl && target !== 'sandbox') {
    throw new UserError({ message: '--sandbox-url points at a sandbox but --target is gcp', fix: 'drop --target gcp, or drop --sandbox-url' });
  }
  const format = (values.format as string | undefined) ?? (values.json ? 'json' : 'text');
  if (!FORMATS.includes(format as PlanFormat)) {
    throw new UserError({ message: `--format must be one of ${FORMATS.join(', ')} (got "${format}")`, fix: `npm run ${command} -- --env ${env} --format markdown` });
  }
  if (values.json && format !== 'json') {
    throw new UserError({ message: `--json and --format ${format} ask for two formats`, fix: 'keep one of them (--json is --format json)' });
  }
  return {
    common: {
      env,
      ...(typeof values.client === 'string' ? { client: values.client } : {}),
      format: format as PlanFormat,
      prune: values.prune === true,
      adopt: values.adopt === true,
      target,
      ...(sandboxUrl ? { sandboxUrl } : {}),
      noColor: values['no-color'] === true,
    },
    values,
  };
}

/**
 * generated/<env>/product.yaml and generated/<env>/clients/*.yaml, with each workflow's source text
 * read from generated/ so it can be compared with what is deployed. `onFile` is given each file read
 * (its path under generated/ and its text), for a saved plan's digests.
 */
export async function loadDocuments(generatedDir: string, env: string, onFile?: (file: string, text: string) => void): Promise<ResourceDocument[]> {
  const envDir = join(generatedDir, env);
  const productFile = join(envDir, 'product.yaml');
  if (!existsSync(productFile)) {
    const known = existsSync(generatedDir)
      ? (await readdir(generatedDir, { withFileTypes: true })).filter((d) => d.isDirectory() && existsSync(join(generatedDir, d.name, 'product.yaml'))).map((d) => d.name)
      : [];
    throw new UserError({
      file: `generated/${env}/product.yaml`,
      message: known.length > 0 ? `no generated resources for environment "${env}" (environments in generated/: ${known.join(', ')})` : 'generated/ has no resources yet',
      fix: known.length > 0 ? `use one of: ${known.map((k) => `--env ${k}`).join(', ')}; or add "${env}" to workflows/product.ts and run npm run generate` : 'run `npm run generate` first',
    });
  }
  const clientsDir = join(envDir, 'clients');
  const clientFiles = existsSync(clientsDir) ? (await readdir(clientsDir)).filter((n) => n.endsWith('.yaml')).sort() : [];
  const files = [`${env}/product.yaml`, ...clientFiles.map((n) => `${env}/clients/${n}`)];
  const problems: Diagnostic[] = [];
  const documents: ResourceDocument[] = [];
  for (const file of files) {
    try {
      const text = await readFile(join(generatedDir, file), 'utf8');
      onFile?.(file, text);
      documents.push(parseResourceDocument(text, `generated/${file}`));
    } catch (error) {
      if (!(error instanceof ResourceDocumentError)) throw error;
      problems.push({ file: error.file, message: error.message.slice(error.file.length + 2), fix: 'run `npm run generate` (generated/ is written by it, never by hand)' });
    }
  }
  if (problems.length > 0) throw new UserError(problems);
  const sources = new Map<string, string>();
  const withSources: ResourceDocument[] = [];
  for (const document of documents) {
    const resources = [];
    for (const resource of document.resources) {
      if (resource.kind !== 'Workflow') {
        resources.push(resource);
        continue;
      }
      const path = join(generatedDir, resource.sourceFile);
      if (!sources.has(resource.sourceFile)) {
        if (!existsSync(path)) {
          throw new UserError({ file: `generated/${env}/product.yaml`, path: resource.name, message: `sourceFile generated/${resource.sourceFile} does not exist`, fix: 'run `npm run generate`' });
        }
        sources.set(resource.sourceFile, await readFile(path, 'utf8'));
        onFile?.(resource.sourceFile, sources.get(resource.sourceFile)!);
      }
      resources.push({ ...resource, sourceContents: sources.get(resource.sourceFile)! });
    }
    withSources.push({ ...document, resources });
  }
  return withSources;
}

/** Endpoints of a running sandbox, from `GET <url>/sandbox/endpoints` (any of its ports answers). */
export async function discoverSandbox(url: string): Promise<{ endpoints: Record<SandboxApi, string>; pubsub: 'emulator' | 'sandbox' }> {
  const base = url.replace(/\/+$/, '');
  let body: unknown;
  try {
    const response = await fetch(`${base}/sandbox/endpoints`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new UserError({
      message: `no sandbox answers at ${base} (${(error as Error).message})`,
      fix: 'start one with `npm run sandbox` and pass the URL it prints, or use --target sandbox without --sandbox-url',
    });
  }
  const endpoints = Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<SandboxApi, string>;
  const missing = SANDBOX_APIS.filter((api) => !endpoints[api]);
  if (missing.length > 0) {
    throw new UserError({ message: `the sandbox at ${base} does not list endpoints for ${missing.join(', ')}`, fix: 'restart it with `npm run sandbox` from this version of batch-workflows' });
  }
  // Every sandbox port answers the discovery path; Google's Pub/Sub emulator, when it serves Pub/Sub, does not.
  const pubsub = await fetch(`${endpoints.pubsub.replace(/\/+$/, '')}/sandbox/endpoints`, { signal: AbortSignal.timeout(5000) })
    .then((r) => (r.ok ? 'sandbox' : 'emulator'))
    .catch(() => 'emulator' as const);
  return { endpoints, pubsub };
}

/**
 * Runs `work` with process warnings of one name not printed: on a workstation the credentials lookup
 * probes for a metadata server that is not there, and its warnings would bury the error that says
 * what to do.
 */
async function withoutWarnings<T>(name: string, work: () => Promise<T>): Promise<T> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof warning === 'string' ? (typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type) : warning.name;
    if (type === name) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await work();
  } finally {
    process.emitWarning = emitWarning;
  }
}

export interface Connection {
  readonly apis: GcpCloudApis;
  /** Where the plan runs, for messages: `Google Cloud` or `the sandbox at URL`. */
  readonly where: string;
  readonly project: string;
  /** Against Google Cloud: the account the calls are made as, when the credentials name it. */
  readonly principal?: string;
  close(): Promise<void>;
}

export async function connect(common: CommonArgs, project: string, root: string): Promise<Connection> {
  const { createCloudApis } = await import('../gcp/index.ts');
  if (common.target === 'gcp') {
    const { METADATA_LOOKUP_WARNING, findApplicationDefaultCredentials } = await import('../gcp/credentials.ts');
    let found: FoundCredentials;
    try {
      found = await withoutWarnings(METADATA_LOOKUP_WARNING, findApplicationDefaultCredentials);
    } catch (error) {
      throw missingCredentials(error) ?? error;
    }
    const apis = createCloudApis({ kind: 'gcp' }, { projectId: project });
    return { apis, where: `Google Cloud project ${project}${found.principal ? ` as ${found.principal}` : ''}`, project, ...found, close: () => apis.close() };
  }
  if (common.sandboxUrl) {
    const found = await discoverSandbox(common.sandboxUrl);
    const apis = createCloudApis({ kind: 'sandbox', endpoints: found.endpoints, pubsub: found.pubsub }, { projectId: project });
    return { apis, where: `the sandbox at ${common.sandboxUrl}`, project, close: () => apis.close() };
  }
  const { startSandbox } = await import('../local/index.ts');
  const sandbox = await startSandbox({ stateDir: join(root, SANDBOX_STATE_DIR) });
  const apis = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: sandbox.pubsub.kind }, { projectId: project });
  return {
    apis,
    where: `the local sandbox (state in ${SANDBOX_STATE_DIR}/)`,
    project,
    close: async () => {
      await apis.close();
      await sandbox.stop();
    },
  };
}

/** What to do about a failing precondition when the target is the sandbox, where gcloud is not set up. */
export function sandboxHints(plan: Plan, common: CommonArgs): string[] {
  if (common.target !== 'sandbox' || !plan.errors.some((e) => e.path?.startsWith('gs://'))) return [];
  return [
    'hint: the sandbox serves the Cloud Storage API too: run `npm run sandbox`, point gcloud at it with the lines it prints,',
    '      run the gcloud command above, then plan/apply with --sandbox-url (`npm start` instead uses a throw-away sandbox).',
  ];
}

/**
 * 0: live matches generated/; 2: changes, counting what only --prune deletes (an offboarded client's
 * live access, legacy grants of our accounts); 1: errors (failing preconditions or conflicts).
 */
export function planExitCode(plan: Plan): number {
  if (plan.errors.length > 0 || plan.summary.conflict > 0) return 1;
  return differs(plan) ? 2 : 0;
}

export function projectOf(documents: readonly ResourceDocument[]): string {
  return documents[0]!.project;
}

/** Checks --client names a client that is desired or still has owned resources; otherwise a typo. */
function checkClientFilter(plan: Plan, documents: readonly ResourceDocument[], client: string | undefined): void {
  if (client === undefined) return;
  const known = documents.flatMap((d) => (d.client ? [d.client] : []));
  if (known.includes(client) || plan.changes.some((c) => c.owner.client === client)) return;
  throw new UserError({
    message: `no client "${client}" in generated/${plan.environment}/clients/ and nothing of it is deployed`,
    fix: known.length > 0 ? `clients in ${plan.environment}: ${known.join(', ')}` : 'add clients/<name>.json and run npm run generate',
  });
}

/** Reads what is live and diffs it with the documents; a refused read becomes the user error that says how to get access. */
export async function readPlan(connection: Connection, documents: readonly ResourceDocument[], common: CommonArgs, action: 'plan' | 'apply'): Promise<{ plan: Plan; live: LiveState }> {
  try {
    return await planWithLive(connection.apis, documents, { prune: common.prune, adopt: common.adopt, ...(common.client !== undefined ? { clientFilter: common.client } : {}) });
  } catch (error) {
    throw cloudAccessProblem(error, { project: connection.project, action, ...(connection.principal ? { principal: connection.principal } : {}) }) ?? error;
  }
}

/**
 * Prints a plan as `plan` and `apply` both show it: JSON or Markdown on stdout with --format
 * json|markdown, text otherwise; `notes` gets the text and the sandbox hints (undefined: no text at
 * all, so stdout stays pure JSON or Markdown). Refuses a --client that names no client first.
 */
export function printPlan(plan: Plan, documents: readonly ResourceDocument[], common: CommonArgs, notes: ((line: string) => void) | undefined, io: Io): void {
  checkClientFilter(plan, documents, common.client);
  if (common.format === 'json') io.out(JSON.stringify(planToJson(plan), null, 2));
  else if (common.format === 'markdown') io.out(formatPlanMarkdown(plan).replace(/\n$/, ''));
  else notes?.(formatPlan(plan, { color: useColor(io, common.noColor) }));
  if (notes) for (const line of sandboxHints(plan, common)) notes(line);
}

/** readPlan, then printPlan: the plan and the live state it was made from. */
export async function planAndPrint(
  connection: Connection,
  documents: readonly ResourceDocument[],
  common: CommonArgs,
  notes: ((line: string) => void) | undefined,
  action: 'plan' | 'apply',
  io: Io,
): Promise<{ plan: Plan; live: LiveState }> {
  const read = await readPlan(connection, documents, common, action);
  printPlan(read.plan, documents, common, notes, io);
  return read;
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  const parsed = parseCommonArgs('plan', args, PLAN_OPTIONS);
  if (!parsed) {
    io.out(PLAN_USAGE);
    return 0;
  }
  const { common, values } = parsed;
  for (const flag of ['out', 'text-out'] as const) {
    if (values[flag] !== undefined && String(values[flag]).trim() === '')
      throw new UserError({ message: `--${flag} needs a file path`, fix: `e.g. --${flag} plans/${common.env}.${flag === 'out' ? 'plan.json' : 'plan.txt'}` });
  }
  if (typeof values.out === 'string' && typeof values['text-out'] === 'string' && resolve(io.cwd, values.out) === resolve(io.cwd, values['text-out'])) {
    throw new UserError({
      message: `--out and --text-out both name ${values.out}: the text plan would replace the saved plan`,
      fix: `e.g. --out plans/${common.env}.plan.json --text-out plans/${common.env}.plan.txt`,
    });
  }
  const layout = projectLayout(io.cwd);
  // A plan of a generated/ its sources no longer produce would review something nobody will deploy.
  await refuseStaleGenerated(layout, 'plan');
  // --out FILE: what a saved plan records of what this plan read (src/cli/saved-plan.ts).
  const files = new Map<string, string>();
  const documents = await loadDocuments(layout.generatedDir, common.env, (file, text) => files.set(file, text));
  const connection = await connect(common, projectOf(documents), layout.root);
  try {
    const text = common.format === 'text';
    const { plan, live } = await planAndPrint(connection, documents, common, text ? (line) => io.out(line) : undefined, 'plan', io);
    // --text-out FILE: the text plan of this same read, whatever --format prints (CI posts the
    // Markdown comment and keeps the full text as an artifact, from one read of live).
    const textOut = typeof values['text-out'] === 'string' ? values['text-out'] : undefined;
    const textLines = textOut === undefined ? undefined : [formatPlan(plan, { color: false }), ...sandboxHints(plan, common)];
    const say = (line: string) => {
      if (text) io.out(line);
      else io.err(line);
      textLines?.push(line);
    };
    await noteHeldLock(connection, documents, say);
    if (typeof values.out === 'string') await savePlan(values.out, { plan, documents, common, files, live, root: layout.root }, say);
    const calls = `(${connection.apis.calls.total} API calls to ${connection.where})`;
    if (text) io.out(calls);
    if (textOut !== undefined && textLines) await writeTextPlan(textOut, layout.root, [...textLines, calls]);
    return planExitCode(plan);
  } finally {
    await connection.close();
  }
}
