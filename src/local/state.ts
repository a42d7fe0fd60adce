/**
 * Everything the sandbox knows, as JSON collections keyed by resource name, persisted one file per
 * record (`stateDir/<collection>/<hash of key>.json`) so separate CLI runs (`apply`, then `plan`) see
 * the same project.
 *
 * Durability: a handler that changes state marks its records dirty; the server flushes before it
 * answers, so what a client was told exists is on disk (a process killed mid-apply leaves a state that
 * matches the responses it received). Concurrent flushes coalesce (each changed record is written once), and
 * each write is atomic (temp file + rename), so a crash never leaves a half-written file.
 *
 * Records are replaced, never mutated in place: `put` stores a new value and readers may keep the old.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newObject, type StoredObject } from './objects.ts';
import type { Operation } from './google-shapes.ts';
import { now } from './google-shapes.ts';
import { UserError } from '../diagnostics.ts';

/** A JSON resource as stored. Fields starting with `_` are internal and never sent to clients. */
export type StoredResource = Readonly<Record<string, any>>;

export interface PubSubMessage {
  readonly messageId: string;
  readonly data?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly orderingKey?: string;
  readonly publishTime: string;
}

export interface Collections {
  workflows: Record<string, StoredResource>;
  executions: Record<string, StoredResource>;
  operations: Record<string, Operation>;
  triggers: Record<string, StoredResource>;
  schedulerJobs: Record<string, StoredResource>;
  serviceAccounts: Record<string, StoredResource>;
  /** Keyed by project id. */
  policies: Record<string, StoredResource>;
  batchJobs: Record<string, StoredResource>;
  secrets: Record<string, StoredResource>;
  /** Keyed by version name; the payload is kept in `_data` (base64). */
  secretVersions: Record<string, StoredResource>;
  buckets: Record<string, StoredResource>;
  /** Keyed by `bucket/object`. */
  objects: Record<string, StoredObject>;
  topics: Record<string, StoredResource>;
  subscriptions: Record<string, StoredResource>;
  /** Cloud Storage managed folders, keyed by `bucket/folder/` (the folder name ends with a slash). */
  managedFolders: Record<string, StoredResource>;
  /**
   * The IAM policies of buckets, managed folders, topics, subscriptions and service accounts, keyed by
   * the resource's full name (src/local/resource-policies.ts owns the keys). A secret's policy lives
   * with the secret.
   */
  resourcePolicies: Record<string, StoredResource>;
  /** Every message published, by topic name, so tests and `npm start` can read what a workflow sent. */
  topicMessages: Record<string, PubSubMessage[]>;
  /** Undelivered or unacknowledged messages per subscription. */
  subscriptionBacklog: Record<string, { message: PubSubMessage; ackId: string; deliverableAt: number; deliveryAttempt: number }[]>;
  /** Counters that must survive a restart (object generations, workflow revisions, message ids). */
  counters: Record<string, number>;
}
export type CollectionName = keyof Collections;

const COLLECTIONS: readonly CollectionName[] = [
  'workflows',
  'executions',
  'operations',
  'triggers',
  'schedulerJobs',
  'serviceAccounts',
  'policies',
  'batchJobs',
  'secrets',
  'secretVersions',
  'buckets',
  'objects',
  'topics',
  'subscriptions',
  'managedFolders',
  'resourcePolicies',
  'topicMessages',
  'subscriptionBacklog',
  'counters',
];

/**
 * Operations are kept for clients that poll, in memory only and only the most recent: they are born
 * done, a client polls within its own run, and persisting them (each carries a full resource, a
 * workflow's source included) would make every write of a large apply rewrite megabytes.
 */
const MAX_OPERATIONS = 2000;
const MEMORY_ONLY: ReadonlySet<CollectionName> = new Set(['operations']);

function emptyCollections(): Collections {
  return Object.fromEntries(COLLECTIONS.map((name) => [name, {}])) as unknown as Collections;
}

/** A resource without its internal (`_`-prefixed) fields: what clients see. */
export function publicView<T extends StoredResource>(resource: T): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(resource)) if (!key.startsWith('_')) out[key] = value;
  return out;
}

export class SandboxState {
  private readonly data: Collections;
  /** Records changed since the last flush, per collection. */
  private readonly dirty = new Map<CollectionName, Set<string>>();
  private writing: Promise<void> | undefined;
  private operationCount = 0;

  private constructor(
    /** Folder the state persists in; undefined = in memory only. */
    readonly dir: string | undefined,
    data: Collections,
  ) {
    this.data = data;
  }

