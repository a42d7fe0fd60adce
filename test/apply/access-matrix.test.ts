/**
 * The access matrix of issue 9: who may do what once the example product (generated/dev) is applied
 * to the enforcing sandbox. One test per row, so a failure names its row. Every request is plain REST
 * with the caller's bearer token (`sandbox:<member>`, or a token minted by IAM Credentials
 * generateAccessToken for an uploader impersonating a client), as gcloud and the SDKs send it.
 *
 * The documents are generate's own output for the example sources, in a scratch project whose client
 * files add what the example leaves out and the matrix needs: an uploader the sandbox can call as
 * (the example's are a group and a workload-identity attribute set, which stand for callers the
 * sandbox cannot model) and a subscriber for globex-retail. A first row checks that they are
 * generated/dev plus exactly these members.
 *
 * ACCESS_MATRIX_GENERATED=<a generated/ folder> runs the matrix against that folder's dev documents
 * instead (e.g. an older commit's, `git archive <commit> generated | tar -x -C <dir>`), to show which
 * rows an older policy set fails.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import { tokenFor, type SandboxApi } from '../../src/local/index.ts';
import { projectNumber } from '../../src/local/apis/resource-manager.ts';
import { WORKFLOW_ENV } from '../../src/config/runtime-env.ts';
import type { ResourceDocument, WorkflowResource } from '../../src/resources/types.ts';
import { eventually } from '../support/eventually.ts';
import { scratchCliProject } from './scratch-project.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const legacyGenerated = process.env.ACCESS_MATRIX_GENERATED;

/** What the test client files add to clients/*.json (uploaders and subscribers are appended). */
const EXTRA: Record<string, { uploaders?: string[]; subscribers?: string[] }> = {
  'acme-corp': { uploaders: ['user:uploader@acme.example.com'] },
  'globex-retail': { uploaders: ['user:uploader@globex.example.com'], subscribers: ['serviceAccount:status-reader@globex-ops-5512.iam.gserviceaccount.com'] },
};
/** The subscribers the rows use: the example's own for acme-corp, the test's for globex-retail. */
const SUBSCRIBER: Record<string, string> = {
  'acme-corp': 'serviceAccount:status-reader@acme-ops-3321.iam.gserviceaccount.com',
  'globex-retail': EXTRA['globex-retail']!.subscribers![0]!,
};
const CLIENTS = ['acme-corp', 'globex-retail'] as const;
const other = (c: string) => CLIENTS.find((x) => x !== c)!;

let deployment: LocalDeployment;
let scratch: string | undefined;

// ---- the deployment's names, read from its documents (nothing hard-coded that generate decides) ----
const productDoc = () => deployment.product;
const P = () => productDoc().product;
const PROJECT = () => productDoc().project;
const workflowOf = (source: string) => productDoc().resources.find((r): r is WorkflowResource => r.kind === 'Workflow' && r.sourceFile === `workflows/${source}.yaml`)!;
const email = (ref: string) => ref.replace(/^projects\/[^/]+\/serviceAccounts\//, '').replace(/^serviceAccount:/, '');
const orchestrator = () => `serviceAccount:${email(workflowOf('batch-inference').serviceAccount)}`;
const worker = () => `serviceAccount:${workflowOf('batch-inference').userEnvVars[WORKFLOW_ENV.jobServiceAccount]!}`;
const clientDoc = (c: string) => deployment.documents.find((d) => d.client === c)!;
const clientAccount = (c: string) => {
  const sa = clientDoc(c).resources.find((r) => r.kind === 'ServiceAccount');
  return `serviceAccount:${(sa as { email: string }).email}`;
};
const topicOf = (c: string) => (clientDoc(c).resources.find((r) => r.kind === 'Topic') as { name: string }).name;
const defaultCompute = () => `serviceAccount:${projectNumber(PROJECT())}-compute@developer.gserviceaccount.com`;
/** Every account one might act as: the product's, the clients', and the Compute Engine default (what a job without one runs as). */
const everyAccount = () => [orchestrator(), worker(), ...CLIENTS.map(clientAccount), defaultCompute()];

// ---- requests as a caller ----
interface Reply {
  readonly status: number;
  readonly text: string;
}
async function call(token: string, api: SandboxApi, method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${deployment.sandbox.endpoints[api]}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : { 'content-type': 'application/jsonl' }) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text() };
}
const objectPath = (name: string) => `/storage/v1/b/${deployment.bucket}/o/${encodeURIComponent(name)}?alt=media`;
const uploadPath = (name: string) => `/upload/storage/v1/b/${deployment.bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`;
const listPath = (prefix: string) => `/storage/v1/b/${deployment.bucket}/o?prefix=${encodeURIComponent(prefix)}`;
const inFolder = (c: string, rest: string) => `${P()}/${c}/${rest}`;
const settings = (c: string) => `${P()}/_settings/${c}.json`;
const message = { messages: [{ data: Buffer.from('{"state":"SUCCEEDED"}').toString('base64'), attributes: { job_state: 'SUCCEEDED' } }] };
const batchJob = (account: string | undefined) => ({
  taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: workflowOf('batch-inference').userEnvVars[WORKFLOW_ENV.image]! } }] } }],
  ...(account ? { allocationPolicy: { serviceAccount: { email: email(account) } } } : {}),
});
const jobsPath = (id: string) => `/v1/projects/${PROJECT()}/locations/${productDoc().region}/jobs?jobId=${id}`;
let jobCounter = 0;
const nextJobId = (who: string) => `matrix-${who}-${++jobCounter}`;

