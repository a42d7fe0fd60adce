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
import { ownerLabels } from '../names/ownership.ts';
import type { RunSettings, RunSettingsResource } from './types.ts';

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
    ...ownerLabels(resource.owner),
    ...(secrets.length > 0 ? { [SECRETS_METADATA_KEY]: secrets.join(',') } : {}),
  };
}
