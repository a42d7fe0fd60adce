/**
 * Every adapter call goes through `call`: it is counted (the benchmark reports API calls per plan)
 * and whatever it throws leaves as a classified CloudError naming the resource.
 */
import { toCloudError } from './errors.ts';

export type ApiName = 'workflows' | 'cloudscheduler' | 'pubsub' | 'cloudresourcemanager' | 'eventarc' | 'iam' | 'storage' | 'secretmanager';

/** Counts of adapter calls by `api.method` (one list page is one call, one LRO poll is one call). */
export class CallCounter {
  readonly #counts = new Map<string, number>();

  record(api: ApiName, method: string): void {
    const key = `${api}.${method}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.#counts.values()) sum += n;
    return sum;
  }

  /** A sorted, frozen copy: `{ 'workflows.list': 1, ... }`. */
  snapshot(): Readonly<Record<string, number>> {
    const result: Record<string, number> = {};
    for (const key of [...this.#counts.keys()].sort()) result[key] = this.#counts.get(key)!;
    return Object.freeze(result);
  }

  reset(): void {
    this.#counts.clear();
  }
}

export async function call<T>(counter: CallCounter, api: ApiName, method: string, resourceName: string, fn: () => Promise<T>): Promise<T> {
  counter.record(api, method);
  try {
    return await fn();
  } catch (error) {
    throw toCloudError(error, `${api}.${method}`, resourceName);
  }
}

/** The request of one page of a paged SDK list. */
interface PageRequest {
  readonly parent: string;
  readonly pageSize: number;
  readonly pageToken: string;
}

/**
 * Every item of a paged SDK list under `parent`, page by page, each page a counted `list` call:
 * `page(request)` makes the SDK call with `{ autoPaginate: false }` and answers the SDK's
 * `[items, nextRequest]`; the last page has no next request or an empty token.
 */
export async function allPages<T>(
  counter: CallCounter,
  api: ApiName,
  parent: string,
  pageSize: number,
  page: (request: PageRequest) => Promise<readonly [readonly T[], ({ readonly pageToken?: string | null } | null | undefined)?, ...unknown[]]>,
): Promise<T[]> {
  const items: T[] = [];
  let pageToken = '';
  do {
    const request = { parent, pageSize, pageToken };
    const [some, next] = await call(counter, api, 'list', parent, () => page(request));
    items.push(...some);
    pageToken = next?.pageToken ?? '';
  } while (pageToken);
  return items;
}
