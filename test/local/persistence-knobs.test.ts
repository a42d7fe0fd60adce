import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowsClient } from '@google-cloud/workflows';
import { gcloudOverrides, SANDBOX_APIS, startSandbox } from '../../src/local/index.ts';
import { parseSandboxArgs } from '../../src/cli/sandbox.ts';
import { UserError } from '../../src/diagnostics.ts';
import { SandboxState } from '../../src/local/state.ts';
import { call, sdkOptions, PROJECT, REGION, SOURCE } from './helpers.ts';

const dirs: string[] = [];
test.after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
  dirs.push(dir);
  return dir;
}

test('state persists across a restart over the same folder, written atomically (no temp files left)', async () => {
  const stateDir = await tempDir();
  const first = await startSandbox({ stateDir });
  await call(first, 'workflows', 'POST', `/v1/projects/${PROJECT}/locations/${REGION}/workflows?workflowId=kept`, { sourceContents: SOURCE, labels: { a: 'b' } });
  await call(first, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'kept-account' });
  const policy = await call(first, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:setIamPolicy`, { policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }] } });
  first.state.putObject('bucket-x', 'in/a.txt', 'payload');
  await first.stop();
  const files = (await readdir(stateDir, { recursive: true })).map(String);
  assert.ok(
    files.some((f) => f.startsWith('workflows/') && f.endsWith('.json')),
    'one file per record',
  );
  assert.equal(
    files.filter((f) => f.endsWith('.tmp')),
    [],
  );

  const second = await startSandbox({ stateDir });
  try {
    const workflows = await call(second, 'workflows', 'GET', `/v1/projects/${PROJECT}/locations/${REGION}/workflows`);
    assert.equal(
      workflows.body.workflows.map((w: any) => [w.name.split('/').pop(), w.labels]),
      [['kept', { a: 'b' }]],
    );
    assert.is((await call(second, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts/kept-account@${PROJECT}.iam.gserviceaccount.com`)).status, 200);
    const reread = await call(second, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:getIamPolicy`, {});
    assert.is(reread.body.etag, policy.body.etag, 'the etag survives, so a read-modify-write spanning a restart still works');
    assert.is(second.state.readObjectText('bucket-x', 'in/a.txt'), 'payload');
  } finally {
    await second.stop();
  }
});

test('a state record damaged by hand is a user error naming the file and how to start afresh', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-state-'));
  try {
    const first = await startSandbox({ stateDir: dir });
    assert.is((await call(first, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'damaged-one' })).status, 200);
    await first.stop();
    const [record] = await readdir(join(dir, 'serviceAccounts'));
    await writeFile(join(dir, 'serviceAccounts', record!), '{"key": "half a rec');
    let error: unknown;
    try {
      const second = await startSandbox({ stateDir: dir });
      await second.stop();
    } catch (e) {
      error = e;
    }
    assert.instance(error, UserError);
    const [d] = (error as UserError).diagnostics;
    assert.is(d!.file, join(dir, 'serviceAccounts', record!));
    assert.match(d!.fix!, `delete ${dir}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('what a client was told is on disk before the response arrives (a process killed after a response loses nothing)', async () => {
  const stateDir = await tempDir();
  const sandbox = await startSandbox({ stateDir });
  try {
    await call(sandbox, 'cloudscheduler', 'POST', `/v1/projects/${PROJECT}/locations/${REGION}/jobs`, {
      name: `projects/${PROJECT}/locations/${REGION}/jobs/durable`,
      schedule: '0 1 * * *',
      httpTarget: { uri: 'https://x/' },
    });
    // Read the folder while the sandbox still runs (no stop, no flush on exit). Not with a second
    // sandbox: the folder has one owner (state-lock.ts), so read the records as a restart would.
    const reader = await SandboxState.open(stateDir);
    assert.equal(Object.keys(reader.all('schedulerJobs')), [`projects/${PROJECT}/locations/${REGION}/jobs/durable`]);
  } finally {
    await sandbox.stop();
  }
});

test("injected transient errors are 503 UNAVAILABLE or 429 RESOURCE_EXHAUSTED in Google's shape, at the configured rate, reproducibly", async () => {
  const statuses = async (seed: number) => {
    const sandbox = await startSandbox({ transientErrorRate: 0.3, seed });
    try {
      const out: number[] = [];
      for (let i = 0; i < 200; i++) out.push((await call(sandbox, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts`)).status);
      const failure = await (async () => {
        for (;;) {
          const response = await call(sandbox, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts`);
          if (response.status !== 200) return response.body;
        }
      })();
      return { out, failure };
    } finally {
      await sandbox.stop();
    }
  };
  const a = await statuses(7);
  const b = await statuses(7);
  assert.equal(a.out, b.out, 'the same seed injects the same failures');
  const failures = a.out.filter((s) => s !== 200);
  assert.ok(failures.length > 35 && failures.length < 85, `about 30% of 200 requests failed (${failures.length})`);
  assert.ok(failures.every((s) => s === 503 || s === 429));
  assert.ok(failures.includes(503) && failures.includes(429));
  assert.ok(['UNAVAILABLE', 'RESOURCE_EXHAUSTED'].includes(a.failure.error.status));
});

