/**
 * Cloud Storage through @google-cloud/storage. The product bucket is a precondition, not a managed
 * resource (plan only checks it exists); objects are here for per-client settings kept in the bucket.
 */
import type { Storage } from '@google-cloud/storage';
import type { LiveObject } from '../resources/live.ts';
import type { StorageApi } from './types.ts';
import { CloudError } from './types.ts';
import { call, type CallCounter } from './calls.ts';

/** Beyond the agreed StorageApi: object access for later per-client settings. */
export interface PutObjectOptions {
  /** Custom metadata (`x-goog-meta-*`); replaces the object's whole custom metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Write only if the live generation is this one; `0` = only if there is no such object (else FAILED_PRECONDITION, HTTP 412). */
  readonly ifGenerationMatch?: number;
}

export interface ObjectStorageApi extends StorageApi, LockObjectsApi {
  putObject(bucket: string, name: string, contents: string | Uint8Array, contentType?: string, options?: PutObjectOptions): Promise<void>;
  /** The object's bytes, or undefined when there is no such object. */
  getObject(bucket: string, name: string): Promise<Buffer | undefined>;
  /** Deleting an object that is already gone is not an error (the outcome is the same). */
  deleteObject(bucket: string, name: string): Promise<void>;
  /** Object names under a prefix, every page. */
  listObjects(bucket: string, prefix: string): Promise<string[]>;
  /** Objects under a prefix with their MD5, generation and custom metadata (what objects.list returns), every page. */
  listObjectInfo(bucket: string, prefix: string): Promise<LiveObject[]>;
}

const PAGE_SIZE = 1000;

function objectName(bucket: string, name: string): string {
  return `gs://${bucket}/${name}`;
}

export class CloudStorage implements ObjectStorageApi {
  readonly #locks: StorageLockObjects;

  constructor(
    private readonly storage: Storage,
    private readonly counter: CallCounter,
  ) {
    this.#locks = new StorageLockObjects(storage, counter);
  }

  // The apply lock's calls (below, StorageLockObjects), kept apart from the settings objects'.
  createLockObject(bucket: string, name: string, contents: string): Promise<{ readonly generation: string } | undefined> {
    return this.#locks.createLockObject(bucket, name, contents);
  }
  readLockObject(bucket: string, name: string): Promise<LockObject | undefined> {
    return this.#locks.readLockObject(bucket, name);
  }
  deleteLockObject(bucket: string, name: string, generation: string): Promise<LockDeleteOutcome> {
    return this.#locks.deleteLockObject(bucket, name, generation);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const [exists] = await call(this.counter, 'storage', 'buckets.get', `gs://${bucket}`, () => this.storage.bucket(bucket).exists());
    return exists;
  }

  /**
   * buckets.get: `iamConfiguration.uniformBucketLevelAccess.enabled`
   * (https://cloud.google.com/storage/docs/json_api/v1/buckets#resource).
   */
  async bucketAccess(bucket: string): Promise<{ exists: boolean; uniformBucketLevelAccess: boolean }> {
    try {
      const [metadata] = await call(this.counter, 'storage', 'buckets.get', `gs://${bucket}`, () => this.storage.bucket(bucket).getMetadata());
      const config = (metadata as { iamConfiguration?: { uniformBucketLevelAccess?: { enabled?: boolean } } }).iamConfiguration;
      return { exists: true, uniformBucketLevelAccess: config?.uniformBucketLevelAccess?.enabled === true };
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return { exists: false, uniformBucketLevelAccess: false };
      throw error;
    }
  }

  async putObject(bucket: string, name: string, contents: string | Uint8Array, contentType = 'application/octet-stream', options: PutObjectOptions = {}): Promise<void> {
    await call(this.counter, 'storage', 'objects.insert', objectName(bucket, name), () =>
      this.storage
        .bucket(bucket)
        .file(name)
        .save(typeof contents === 'string' ? contents : Buffer.from(contents), {
          // One multipart request; the settings files are small.
          resumable: false,
          contentType,
          ...(options.metadata ? { metadata: { contentType, metadata: { ...options.metadata } } } : {}),
          ...(options.ifGenerationMatch !== undefined ? { preconditionOpts: { ifGenerationMatch: options.ifGenerationMatch } } : {}),
        }),
    );
  }

