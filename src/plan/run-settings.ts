/**
 * The two kinds whose live side is not a plain list of resources:
 *
 * - RunSettings: the live side is what objects.list says about `PRODUCT/_settings/CLIENT.json` (its
 *   MD5 and custom metadata), so equality is "the MD5 of the desired content equals the live md5Hash
 *   and the metadata is the desired metadata", decided without downloading anything. Plan downloads
 *   only owned objects that differ, to show which settings fields change; a live resource whose
 *   content was not read carries UNREAD_SETTINGS, which is never written anywhere.
 * - SecretAccess: one (secretAccessor, product service account) grant in a secret's own policy. Only
 *   grants whose member is the product's service account are ours; nobody else's member is ever a
 *   resource here, so nothing else on a secret can become a change.
 */
import type { Live } from '../resources/live.ts';
import { NO_OWNER, ownerFromLabels } from '../names/ownership.ts';
import { md5Base64, runSettingsContent, runSettingsMetadata } from '../resources/run-settings.ts';
import type { RunSettings, RunSettingsResource, SecretAccessResource } from '../resources/types.ts';
import { fieldDiffs, type Normal } from './normalise.ts';
import type { FieldDiff, LiveSecretPolicy, LiveSettingsObject } from './types.ts';

export const SECRET_ACCESSOR = 'roles/secretmanager.secretAccessor';

/** Stands in for the settings of a live object whose content plan did not download. */
export const UNREAD_SETTINGS: RunSettings = Object.freeze({
  client: '',
  batch: Object.freeze({ machineType: '', taskCount: 0, parallelism: 0, maxRunDurationSeconds: 0, environment: Object.freeze({}) }),
  notify: Object.freeze([]) as RunSettings['notify'],
  tracking: Object.freeze({ tags: Object.freeze({}) }),
}) as RunSettings;

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A live settings object as a resource: ownership from its metadata (the label keys). */
export function liveRunSettings(object: LiveSettingsObject): Live<RunSettingsResource> {
  const owner = ownerFromLabels(object.metadata);
  const parsed = parseJsonObject(object.content);
  return {
    owned: owner !== undefined,
    resource: {
      kind: 'RunSettings',
      owner: owner ?? NO_OWNER,
      bucket: object.bucket,
      object: object.name,
      settings: parsed ? (parsed as unknown as RunSettings) : UNREAD_SETTINGS,
    },
  };
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key]!;
  return out;
}

/**
 * What differs between a live settings object and the desired settings: nothing when the MD5 and the
 * metadata match; otherwise the changed settings fields (when the content was read and is JSON), the
 * whole content (when it is not JSON, or only its formatting differs), or the desired content (when it
 * was not read), and any metadata difference.
 */
export function runSettingsFields(object: LiveSettingsObject, desired: RunSettingsResource, desiredMetadata = runSettingsMetadata(desired)): FieldDiff[] {
  const content = runSettingsContent(desired.settings);
  const metadata = fieldDiffs({ metadata: sorted(object.metadata) }, { metadata: sorted(desiredMetadata) });
  if (object.md5Hash === md5Base64(content)) return metadata;
  let changed: FieldDiff[];
  const parsed = parseJsonObject(object.content);
  if (object.content === undefined) {
    changed = [{ path: 'content', before: `(not read; md5 ${object.md5Hash})`, after: content }];
  } else if (parsed) {
    changed = fieldDiffs({ settings: parsed as unknown as Normal }, { settings: desired.settings as unknown as Normal });
    if (changed.length === 0) changed = [{ path: 'content', before: object.content, after: content }];
  } else {
    changed = [{ path: 'content', before: object.content, after: content }];
  }
  return [...changed, ...metadata];
}

/** Does the live object hold exactly the desired bytes? (Then its content need not be read.) */
export function sameContent(object: LiveSettingsObject, desired: RunSettingsResource): boolean {
  return object.md5Hash === md5Base64(runSettingsContent(desired.settings));
}

/** Our grants on the secrets read: secretAccessor, unconditional, member one of the product's accounts. */
export function liveSecretAccesses(policies: readonly LiveSecretPolicy[], product: string, ownedMembers: ReadonlySet<string>): Live<SecretAccessResource>[] {
  const out: Live<SecretAccessResource>[] = [];
  for (const { secret, policy } of policies) {
    for (const binding of policy?.bindings ?? []) {
      if (binding.role !== SECRET_ACCESSOR || binding.condition) continue;
      for (const member of binding.members) {
        if (!ownedMembers.has(member)) continue;
        out.push({ owned: true, resource: { kind: 'SecretAccess', owner: { product }, secret, role: SECRET_ACCESSOR, member } });
      }
    }
  }
  return out;
}

/** An example value for the fix that creates a missing secret, by notification type. */
export function exampleWebhookUrl(type: string): string {
  switch (type) {
    case 'slack':
      return 'https://hooks.slack.com/services/…';
    case 'teams':
      return 'https://….webhook.office.com/webhookb2/…';
    default:
      return 'https://…';
  }
}
