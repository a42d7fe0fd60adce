/**
 * Topics through the real @google-cloud/pubsub client against Google's real emulator (gRPC). Skipped,
 * with the reason printed, only where the emulator cannot run.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CloudError } from '../../src/gcp/types.ts';
import type { TopicResource } from '../../src/resources/types.ts';
import { pubSubEmulatorUnavailableReason } from '../../src/local/index.ts';
import { startRig, watchWarnings, type Rig } from './sandbox-fixture.ts';

const t = suite('Pub/Sub topics in the emulator');
const missing = pubSubEmulatorUnavailableReason();
let rig: Rig | undefined;
let apis: Rig['apis'] | undefined;

const PROJECT = 'bw-emulator-test';
const ours: TopicResource = {
  kind: 'Topic',
  owner: { product: 'ml-batch', client: 'acme' },
  name: `projects/${PROJECT}/topics/batch-ml-batch-acme-outputs`,
  labels: { client: 'acme', 'managed-by': 'batch-workflows', product: 'ml-batch' },
};

const warnings = watchWarnings();

t.before(async () => {
  if (missing) {
    console.log(`  skipping the Pub/Sub emulator tests: ${missing}`);
    return;
  }
  // The sandbox starts the emulator (in its own process group) and stops it with everything else.
  rig = await startRig({ usePubSubEmulator: true });
  assert.is(rig.sandbox.pubsub.kind, 'emulator', rig.sandbox.pubsub.reason);
  apis = rig.apis;
});

t.after(async () => {
  await rig?.close();
});

t('create, list with labels and ownership, duplicate create, delete', async () => {
  if (!apis) return;
  await apis.topics.create(ours);
  // A topic someone made by hand, without our labels.
  const foreign: TopicResource = { ...ours, name: `projects/${PROJECT}/topics/hand-made`, labels: { team: 'data' } };
  await apis.topics.create(foreign);

  const live = await apis.topics.list(PROJECT);
  const byName = new Map(live.map((l) => [l.resource.name, l]));
  assert.equal(byName.get(ours.name), { resource: ours, owned: true });
  assert.equal(byName.get(foreign.name)?.owned, false);
  assert.equal(byName.get(foreign.name)?.resource.labels, { team: 'data' });

  try {
    await apis.topics.create(ours);
    assert.unreachable('a second create must fail');
  } catch (error) {
    assert.instance(error, CloudError);
    assert.is((error as CloudError).code, 'ALREADY_EXISTS');
    assert.match((error as CloudError).message, ours.name);
  }

  await apis.topics.delete(foreign.name);
  assert.equal(
    (await apis.topics.list(PROJECT)).map((l) => l.resource.name),
    [ours.name],
  );
  try {
    await apis.topics.delete(foreign.name);
    assert.unreachable('deleting a missing topic must fail');
  } catch (error) {
    assert.is((error as CloudError).code, 'NOT_FOUND');
  }
  assert.ok((apis.calls.snapshot()['pubsub.list'] ?? 0) >= 2);
});

t('a label update the emulator cannot do is refused with a clear message, the topic untouched', async () => {
  if (!apis) return;
  try {
    await apis.topics.update({ ...ours, labels: { ...ours.labels, extra: 'x' } });
    assert.unreachable('the emulator rejects label updates');
  } catch (error) {
    assert.is((error as CloudError).code, 'FAILED_PRECONDITION');
    assert.match((error as CloudError).message, 'emulator cannot change');
  }
  const [topic] = (await apis.topics.list(PROJECT)).filter((l) => l.resource.name === ours.name);
  assert.equal(topic?.resource.labels, ours.labels);
});

t('the emulator client looked for no credentials (no metadata server probe)', () => {
  assert.equal(
    warnings.stop().filter((w) => /metadata|credential/i.test(w)),
    [],
  );
});

t.run();
