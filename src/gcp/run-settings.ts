/**
 * Per-client run settings as Cloud Storage objects (`gs://BUCKET/PRODUCT/_settings/CLIENT.json`).
 *
 * What plan compares without downloading anything: objects.list returns each object's `md5Hash`
 * (base64 of the MD5 of its bytes) and custom `metadata`, so the live side of a RunSettings is its
 * MD5 and its marks, and a no-change plan of any number of clients costs one list call per 1,000
 * objects. The content is serialised one way only (`runSettingsContent`), so the MD5 of the desired
 * settings is the MD5 of what apply writes.
 *
 * Custom metadata carries the ownership marks (`managed-by`, `product`, `client`, as labels do
 * elsewhere) and `secrets`: the Secret Manager secrets the settings name, comma-separated, so plan
 * knows which secrets' policies to read for pruning without reading every secret in the project.
 */
import { createHash } from 'node:crypto';
import { CLIENT_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, PRODUCT_LABEL, type RunSettings, type RunSettingsResource } from '../resources/types.ts';
import { CloudError, type RunSettingsApi } from './types.ts';
import { type LiveObject } from '../resources/live.ts';
import type { ObjectStorageApi } from './storage.ts';

/** Custom metadata key listing the secrets the settings name (`projects/P/secrets/S`, comma-separated). */
export const SECRETS_METADATA_KEY = 'secrets';

export const RUN_SETTINGS_CONTENT_TYPE = 'application/json';

/** The one serialisation of run settings: what apply writes and what plan hashes. */
export function runSettingsContent(settings: RunSettings): string {
  return `${JSON.stringify(settings, null, 2)}\n`;
}

/** Base64 MD5 of the bytes, as Cloud Storage reports `md5Hash`. */
export function md5Base64(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('base64');
}

/** The secrets named by the settings' notification targets, sorted, each once. */
export function secretsOf(settings: RunSettings): string[] {
  return [...new Set(settings.notify.map((t) => t.secret))].sort();
}

export function secretsFromMetadata(metadata: Readonly<Record<string, string>>): string[] {
  const value = metadata[SECRETS_METADATA_KEY];
  return value ? value.split(',').filter((s) => s !== '') : [];
}

/**
 * The custom metadata apply writes: ownership marks, and the secrets named (omitted when none).
 * `stillGranted`: secrets the settings no longer name whose grant is not revoked yet (no --prune), kept
 * listed so a later `apply --prune` still finds the grant.
 */
export function runSettingsMetadata(resource: RunSettingsResource, stillGranted: readonly string[] = []): Record<string, string> {
  const secrets = [...new Set([...secretsOf(resource.settings), ...stillGranted])].sort();
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [PRODUCT_LABEL]: resource.owner.product,
    ...(resource.owner.client ? { [CLIENT_LABEL]: resource.owner.client } : {}),
    ...(secrets.length > 0 ? { [SECRETS_METADATA_KEY]: secrets.join(',') } : {}),
  };
}

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
