/**
 * Scratch projects for the CLI tests: scratchCliProject, and withScratch (16 clients, with a sandbox
 * on 127.0.0.1 with 150 ms added latency and the product bucket).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { generateProject } from '../../src/cli/generate.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import { DEV } from '../plan/fake-cloud.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A CLI scratch project in a new temporary folder (the caller removes it): the repository's src/,
 * workflows/, node_modules and package.json linked in (so the CLI runs in it, in-process or as
 * `npm run`), each of `clients` written to clients/NAME.json, and generated/ made from them.
 */
export async function scratchCliProject(prefix: string, clients: readonly ({ readonly name: string } & Record<string, unknown>)[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const linked of ['src', 'workflows', 'node_modules', 'package.json']) await symlink(join(repo, linked), join(dir, linked));
  await mkdir(join(dir, 'clients'));
  for (const client of clients) await writeFile(join(dir, 'clients', `${client.name}.json`), JSON.stringify(client, null, 2));
  await generateProject(projectLayout(dir));
  return dir;
}

export async function withScratch(body: (dir: string, sandbox: Sandbox) => Promise<void>): Promise<void> {
  const clients = Array.from({ length: 16 }, (_, i) => ({ name: `client-${String(i).padStart(3, '0')}`, displayName: `Client ${i}` }));
  const dir = await scratchCliProject('bw-interrupt-', clients);
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({ latencyMs: 150 });
    // Client access goes through managed folders, which need uniform bucket-level access (plan refuses otherwise).
    sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
    await body(dir, sandbox);
  } finally {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
