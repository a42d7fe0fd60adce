/**
 * IAM v1 service accounts over REST (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts).
 * Ownership is the description marker: service accounts have no labels.
 */
import type { ServiceAccountResource } from '../resources/types.ts';
import { CloudError, type ServiceAccountsApi } from './types.ts';
import type { Live } from '../resources/live.ts';
import { serviceAccountFromApi, type ApiServiceAccount } from './convert.ts';
import { realPollClock, type PollOptions, type RestClient } from './rest.ts';

/** IAM's documented maximum page size. */
const PAGE_SIZE = 100;

/**
 * New accounts are eventually consistent: a get (or an IAM binding naming the account) can fail with
 * NOT_FOUND for a while after create returns. Google documents up to a minute or so.
 */
export const DEFAULT_VISIBILITY_WAIT: PollOptions = { initialDelayMs: 100, maxDelayMs: 5_000, timeoutMs: 90_000 };

export class IamServiceAccounts implements ServiceAccountsApi {
  constructor(
    private readonly rest: RestClient,
    private readonly visibility: PollOptions = DEFAULT_VISIBILITY_WAIT,
  ) {}

  async list(project: string): Promise<Live<ServiceAccountResource>[]> {
    const parent = `projects/${project}`;
    const accounts = await this.rest.listAll<ApiServiceAccount>(`v1/${parent}/serviceAccounts`, 'accounts', PAGE_SIZE, parent);
    return accounts.map(serviceAccountFromApi);
  }

  async create(desired: ServiceAccountResource): Promise<void> {
    await this.rest.send<ApiServiceAccount>('POST', `v1/projects/${desired.project}/serviceAccounts`, {
      body: {
        accountId: desired.accountId,
        serviceAccount: { displayName: desired.displayName, description: desired.description },
      },
      count: 'create',
      resource: desired.name,
    });
    await this.waitUntilVisible(desired.name);
  }

  async update(desired: ServiceAccountResource): Promise<void> {
    await this.rest.send<ApiServiceAccount>('PATCH', `v1/${desired.name}`, {
      body: {
        serviceAccount: { name: desired.name, displayName: desired.displayName, description: desired.description },
        updateMask: 'displayName,description',
      },
      count: 'update',
      resource: desired.name,
    });
  }

  async delete(name: string): Promise<void> {
    await this.rest.send<unknown>('DELETE', `v1/${name}`, { count: 'delete', resource: name });
  }

  private async waitUntilVisible(name: string): Promise<void> {
    const clock = this.visibility.clock ?? realPollClock;
    const deadline = clock.now() + this.visibility.timeoutMs;
    let delay = this.visibility.initialDelayMs;
    for (;;) {
      try {
        await this.rest.send<ApiServiceAccount>('GET', `v1/${name}`, { count: 'get', resource: name });
        return;
      } catch (error) {
        if (!(error instanceof CloudError) || error.code !== 'NOT_FOUND') throw error;
        if (clock.now() + delay > deadline) {
          throw new CloudError('DEADLINE_EXCEEDED', `iam.create ${name}: created, but still not visible after ${this.visibility.timeoutMs} ms (IAM is eventually consistent; re-run apply)`);
        }
      }
      await clock.sleep(delay);
      delay = Math.min(this.visibility.maxDelayMs, delay * 2);
    }
  }
}
