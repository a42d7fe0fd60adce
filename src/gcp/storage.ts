/**
 * Cloud Storage through @google-cloud/storage. The product bucket is a precondition, not a managed
 * resource (plan only checks it exists); objects are here for per-client settings kept in the bucket.
 */
import type { Storage } from '@google-cloud/storage';
import type { LiveObject, StorageApi } from './types.ts';
import { CloudError } from './types.ts';
import { call, type CallCounter } from './calls.ts';

/** Beyond the agreed StorageApi: object access for later per-client settings. */
export interface PutObjectOptions {
  /** Custom metadata (`x-goog-meta-*`); replaces the object's whole custom metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Write only if the live generation is this one; `0` = only if there is no such object (else FAILED_PRECONDITION, HTTP 412). */
  readonly ifGenerationMatch?: number;
}

export interface ObjectStorageApi extends StorageApi {
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
  constructor(
    private readonly storage: Storage,
    private readonly counter: CallCounter,
  ) {}

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

  async putObject(
    bucket: string,
    name: string,
    contents: string | Uint8Array,
    contentType = 'application/octet-stream',
    options: PutObjectOptions = {},
  ): Promise<void> {
    await call(this.counter, 'storage', 'objects.insert', objectName(bucket, name), () =>
      this.storage.bucket(bucket).file(name).save(typeof contents === 'string' ? contents : Buffer.from(contents), {
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
      const [data] = await call(this.counter, 'storage', 'objects.get', objectName(bucket, name), () =>
        this.storage.bucket(bucket).file(name).download(),
      );
      return data;
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async deleteObject(bucket: string, name: string): Promise<void> {
    await call(this.counter, 'storage', 'objects.delete', objectName(bucket, name), () =>
      this.storage.bucket(bucket).file(name).delete({ ignoreNotFound: true }),
    );
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
        const meta = file.metadata as { md5Hash?: string; generation?: string | number; metadata?: Record<string, unknown> | null };
        const custom: Record<string, string> = {};
        for (const [key, value] of Object.entries(meta.metadata ?? {})) if (value !== null && value !== undefined) custom[key] = String(value);
        objects.push({ bucket, name: file.name, md5Hash: meta.md5Hash ?? '', generation: String(meta.generation ?? ''), metadata: custom });
      }
      const token = (next as { pageToken?: string } | null | undefined)?.pageToken;
      pageToken = token ? token : undefined;
    } while (pageToken);
    return objects;
  }
}
