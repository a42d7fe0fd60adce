/**
 * The sandbox's state folder has one owner, against `npm run sandbox` in a child process: a sandbox
 * over its folder (as `plan --target sandbox` starts one) refuses with its URL; after it stops, one starts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../../src/local/index.ts';
import { refusedSandbox as refused } from './helpers.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

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
