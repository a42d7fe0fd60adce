/**
 * The product's two identities against the enforcing sandbox, after a real plan + apply of the
 * example layout: each may do what the workflows or the Batch containers do, and nothing else
 * (issue 9 item 4). Requests carry the sandbox token of the identity (`sandbox:<member>`), as the
 * workflow's connectors and the Batch agent would present theirs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planAndApply } from '../../src/apply/index.ts';
import { authHeaders, type SandboxApi } from '../../src/local/index.ts';
import { DEV, client, documentsFor } from '../plan/fake-cloud.ts';
import { addClientSecret, assertApplied, quickClock, withSandbox, type SandboxEnv } from './sandbox-env.ts';

const ORCHESTRATOR = `serviceAccount:scoring@${DEV.project}.iam.gserviceaccount.com`;
const WORKER = `serviceAccount:scoring-worker@${DEV.project}.iam.gserviceaccount.com`;
const email = (member: string) => member.replace(/^serviceAccount:/, '');
const JOBS = `/v1/projects/${DEV.project}/locations/${DEV.region}/jobs`;

async function as(env: SandboxEnv, member: string, api: SandboxApi, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${env.sandbox.endpoints[api]}${path}`, {
    method,
    headers: { ...authHeaders(member), ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  await response.arrayBuffer();
  return response.status;
}

const object = (name: string) => `/storage/v1/b/${DEV.bucket}/o/${encodeURIComponent(name)}?alt=media`;
const upload = (name: string) => `/upload/storage/v1/b/${DEV.bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`;
const publish = (c: string) => `/v1/projects/${DEV.project}/topics/batch-scoring-${c}-outputs:publish`;
const message = { messages: [{ data: Buffer.from('{"state":"SUCCEEDED"}').toString('base64') }] };
const job = (serviceAccount: string) => ({
  taskGroups: [{ taskSpec: { runnables: [{ container: { imageUri: 'europe-west1-docker.pkg.dev/p/r/app:1' } }] } }],
  allocationPolicy: { serviceAccount: { email: email(serviceAccount) } },
});

test('orchestrator and worker: each may do what it uses, on the narrowest resource, and nothing more', async () => {
  await withSandbox({}, async (env) => {
    addClientSecret(env.sandbox, 'acme-slack', 'https://hooks.slack.com/services/T/B/acme', 'acme-corp');
    const clients = [client('acme-corp', { notify: [{ type: 'slack', secret: 'acme-slack', on: 'failure' }] }), client('globex-inc')];
    const outcome = await planAndApply({ documents: documentsFor(clients), apis: env.apis, clock: quickClock });
    assertApplied(outcome);
    env.sandbox.state.putObject(DEV.bucket, 'scoring/acme-corp/inputs/a.jsonl', '{"id":1}\n');
    const secret = `/v1/projects/${DEV.project}/secrets/acme-slack/versions/latest:access`;

    const worker = {
      readsInput: await as(env, WORKER, 'storage', 'GET', object('scoring/acme-corp/inputs/a.jsonl')),
      listsInputs: await as(env, WORKER, 'storage', 'GET', `/storage/v1/b/${DEV.bucket}/o?prefix=${encodeURIComponent('scoring/acme-corp/inputs/')}`),
      writesOutput: await as(env, WORKER, 'storage', 'POST', upload('scoring/acme-corp/outputs/a.jsonl'), '{"score":1}\n'),
      writesInput: await as(env, WORKER, 'storage', 'POST', upload('scoring/acme-corp/inputs/loop.jsonl'), 'x'),
      readsSettings: await as(env, WORKER, 'storage', 'GET', object('scoring/_settings/acme-corp.json')),
      writesSettings: await as(env, WORKER, 'storage', 'POST', upload('scoring/_settings/acme-corp.json'), '{"batch":{"taskCount":10000}}'),
      readsSecret: await as(env, WORKER, 'secretmanager', 'GET', secret),
      publishes: await as(env, WORKER, 'pubsub', 'POST', publish('acme-corp'), message),
      startsJob: await as(env, WORKER, 'batch', 'POST', `${JOBS}?jobId=w1`, job(WORKER)),
    };
    assert.equal(worker, { readsInput: 200, listsInputs: 200, writesOutput: 200, writesInput: 403, readsSettings: 403, writesSettings: 403, readsSecret: 403, publishes: 403, startsJob: 403 });

    const orchestrator = {
      readsSettings: await as(env, ORCHESTRATOR, 'storage', 'GET', object('scoring/_settings/acme-corp.json')),
      writesSettings: await as(env, ORCHESTRATOR, 'storage', 'POST', upload('scoring/_settings/acme-corp.json'), '{}'),
      readsInput: await as(env, ORCHESTRATOR, 'storage', 'GET', object('scoring/acme-corp/inputs/a.jsonl')),
      readsSecret: await as(env, ORCHESTRATOR, 'secretmanager', 'GET', secret),
      publishesToClientTopic: await as(env, ORCHESTRATOR, 'pubsub', 'POST', publish('acme-corp'), message),
      startsJobAsWorker: await as(env, ORCHESTRATOR, 'batch', 'POST', `${JOBS}?jobId=o1`, job(WORKER)),
      startsJobAsClient: await as(env, ORCHESTRATOR, 'batch', 'POST', `${JOBS}?jobId=o2`, job(`serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`)),
      startsJobAsItself: await as(env, ORCHESTRATOR, 'batch', 'POST', `${JOBS}?jobId=o3`, job(ORCHESTRATOR)),
    };
    assert.equal(orchestrator, {
      readsSettings: 200,
      writesSettings: 403,
      readsInput: 403,
      readsSecret: 200,
      publishesToClientTopic: 200,
      startsJobAsWorker: 200,
      startsJobAsClient: 403,
      startsJobAsItself: 403,
    });
  });
});

test.run();
