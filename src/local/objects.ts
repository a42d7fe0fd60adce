/**
 * Cloud Storage object records: the metadata the JSON API returns
 * (https://cloud.google.com/storage/docs/json_api/v1/objects#resource), with checksums computed the
 * way Google does, because @google-cloud/storage validates downloads and uploads against them.
 */
import { createHash } from 'node:crypto';

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

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), which Cloud Storage reports base64-encoded big-endian. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
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
