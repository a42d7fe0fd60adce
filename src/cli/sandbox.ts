/**
 * `npm run sandbox -- --port N [--state DIR] [--project P] [--latency-ms N] [--error-rate R] [--pubsub-emulator]`
 *
 * Runs the local sandbox control plane in the foreground so other processes (plan/apply with
 * `--sandbox-url`, the SDKs, gcloud, curl) can use it, and prints the gcloud set-up lines: no
 * credentials, one endpoint override per API, and `core/project` (the product's dev project unless
 * --project says otherwise), without which gcloud refuses every command that takes a project. State
 * persists in `.sandbox/` at the repository root unless `--state` says otherwise, so it survives
 * restarts. Stops cleanly on Ctrl-C or SIGTERM.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
// The sandbox itself (../local/index.ts: every API, the IAM condition evaluator) loads in run(), after
// the arguments are read: `--help` and a mistyped option do not wait for it.
import { SANDBOX_APIS } from '../local/sandbox-apis.ts';
import type { SandboxOptions } from '../local/index.ts';
import { PROJECT_ID } from '../names/naming.ts';
import { loadProduct, projectLayout, SANDBOX_STATE_DIR } from './project-files.ts';
import { processIo, type Io } from './io.ts';
import { SANDBOX_OPTIONS, SANDBOX_USAGE } from './usage.ts';

function numberFlag(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UserError({ message: `${flag} needs a number between ${min} and ${max}, got ${value ?? 'nothing'}`, fix: SANDBOX_USAGE });
  }
  return n;
}

/** `root`: the project folder, whose `.sandbox/` is the default state folder (the one plan --target sandbox opens). */
export function parseSandboxArgs(args: readonly string[], root: string = process.cwd()): SandboxOptions & { help?: boolean; project?: string } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: SANDBOX_OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // parseArgs says "Unknown option '--what'" (or a missing value): the user's to fix.
    throw new UserError({ message: `unknown option or missing value: ${(error as Error).message}`, fix: SANDBOX_USAGE });
  }
  const options: SandboxOptions & { help?: boolean; project?: string } = { stateDir: join(root, SANDBOX_STATE_DIR) };
  // --help wins over the values (as plan's does, and as src/cli.ts answers it without loading this module).
  if (values.help) return { ...options, help: true };
  if (values.port !== undefined) options.basePort = numberFlag('--port', values.port as string, 1, 65535 - SANDBOX_APIS.length);
  if (values.state !== undefined) {
    if (values.state === '') throw new UserError({ message: '--state needs a folder', fix: SANDBOX_USAGE });
    options.stateDir = values.state as string;
  }
  if (values.project !== undefined) {
    const project = values.project as string;
    if (!PROJECT_ID.test(project)) {
      throw new UserError({
        message: `--project needs a project id, got ${project || 'nothing'}`,
        fix: 'a project id is 6-30 lowercase letters, digits and hyphens, starting with a letter (e.g. --project scoring-dev-4821)',
      });
    }
    options.project = project;
  }
  if (values['latency-ms'] !== undefined) options.latencyMs = numberFlag('--latency-ms', values['latency-ms'] as string, 0, 60_000);
  if (values['error-rate'] !== undefined) options.transientErrorRate = numberFlag('--error-rate', values['error-rate'] as string, 0, 1);
  if (values.seed !== undefined) options.seed = numberFlag('--seed', values.seed as string, 0, 2 ** 32 - 1);
  if (values['pubsub-emulator']) options.usePubSubEmulator = true;
  return options;
}

/**
 * The project the gcloud set-up selects: --project, else the product's dev environment (the one
 * the README's walk-through applies), else its first. Undefined when workflows/product.ts does not load.
 */
async function defaultProject(root: string): Promise<{ project?: string; problem?: string }> {
  try {
    const environments = (await loadProduct(projectLayout(root))).environments;
    const project = (environments.dev ?? Object.values(environments)[0])?.project;
    return project ? { project } : { problem: 'workflows/product.ts defines no environment' };
  } catch (error) {
    return { problem: `workflows/product.ts did not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

/**
 * The lines that point a gcloud configuration at the sandbox, in the order to run them: no
 * credentials, the endpoint overrides, then the project (last, so gcloud could only ever ask the sandbox about it).
 */
export function gcloudSetupLines(overrides: readonly { readonly command: string }[], project: string): string[] {
  return ['gcloud config set auth/disable_credentials true', ...overrides.map((line) => line.command), `gcloud config set project ${project}`];
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  const options = parseSandboxArgs(args, io.cwd);
  if (options.help) {
    io.out(SANDBOX_USAGE);
    return 0;
  }
  const chosen = options.project ? { project: options.project } : await defaultProject(io.cwd);
  const { gcloudOverrides, OPERATOR, startSandbox } = await import('../local/index.ts');
  let sandbox;
  try {
    // Cloud Scheduler jobs fire on their schedules, by the real clock (tests tick by hand instead).
    sandbox = await startSandbox({ scheduleTickMs: 1000, ...options });
  } catch (error) {
    const { code, port } = error as { code?: string; port?: number };
    if (code !== 'EADDRINUSE') throw error;
    throw new UserError({
      message: `port ${port} on 127.0.0.1 is already in use (the sandbox needs ${SANDBOX_APIS.length} consecutive ports from --port)`,
      fix: 'pick another --port, preferably below 32768 (ports above are handed out to outgoing connections), or omit --port for random ports',
    });
  }
  const width = Math.max(...SANDBOX_APIS.map((api) => api.length));
  io.out(`batch-workflows sandbox: state in ${options.stateDir}\n`);
  for (const api of SANDBOX_APIS) io.out(`  ${api.padEnd(width)}  ${sandbox.endpoints[api]}`);
  const pubsubNote = sandbox.pubsub.kind === 'emulator' ? "Google's Pub/Sub emulator" : `served by the sandbox${options.usePubSubEmulator ? ` (emulator unavailable: ${sandbox.pubsub.reason})` : ''}`;
  io.out(`\n  Pub/Sub: ${pubsubNote}`);
  io.out('\n  Executions run what is deployed; an object written through the Storage API reaches the Eventarc triggers that match it');
  io.out('  (when DATA_WRITE audit logs are on for storage.googleapis.com); Cloud Scheduler jobs fire on their schedules.');
  io.out(`\nUse it from another shell with \`--sandbox-url ${sandbox.endpoints.workflows}\` (GET /sandbox/endpoints lists every API).`);
  io.out('\nPoint gcloud at it (best in a separate configuration: gcloud config configurations create sandbox):\n');
  for (const line of gcloudSetupLines(gcloudOverrides(sandbox), chosen.project ?? 'PROJECT_ID')) io.out(`  ${line}`);
  if (!chosen.project) io.out(`\n  (${chosen.problem}: replace PROJECT_ID with any project id, or restart with --project P; the sandbox serves every project)`);
  io.out(
    `\nRequests without a token act as ${OPERATOR}, owner of every sandbox project. To act as someone else, use a configuration without auth/disable_credentials and pass --access-token-file=FILE (FILE holds sandbox:serviceAccount:EMAIL or sandbox:user:EMAIL) or --impersonate-service-account=EMAIL (README: "Who may do what in the sandbox").`,
  );
  io.out('\nCtrl-C stops it.');

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.out(`\n${signal}: stopping the sandbox...`);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sandbox.stop();
  io.out('sandbox stopped; state saved.');
  return 0;
}
