/** gcloud pointed at a sandbox: a throw-away CLOUDSDK_CONFIG with no credentials, core/project and endpoint overrides. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { gcloudOverrides, type Sandbox } from '../../src/local/index.ts';

export const gcloudPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'gcloud')).find((candidate) => existsSync(candidate));

export interface Gcloud {
  run(args: string[], input?: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Each `config set` costs a gcloud start (about a second): name only the APIs a test uses. */
export async function gcloudFor(sandbox: Pick<Sandbox, 'endpoints'>, project: string, apis: readonly string[]): Promise<Gcloud> {
  const config = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
  const run = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        'gcloud',
        args,
        { env: { ...process.env, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' }, timeout: 120_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`gcloud ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout)),
      );
      child.stdin?.end(input ?? '');
    });
  await run(['config', 'set', 'auth/disable_credentials', 'true']);
  await run(['config', 'set', 'core/project', project]);
  for (const override of gcloudOverrides(sandbox).filter((o) => apis.includes(o.api))) {
    await run(['config', 'set', `api_endpoint_overrides/${override.api}`, override.url]);
  }
  return { run, dispose: () => rm(config, { recursive: true, force: true }) };
}
