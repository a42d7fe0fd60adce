/**
 * Per-client run settings as Cloud Storage objects, over the Storage adapter. What is written (the one
 * serialisation, its MD5 and its custom metadata) is pure and lives in src/resources/run-settings.ts,
 * which plan shares.
 */
import type { RunSettingsResource } from '../resources/types.ts';
import type { LiveObject } from '../resources/live.ts';
import { RUN_SETTINGS_CONTENT_TYPE, runSettingsContent, runSettingsMetadata } from '../resources/run-settings.ts';
import { CloudError, type RunSettingsApi } from './types.ts';
import type { ObjectStorageApi } from './storage.ts';

/** Run settings over the Cloud Storage adapter. */
export class StorageRunSettings implements RunSettingsApi {
  constructor(private readonly storage: ObjectStorageApi) {}

  list(bucket: string, prefix: string): Promise<LiveObject[]> {
    return this.storage.listObjectInfo(bucket, prefix);
  }

  async read(bucket: string, name: string): Promise<string | undefined> {
    return (await this.storage.getObject(bucket, name))?.toString('utf8');
  }

  async put(desired: RunSettingsResource, options: { readonly ifAbsent?: boolean; readonly metadata?: Readonly<Record<string, string>> } = {}): Promise<void> {
    try {
      await this.storage.putObject(desired.bucket, desired.object, runSettingsContent(desired.settings), RUN_SETTINGS_CONTENT_TYPE, {
        metadata: options.metadata ?? runSettingsMetadata(desired),
        ...(options.ifAbsent ? { ifGenerationMatch: 0 } : {}),
      });
    } catch (error) {
      // ifGenerationMatch=0 failing means the object exists: say so in the vocabulary creates use.
      if (options.ifAbsent && error instanceof CloudError && (error.code === 'FAILED_PRECONDITION' || error.httpStatus === 412)) {
        throw new CloudError('ALREADY_EXISTS', `gs://${desired.bucket}/${desired.object} already exists`, 409);
      }
      throw error;
    }
  }

  delete(bucket: string, name: string): Promise<void> {
    return this.storage.deleteObject(bucket, name);
  }
}