  async getObject(bucket: string, name: string): Promise<Buffer | undefined> {
    try {
      const [data] = await call(this.counter, 'storage', 'objects.get', objectName(bucket, name), () => this.storage.bucket(bucket).file(name).download());
      return data;
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async deleteObject(bucket: string, name: string): Promise<void> {
    await call(this.counter, 'storage', 'objects.delete', objectName(bucket, name), () => this.storage.bucket(bucket).file(name).delete({ ignoreNotFound: true }));
  }

  async listObjects(bucket: string, prefix: string): Promise<string[]> {
    return (await this.listObjectInfo(bucket, prefix)).map((o) => o.name);
  }

  async listObjectInfo(bucket: string, prefix: string): Promise<LiveObject[]> {
    const objects: LiveObject[] = [];
    let pageToken: string | undefined;
    do {
      const [files, next] = await call(this.counter, 'storage', 'objects.list', objectName(bucket, prefix), () =>
        this.storage.bucket(bucket).getFiles({ prefix, maxResults: PAGE_SIZE, autoPaginate: false, ...(pageToken ? { pageToken } : {}) }),
      );
      for (const file of files) {
        const meta = file.metadata as { md5Hash?: string; generation?: string | number; metageneration?: string | number; metadata?: Record<string, unknown> | null };
        const custom: Record<string, string> = {};
        for (const [key, value] of Object.entries(meta.metadata ?? {})) if (value !== null && value !== undefined) custom[key] = String(value);
        objects.push({
          bucket,
          name: file.name,
          md5Hash: meta.md5Hash ?? '',
          generation: String(meta.generation ?? ''),
          ...(meta.metageneration !== undefined && meta.metageneration !== null ? { metageneration: String(meta.metageneration) } : {}),
          metadata: custom,
        });
      }
      const token = (next as { pageToken?: string } | null | undefined)?.pageToken;
      pageToken = token ? token : undefined;
    } while (pageToken);
    return objects;
  }
}

// ---------------------------------------------------------------------------------------------
// The apply lock's object calls (src/apply/lock.ts holds the model). The lock's id is the object's
// generation, as in Terraform's gcs backend, which creates its `.tflock` object under the condition
// DoesNotExist and deletes it under GenerationMatch(id)
// (https://github.com/hashicorp/terraform/blob/main/internal/backend/remote-state/gcs/client.go).

/** The lock object's bytes and the generation they belong to. */
export interface LockObject {
  readonly contents: string;
  readonly generation: string;
}

/** `deleted`; `gone`: no such object (404); `changed`: the live object is another generation (412). */
export type LockDeleteOutcome = 'deleted' | 'gone' | 'changed';

export interface LockObjectsApi {
  /**
   * Writes the object only if there is none: `ifGenerationMatch=0`, "Setting to 0 makes the operation
   * succeed only if there are no live versions of the object" (gcloud's apitools
   * storage_v1_messages.py, StorageObjectsInsertRequest.ifGenerationMatch); otherwise 412
   * (https://cloud.google.com/storage/docs/request-preconditions). Its generation, or undefined when
   * an object is already there. A missing bucket rejects with NOT_FOUND.
   */
  createLockObject(bucket: string, name: string, contents: string): Promise<{ readonly generation: string } | undefined>;
  /** The object's contents and generation; undefined when there is none (or it went meanwhile). */
  readLockObject(bucket: string, name: string): Promise<LockObject | undefined>;
  /** Deletes the object only if it is still that generation (objects.delete `ifGenerationMatch`, StorageObjectsDeleteRequest). */
  deleteLockObject(bucket: string, name: string, generation: string): Promise<LockDeleteOutcome>;
}

const LOCK_CONTENT_TYPE = 'application/json';

const isPreconditionFailure = (error: unknown) => error instanceof CloudError && (error.httpStatus === 412 || error.code === 'FAILED_PRECONDITION');
const isNotFound = (error: unknown) => error instanceof CloudError && error.code === 'NOT_FOUND';

export class StorageLockObjects implements LockObjectsApi {
  constructor(
    private readonly storage: Storage,
    private readonly counter: CallCounter,
  ) {}

  async createLockObject(bucket: string, name: string, contents: string): Promise<{ readonly generation: string } | undefined> {
    const file = this.storage.bucket(bucket).file(name);
    try {
      await call(this.counter, 'storage', 'objects.insert', objectName(bucket, name), () =>
        file.save(contents, { resumable: false, contentType: LOCK_CONTENT_TYPE, preconditionOpts: { ifGenerationMatch: 0 } }),
      );
    } catch (error) {
      if (isPreconditionFailure(error)) return undefined;
      throw error;
    }
    // The client keeps the inserted object's resource (its generation) as the file's metadata.
    const generation = (file.metadata as { generation?: string | number }).generation;
    if (generation === undefined || generation === '') throw new CloudError('INTERNAL', `objects.insert of ${objectName(bucket, name)} returned no generation`);
    return { generation: String(generation) };
  }

  async readLockObject(bucket: string, name: string): Promise<LockObject | undefined> {
    try {
      const [metadata] = await call(this.counter, 'storage', 'objects.get', objectName(bucket, name), () => this.storage.bucket(bucket).file(name).getMetadata());
      const generation = String((metadata as { generation?: string | number }).generation ?? '');
      // That generation's bytes, not whatever is live by now: the contents and the id stay one lock.
      const [data] = await call(this.counter, 'storage', 'objects.get', objectName(bucket, name), () =>
        this.storage
          .bucket(bucket)
          .file(name, { generation: Number(generation) })
          .download(),
      );
      return { contents: data.toString('utf8'), generation };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async deleteLockObject(bucket: string, name: string, generation: string): Promise<LockDeleteOutcome> {
    try {
      await call(this.counter, 'storage', 'objects.delete', objectName(bucket, name), () =>
        this.storage
          .bucket(bucket)
          .file(name)
          .delete({ ifGenerationMatch: Number(generation) }),
      );
      return 'deleted';
    } catch (error) {
      if (isNotFound(error)) return 'gone';
      if (isPreconditionFailure(error)) return 'changed';
      throw error;
    }
  }
}