test('a lost response: the write happens but the client is told 503, so a retried create meets ALREADY_EXISTS', async () => {
  const sandbox = await startSandbox({ lostResponseRate: 1 });
  try {
    const body = { accountId: 'lost-response', serviceAccount: { displayName: 'x' } };
    const first = await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, body);
    assert.is(first.status, 503);
    sandbox.knobs.lostResponseRate = 0;
    const retry = await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, body);
    assert.is(retry.status, 409);
  } finally {
    await sandbox.stop();
  }
});

test('latency is added per request, the counter counts per API and method, and every port lists all endpoints', async () => {
  const sandbox = await startSandbox({ latencyMs: 40 });
  const client = new WorkflowsClient(sdkOptions(sandbox, 'workflows') as any);
  try {
    const started = Date.now();
    await client.listWorkflows({ parent: `projects/${PROJECT}/locations/${REGION}` });
    await call(sandbox, 'iam', 'GET', `/v1/projects/${PROJECT}/serviceAccounts`);
    assert.ok(Date.now() - started >= 80, 'two requests take at least 2 × 40 ms');
    assert.is(sandbox.stats.total(), 2);
    assert.equal(sandbox.stats.byApi(), { workflows: 1, iam: 1 });
    assert.equal(sandbox.stats.byMethod(), { 'iam.serviceAccounts.list': 1, 'workflows.workflows.list': 1 });
    sandbox.knobs.latencyMs = 0;

    for (const api of SANDBOX_APIS) {
      const endpoints = await fetch(`${sandbox.endpoints[api]}/sandbox/endpoints`).then((r) => r.json());
      assert.equal(endpoints, { ...sandbox.endpoints }, api);
    }
    const remote: any = await fetch(`${sandbox.endpoints.iam}/sandbox/stats`).then((r) => r.json());
    assert.is(remote.total, 2, 'discovery and stats calls are not counted');
    sandbox.stats.reset();
    assert.is(sandbox.stats.total(), 0);

    const unknown = await call(sandbox, 'workflows', 'GET', '/v2/nothing/here');
    assert.is(unknown.status, 404);
    assert.is(unknown.body.error.status, 'NOT_FOUND');
  } finally {
    await client.close();
    await sandbox.stop();
  }
});

test('basePort assigns consecutive ports in API order, and gcloud override lines point at them', async () => {
  // Bases below Linux's ephemeral range, so ports other tests got from the OS do not collide; a
  // base whose ports are taken fails to start (and releases what it bound), so try a few.
  let sandbox: Awaited<ReturnType<typeof startSandbox>> | undefined;
  for (let attempt = 0; attempt < 10 && !sandbox; attempt++) {
    sandbox = await startSandbox({ basePort: 20000 + Math.floor(Math.random() * 10000) }).catch(() => undefined);
  }
  if (!sandbox) throw new Error('no free run of 10 ports found');
  try {
    const base = sandbox.ports.workflows;
    assert.equal(
      SANDBOX_APIS.map((api) => sandbox!.ports[api]),
      SANDBOX_APIS.map((_, i) => base + i),
    );
    assert.is(sandbox.endpoints.batch, `http://127.0.0.1:${base + 6}`);
    const lines = gcloudOverrides(sandbox);
    assert.is(lines.find((l) => l.api === 'cloudscheduler')!.command, `gcloud config set api_endpoint_overrides/cloudscheduler http://127.0.0.1:${base + 3}/`);
  } finally {
    await sandbox.stop();
  }
});

test('the sandbox command reads its flags and refuses bad ones', () => {
  const options = parseSandboxArgs(['--port', '4100', '--state=/tmp/x', '--latency-ms', '50', '--error-rate', '0.2', '--pubsub-emulator']);
  assert.is(options.basePort, 4100);
  assert.is(options.stateDir, '/tmp/x');
  assert.is(options.latencyMs, 50);
  assert.is(options.transientErrorRate, 0.2);
  assert.is(options.usePubSubEmulator, true);
  assert.match(parseSandboxArgs([]).stateDir!, /\.sandbox\/?$/);
  assert.throws(() => parseSandboxArgs(['--port', 'abc']), /--port needs a number/);
  assert.throws(() => parseSandboxArgs(['--error-rate', '2']), /--error-rate/);
  assert.throws(() => parseSandboxArgs(['--what']), /unknown option/);
});

test.run();
