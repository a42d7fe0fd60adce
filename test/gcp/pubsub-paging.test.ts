/**
 * PubSubClientTopics.list pages through getTopics with allPages (src/gcp/calls.ts): each page one
 * counted call, the next request's token passed on, and the last page answered as `[topics]` alone
 * (the SDK's GetTopicsResponse tuple may have no next request).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PubSub } from '@google-cloud/pubsub';
import { CallCounter } from '../../src/gcp/calls.ts';
import { PubSubClientTopics } from '../../src/gcp/pubsub.ts';

test('topics come from every page, each page one pubsub.list call', async () => {
  const requests: unknown[] = [];
  const topic = (id: string) => ({ name: `projects/p/topics/${id}`, metadata: { name: `projects/p/topics/${id}`, labels: { 'managed-by': 'batch-workflows', product: 'ml' } } });
  const fake = {
    getTopics: async (request: { pageToken?: string }) => {
      requests.push(request);
      return request.pageToken === 'second' ? [[topic('b')]] : [[topic('a')], { pageToken: 'second' }];
    },
  } as unknown as PubSub;
  const counter = new CallCounter();
  const topics = await new PubSubClientTopics(fake, counter).list('p');
  assert.equal(
    topics.map((t) => [t.resource.name, t.owned]),
    [
      ['projects/p/topics/a', true],
      ['projects/p/topics/b', true],
    ],
  );
  assert.equal(requests, [
    { project: 'projects/p', pageSize: 1000, autoPaginate: false },
    { project: 'projects/p', pageSize: 1000, pageToken: 'second', autoPaginate: false },
  ]);
  assert.is(counter.snapshot()['pubsub.list'], 2);
});

test.run();
