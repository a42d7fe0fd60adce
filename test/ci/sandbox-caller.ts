/**
 * Calls to the sandbox as a given principal (the adapters with the sandbox target's `accessToken`,
 * `sandbox:<member>`), and grants made as the operator, on the project and the product bucket.
 */
import * as assert from 'uvu/assert';
import type { LocalDeployment } from '../../src/cli/local-deployment.ts';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import { tokenFor } from '../../src/local/index.ts';
import type { Grants } from './identities.ts';

/** The adapters as `member`: every call carries the sandbox's token for it, so the sandbox's IAM decides each one. */
export async function withCaller<T>(deployment: LocalDeployment, member: string, body: (apis: GcpCloudApis) => Promise<T>): Promise<T> {
  const target = { kind: 'sandbox', endpoints: deployment.sandbox.endpoints, pubsub: 'sandbox', accessToken: tokenFor(member) } as const;
  const apis = createCloudApis(target, { projectId: deployment.product.project });
  try {
    return await body(apis);
  } finally {
    await apis.close();
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
