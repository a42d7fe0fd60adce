/**
 * The sandbox's state folder has one owner: a second sandbox over it refuses, naming the running
 * one's URL; a lock left by a process that died is taken over; stop() releases it. In-process here;
 * against `npm run sandbox` in a child process: state-lock.e2e.test.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../src/local/index.ts';
import { OWNER_FILE } from '../../src/local/state-lock.ts';
import { refusedSandbox as refused } from './helpers.ts';

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

test.run();
