/**
 * The sandbox's state folder has one owner: a second sandbox over it refuses, naming the running
 * one's URL; a lock left by a process that died is taken over; stop() releases it. In-process, and
 * against `npm run sandbox` in a child process with `plan --target sandbox` (which starts its own).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../../src/local/index.ts';
import { OWNER_FILE } from '../../src/local/state-lock.ts';
import { UserError } from '../../src/diagnostics.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

async function refused(stateDir: string): Promise<UserError> {
  try {
    const extra = await startSandbox({ stateDir });
    await extra.stop();
  } catch (error) {
    assert.instance(error, UserError);
    return error as UserError;
  }
  throw new Error('a second sandbox over the same folder was not refused');
}

test('a second sandbox over a folder in use refuses and names --sandbox-url; after stop() the folder is free', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'sandbox-owner-'));
  try {
    const first = await startSandbox({ stateDir });
    const owner = JSON.parse(await readFile(join(stateDir, OWNER_FILE), 'utf8'));
    assert.is(owner.pid, process.pid);
    assert.is(owner.url, first.endpoints.workflows);
    const [problem] = (await refused(stateDir)).diagnostics;
    assert.match(problem!.message, `in use by process ${process.pid}`);
    assert.match(problem!.fix!, `--sandbox-url ${first.endpoints.workflows}`);
    await first.stop();
    assert.not.ok(existsSync(join(stateDir, OWNER_FILE)), 'released on stop');
    const again = await startSandbox({ stateDir });
    await again.stop();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a lock left by a process that is gone (killed) is stale and taken over', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'sandbox-owner-'));
  try {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(join(stateDir, OWNER_FILE), JSON.stringify({ pid: Number(gone.stdout), startedAt: '2026-01-01T00:00:00.000Z', token: 'old', url: 'http://127.0.0.1:9' }));
    const sandbox = await startSandbox({ stateDir });
    assert.is(JSON.parse(await readFile(join(stateDir, OWNER_FILE), 'utf8')).pid, process.pid);
    await sandbox.stop();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('npm run sandbox running in another process: a sandbox over its folder (as plan/apply --target sandbox start) refuses with its URL; after it stops, one starts', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'sandbox-owner-'));
  const server = spawn(process.execPath, ['--import', tsxLoader, join(repo, 'src/cli.ts'), 'sandbox', '--state', stateDir], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /--sandbox-url (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${out}`)));
    });
    const [problem] = (await refused(stateDir)).diagnostics;
    assert.match(problem!.message, `in use by process ${server.pid}`);
    assert.match(problem!.fix!, `--sandbox-url ${url}`);
    const stopped = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    await stopped;
    const after = await startSandbox({ stateDir });
    await after.stop();
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
    await rm(stateDir, { recursive: true, force: true });
  }
});

test.run();
