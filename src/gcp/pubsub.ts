/**
 * Pub/Sub topics (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics), ownership by
 * labels. Two transports behind one adapter: the @google-cloud/pubsub client (Google, or Google's
 * emulator over gRPC), and plain REST for the sandbox's own topic service when the emulator is absent.
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { TopicResource } from '../resources/types.ts';
import { CloudError, type TopicsApi } from './types.ts';
import type { Live } from '../resources/live.ts';
import { allPages, call, type CallCounter } from './calls.ts';
import { topicFromApi, type ApiTopic } from './convert.ts';
import type { RestClient } from './rest.ts';

/** Pub/Sub documents no maximum; larger pages only mean fewer calls. */
const PAGE_SIZE = 1000;

function checkName(name: string): void {
  if (!/^projects\/[^/]+\/topics\/[^/]+$/.test(name)) throw new Error(`internal: not a topic name: ${name}`);
}

/** Through the client library: Google itself, or the emulator (`emulatorMode`, no credentials). */
export class PubSubClientTopics implements TopicsApi {
  constructor(
    private readonly pubsub: PubSub,
    private readonly counter: CallCounter,
    /** Google's emulator cannot update labels (its update mask knows no `labels`). */
    private readonly emulator = false,
  ) {}

  async list(project: string): Promise<Live<TopicResource>[]> {
    const topics = await allPages(this.counter, 'pubsub', `projects/${project}`, PAGE_SIZE, ({ parent, pageSize, pageToken }) =>
      // `project` overrides the client's own project, so one client serves every environment.
      this.pubsub.getTopics({ project: parent, pageSize, ...(pageToken ? { pageToken } : {}), autoPaginate: false } as { pageSize: number; autoPaginate: false }),
    );
    return topics.map((topic) => topicFromApi((topic.metadata as ApiTopic | undefined) ?? { name: topic.name }));
  }

  async create(desired: TopicResource): Promise<void> {
    checkName(desired.name);
    await call(this.counter, 'pubsub', 'create', desired.name, () => this.pubsub.createTopic({ name: desired.name, labels: { ...desired.labels } }));
  }

  async update(desired: TopicResource): Promise<void> {
    checkName(desired.name);
    try {
      await call(this.counter, 'pubsub', 'update', desired.name, () => this.pubsub.topic(desired.name).setMetadata({ labels: { ...desired.labels } }));
    } catch (error) {
      // Deleting and recreating instead would detach every subscription: say what is going on.
      if (this.emulator && error instanceof CloudError && error.code === 'INVALID_ARGUMENT' && /labels/.test(error.message)) {
        throw new CloudError(
          'FAILED_PRECONDITION',
          `pubsub.update ${desired.name}: the Pub/Sub emulator cannot change a topic's labels (Google's API can); delete the topic in the emulator, or restart the emulator, and apply again`,
        );
      }
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await call(this.counter, 'pubsub', 'delete', name, () => this.pubsub.topic(name).delete());
  }
}

/** Google's REST shapes, for the sandbox's topic service. */
export class RestTopics implements TopicsApi {
  constructor(private readonly rest: RestClient) {}

  async list(project: string): Promise<Live<TopicResource>[]> {
    const parent = `projects/${project}`;
    const topics = await this.rest.listAll<ApiTopic>(`v1/${parent}/topics`, 'topics', PAGE_SIZE, parent);
    return topics.map(topicFromApi);
  }

  async create(desired: TopicResource): Promise<void> {
    checkName(desired.name);
    await this.rest.send('PUT', `v1/${desired.name}`, {
      body: { labels: { ...desired.labels } },
      count: 'create',
      resource: desired.name,
    });
  }

  async update(desired: TopicResource): Promise<void> {
    checkName(desired.name);
    await this.rest.send('PATCH', `v1/${desired.name}`, {
      body: { topic: { name: desired.name, labels: { ...desired.labels } }, updateMask: 'labels' },
      count: 'update',
      resource: desired.name,
    });
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await this.rest.send('DELETE', `v1/${name}`, { count: 'delete', resource: name });
  }
}
