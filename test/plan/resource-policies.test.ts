/**
 * Managed folders and resource policies in plan: ownership without labels (the folder's policy is
 * its mark), the empty folder an interrupted apply leaves, foreign folders under our names, and the
 * policy edit that sets only the roles we manage.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diff } from '../../src/plan/diff.ts';
import { folderOwner, withManagedBindings } from '../../src/plan/resource-policies.ts';
import type { IamPolicy } from '../../src/resources/live.ts';
import type { LiveState } from '../../src/plan/types.ts';
import { DEV, client, documentsFor } from './fake-cloud.ts';
import { liveOf } from './live-state.ts';
import { pending } from '../support/pending.ts';

const docs = documentsFor([client('acme-corp')]);
const FOLDER = `gs://${DEV.bucket}/scoring/acme-corp/`;

const live = (overrides: Partial<LiveState> = {}): LiveState => ({ ...liveOf(docs, { bindings: 'ours-unconditional', uniformBucketLevelAccess: true }), ...overrides });

const pendingOf = (state: LiveState, options = {}) => pending(diff(state, docs, options));
const withFolder = (policy: IamPolicy | undefined) => {
  const base = live();
  return { ...base, managedFolders: base.managedFolders!.map((f) => (`gs://${f.bucket}/${f.folder}` === FOLDER ? { ...f, ...(policy ? { policy } : {}) } : f)) };
};

test("folder names: the settings folder is the product's, a client folder and one level below it the client's, nothing else", () => {
  assert.equal(folderOwner('scoring/_settings/', 'scoring'), { product: 'scoring' });
  assert.equal(folderOwner('scoring/acme-corp/', 'scoring'), { product: 'scoring', client: 'acme-corp' });
  assert.equal(folderOwner('scoring/acme-corp/inputs/', 'scoring'), { product: 'scoring', client: 'acme-corp' });
  for (const other of ['scoring/acme-corp/inputs/deep/', 'ranking/acme-corp/', 'scoring/', 'scoring/_private/', 'scoring/acme-corp']) assert.is(folderOwner(other, 'scoring'), undefined, other);
});

test('live as desired: nothing to do; a folder whose policy names none of our accounts is not ours, and --adopt takes it', () => {
  assert.equal(pendingOf(live()), []);
  const foreign = withFolder({ version: 1, etag: 'x', bindings: [{ role: 'roles/storage.objectViewer', members: ['group:team@example.com'] }] });
  assert.equal(pendingOf(foreign), [`conflict ManagedFolder ${FOLDER}`, `conflict ResourcePolicy ${FOLDER}`]);
  const adopted = diff(foreign, docs, { adopt: true });
  const change = adopted.changes.find((c) => c.key === `ResourcePolicy ${FOLDER}`);
  assert.ok(change?.action === 'adopt');
  assert.ok(change.fields.some((f) => f.path.startsWith('bindings.roles/storage.objectViewer')));
});

test('an empty folder at a desired name (apply stopped between create and policy write) is ours: its grants are an update, not a conflict', () => {
  const empty = withFolder({ version: 1, etag: 'x', bindings: [] });
  assert.equal(pendingOf(empty), [`update ResourcePolicy ${FOLDER}`]);
});

test('uniform bucket-level access off: a precondition error with the command that turns it on', () => {
  const plan = diff(live({ bucket: { name: DEV.bucket, location: DEV.region, exists: true, uniformBucketLevelAccess: false } }), docs);
  assert.equal(
    plan.errors.map((e) => e.path),
    [`gs://${DEV.bucket}`],
  );
  assert.match(plan.errors[0]!.message, 'does not use uniform bucket-level access');
  assert.is(plan.errors[0]!.fix, `turn it on (object ACLs stop applying): gcloud storage buckets update gs://${DEV.bucket} --uniform-bucket-level-access`);
});

test('the policy edit sets only our roles: other roles and conditional bindings stay the objects read, in place; unchanged members keep their order', () => {
  const conditional = { role: 'roles/storage.objectViewer', members: ['user:c@example.com'], condition: { title: 't', expression: 'true' } };
  const other = { role: 'roles/storage.objectAdmin', members: ['group:ops@example.com'] };
  const ours = { role: 'roles/storage.objectViewer', members: ['serviceAccount:b@x.iam.gserviceaccount.com', 'serviceAccount:a@x.iam.gserviceaccount.com'] };
  const policy: IamPolicy = { version: 3, etag: 'E', bindings: [conditional, ours, other] };
  const same = withManagedBindings(policy, 'managedFolder', { 'roles/storage.objectViewer': ['serviceAccount:a@x.iam.gserviceaccount.com', 'serviceAccount:b@x.iam.gserviceaccount.com'] });
  assert.ok(same.bindings[0] === conditional && same.bindings[1] === ours && same.bindings[2] === other);
  assert.is(same.etag, 'E');
  const changed = withManagedBindings(policy, 'managedFolder', {
    'roles/storage.objectViewer': ['serviceAccount:a@x.iam.gserviceaccount.com'],
    'roles/storage.objectCreator': ['serviceAccount:a@x.iam.gserviceaccount.com'],
  });
  assert.equal(changed.bindings, [
    conditional,
    { role: 'roles/storage.objectViewer', members: ['serviceAccount:a@x.iam.gserviceaccount.com'] },
    other,
    { role: 'roles/storage.objectCreator', members: ['serviceAccount:a@x.iam.gserviceaccount.com'] },
  ]);
  assert.equal(withManagedBindings(policy, 'managedFolder', {}).bindings, [conditional, other]);
});

test.run();
