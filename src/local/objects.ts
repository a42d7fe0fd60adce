/**
 * Cloud Storage object records: the metadata the JSON API returns
 * (https://cloud.google.com/storage/docs/json_api/v1/objects#resource), with checksums computed the
 * way Google does, because @google-cloud/storage validates downloads and uploads against them.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

export interface StoredObject {
  readonly bucket: string;
  readonly name: string;
  readonly generation: string;
  readonly metageneration: string;
  readonly contentType: string;
  readonly size: string;
  readonly md5Hash: string;
  readonly crc32c: string;
  readonly timeCreated: string;
  readonly updated: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** The content, base64 (the state is JSON). */
  readonly data: string;
}

// CRC-32C (Castagnoli) as @google-cloud/storage computes it to validate transfers: the sandbox's
// checksums are then the ones the SDK expects by construction. Loaded on first use, with require
// (the package exports only its root): the storage SDK is hundreds of modules that `--help` and a
// sandbox that never stores an object do not need.
const require = createRequire(import.meta.url);
let storageCrc32c: typeof import('@google-cloud/storage').CRC32C | undefined;

/** CRC-32C (Castagnoli), which Cloud Storage reports base64-encoded big-endian. */
export function crc32c(data: Uint8Array): number {
  storageCrc32c ??= (require('@google-cloud/storage') as typeof import('@google-cloud/storage')).CRC32C;
  const checksum = new storageCrc32c();
  checksum.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  // valueOf() is the signed 32-bit view; Cloud Storage and Secret Manager speak the unsigned one.
  return checksum.valueOf() >>> 0;
}

export function crc32cBase64(data: Uint8Array): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(crc32c(data));
  return buffer.toString('base64');
}

export function newObject(args: {
  readonly bucket: string;
  readonly name: string;
  readonly data: Buffer;
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly generation: number;
}): StoredObject {
  const time = new Date().toISOString();
  return {
    bucket: args.bucket,
    name: args.name,
    generation: String(args.generation),
    metageneration: '1',
    contentType: args.contentType || 'application/octet-stream',
    size: String(args.data.length),
    md5Hash: createHash('md5').update(args.data).digest('base64'),
    crc32c: crc32cBase64(args.data),
    timeCreated: time,
    updated: time,
    ...(args.metadata && Object.keys(args.metadata).length ? { metadata: args.metadata } : {}),
    data: args.data.toString('base64'),
  };
}

/** The object resource as the JSON API returns it (without the content). */
export function objectResource(object: StoredObject, origin: string): Record<string, unknown> {
  const { data: _data, ...fields } = object;
  const path = `b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`;
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${origin}/storage/v1/${path}`,
    mediaLink: `${origin}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    storageClass: 'STANDARD',
    etag: Buffer.from(`${object.generation}:${object.metageneration}`).toString('base64'),
    ...fields,
  };
}
