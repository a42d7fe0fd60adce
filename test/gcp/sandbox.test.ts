/**
 * Every adapter through the real SDK clients (REST mode) and REST calls, against the local sandbox:
 * create / list / update / delete of each kind, ownership, errors as users meet them.
 */
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudError } from '../../src/gcp/types.ts';
import { manualClock, waitFor } from '../local/helpers.ts';
import type { IamPolicy } from '../../src/resources/live.ts';
import { PRODUCT, REGION, rawGet, schedulerJob, serviceAccount, startRig, topic, trigger, uploadCondition, watchWarnings, workflow, type Rig } from './sandbox-fixture.ts';

const warnings = watchWarnings();

async function failure(promise: Promise<unknown>): Promise<CloudError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, CloudError, `expected a CloudError, got ${String(error)}`);
    return error as CloudError;
  }
  throw new assert.Assertion({ message: 'expected the call to fail', generated: false, operator: 'fail', expects: 'rejection', actual: 'resolved' });
}

function rigSuite(name: string, options: Parameters<typeof startRig>[0] = {}) {
  const s = suite<{ rig: Rig }>(name, {} as { rig: Rig });
  s.before(async (ctx) => {
    ctx.rig = await startRig(options);
  });
  s.after(async (ctx) => {
    await ctx.rig.close();
  });
  return s;
}

// ---- Workflows --------------------------------------------------------------------------------------

const workflows = rigSuite('workflows (SDK, long-running operations)');
const WP = 'wf-project-1';

