/**
 * A scratch project for child-process CLI tests: its own clients/ (16 clients) and generated/, the
 * repository's src/, workflows/, node_modules and package.json linked in (so `npm run` works in it),
 * and a sandbox on 127.0.0.1 with 150 ms added latency and the product bucket.
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

export async function withScratch(body: (dir: string, sandbox: Sandbox) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bw-interrupt-'));
  let sandbox: Sandbox | undefined;
  try {
    for (const linked of ['src', 'workflows', 'node_modules', 'package.json']) await symlink(join(repo, linked), join(dir, linked));
    await mkdir(join(dir, 'clients'));
    for (let i = 0; i < 16; i++) {
      const name = `client-${String(i).padStart(3, '0')}`;
      await writeFile(join(dir, 'clients', `${name}.json`), JSON.stringify({ name, displayName: `Client ${i}` }));
    }
    await generateProject(projectLayout(dir));
    sandbox = await startSandbox({ latencyMs: 150 });
    // Client access goes through managed folders, which need uniform bucket-level access (plan refuses otherwise).
    sandbox.state.createBucket(DEV.bucket, DEV.project, DEV.region, { uniformBucketLevelAccess: true });
    await body(dir, sandbox);
  } finally {
    await sandbox?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
