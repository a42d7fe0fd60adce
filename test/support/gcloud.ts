/**
 * gcloud for tests against the sandbox: a throw-away CLOUDSDK_CONFIG (a fresh configuration, with no
 * CLOUDSDK_* settings inherited from the caller's environment) and no prompts. gcloud takes 1-4 s a
 * call, so tests run independent calls concurrently, a few at a time.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { gcloudOverrides, type Sandbox } from '../../src/local/index.ts';

export const gcloudPath = (process.env.PATH ?? '')
  .split(delimiter)
  .map((dir) => join(dir, 'gcloud'))
  .find((candidate) => existsSync(candidate));

/** For a test that needs gcloud: true (and says the test is skipped) when it is not on PATH. */
export function skipWithoutGcloud(path: string | undefined): path is undefined {
  if (path === undefined) console.log('  skipped: gcloud is not on PATH');
  return path === undefined;
}

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Gcloud {
  readonly config: string;
  readonly env: NodeJS.ProcessEnv;
  /** `gcloud ARGS`; rejects with gcloud's stderr unless it exits 0. */
  run(args: readonly string[], input?: string): Promise<string>;
  /** One shell command line (pipes, quotes) with this configuration, in `cwd`; never rejects. */
  shell(line: string, cwd: string): Promise<Outcome>;
  dispose(): Promise<void>;
}

export async function freshGcloud(): Promise<Gcloud> {
  const config = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CLOUDSDK_')));
  const env = { ...inherited, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };
  const exec = (file: string, args: readonly string[], cwd: string | undefined, input: string | undefined) =>
    new Promise<Outcome>((resolve) => {
      const child = execFile(file, args, { env, cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });
  return {
    config,
    env,
    async run(args, input) {
      const outcome = await exec('gcloud', args, undefined, input);
      if (outcome.code !== 0) throw new Error(`gcloud ${args.join(' ')} failed (exit ${outcome.code}): ${outcome.stderr}`);
      return outcome.stdout;
    },
    shell: (line, cwd) => exec('/bin/sh', ['-c', line], cwd, undefined),
    dispose: () => rm(config, { recursive: true, force: true }),
  };
}

/**
 * A fresh configuration pointed at a sandbox: no credentials, core/project, and endpoint overrides.
 * Each `config set` costs a gcloud start (about a second): name only the APIs a test uses.
 */
export async function gcloudFor(sandbox: Pick<Sandbox, 'endpoints'>, project: string, apis: readonly string[]): Promise<Gcloud> {
  const gcloud = await freshGcloud();
  await gcloud.run(['config', 'set', 'auth/disable_credentials', 'true']);
  await gcloud.run(['config', 'set', 'core/project', project]);
  for (const override of gcloudOverrides(sandbox).filter((o) => apis.includes(o.api))) {
    await gcloud.run(['config', 'set', `api_endpoint_overrides/${override.api}`, override.url]);
  }
  return gcloud;
}

/**
 * gcloud calls one after another: gcloud keeps its access-token cache in an SQLite file of the
 * configuration folder, and concurrent calls that write it crash with "database is locked".
 */
export async function inSequence<T extends readonly (() => Promise<unknown>)[]>(calls: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const results: unknown[] = [];
  for (const call of calls) results.push(await call());
  return results as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}