function allowed(reply: Reply, what: string): void {
  assert.is(reply.status, 200, `${what}: expected 200, got ${reply.status} ${reply.text.slice(0, 400)}`);
}
/** Refused as Google refuses: 403 naming the missing permission (not a 404 or a 400 that proves nothing). */
function refused(reply: Reply, permission: string, what: string): void {
  assert.is(reply.status, 403, `${what}: expected 403 (${permission}), got ${reply.status} ${reply.text.slice(0, 400)}`);
  assert.ok(reply.text.toLowerCase().includes(permission.toLowerCase()), `${what}: the 403 names ${permission}: ${reply.text.slice(0, 400)}`);
}

async function mintToken(callerToken: string, account: string): Promise<Reply> {
  return call(callerToken, 'iamcredentials', 'POST', `/v1/projects/-/serviceAccounts/${email(account)}:generateAccessToken`, { scope: ['https://www.googleapis.com/auth/cloud-platform'] });
}

/** A client as the matrix calls it: its own service account, or an uploader impersonating it (no key). */
interface Actor {
  readonly label: string;
  token(): Promise<string>;
}
function actorsOf(c: string): Actor[] {
  const uploader = (EXTRA[c]!.uploaders ?? [])[0]!;
  return [
    { label: `${c} as its own service account`, token: async () => tokenFor(clientAccount(c)) },
    {
      label: `${c} as an uploader (${uploader}) impersonating it`,
      token: async () => {
        const minted = await mintToken(tokenFor(uploader), clientAccount(c));
        assert.is(minted.status, 200, `${uploader} cannot impersonate ${email(clientAccount(c))} (generateAccessToken): ${minted.status} ${minted.text.slice(0, 300)}`);
        return JSON.parse(minted.text).accessToken as string;
      },
    },
  ];
}

// ---- the scratch project: the example's sources, with the test client files ----
async function testDocuments(): Promise<ResourceDocument[]> {
  if (legacyGenerated) return loadDocuments(legacyGenerated, 'dev');
  const clients = [];
  for (const file of (await readdir(join(repo, 'clients'))).filter((f) => f.endsWith('.json'))) {
    const json = JSON.parse(await readFile(join(repo, 'clients', file), 'utf8'));
    const extra = EXTRA[json.name] ?? {};
    for (const field of ['uploaders', 'subscribers'] as const) if (extra[field]) json[field] = [...(json[field] ?? []), ...extra[field]!];
    delete json.$schema;
    clients.push(json);
  }
  scratch = await scratchCliProject('bw-matrix-', clients);
  return loadDocuments(join(scratch, 'generated'), 'dev');
}

/** The documents without the members the test client files added. */
function withoutTestMembers(documents: readonly ResourceDocument[]): unknown {
  const added = new Set(Object.values(EXTRA).flatMap((e) => [...(e.uploaders ?? []), ...(e.subscribers ?? [])]));
  return documents.map((d) => ({
    ...d,
    resources: d.resources.flatMap((r): unknown[] => {
      if (r.kind !== 'ResourcePolicy') return [r];
      const bindings = Object.fromEntries(
        Object.entries(r.bindings)
          .map(([role, members]) => [role, (members ?? []).filter((m) => !added.has(m))] as const)
          .filter(([, members]) => members.length > 0),
      );
      return Object.keys(bindings).length > 0 ? [{ ...r, bindings }] : [];
    }),
  }));
}

