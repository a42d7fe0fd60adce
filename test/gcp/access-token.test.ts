/**
 * The sandbox target's `accessToken`: every adapter sends it (the GAPIC clients, the REST clients
 * and the Storage SDK alike), so the sandbox decides each call as that member. A member with no role
 * is refused by every API, each refusal naming it or the permission; given roles/viewer on the
 * project, the same reads pass (the bucket's through its projectViewer grant). Without a token the calls are the operator's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCloudApis, type GcpCloudApis } from '../../src/gcp/index.ts';
import { CloudError } from '../../src/gcp/types.ts';
import { startSandbox, tokenFor } from '../../src/local/index.ts';

const PROJECT = 'token-project-1';
const REGION = 'europe-west1';
const BUCKET = 'token-bucket-1';
const MEMBER = 'user:reader@example.com';

const reads: Record<string, (apis: GcpCloudApis) => Promise<unknown>> = {
  'storage buckets.get': (apis) => apis.storage.bucketAccess(BUCKET),
  'workflows list': (apis) => apis.workflows.list(PROJECT, REGION),
  'eventarc list': (apis) => apis.triggers.list(PROJECT, 'global'),
  'cloudscheduler list': (apis) => apis.schedulerJobs.list(PROJECT, REGION),
  'iam list': (apis) => apis.serviceAccounts.list(PROJECT),
  'pubsub list': (apis) => apis.topics.list(PROJECT),
  'project getIamPolicy': (apis) => apis.projectIam.getPolicy(PROJECT),
};

test('calls carry the access token: a member with no role is refused everywhere, with roles/viewer it reads', async () => {
  const sandbox = await startSandbox();
  sandbox.state.createBucket(BUCKET, PROJECT, REGION, { uniformBucketLevelAccess: true });
  const operator = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: 'sandbox' }, { projectId: PROJECT });
  const member = createCloudApis({ kind: 'sandbox', endpoints: sandbox.endpoints, pubsub: 'sandbox', accessToken: tokenFor(MEMBER) }, { projectId: PROJECT });
  try {
    for (const [name, read] of Object.entries(reads)) {
      await read(operator);
      const refused = await read(member).then(
        () => undefined,
        (error: unknown) => error,
      );
      assert.instance(refused, CloudError, `${name}: the member was not refused`);
      assert.is((refused as CloudError).code, 'PERMISSION_DENIED', name);
      assert.match((refused as CloudError).message, name.startsWith('storage') ? 'reader@example.com does not have storage.buckets.get access' : /Permission '[a-z]+\.[a-zA-Z.]+' denied/, name);
    }
    const policy = await operator.projectIam.getPolicy(PROJECT);
    await operator.projectIam.setPolicy(PROJECT, { ...policy, bindings: [...policy.bindings, { role: 'roles/viewer', members: [MEMBER] }] });
    // The bucket too: a new bucket's policy grants roles/storage.legacyBucketReader to projectViewer:P
    // (https://cloud.google.com/storage/docs/access-control/iam#convenience-values).
    for (const [name, read] of Object.entries(reads)) await read(member).catch((error: unknown) => assert.unreachable(`${name}: ${String(error)}`));
  } finally {
    await member.close();
    await operator.close();
    await sandbox.stop();
  }
});

test.run();
