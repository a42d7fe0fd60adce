/**
 * The Pub/Sub REST subset the sandbox serves when Google's emulator is absent or not asked for
 * (https://cloud.google.com/pubsub/docs/reference/rest): topics (create with PUT, get, list, patch
 * labels, delete, publish) and subscriptions (create with PUT, get, list, delete, pull, acknowledge).
 * Every published message is also kept per topic, so tests and `npm start` can read what a workflow
 * sent without having made a subscription first.
 */
import { invalid, foundOr, alreadyExists, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { hexId, isRecord, maskFields, now, validateLabels, listUnder } from '../google-shapes.ts';
import { publicView, type PubSubMessage } from '../state.ts';
import { removeOwnPolicy } from '../resource-policies.ts';

const RESOURCE_ID = /^[a-zA-Z][a-zA-Z0-9\-_.~+%]{2,254}$/;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function validateId(kind: 'topic' | 'subscription', id: string): void {
  if (!RESOURCE_ID.test(id) || id.toLowerCase().startsWith('goog')) {
    throw invalid(`Invalid ${kind} name "${id}": 3-255 characters, starting with a letter, of letters, digits and - _ . ~ + %; not starting with "goog".`);
  }
}

export function pubsubRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const topicOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/topics/${p.topic}`;
  const subscriptionOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/subscriptions/${p.subscription}`;
  const mustTopic = (name: string) => foundOr(state.get('topics', name), 'Topic not found');
  const mustSubscription = (name: string) => foundOr(state.get('subscriptions', name), 'Subscription does not exist');

  return [
    route('PUT', '/v1/projects/{project}/topics/{topic}', 'topics.create', (req) => {
      validateId('topic', req.params.topic!);
      const name = topicOf(req.params);
      if (state.get('topics', name)) throw alreadyExists('Topic already exists');
      const body = req.json();
      validateLabels(body.labels);
      const topic = {
        name,
        ...(body.labels && Object.keys(body.labels).length ? { labels: body.labels } : {}),
        ...(body.messageRetentionDuration ? { messageRetentionDuration: body.messageRetentionDuration } : {}),
      };
      state.put('topics', name, topic);
      return { json: topic };
    }),

    route('GET', '/v1/projects/{project}/topics', 'topics.list', (req) => ({
      json: listUnder(state.all('topics'), `projects/${req.params.project}/topics/`, req, { defaultSize: 100, maxSize: 1000 }, 'topics', publicView),
    })),

    route('GET', '/v1/projects/{project}/topics/{topic}', 'topics.get', (req) => ({ json: publicView(mustTopic(topicOf(req.params))) })),

    route('PATCH', '/v1/projects/{project}/topics/{topic}', 'topics.patch', (req) => {
      const name = topicOf(req.params);
      const current = mustTopic(name);
      const body = req.json();
      const patch = isRecord(body.topic) ? body.topic : {};
      if (!body.updateMask) throw invalid('updateMask is required: name the fields to update (e.g. "labels").');
      const fields = maskFields(body.updateMask, ['labels', 'messageRetentionDuration', 'messageStoragePolicy', 'schemaSettings', 'kmsKeyName'], []);
      validateLabels(patch.labels);
      const next: Record<string, any> = { ...current };
      for (const field of fields) {
        const value = patch[field];
        if (value === undefined || (field === 'labels' && Object.keys(value).length === 0)) delete next[field];
        else next[field] = value;
      }
      state.put('topics', name, next);
      return { json: publicView(next) };
    }),

    route('DELETE', '/v1/projects/{project}/topics/{topic}', 'topics.delete', (req) => {
      const name = topicOf(req.params);
      mustTopic(name);
      state.remove('topics', name);
      removeOwnPolicy(state, { kind: 'topic', name });
      // Subscriptions outlive their topic, detached, as in Pub/Sub.
      for (const sub of Object.values(state.all('subscriptions'))) {
        if (sub.topic === name) state.put('subscriptions', sub.name, { ...sub, topic: '_deleted-topic_' });
      }
      return { json: {} };
    }),

    route('POST', '/v1/projects/{project}/topics/{topic}:publish', 'topics.publish', (req) => {
      const name = topicOf(req.params);
      mustTopic(name);
      const messages = req.json().messages;
      if (!Array.isArray(messages) || messages.length === 0) throw invalid('The request contains no messages.');
      const ids: string[] = [];
      const published: PubSubMessage[] = messages.map((raw: unknown, i: number) => {
        if (!isRecord(raw)) throw invalid(`messages[${i}] must be an object.`);
        const hasData = typeof raw.data === 'string' && raw.data !== '';
        const hasAttributes = isRecord(raw.attributes) && Object.keys(raw.attributes).length > 0;
        if (!hasData && !hasAttributes) throw invalid('Some messages are empty: a message needs data or at least one attribute.');
        if (hasData && Buffer.from(raw.data, 'base64').length > MAX_MESSAGE_BYTES) throw invalid('A message is larger than 10 MB.');
        const messageId = String(state.next('pubsubMessageId'));
        ids.push(messageId);
        return {
          messageId,
          ...(hasData ? { data: raw.data } : {}),
          ...(hasAttributes ? { attributes: raw.attributes } : {}),
          ...(raw.orderingKey ? { orderingKey: raw.orderingKey } : {}),
          publishTime: now(),
        };
      });
      state.put('topicMessages', name, [...(state.get('topicMessages', name) ?? []), ...published]);
      for (const sub of Object.values(state.all('subscriptions'))) {
        if (sub.topic !== name) continue;
        const backlog = state.get('subscriptionBacklog', sub.name) ?? [];
        state.put('subscriptionBacklog', sub.name, [...backlog, ...published.map((message) => ({ message, ackId: '', deliverableAt: 0, deliveryAttempt: 0 }))]);
      }
      return { json: { messageIds: ids } };
    }),

    route('PUT', '/v1/projects/{project}/subscriptions/{subscription}', 'subscriptions.create', (req) => {
      validateId('subscription', req.params.subscription!);
      const name = subscriptionOf(req.params);
      if (state.get('subscriptions', name)) throw alreadyExists('Subscription already exists');
      const body = req.json();
      if (typeof body.topic !== 'string' || !body.topic) throw invalid('topic is required.');
      mustTopic(body.topic);
      validateLabels(body.labels);
      const ackDeadlineSeconds = body.ackDeadlineSeconds ?? 10;
      if (ackDeadlineSeconds < 10 || ackDeadlineSeconds > 600) throw invalid('ackDeadlineSeconds must be between 10 and 600.');
      const subscription = {
        name,
        topic: body.topic,
        pushConfig: body.pushConfig ?? {},
        ackDeadlineSeconds,
        messageRetentionDuration: body.messageRetentionDuration ?? '604800s',
        ...(body.labels ? { labels: body.labels } : {}),
        ...(body.filter ? { filter: body.filter } : {}),
        state: 'ACTIVE',
      };
      state.put('subscriptions', name, subscription);
      state.put('subscriptionBacklog', name, []);
      return { json: subscription };
    }),

    route('GET', '/v1/projects/{project}/subscriptions', 'subscriptions.list', (req) => ({
      json: listUnder(state.all('subscriptions'), `projects/${req.params.project}/subscriptions/`, req, { defaultSize: 100, maxSize: 1000 }, 'subscriptions', publicView),
    })),

    route('GET', '/v1/projects/{project}/subscriptions/{subscription}', 'subscriptions.get', (req) => ({
      json: publicView(mustSubscription(subscriptionOf(req.params))),
    })),

    route('DELETE', '/v1/projects/{project}/subscriptions/{subscription}', 'subscriptions.delete', (req) => {
      const name = subscriptionOf(req.params);
      mustSubscription(name);
      state.remove('subscriptions', name);
      removeOwnPolicy(state, { kind: 'subscription', name });
      state.remove('subscriptionBacklog', name);
      return { json: {} };
    }),

    route('POST', '/v1/projects/{project}/subscriptions/{subscription}:pull', 'subscriptions.pull', (req) => {
      const name = subscriptionOf(req.params);
      const subscription = mustSubscription(name);
      const maxMessages = Number(req.json().maxMessages ?? 0);
      if (!Number.isInteger(maxMessages) || maxMessages <= 0) throw invalid('maxMessages must be a positive integer.');
      // Ack deadlines run on the context's clock, so a test can pass one without waiting for it.
      const at = context.clock.now();
      let delivered = 0;
      const received: Record<string, unknown>[] = [];
      const backlog = (state.get('subscriptionBacklog', name) ?? []).map((entry) => {
        if (delivered >= maxMessages || entry.deliverableAt > at) return entry;
        delivered++;
        const next = { ...entry, ackId: `${hexId(12)}-${entry.message.messageId}`, deliverableAt: at + subscription.ackDeadlineSeconds * 1000, deliveryAttempt: entry.deliveryAttempt + 1 };
        received.push({ ackId: next.ackId, message: { ...entry.message, attributes: entry.message.attributes ?? {} } });
        return next;
      });
      state.put('subscriptionBacklog', name, backlog);
      return { json: received.length ? { receivedMessages: received } : {} };
    }),

    route('POST', '/v1/projects/{project}/subscriptions/{subscription}:acknowledge', 'subscriptions.acknowledge', (req) => {
      const name = subscriptionOf(req.params);
      mustSubscription(name);
      const ackIds = req.json().ackIds;
      if (!Array.isArray(ackIds) || ackIds.length === 0) throw invalid('ackIds must hold at least one ack id.');
      const acked = new Set(ackIds);
      state.put(
        'subscriptionBacklog',
        name,
        (state.get('subscriptionBacklog', name) ?? []).filter((entry) => !acked.has(entry.ackId)),
      );
      return { json: {} };
    }),
  ];
}