workflows('create awaits the operation; list returns it in the desired shape, owned', async ({ rig }) => {
  const desired = workflow(WP);
  await rig.apis.workflows.create(desired);
  const live = await rig.apis.workflows.list(WP, REGION);
  assert.is(live.length, 1);
  const { revision, ...rest } = live[0]!;
  assert.equal(rest, { owned: true, resource: { ...desired, sourceFile: '' } });
  // What a saved plan fingerprints: the first revision, and an RFC 3339 update time.
  assert.match(revision?.revisionId ?? '', /^000001-[0-9a-f]{3}$/);
  assert.match(revision?.updateTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});

workflows('update changes the source and description in place; duplicate create is ALREADY_EXISTS', async ({ rig }) => {
  const changed = { ...workflow(WP, 'main:\n  steps:\n    - done:\n        return: "v2"\n'), description: 'v2' };
  await rig.apis.workflows.update(changed);
  const [live] = await rig.apis.workflows.list(WP, REGION);
  assert.is(live?.resource.sourceContents, changed.sourceContents);
  assert.is(live?.resource.description, 'v2');
  const e = await failure(rig.apis.workflows.create(changed));
  assert.is(e.code, 'ALREADY_EXISTS');
  assert.match(e.message, changed.name);
});

workflows('a workflow without our labels is listed as not owned', async ({ rig }) => {
  const handMade = { ...workflow(WP), name: `projects/${WP}/locations/${REGION}/workflows/hand-made`, labels: { team: 'data' } };
  await rig.apis.workflows.create(handMade);
  const live = await rig.apis.workflows.list(WP, REGION);
  const found = live.find((l) => l.resource.name === handMade.name);
  assert.is(found?.owned, false);
  assert.equal(found?.resource.labels, { team: 'data' });
});

workflows('delete removes it; deleting again is NOT_FOUND naming the workflow', async ({ rig }) => {
  const name = workflow(WP).name;
  await rig.apis.workflows.delete(name);
  assert.not.ok((await rig.apis.workflows.list(WP, REGION)).some((l) => l.resource.name === name));
  const e = await failure(rig.apis.workflows.delete(name));
  assert.is(e.code, 'NOT_FOUND');
  assert.is(e.httpStatus, 404);
  assert.match(e.message, name);
});

workflows.run();

// ---- Eventarc triggers -----------------------------------------------------------------------------

const triggers = rigSuite('Eventarc triggers (REST)');
const TP = 'trigger-project-1';

triggers('create and list: filters, destination, service account, labels', async ({ rig }) => {
  const desired = trigger(TP, 'acme');
  await rig.apis.triggers.create(desired);
  const live = await rig.apis.triggers.list(TP, 'global');
  assert.equal(
    live.map(({ revision: _r, ...rest }) => rest),
    [{ owned: true, resource: desired }],
  );
  assert.ok(live[0]?.revision?.uid && live[0].revision.updateTime, 'uid and updateTime read, for saved plans');
});

triggers('a filter change is patched in place: same uid, new filters, no delete', async ({ rig }) => {
  const before = await rawGet(rig.sandbox.endpoints.eventarc, `v1/${trigger(TP, 'acme').name}`);
  rig.apis.calls.reset();
  const changed = trigger(TP, 'acme', 'incoming');
  await rig.apis.triggers.update(changed);
  const after = await rawGet(rig.sandbox.endpoints.eventarc, `v1/${changed.name}`);
  assert.ok(before['uid'], 'the sandbox reports a uid');
  assert.is(after['uid'], before['uid']);
  const [live] = await rig.apis.triggers.list(TP, 'global');
  assert.equal(live?.resource.eventFilters, changed.eventFilters);
  const calls = rig.apis.calls.snapshot();
  assert.is(calls['eventarc.update'], 1);
  assert.is(calls['eventarc.delete'], undefined);
  assert.is(calls['eventarc.create'], undefined);
});

triggers('duplicate create is ALREADY_EXISTS; delete awaits its operation; then NOT_FOUND', async ({ rig }) => {
  const desired = trigger(TP, 'acme');
  assert.is((await failure(rig.apis.triggers.create(desired))).code, 'ALREADY_EXISTS');
  await rig.apis.triggers.delete(desired.name);
  assert.equal(await rig.apis.triggers.list(TP, 'global'), []);
  assert.is((await failure(rig.apis.triggers.update(desired))).code, 'NOT_FOUND');
});

triggers.run();

// ---- Cloud Scheduler -------------------------------------------------------------------------------

const scheduler = rigSuite('Cloud Scheduler jobs (SDK, body as bytes)');
const SP = 'scheduler-project-1';

scheduler('create, list (body text, marker ownership), update, delete', async ({ rig }) => {
  const desired = schedulerJob(SP, 'acme');
  await rig.apis.schedulerJobs.create(desired);
  const [live] = await rig.apis.schedulerJobs.list(SP, REGION);
  assert.ok(live?.owned);
  assert.equal(live?.resource.owner, { product: PRODUCT, client: 'acme' });
  assert.is(live?.resource.httpTarget.body, desired.httpTarget.body);
  assert.is(live?.resource.schedule, '0 3 * * *');
  assert.is(live?.resource.httpTarget.oauthToken.serviceAccountEmail, desired.httpTarget.oauthToken.serviceAccountEmail);

  await rig.apis.schedulerJobs.update(schedulerJob(SP, 'acme', '30 4 * * 1'));
  const [updated] = await rig.apis.schedulerJobs.list(SP, REGION);
  assert.is(updated?.resource.schedule, '30 4 * * 1');

  await rig.apis.schedulerJobs.delete(desired.name);
  assert.equal(await rig.apis.schedulerJobs.list(SP, REGION), []);
});

scheduler('a job without our description marker is not owned', async ({ rig }) => {
  const handMade = { ...schedulerJob(SP, 'beta'), description: 'nightly export, made by hand' };
  await rig.apis.schedulerJobs.create(handMade);
  const [live] = await rig.apis.schedulerJobs.list(SP, REGION);
  assert.is(live?.owned, false);
  assert.is(live?.resource.description, 'nightly export, made by hand');
});

scheduler.run();

// ---- IAM service accounts ----------------------------------------------------------------------------

const accounts = rigSuite('IAM service accounts (REST, pagination)');
const AP = 'accounts-project-1';

accounts('250 accounts are listed across 3 pages of 100', async ({ rig }) => {
  const ids = Array.from({ length: 250 }, (_, i) => `client-${String(i).padStart(3, '0')}`);
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(ids.slice(i, i + 25).map((id) => rig.apis.serviceAccounts.create(serviceAccount(AP, id, id))));
  }
  rig.apis.calls.reset();
  const live = await rig.apis.serviceAccounts.list(AP);
  assert.is(live.length, 250);
  assert.equal(new Set(live.map((l) => l.resource.accountId)), new Set(ids));
  assert.ok(live.every((l) => l.owned && l.resource.owner.client === l.resource.accountId));
  assert.equal(rig.apis.calls.snapshot(), { 'iam.list': 3 });
});

