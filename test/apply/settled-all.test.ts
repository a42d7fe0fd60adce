/**
 * settledAll and mapBounded (src/apply/retry.ts) settle every call before they reject: a plan refused
 * at its first 403 must not return while other reads are still running against clients its caller
 * is about to close.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mapBounded, settledAll } from '../../src/apply/retry.ts';

/** A promise and the function that resolves it, so a test decides when a call ends. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('settledAll rejects with the first rejection only once every promise has settled', async () => {
  const slow = deferred<string>();
  let slowEnded = false;
  const outcome = settledAll([Promise.reject(new Error('403 first')), slow.promise.then((v) => ((slowEnded = true), v))]).then(
    () => 'resolved',
    (error: Error) => `rejected: ${error.message}, slow call ended: ${slowEnded}`,
  );
  await new Promise((r) => setImmediate(r));
  let settled = false;
  void outcome.then(() => (settled = true));
  await new Promise((r) => setImmediate(r));
  assert.not.ok(settled, 'still waiting for the slow call');
  slow.resolve('done');
  assert.is(await outcome, 'rejected: 403 first, slow call ended: true');
});

test('settledAll keeps the order and types of its results', async () => {
  const [n, s] = await settledAll([Promise.resolve(1), Promise.resolve('two')]);
  assert.is(n + 1, 2);
  assert.is(s.length, 3);
});

test('mapBounded: a failing item does not leave the others running when it rejects', async () => {
  const running = new Set<number>();
  const gate = deferred<void>();
  const outcome = mapBounded([0, 1, 2, 3], 2, async (i) => {
    running.add(i);
    if (i === 0) throw new Error('item 0 refused');
    await gate.promise;
    running.delete(i);
    return i;
  }).catch((error: Error) => ({ message: error.message, stillRunning: [...running].filter((i) => i !== 0) }));
  await new Promise((r) => setImmediate(r));
  gate.resolve();
  assert.equal(await outcome, { message: 'item 0 refused', stillRunning: [] });
});

test.run();
