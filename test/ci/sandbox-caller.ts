/**
 * Calls to the sandbox as a given principal: a forwarding proxy per API on 127.0.0.1 that adds the
 * caller's sandbox token (`Authorization: Bearer sandbox:<member>`), since the adapters send no
 * credentials to a sandbox; and grants made as the operator, on the project and the product bucket.
 */
import * as assert from 'uvu/assert';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalDeployment } from '../../src/cli/local-deployment.ts';
import { createCloudApis, SANDBOX_APIS, type GcpCloudApis, type SandboxApi } from '../../src/gcp/index.ts';
import { tokenFor } from '../../src/local/index.ts';
import type { Grants } from './identities.ts';

/** One proxy per API that adds `Authorization: Bearer sandbox:<member>` and forwards to the sandbox. */
export async function asCaller(target: Readonly<Record<SandboxApi, string>>, member: string): Promise<{ endpoints: Record<SandboxApi, string>; close(): Promise<void> }> {
  const servers: Server[] = [];
  const endpoints = {} as Record<SandboxApi, string>;
  for (const api of SANDBOX_APIS) {
    const upstream = new URL(target[api]);
    const server = createServer((req, res) => {
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, authorization: `Bearer ${tokenFor(member)}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => res.writeHead(502).end(error.message));
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    endpoints[api] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    endpoints,
    close: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        await new Promise<void>((done) => s.close(() => done()));
      }
    },
  };
}

export async function withCaller<T>(deployment: LocalDeployment, member: string, body: (apis: GcpCloudApis) => Promise<T>): Promise<T> {
  const proxy = await asCaller(deployment.sandbox.endpoints, member);
  const apis = createCloudApis({ kind: 'sandbox', endpoints: proxy.endpoints, pubsub: 'sandbox' }, { projectId: deployment.product.project });
  try {
    return await body(apis);
  } finally {
    await apis.close();
    await proxy.close();
  }
}

/** Grants `member` these roles on the project and on the product bucket, as the operator. */
export async function grant(deployment: LocalDeployment, member: string, grants: Grants): Promise<void> {
  const project = deployment.product.project;
  const policy = await deployment.apis.projectIam.getPolicy(project);
  await deployment.apis.projectIam.setPolicy(project, { ...policy, bindings: [...policy.bindings, ...grants.project.map((role) => ({ role, members: [member] }))] });
  const url = `${deployment.sandbox.endpoints.storage}/storage/v1/b/${deployment.bucket}/iam`;
  const bucketPolicy = (await (await fetch(url)).json()) as { bindings?: { role: string; members: string[] }[]; etag: string };
  const put = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...bucketPolicy, bindings: [...(bucketPolicy.bindings ?? []), ...grants.bucket.map((role) => ({ role, members: [member] }))] }),
  });
  assert.is(put.status, 200, await put.text());
}