accounts('update changes display name and description; a hand-made account is not owned; delete', async ({ rig }) => {
  const desired = serviceAccount(AP, 'client-000', 'client-000');
  await rig.apis.serviceAccounts.update({ ...desired, displayName: 'Acme Corp' });
  const handMade = { ...serviceAccount(AP, 'legacy-uploader'), description: 'made with gcloud' };
  await rig.apis.serviceAccounts.create(handMade);
  const live = await rig.apis.serviceAccounts.list(AP);
  assert.is(live.find((l) => l.resource.accountId === 'client-000')?.resource.displayName, 'Acme Corp');
  assert.is(live.find((l) => l.resource.accountId === 'legacy-uploader')?.owned, false);
  await rig.apis.serviceAccounts.delete(desired.name);
  assert.is((await rig.apis.serviceAccounts.list(AP)).length, 250);
  assert.is((await failure(rig.apis.serviceAccounts.delete(desired.name))).code, 'NOT_FOUND');
  assert.is((await failure(rig.apis.serviceAccounts.create(handMade))).code, 'ALREADY_EXISTS');
});

accounts.run();

// The sandbox's time stands still until the test moves it, so the account stays invisible for as many
// polls as the test wants to see, however fast or slow the machine.
const visibilityClock = manualClock();
const visibility = rigSuite('IAM service accounts: eventual consistency', { serviceAccountVisibilityDelayMs: 400, clock: visibilityClock });

visibility('create resolves only once the new account is visible, polling until then', async ({ rig }) => {
  const desired = serviceAccount('visibility-project', 'late-account', 'late-account');
  let settled = false;
  const creating = rig.apis.serviceAccounts.create(desired).finally(() => void (settled = true));
  const polls = () => rig.apis.calls.snapshot()['iam.get'] ?? 0;
  // A third get is sent only after the second was answered 404: the adapter polled while it waited.
  await waitFor(() => polls() >= 3 || settled);
  assert.not.ok(settled, 'create did not settle while the account was invisible');
  visibilityClock.advance(400);
  await creating;
  const live = await rig.apis.serviceAccounts.list('visibility-project');
  assert.equal(
    live.map((l) => l.resource.email),
    [desired.email],
  );
});

visibility.run();

// ---- Project IAM policy -------------------------------------------------------------------------------

const iam = rigSuite('project IAM policy (SDK, version 3, etags)');
const IP = 'iam-project-1';
const member = `serviceAccount:acme-corp@${IP}.iam.gserviceaccount.com`;

iam('set with the read etag; conditions and audit configs read back with version 3', async ({ rig }) => {
  await rig.apis.serviceAccounts.create(serviceAccount(IP, 'acme-corp', 'acme-corp'));
  const read = await rig.apis.projectIam.getPolicy(IP);
  const foreign = { role: 'roles/viewer', members: ['user:alice@example.com'] };
  const next: IamPolicy = {
    ...read,
    bindings: [...read.bindings, foreign, { role: 'roles/storage.objectCreator', members: [member], condition: uploadCondition(IP, 'acme-corp') }],
    auditConfigs: [{ service: 'storage.googleapis.com', auditLogConfigs: [{ logType: 'DATA_WRITE' }] }],
  };
  const written = await rig.apis.projectIam.setPolicy(IP, next);
  assert.is.not(written.etag, read.etag);
  const again = await rig.apis.projectIam.getPolicy(IP);
  assert.is(again.version, 3);
  assert.is(again.etag, written.etag);
  assert.equal(again.bindings, next.bindings);
  assert.equal(again.auditConfigs, next.auditConfigs);
});

iam('a write without audit configs leaves them as they are', async ({ rig }) => {
  const read = await rig.apis.projectIam.getPolicy(IP);
  const { auditConfigs: _dropped, ...withoutAudit } = read;
  await rig.apis.projectIam.setPolicy(IP, { ...withoutAudit, bindings: read.bindings.filter((b) => b.role !== 'roles/viewer') });
  const again = await rig.apis.projectIam.getPolicy(IP);
  assert.equal(again.auditConfigs, read.auditConfigs);
  assert.is(again.bindings.length, read.bindings.length - 1);
});

iam('a stale etag is a 409 classified ABORTED, and nothing is written', async ({ rig }) => {
  const first = await rig.apis.projectIam.getPolicy(IP);
  await rig.apis.projectIam.setPolicy(IP, { ...first, bindings: [...first.bindings, { role: 'roles/viewer', members: ['user:bob@example.com'] }] });
  const afterFirst = await rig.apis.projectIam.getPolicy(IP);
  const e = await failure(rig.apis.projectIam.setPolicy(IP, { ...first, bindings: [] }));
  assert.is(e.code, 'ABORTED');
  assert.is(e.httpStatus, 409);
  assert.match(e.message, `projects/${IP}`);
  assert.equal(await rig.apis.projectIam.getPolicy(IP), afterFirst);
});

