import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { call, manualClock, PROJECT } from './helpers.ts';

// Google's emulator itself (a Java process): pubsub.e2e.test.ts.

let sandbox: Sandbox;
// Ack deadlines are measured on this clock: the pulls below are "before the deadline" however slow the machine.
const clock = manualClock();

test.before(async () => {
  sandbox = await startSandbox({ clock });
});
test.after(async () => {
  await sandbox.stop();
});

test('the sandbox serves Pub/Sub when the emulator is not requested: topics with labels, publish, pull, acknowledge', async () => {
  assert.is(sandbox.pubsub.kind, 'sandbox');
  const topic = `projects/${PROJECT}/topics/batch-acme-c1-outputs`;
  const created = await call(sandbox, 'pubsub', 'PUT', `/v1/${topic}`, { labels: { 'managed-by': 'batch-workflows' } });
  assert.equal(created.body, { name: topic, labels: { 'managed-by': 'batch-workflows' } });
  assert.is((await call(sandbox, 'pubsub', 'PUT', `/v1/${topic}`, {})).status, 409);
  assert.is((await call(sandbox, 'pubsub', 'PUT', `/v1/projects/${PROJECT}/topics/goog-reserved`, {})).status, 400);

  const patched = await call(sandbox, 'pubsub', 'PATCH', `/v1/${topic}`, { topic: { labels: { 'managed-by': 'batch-workflows', client: 'c1' } }, updateMask: 'labels' });
  assert.equal(patched.body.labels, { 'managed-by': 'batch-workflows', client: 'c1' });
  const listed = await call(sandbox, 'pubsub', 'GET', `/v1/projects/${PROJECT}/topics`);
  assert.equal(
    listed.body.topics.map((t: any) => t.name),
    [topic],
  );

  const subscription = `projects/${PROJECT}/subscriptions/status-reader`;
  assert.is((await call(sandbox, 'pubsub', 'PUT', `/v1/${subscription}`, { topic })).status, 200);
  const data = Buffer.from(JSON.stringify({ job_state: 'SUCCEEDED' })).toString('base64');
  const published = await call(sandbox, 'pubsub', 'POST', `/v1/${topic}:publish`, { messages: [{ data, attributes: { job_state: 'SUCCEEDED', client: 'c1' } }] });
  assert.is(published.body.messageIds.length, 1);
  assert.is((await call(sandbox, 'pubsub', 'POST', `/v1/${topic}:publish`, { messages: [{}] })).status, 400, 'an empty message is refused');

  const pulled = await call(sandbox, 'pubsub', 'POST', `/v1/${subscription}:pull`, { maxMessages: 10 });
  assert.is(pulled.body.receivedMessages.length, 1);
  const [received] = pulled.body.receivedMessages;
  assert.is(received.message.data, data);
  assert.equal(received.message.attributes, { job_state: 'SUCCEEDED', client: 'c1' });
  clock.advance(9_999);
  assert.equal((await call(sandbox, 'pubsub', 'POST', `/v1/${subscription}:pull`, { maxMessages: 10 })).body, {}, 'not redelivered before the ack deadline (10 s by default)');
  clock.advance(1);
  const redelivered = await call(sandbox, 'pubsub', 'POST', `/v1/${subscription}:pull`, { maxMessages: 10 });
  assert.is(redelivered.body.receivedMessages?.[0]?.message.data, data, 'redelivered once the ack deadline passed unacknowledged');
  await call(sandbox, 'pubsub', 'POST', `/v1/${subscription}:acknowledge`, { ackIds: [redelivered.body.receivedMessages[0].ackId] });
  clock.advance(10_000);
  assert.equal((await call(sandbox, 'pubsub', 'POST', `/v1/${subscription}:pull`, { maxMessages: 10 })).body, {}, 'an acknowledged message is not redelivered');

  const log = sandbox.state.topicMessages(topic);
  assert.is(log.length, 1);
  assert.equal(JSON.parse(log[0]!.data), { job_state: 'SUCCEEDED' });

  assert.equal((await call(sandbox, 'pubsub', 'DELETE', `/v1/${topic}`)).body, {});
  assert.is((await call(sandbox, 'pubsub', 'GET', `/v1/${topic}`)).status, 404);
});

test.run();
