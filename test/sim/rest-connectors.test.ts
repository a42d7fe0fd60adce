/**
 * The REST connectors against a small Google-shaped server on 127.0.0.1: Batch create/poll/fail/409,
 * Pub/Sub publish, Secret Manager access, http.* with the loopback guard, and a refused connection.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { restConnectors } from '../../src/sim/connectors/rest.ts';
import { parseWorkflow, runWorkflow } from '../../src/sim/index.ts';

type Job = { name: string; status: { state: string; statusEvents: { description: string }[] }; polls: number; fail: boolean };

const Rest = suite('REST connectors');
let server: Server;
let base = '';
const jobs = new Map<string, Job>();
const published: unknown[] = [];
const requests: string[] = [];

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

Rest.before(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const create = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/jobs$/.exec(url.pathname);
    if (create && req.method === 'POST') {
      const body = await bodyOf(req);
      const name = `${create[1]}/jobs/${url.searchParams.get('job_id')}`;
      if (jobs.has(name)) return send(res, 409, { error: { code: 409, message: `Job ${name} already exists`, status: 'ALREADY_EXISTS' } });
      const job: Job = { name, status: { state: 'QUEUED', statusEvents: [] }, polls: 0, fail: body?.labels?.outcome === 'fail' };
      jobs.set(name, job);
      return send(res, 200, { name, status: job.status });
    }
    const get = /^\/v1\/(projects\/.+\/jobs\/[^/]+)$/.exec(url.pathname);
    if (get && req.method === 'GET') {
      const job = jobs.get(get[1]!);
      if (!job) return send(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
      job.polls++;
      if (job.polls >= 2) job.status = job.fail ? { state: 'FAILED', statusEvents: [{ description: 'task 0 exited with code 2' }] } : { state: 'SUCCEEDED', statusEvents: [] };
      else job.status = { state: 'RUNNING', statusEvents: [] };
      return send(res, 200, { name: job.name, status: job.status });
    }
    const publish = /^\/v1\/(projects\/[^/]+\/topics\/[^/:]+):publish$/.exec(url.pathname);
    if (publish && req.method === 'POST') {
      if (publish[1]!.endsWith('/missing')) return send(res, 404, { error: { code: 404, message: 'Topic not found', status: 'NOT_FOUND' } });
      published.push({ topic: publish[1], ...(await bodyOf(req)) });
      return send(res, 200, { messageIds: [String(published.length)] });
    }
    const secret = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/latest:access$/.exec(url.pathname);
    if (secret) return send(res, 200, { name: url.pathname, payload: { data: Buffer.from(`value-of-${secret[2]}`).toString('base64') } });
    if (url.pathname === '/echo') return send(res, 200, { method: req.method, q: url.searchParams.get('q'), body: await bodyOf(req) });
    return send(res, 404, { error: { code: 404, message: 'no route', status: 'NOT_FOUND' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

Rest.after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function connectors() {
  return restConnectors({ batch: base, pubsub: base, secretManager: base }, { pollIntervalMs: 5 });
}

const createJob = (jobId: string, outcome = 'ok') => `
- create:
    call: googleapis.batch.v1.projects.locations.jobs.create
    args:
      parent: projects/p/locations/l
      jobId: ${jobId}
      body:
        labels:
          outcome: ${outcome}
    result: job
- r:
    return: \${job.status.state}
`;

Rest('Batch create posts the job, polls it to SUCCEEDED and returns the final job', async () => {
  const run = await runWorkflow(parseWorkflow(createJob('ok-1')), { connectors: connectors() });
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is(run.result, 'SUCCEEDED');
  assert.ok(requests.includes('POST /v1/projects/p/locations/l/jobs?job_id=ok-1'));
  assert.is(requests.filter((r) => r === 'GET /v1/projects/p/locations/l/jobs/ok-1').length, 2);
});

Rest('a FAILED job raises OperationError with the job as operation', async () => {
  const run = await runWorkflow(parseWorkflow(createJob('bad-1', 'fail')), { connectors: connectors() });
  assert.is(run.state, 'FAILED');
  const e = run.error as any;
  assert.equal(e.tags, ['OperationError']);
  assert.is(e.operation.status.state, 'FAILED');
  assert.match(e.message, 'task 0 exited with code 2');
});

Rest("an existing job id is an HttpError 409 carrying Google's error body", async () => {
  await runWorkflow(parseWorkflow(createJob('dup-1')), { connectors: connectors() });
  const run = await runWorkflow(parseWorkflow(createJob('dup-1')), { connectors: connectors() });
  const e = run.error as any;
  assert.equal(e.tags, ['HttpError']);
  assert.is(e.code, 409);
  assert.is(e.body.error.status, 'ALREADY_EXISTS');
});

Rest('Pub/Sub publish and Secret Manager accessString go to their REST paths', async () => {
  const w = parseWorkflow(`
- secret:
    call: googleapis.secretmanager.v1.projects.secrets.versions.accessString
    args:
      secret_id: hook
      project_id: p
    result: s
- pub:
    call: googleapis.pubsub.v1.projects.topics.publish
    args:
      topic: projects/p/topics/t
      body:
        messages:
          - data: \${base64.encode(text.encode(s))}
            attributes:
              k: v
    result: res
- r:
    return: \${res.messageIds}
`);
  const run = await runWorkflow(w, { connectors: connectors() });
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.equal(run.result, [String(published.length)]);
  assert.equal(published.at(-1), { topic: 'projects/p/topics/t', messages: [{ data: Buffer.from('value-of-hook').toString('base64'), attributes: { k: 'v' } }] });
});

Rest('publishing to a missing topic is an HttpError 404', async () => {
  const w = parseWorkflow(`
- pub:
    call: googleapis.pubsub.v1.projects.topics.publish
    args: { topic: projects/p/topics/missing, body: { messages: [{ data: eA== }] } }
`);
  const run = await runWorkflow(w, { connectors: connectors() });
  assert.is((run.error as any).code, 404);
});

Rest('http.post sends JSON and query parameters to loopback hosts', async () => {
  const w = parseWorkflow(`
- post:
    call: http.post
    args:
      url: ${base}/echo
      query:
        q: a b
      body:
        n: 1
    result: res
- r:
    return: \${res}
`);
  const run = await runWorkflow(w, { connectors: connectors() });
  assert.is(run.state, 'SUCCEEDED', JSON.stringify(run.error));
  assert.is((run.result as any).code, 200);
  assert.equal((run.result as any).body, { method: 'POST', q: 'a b', body: { n: 1 } });
});

Rest('http.* refuses hosts other than loopback, so a simulation never reaches the internet', async () => {
  const w = parseWorkflow(`
- get:
    call: http.get
    args:
      url: https://example.com/
`);
  const run = await runWorkflow(w, { connectors: connectors() });
  assert.equal((run.error as any).tags, ['ConnectionFailedError']);
  assert.match((run.error as any).message, 'does not reach example.com');
});

Rest('a refused connection is a ConnectionFailedError', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const run = await runWorkflow(parseWorkflow(createJob('x')), { connectors: restConnectors({ batch: `http://127.0.0.1:${port}` }) });
  assert.equal((run.error as any).tags, ['ConnectionFailedError']);
});

Rest.run();
