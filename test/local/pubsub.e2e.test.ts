/** Google's Pub/Sub emulator as a process of its own: Java started in its own process group, used through @google-cloud/pubsub, and stopped. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { PubSub } from '@google-cloud/pubsub';
import { PassThroughClient } from 'google-auth-library';
import { startPubSubEmulator } from '../../src/local/index.ts';
import { PROJECT } from './helpers.ts';

function javaProcessesOf(port: number): string[] {
  try {
    return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => /java/.test(line) && line.includes(`${port}`));
  } catch {
    return [];
  }
}

test("Google's Pub/Sub emulator: started in its own process group, used through @google-cloud/pubsub, stopped with its Java server", async () => {
  let reason = '';
  const emulator = await startPubSubEmulator({ onUnavailable: (r) => (reason = r) });
  if (!emulator) {
    console.log(`  skipped: the Pub/Sub emulator is unavailable: ${reason}`);
    return;
  }
  let client: PubSub | undefined;
  try {
    assert.ok(javaProcessesOf(emulator.port).length > 0, 'the Java server runs');
    // An auth client that sends nothing: without it the client probes the GCE metadata server.
    client = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host, emulatorMode: true, authClient: new PassThroughClient() } as unknown as ConstructorParameters<typeof PubSub>[0]);
    const [topic] = await client.createTopic('emulated-topic');
    const [subscription] = await topic.createSubscription('emulated-sub');
    await topic.publishMessage({ data: Buffer.from('from the emulator'), attributes: { client: 'c1' } });
    const [pulled] = await new Promise<[any]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 15 s')), 15_000);
      subscription.once('message', (message) => {
        clearTimeout(timer);
        message.ack();
        resolve([message]);
      });
      subscription.once('error', reject);
    });
    assert.is(pulled.data.toString(), 'from the emulator');
    assert.equal(pulled.attributes, { client: 'c1' });
    // The emulator answers REST too, which is how the sandbox reports it.
    const topics: any = await fetch(`${emulator.restBase}/v1/projects/${PROJECT}/topics`).then((r) => r.json());
    assert.equal(
      topics.topics.map((t: any) => t.name),
      [`projects/${PROJECT}/topics/emulated-topic`],
    );
    await subscription.close();
  } finally {
    await client?.close();
    await emulator.stop();
  }
  assert.equal(javaProcessesOf(emulator.port), [], 'no Java process of the emulator is left');
  const stillAnswers = await fetch(`${emulator.restBase}/`).then(
    () => true,
    () => false,
  );
  assert.is(stillAnswers, false);
});

test.run();
