/**
 * Standard clients, not only ours: gcloud pointed at the sandbox with api_endpoint_overrides and no
 * credentials, in a throwaway CLOUDSDK_CONFIG, reads what was seeded. gcloud takes 2-4 s a call, so
 * the five reads run concurrently.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { gcloudFor, gcloudPath, skipWithoutGcloud, type Gcloud } from '../support/gcloud.ts';
import { auditLogTrigger, call, REGION, SOURCE } from './helpers.ts';

const PROJECT = 'gcloud-project';
let sandbox: Sandbox;
let cli: Gcloud;
const gcloud = (args: string[], input?: string) => cli.run(args, input);

test.before(async () => {
  if (!gcloudPath) return;
  sandbox = await startSandbox();
  const seeded = [
    await call(sandbox, 'workflows', 'POST', `/v1/projects/${PROJECT}/locations/${REGION}/workflows?workflowId=acme-batch-inference`, {
      sourceContents: SOURCE,
      labels: { 'managed-by': 'batch-workflows' },
    }),
    await call(
      sandbox,
      'eventarc',
      'POST',
      `/v1/projects/${PROJECT}/locations/global/triggers?triggerId=batch-acme-c1`,
      auditLogTrigger(PROJECT, 'acme-batch-inference', '/projects/_/buckets/b/objects/acme/c1/inputs/*'),
    ),
    await call(sandbox, 'cloudscheduler', 'POST', `/v1/projects/${PROJECT}/locations/${REGION}/jobs`, {
      name: `projects/${PROJECT}/locations/${REGION}/jobs/batch-acme-c2`,
      schedule: '0 3 * * *',
      timeZone: 'Europe/Paris',
      httpTarget: {
        uri: `https://workflowexecutions.googleapis.com/v1/projects/${PROJECT}/locations/${REGION}/workflows/acme-batch-scheduled/executions`,
        httpMethod: 'POST',
        body: Buffer.from('{"argument":"{}"}').toString('base64'),
      },
    }),
    await call(sandbox, 'iam', 'POST', `/v1/projects/${PROJECT}/serviceAccounts`, { accountId: 'acme-c1', serviceAccount: { displayName: 'acme c1' } }),
    await call(sandbox, 'cloudresourcemanager', 'POST', `/v3/projects/${PROJECT}:setIamPolicy`, {
      policy: {
        version: 3,
        bindings: [
          {
            role: 'roles/storage.objectViewer',
            members: [`serviceAccount:acme-c1@${PROJECT}.iam.gserviceaccount.com`],
            condition: { title: 'batch-workflows:acme:c1:read', expression: "resource.name.startsWith('projects/_/buckets/b/objects/acme/c1/')" },
          },
        ],
      },
    }),
  ];
  for (const response of seeded) assert.is(response.status, 200, JSON.stringify(response.body));
  // Only the APIs used below: each `config set` costs a gcloud start (about a second).
  cli = await gcloudFor(sandbox, PROJECT, ['workflows', 'eventarc', 'cloudscheduler', 'iam', 'cloudresourcemanager', 'storage', 'secretmanager']);
});

test.after(async () => {
  if (!gcloudPath) return;
  await sandbox.stop();
  await cli.dispose();
});

test('gcloud lists workflows, triggers, scheduler jobs, service accounts and reads the project policy from the sandbox', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const [workflows, triggers, jobs, accounts, policy] = (
    await Promise.all([
      gcloud(['workflows', 'list', `--location=${REGION}`, '--format=json']),
      gcloud(['eventarc', 'triggers', 'list', '--location=global', '--format=json']),
      gcloud(['scheduler', 'jobs', 'list', `--location=${REGION}`, '--format=json']),
      gcloud(['iam', 'service-accounts', 'list', '--format=json']),
      gcloud(['projects', 'get-iam-policy', PROJECT, '--format=json']),
    ])
  ).map((out) => JSON.parse(out));

  assert.equal(
    workflows.map((w: any) => [w.name, w.state, w.sourceContents]),
    [[`projects/${PROJECT}/locations/${REGION}/workflows/acme-batch-inference`, 'ACTIVE', SOURCE]],
  );
  assert.equal(
    triggers.map((t: any) => t.name),
    [`projects/${PROJECT}/locations/global/triggers/batch-acme-c1`],
  );
  assert.is(triggers[0].eventFilters.find((f: any) => f.attribute === 'resourceName').operator, 'match-path-pattern');
  assert.equal(
    jobs.map((j: any) => [j.name, j.schedule, j.timeZone, j.state]),
    [[`projects/${PROJECT}/locations/${REGION}/jobs/batch-acme-c2`, '0 3 * * *', 'Europe/Paris', 'ENABLED']],
  );
  assert.equal(
    accounts.map((a: any) => [a.email, a.displayName]),
    [[`acme-c1@${PROJECT}.iam.gserviceaccount.com`, 'acme c1']],
  );
  assert.is(policy.version, 3, 'gcloud asks for version 3 and gets the conditions');
  assert.equal(policy.bindings[0].condition.title, 'batch-workflows:acme:c1:read');
  assert.equal(policy.bindings[0].members, [`serviceAccount:acme-c1@${PROJECT}.iam.gserviceaccount.com`]);

  const counted = sandbox.stats.byMethod();
  for (const method of ['workflows.workflows.list', 'eventarc.triggers.list', 'cloudscheduler.jobs.list', 'iam.serviceAccounts.list', 'cloudresourcemanager.v1.projects.getIamPolicy']) {
    assert.ok((counted[method] ?? 0) >= 1, `gcloud called ${method}`);
  }
});

test('the set-up commands plan prints (bucket, notification secret) and a client upload work with gcloud against the sandbox', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  const dir = await mkdtemp(join(tmpdir(), 'gcloud-upload-'));
  try {
    await gcloud(['storage', 'buckets', 'create', `gs://${PROJECT}-batch`, `--location=${REGION}`]);
    // As plan's fix says: the URL on stdin, never on the command line.
    await gcloud(['secrets', 'create', 'acme-slack-webhook', `--project=${PROJECT}`, '--data-file=-'], 'https://hooks.example.invalid/T0/B0/X');
    const input = join(dir, 'in put.jsonl');
    await writeFile(input, '{"text": "from gcloud"}\n');
    // gcloud sends a multipart upload with LF line ends and a single-quoted boundary.
    await gcloud(['storage', 'cp', input, `gs://${PROJECT}-batch/acme/c1/inputs/in put.jsonl`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(sandbox.state.getObject(`${PROJECT}-batch`, 'acme/c1/inputs/in put.jsonl'));
  assert.is(sandbox.state.readObjectText(`${PROJECT}-batch`, 'acme/c1/inputs/in put.jsonl'), '{"text": "from gcloud"}\n');
  const secret = await call(sandbox, 'secretmanager', 'GET', `/v1/projects/${PROJECT}/secrets/acme-slack-webhook/versions/latest:access`);
  assert.is(secret.status, 200);
  assert.is(Buffer.from((secret.body as any).payload.data, 'base64').toString('utf8'), 'https://hooks.example.invalid/T0/B0/X');
});

test.run();