iam('a change made by someone else between read and write makes the write ABORTED', async ({ rig }) => {
  const read = await rig.apis.projectIam.getPolicy(IP);
  rig.sandbox.knobs.injectIamChangeBeforeNextSet((policy) => ({
    ...policy,
    bindings: [...(policy.bindings ?? []), { role: 'roles/browser', members: ['user:carol@example.com'] }],
  }));
  const e = await failure(rig.apis.projectIam.setPolicy(IP, read));
  assert.is(e.code, 'ABORTED');
  const fresh = await rig.apis.projectIam.getPolicy(IP);
  assert.ok(fresh.bindings.some((b) => b.role === 'roles/browser'));
});

iam.run();

// ---- Pub/Sub topics served by the sandbox (REST) ------------------------------------------------------

const topics = rigSuite('Pub/Sub topics served by the sandbox (REST)');
const PP = 'topics-project-1';

topics('create, list with labels, update labels, delete', async ({ rig }) => {
  assert.is(rig.sandbox.pubsub.kind, 'sandbox');
  const desired = topic(PP, 'acme');
  await rig.apis.topics.create(desired);
  await rig.apis.topics.create({ ...topic(PP, 'x'), name: `projects/${PP}/topics/hand-made`, labels: {} });
  const live = await rig.apis.topics.list(PP);
  assert.equal(
    live.map((l) => [l.resource.name, l.owned]).sort(),
    [
      [desired.name, true],
      [`projects/${PP}/topics/hand-made`, false],
    ].sort(),
  );
  await rig.apis.topics.update({ ...desired, labels: { ...desired.labels, tier: 'gold' } });
  assert.is((await rig.apis.topics.list(PP)).find((l) => l.resource.name === desired.name)?.resource.labels['tier'], 'gold');
  assert.is((await failure(rig.apis.topics.create(desired))).code, 'ALREADY_EXISTS');
  await rig.apis.topics.delete(desired.name);
  assert.is((await failure(rig.apis.topics.delete(desired.name))).code, 'NOT_FOUND');
});

topics.run();

// ---- Transient failures and storage --------------------------------------------------------------------

const faults = rigSuite('transient failures');
const FP = 'faults-project-1';

faults('a 503 is UNAVAILABLE from SDK and REST adapters alike; the write itself was made', async ({ rig }) => {
  rig.sandbox.knobs.lostResponseRate = 1;
  try {
    const sdk = await failure(rig.apis.workflows.create(workflow(FP)));
    const rest = await failure(rig.apis.triggers.create(trigger(FP, 'acme')));
    const grpcLike = await failure(rig.apis.schedulerJobs.create(schedulerJob(FP, 'acme')));
    for (const e of [sdk, rest, grpcLike]) {
      assert.is(e.code, 'UNAVAILABLE', e.message);
      assert.is(e.httpStatus, 503);
    }
  } finally {
    rig.sandbox.knobs.lostResponseRate = 0;
  }
  // The response was lost, not the change: a retried create meets ALREADY_EXISTS.
  assert.is((await failure(rig.apis.workflows.create(workflow(FP)))).code, 'ALREADY_EXISTS');
  assert.is((await rig.apis.triggers.list(FP, 'global')).length, 1);
});

faults('injected 503/429 answers are classified by status, on reads too', async ({ rig }) => {
  rig.sandbox.knobs.transientErrorRate = 1;
  const seen = new Set<string>();
  try {
    for (let i = 0; i < 12; i++) {
      const e = await failure(i % 2 ? rig.apis.serviceAccounts.list(FP) : rig.apis.workflows.list(FP, REGION));
      assert.is(e.code, e.httpStatus === 503 ? 'UNAVAILABLE' : 'RESOURCE_EXHAUSTED', e.message);
      seen.add(e.code);
    }
  } finally {
    rig.sandbox.knobs.transientErrorRate = 0;
  }
  assert.ok(seen.has('UNAVAILABLE'));
});

faults.run();

// ---- Cloud Storage ---------------------------------------------------------------------------------------

const storage = rigSuite('Cloud Storage (SDK)');
const BUCKET = 'storage-project-1-batch';