  static async open(dir?: string): Promise<SandboxState> {
    const data = emptyCollections();
    if (dir) {
      await mkdir(dir, { recursive: true });
      for (const name of COLLECTIONS) {
        if (MEMORY_ONLY.has(name)) continue;
        const folder = join(dir, name);
        const files = await readdir(folder).catch(() => [] as string[]);
        const records = data[name] as Record<string, unknown>;
        for (const file of files.filter((f) => f.endsWith('.json')).sort()) {
          const path = join(folder, file);
          try {
            const { key, value } = JSON.parse(await readFile(path, 'utf8')) as { key: string; value: unknown };
            records[key] = value;
          } catch (error) {
            // A file edited or truncated by hand (or by a disk that filled up): the user's to clear.
            throw new UserError({ file: path, message: `is not a valid sandbox state record (${(error as Error).message})`, fix: `delete ${dir} to start the sandbox afresh` });
          }
        }
      }
    }
    return new SandboxState(dir, data);
  }

  /** One file per record, named by a hash of its key (keys hold slashes and may be long). */
  private fileOf(collection: CollectionName, key: string): string {
    return join(this.dir!, collection, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  private markDirty(collection: CollectionName, key: string): void {
    if (MEMORY_ONLY.has(collection)) return;
    let keys = this.dirty.get(collection);
    if (!keys) this.dirty.set(collection, (keys = new Set()));
    keys.add(key);
  }

  // ---- generic access (used by the API handlers) ----

  all<C extends CollectionName>(collection: C): Readonly<Collections[C]> {
    return this.data[collection];
  }

  get<C extends CollectionName>(collection: C, key: string): Collections[C][string] | undefined {
    const records = this.data[collection] as Record<string, Collections[C][string]>;
    return Object.hasOwn(records, key) ? records[key] : undefined;
  }

  put<C extends CollectionName>(collection: C, key: string, value: Collections[C][string]): void {
    (this.data[collection] as Record<string, unknown>)[key] = value;
    this.markDirty(collection, key);
  }

  remove(collection: CollectionName, key: string): void {
    delete (this.data[collection] as Record<string, unknown>)[key];
    this.markDirty(collection, key);
  }

  /** Next value of a persistent counter (1, 2, ...). */
  next(counter: string): number {
    const value = (this.data.counters[counter] ?? 0) + 1;
    this.put('counters', counter, value);
    return value;
  }

  putOperation(operation: Operation): void {
    this.data.operations[operation.name] = operation;
    this.operationCount++;
    if (this.operationCount > MAX_OPERATIONS * 1.5) {
      // Insertion order is age order; drop the oldest beyond the cap (in batches, to stay O(1) per call).
      const names = Object.keys(this.data.operations);
      for (const name of names.slice(0, names.length - MAX_OPERATIONS)) delete this.data.operations[name];
      this.operationCount = MAX_OPERATIONS;
    }
  }

  /**
   * Write changed records to `dir` (no-op in memory). Only what changed is written, one small file
   * per record, so a write costs the same however large the project is. Concurrent callers share
   * writes: whoever arrives while a write runs waits for it, then writes what is still dirty.
   */
  async flush(): Promise<void> {
    if (!this.dir) {
      this.dirty.clear();
      return;
    }
    while (this.writing) await this.writing;
    if (this.dirty.size === 0) return;
    // Snapshot now (synchronously), so later changes wait for the next flush.
    const changes = [...this.dirty].flatMap(([collection, keys]) =>
      [...keys].map((key) => {
        const value = this.get(collection, key);
        return { collection, file: this.fileOf(collection, key), text: value === undefined ? undefined : JSON.stringify({ key, value }) };
      }),
    );
    this.dirty.clear();
    this.writing = (async () => {
      for (const collection of new Set(changes.map((c) => c.collection))) await mkdir(join(this.dir!, collection), { recursive: true });
      for (let i = 0; i < changes.length; i += 64) {
        await Promise.all(
          changes.slice(i, i + 64).map(async ({ file, text }) => {
            if (text === undefined) return rm(file, { force: true });
            const temp = `${file}.${process.pid}.tmp`;
            await writeFile(temp, text);
            await rename(temp, file);
          }),
        );
      }
    })().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  // ---- direct access for tests and `npm start` ----

  /** Create a bucket if it does not exist (the product bucket is a precondition, not managed). */
  createBucket(name: string, project = 'sandbox-project', location = 'EU', options: { uniformBucketLevelAccess?: boolean } = {}): StoredResource {
    const existing = this.get('buckets', name);
    if (existing) return existing;
    const time = now();
    const bucket = {
      kind: 'storage#bucket',
      id: name,
      name,
      projectNumber: '000000000000',
      _project: project,
      location,
      locationType: 'multi-region',
      storageClass: 'STANDARD',
      metageneration: '1',
      etag: 'CAE=',
      timeCreated: time,
      updated: time,
      iamConfiguration: bucketIamConfiguration(options.uniformBucketLevelAccess ?? false, time),
    };
    this.put('buckets', name, bucket);
    return bucket;
  }

  bucketExists(name: string): boolean {
    return this.get('buckets', name) !== undefined;
  }

  /** Store an object (creating its bucket when missing) with a new generation. */
  putObject(bucket: string, name: string, data: string | Uint8Array, contentType?: string, metadata?: Record<string, string>): StoredObject {
    if (!this.bucketExists(bucket)) this.createBucket(bucket);
    const object = newObject({
      bucket,
      name,
      data: typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data),
      ...(contentType ? { contentType } : {}),
      ...(metadata ? { metadata } : {}),
      generation: Date.now() * 1000 + (this.next('objectGeneration') % 1000),
    });
    this.put('objects', `${bucket}/${name}`, object);
    return object;
  }

  getObject(bucket: string, name: string): StoredObject | undefined {
    return this.get('objects', `${bucket}/${name}`);
  }

  readObject(bucket: string, name: string): Buffer | undefined {
    const object = this.getObject(bucket, name);
    return object ? Buffer.from(object.data, 'base64') : undefined;
  }

  readObjectText(bucket: string, name: string): string | undefined {
    return this.readObject(bucket, name)?.toString('utf8');
  }

  /** Objects of a bucket whose names start with `prefix`, in name order. */
  listObjects(bucket: string, prefix = ''): StoredObject[] {
    const start = `${bucket}/${prefix}`;
    return Object.entries(this.data.objects)
      .filter(([key]) => key.startsWith(start))
      .map(([, object]) => object)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  deleteObject(bucket: string, name: string): boolean {
    if (!this.getObject(bucket, name)) return false;
    this.remove('objects', `${bucket}/${name}`);
    return true;
  }

  /**
   * Add a secret version (creating the secret when missing); returns the version name.
   * `clientSpecifiedPayloadChecksum`: the request carried a data_crc32c that the server verified.
   */
  addSecretVersion(project: string, secretId: string, data: string | Uint8Array, clientSpecifiedPayloadChecksum = false): string {
    const secretName = `projects/${project}/secrets/${secretId}`;
    if (!this.get('secrets', secretName)) {
      this.put('secrets', secretName, { name: secretName, replication: { automatic: {} }, createTime: now(), etag: '"1"' });
    }
    const version = this.next(`secretVersion:${secretName}`);
    const name = `${secretName}/versions/${version}`;
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    this.put('secretVersions', name, {
      name,
      createTime: now(),
      state: 'ENABLED',
      replicationStatus: { automatic: {} },
      etag: `"${version}"`,
      clientSpecifiedPayloadChecksum,
      _data: payload.toString('base64'),
    });
    return name;
  }

  /** Messages published to a topic served by the sandbox (`projects/P/topics/T`), oldest first. */
  topicMessages(topic: string): { data: string; attributes: Record<string, string>; messageId: string; publishTime: string }[] {
    return (this.data.topicMessages[topic] ?? []).map((m) => ({
      data: Buffer.from(m.data ?? '', 'base64').toString('utf8'),
      attributes: { ...(m.attributes ?? {}) },
      messageId: m.messageId,
      publishTime: m.publishTime,
    }));
  }

  workflow(name: string): Record<string, any> | undefined {
    const workflow = this.get('workflows', name);
    return workflow ? publicView(workflow) : undefined;
  }

  /** Executions recorded for a workflow (`projects/P/locations/L/workflows/W`), newest first. */
  executions(workflow: string): Record<string, any>[] {
    // Newest first; two executions started in the same millisecond by the order they were created
    // in (`_sequence`), so a list never depends on how fast the machine is.
    const newestFirst = (a: Record<string, any>, b: Record<string, any>) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : (b._sequence ?? 0) - (a._sequence ?? 0));
    return Object.values(this.data.executions)
      .filter((e) => e.name.startsWith(`${workflow}/executions/`))
      .sort(newestFirst)
      .map(publicView);
  }

  batchJob(name: string): Record<string, any> | undefined {
    const job = this.get('batchJobs', name);
    return job ? publicView(job) : undefined;
  }

  /** The stored project policy (version 3 view, conditions included). */
  projectPolicy(project: string): Record<string, any> | undefined {
    const policy = this.get('policies', project);
    return policy ? publicView(policy) : undefined;
  }
}

/**
 * A bucket's `iamConfiguration` as the JSON API returns it (gcloud's storage_v1_messages.py,
 * Bucket.IamConfigurationValue): `uniformBucketLevelAccess` with `bucketPolicyOnly` mirroring it
 * "for backward compatibility", and `lockedTime`, the deadline for turning uniform access off again,
 * which Google sets 90 days after it is enabled
 * (https://cloud.google.com/storage/docs/uniform-bucket-level-access: "you have 90 days to
 * disable it").
 */
export function bucketIamConfiguration(enabled: boolean, at: string, publicAccessPrevention = 'inherited'): Record<string, unknown> {
  const ubla = enabled ? { enabled: true, lockedTime: new Date(Date.parse(at) + 90 * 86_400_000).toISOString() } : { enabled: false };
  return { bucketPolicyOnly: ubla, uniformBucketLevelAccess: ubla, publicAccessPrevention };
}