test.before(async () => {
  deployment = await deployLocally({ documents: await testDocuments(), usePubSubEmulator: false });
  const { sandbox, bucket } = deployment;
  // Objects each client already has (seeded into state, so no trigger fires for them).
  for (const c of CLIENTS) {
    sandbox.state.putObject(bucket, inFolder(c, 'inputs/seed.jsonl'), '{"id": 0}\n', 'application/jsonl');
    sandbox.state.putObject(bucket, inFolder(c, 'outputs/seed.jsonl'), '{"ID": 0}\n', 'application/jsonl');
  }
  // Each subscriber's own project lets it create subscriptions there (the client sets this up, not us).
  for (const c of CLIENTS) {
    const member = SUBSCRIBER[c]!;
    const project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(member)![1]!;
    await deployment.apis.projectIam.setPolicy(project, {
      version: 3,
      etag: (await deployment.apis.projectIam.getPolicy(project)).etag,
      bindings: [{ role: 'roles/pubsub.editor', members: [member] }],
    });
  }
});

test.after(async () => {
  await deployment?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('the example product is applied whole, and the matrix runs generated/dev (plus only the test uploaders and subscribers)', async () => {
  assert.ok(deployment.applied.status === 'applied' && deployment.applied.result.ok, 'apply succeeded');
  assert.ok(deployment.converged, 'a second plan finds nothing to do');
  if (!legacyGenerated) assert.equal(withoutTestMembers(deployment.documents), withoutTestMembers(await loadDocuments(projectLayout(repo).generatedDir, 'dev')));
});

// ---- each client, as itself and as an uploader impersonating it ----
for (const c of CLIENTS) {
  for (const actor of actorsOf(c)) {
    const o = other(c);
    const slug = actor.label.includes('uploader') ? 'uploader' : 'self';
    test(`${actor.label}: may upload to its own inputs/`, async () => {
      const name = inFolder(c, `inputs/matrix-${slug}.jsonl`);
      allowed(await call(await actor.token(), 'storage', 'POST', uploadPath(name), '{"id": 1}\n'), `upload ${name}`);
      assert.ok(deployment.sandbox.state.getObject(deployment.bucket, name), 'the object exists');
    });
    test(`${actor.label}: may read its own folder (inputs/ and outputs/)`, async () => {
      const token = await actor.token();
      for (const rest of ['inputs/seed.jsonl', 'outputs/seed.jsonl']) allowed(await call(token, 'storage', 'GET', objectPath(inFolder(c, rest))), `read ${inFolder(c, rest)}`);
    });
    test(`${actor.label}: may list its own folder`, async () => {
      const reply = await call(await actor.token(), 'storage', 'GET', listPath(`${P()}/${c}/`));
      allowed(reply, `list ${P()}/${c}/`);
      const names = (JSON.parse(reply.text).items ?? []).map((i: { name: string }) => i.name);
      assert.ok(names.includes(inFolder(c, 'inputs/seed.jsonl')) && names.includes(inFolder(c, 'outputs/seed.jsonl')), JSON.stringify(names));
    });
    test(`${actor.label}: may not write to its own outputs/`, async () => {
      const name = inFolder(c, `outputs/forged-${slug}.jsonl`);
      refused(await call(await actor.token(), 'storage', 'POST', uploadPath(name), '{"forged": true}\n'), 'storage.objects.create', `upload ${name}`);
      assert.not.ok(deployment.sandbox.state.getObject(deployment.bucket, name));
    });
    test(`${actor.label}: may not read ${o}'s folder`, async () => {
      const token = await actor.token();
      for (const rest of ['inputs/seed.jsonl', 'outputs/seed.jsonl']) refused(await call(token, 'storage', 'GET', objectPath(inFolder(o, rest))), 'storage.objects.get', `read ${inFolder(o, rest)}`);
    });
    test(`${actor.label}: may not list ${o}'s folder (nor the product folder or the bucket, which hold it)`, async () => {
      const token = await actor.token();
      for (const prefix of [`${P()}/${o}/`, `${P()}/`, '']) refused(await call(token, 'storage', 'GET', listPath(prefix)), 'storage.objects.list', `list "${prefix}"`);
    });
    test(`${actor.label}: may not write to ${o}'s folder`, async () => {
      const token = await actor.token();
      for (const rest of [`inputs/from-${c}-${slug}.jsonl`, `outputs/from-${c}-${slug}.jsonl`]) {
        refused(await call(token, 'storage', 'POST', uploadPath(inFolder(o, rest)), '{"id": 1}\n'), 'storage.objects.create', `upload ${inFolder(o, rest)}`);
        assert.not.ok(deployment.sandbox.state.getObject(deployment.bucket, inFolder(o, rest)));
      }
    });
    test(`${actor.label}: may not read _settings/ (its own or ${o}'s)`, async () => {
      const token = await actor.token();
      for (const name of [settings(c), settings(o)]) refused(await call(token, 'storage', 'GET', objectPath(name)), 'storage.objects.get', `read ${name}`);
    });
    test(`${actor.label}: may not publish to any topic`, async () => {
      const token = await actor.token();
      for (const t of CLIENTS.map(topicOf)) refused(await call(token, 'pubsub', 'POST', `/v1/${t}:publish`, message), 'pubsub.topics.publish', `publish to ${t}`);
    });
  }
}

// ---- subscribers ----
for (const c of CLIENTS) {
  const subscriber = SUBSCRIBER[c]!;
  const project = () => /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(subscriber)![1]!;
  test(`${c}'s subscriber (${subscriber}) may attach a subscription to ${c}'s topic`, async () => {
    const name = `projects/${project()}/subscriptions/matrix-${c}`;
    allowed(await call(tokenFor(subscriber), 'pubsub', 'PUT', `/v1/${name}`, { topic: topicOf(c) }), `create ${name}`);
    assert.ok(deployment.sandbox.state.get('subscriptions', name), 'the subscription exists');
  });
  test(`${c}'s subscriber may not attach a subscription to ${other(c)}'s topic`, async () => {
    const name = `projects/${project()}/subscriptions/matrix-${c}-to-${other(c)}`;
    refused(await call(tokenFor(subscriber), 'pubsub', 'PUT', `/v1/${name}`, { topic: topicOf(other(c)) }), 'pubsub.topics.attachSubscription', `create ${name}`);
    assert.not.ok(deployment.sandbox.state.get('subscriptions', name));
  });
}

// ---- the worker (what the Batch containers run as) ----
for (const c of CLIENTS) {
  test(`the worker may read ${c}'s inputs`, async () => {
    allowed(await call(tokenFor(worker()), 'storage', 'GET', objectPath(inFolder(c, 'inputs/seed.jsonl'))), 'read input');
    allowed(await call(tokenFor(worker()), 'storage', 'GET', listPath(`${P()}/${c}/inputs/`)), 'list inputs');
  });
  test(`the worker may write ${c}'s outputs`, async () => {
    const name = inFolder(c, 'outputs/worker.jsonl');
    allowed(await call(tokenFor(worker()), 'storage', 'POST', uploadPath(name), '{"SCORE": 1}\n'), `upload ${name}`);
  });
}
test("the worker may not write _settings/ (overwrite a client's settings, or add one)", async () => {
  for (const name of [settings('acme-corp'), `${P()}/_settings/new-client.json`]) {
    refused(await call(tokenFor(worker()), 'storage', 'POST', uploadPath(name), '{"batch": {"taskCount": 10000}}'), 'storage.objects.create', `upload ${name}`);
  }
});
test('the worker may not read secrets (any notification secret)', async () => {
  assert.ok(deployment.secrets.length > 0, 'the example names notification secrets');
  for (const s of deployment.secrets) refused(await call(tokenFor(worker()), 'secretmanager', 'GET', `/v1/${s}/versions/latest:access`), 'secretmanager.versions.access', `access ${s}`);
});
test('the worker may not act as any account: no token for any (generateAccessToken)', async () => {
  for (const account of everyAccount()) refused(await mintToken(tokenFor(worker()), account), 'iam.serviceAccounts.getAccessToken', `token for ${account}`);
});
test('the worker may not act as any account: attaching itself or another to a Batch job or a workflow is refused', async () => {
  const workflows = `/v1/projects/${PROJECT()}/locations/${productDoc().region}/workflows`;
  for (const account of [...everyAccount(), undefined]) {
    const reply = await call(tokenFor(worker()), 'batch', 'POST', jobsPath(nextJobId('worker')), batchJob(account));
    assert.is(reply.status, 403, `Batch job as ${account ?? 'the default account'}: ${reply.status} ${reply.text.slice(0, 300)}`);
    const wf = await call(tokenFor(worker()), 'workflows', 'POST', `${workflows}?workflowId=matrix-w${++jobCounter}`, {
      sourceContents: 'main:\n  steps:\n    - done:\n        return: 1\n',
      ...(account ? { serviceAccount: email(account) } : {}),
    });
    assert.is(wf.status, 403, `workflow as ${account ?? 'the default account'}: ${wf.status} ${wf.text.slice(0, 300)}`);
  }
});

// ---- the orchestrator (the workflows, their triggers and scheduler jobs) ----
const executionOf = (source: string, has: (argument: string) => boolean) => () => {
  const found = deployment.sandbox.state.executions(workflowOf(source).name).find((e) => has(String(e.argument ?? '')));
  return found && found.state !== 'ACTIVE' ? found : undefined;
};
/** The status message an execution published (its data names the execution id). */
const statusOf = (execution: Record<string, any>, topic: string) => deployment.sandbox.state.topicMessages(topic).find((m) => m.data.includes(`"${String(execution.name).split('/').pop()}"`));
test('the orchestrator runs batch-inference end to end, started by an upload through the Storage API: SUCCEEDED, output written, status message published', async () => {
  const { sandbox, bucket } = deployment;
  const name = inFolder('acme-corp', 'inputs/matrix-run.jsonl');
  // Uploaded by the operator, so this row depends on the orchestrator's grants only.
  const upload = await fetch(`${sandbox.endpoints.storage}${uploadPath(name)}`, { method: 'POST', headers: { 'content-type': 'application/jsonl' }, body: '{"id": 7, "text": "matrix"}\n' });
  assert.is(upload.status, 200, await upload.text());
  const execution = await eventually(
    executionOf('batch-inference', (a) => a.includes('matrix-run.jsonl')),
    'the batch-inference execution',
  );
  assert.is(execution.state, 'SUCCEEDED', JSON.stringify(execution.error ?? execution));
  assert.is(sandbox.state.readObjectText(bucket, inFolder('acme-corp', 'outputs/matrix-run.jsonl')), '{"ID": 7, "TEXT": "MATRIX"}\n');
  const status = await eventually(() => statusOf(execution, topicOf('acme-corp')), "the run's status message on acme-corp's topic");
  assert.ok(status.data.includes('matrix-run.jsonl'), status.data);
  assert.is(status.attributes.job_state, 'SUCCEEDED', status.data);
});
test('the orchestrator runs batch-scheduled end to end, started by a Cloud Scheduler jobs:run: SUCCEEDED, status message published', async () => {
  const { sandbox } = deployment;
  const job = deployment.documents.flatMap((d) => d.resources).find((r) => r.kind === 'SchedulerJob') as { name: string } | undefined;
  assert.ok(job, 'the example schedules a client');
  const scheduled = deployment.documents.find((d) => d.resources.includes(job as never))!.client!;
  const run = await fetch(`${sandbox.endpoints.cloudscheduler}/v1/${job.name}:run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.is(run.status, 200, await run.text());
  const execution = await eventually(
    executionOf('batch-scheduled', (a) => a.includes(scheduled)),
    'the batch-scheduled execution',
  );
  assert.is(execution.state, 'SUCCEEDED', JSON.stringify(execution.error ?? execution));
  // Matched by execution id: the client uploads of the rows above publish on this topic too.
  const status = await eventually(() => statusOf(execution, topicOf(scheduled)), "the scheduled run's status message");
  assert.is(status.attributes.job_state, 'SUCCEEDED', status.data);
});
test('the orchestrator may attach the worker to a Batch job', async () => {
  allowed(await call(tokenFor(orchestrator()), 'batch', 'POST', jobsPath(nextJobId('orchestrator')), batchJob(worker())), 'Batch job as the worker');
});
test('the orchestrator may not act as any account other than the worker: a Batch job as itself, a client or the Compute default is refused (iam.serviceAccounts.actAs)', async () => {
  for (const account of [...everyAccount().filter((a) => a !== worker()), undefined]) {
    refused(
      await call(tokenFor(orchestrator()), 'batch', 'POST', jobsPath(nextJobId('orchestrator')), batchJob(account)),
      'iam.serviceAccounts.actAs',
      `Batch job as ${account ?? 'the default account'}`,
    );
  }
});
test('the orchestrator may not act as any account: no token for any (generateAccessToken)', async () => {
  for (const account of everyAccount()) refused(await mintToken(tokenFor(orchestrator()), account), 'iam.serviceAccounts.getAccessToken', `token for ${account}`);
});

test.run();