storage('bucketExists tells a missing bucket from an existing one', async ({ rig }) => {
  assert.is(await rig.apis.storage.bucketExists(BUCKET), false);
  rig.sandbox.state.createBucket(BUCKET, 'storage-project-1');
  assert.is(await rig.apis.storage.bucketExists(BUCKET), true);
});

storage('put, get, list under a prefix across pages, delete (twice)', async ({ rig }) => {
  const settings = JSON.stringify({ notify: 'https://hooks.example.com/acme' });
  await rig.apis.storage.putObject(BUCKET, 'ml-batch/acme/settings.json', settings, 'application/json');
  assert.is((await rig.apis.storage.getObject(BUCKET, 'ml-batch/acme/settings.json'))?.toString('utf8'), settings);
  assert.is(await rig.apis.storage.getObject(BUCKET, 'ml-batch/acme/missing.json'), undefined);

  const names = Array.from({ length: 1005 }, (_, i) => `ml-batch/beta/inputs/${String(i).padStart(4, '0')}.jsonl`);
  // Seeded directly: the upload path is covered above, this is about listing.
  for (const n of names) rig.sandbox.state.putObject(BUCKET, n, 'x');
  rig.apis.calls.reset();
  const listed = await rig.apis.storage.listObjects(BUCKET, 'ml-batch/beta/');
  assert.equal(listed.sort(), names);
  assert.is(rig.apis.calls.snapshot()['storage.objects.list'], 2);
  assert.equal(await rig.apis.storage.listObjects(BUCKET, 'ml-batch/acme/'), ['ml-batch/acme/settings.json']);

  await rig.apis.storage.deleteObject(BUCKET, 'ml-batch/acme/settings.json');
  await rig.apis.storage.deleteObject(BUCKET, 'ml-batch/acme/settings.json');
  assert.equal(await rig.apis.storage.listObjects(BUCKET, 'ml-batch/acme/'), []);
});

storage('run settings: custom metadata and md5Hash come back in the listing; a create-only put meets an existing object as ALREADY_EXISTS', async ({ rig }) => {
  const settings = {
    kind: 'RunSettings' as const,
    owner: { product: 'ml-batch', client: 'acme' },
    bucket: BUCKET,
    object: 'ml-batch/_settings/acme.json',
    settings: {
      client: 'acme',
      batch: { machineType: 'e2-standard-4', taskCount: 1, parallelism: 1, maxRunDurationSeconds: 3600, environment: {} },
      notify: [{ type: 'slack' as const, secret: 'projects/storage-project-1/secrets/acme-slack', on: 'failure' as const }],
      tracking: { tags: {} },
    },
  };
  await rig.apis.runSettings.put(settings, { ifAbsent: true });
  const [listed] = await rig.apis.runSettings.list(BUCKET, 'ml-batch/_settings/');
  const content = `${JSON.stringify(settings.settings, null, 2)}\n`;
  assert.is(await rig.apis.runSettings.read(BUCKET, settings.object), content);
  assert.is(listed?.md5Hash, createHash('md5').update(content).digest('base64'));
  assert.equal(listed?.metadata, { 'managed-by': 'batch-workflows', product: 'ml-batch', client: 'acme', secrets: 'projects/storage-project-1/secrets/acme-slack' });
  const e = await failure(rig.apis.runSettings.put(settings, { ifAbsent: true }));
  assert.is(e.code, 'ALREADY_EXISTS');
  await rig.apis.runSettings.put(settings);
  const [again] = await rig.apis.runSettings.list(BUCKET, 'ml-batch/_settings/');
  assert.is.not(again?.generation, listed?.generation);
  await rig.apis.runSettings.delete(BUCKET, settings.object);
  assert.equal(await rig.apis.runSettings.list(BUCKET, 'ml-batch/_settings/'), []);
});

storage('a missing bucket is NOT_FOUND naming the object', async ({ rig }) => {
  const e = await failure(rig.apis.storage.putObject('no-such-bucket', 'a/b.txt', 'x'));
  assert.is(e.code, 'NOT_FOUND');
  assert.match(e.message, 'gs://no-such-bucket/a/b.txt');
});

storage.run();

// ---- Nothing looked for credentials ------------------------------------------------------------------------

const quiet = suite('no credential lookups against the sandbox');

quiet('no client probed the metadata server or Application Default Credentials', () => {
  const seen = warnings.stop();
  assert.equal(
    seen.filter((w) => /metadata|credential/i.test(w)),
    [],
  );
});

quiet.run();
