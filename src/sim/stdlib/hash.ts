/** hash. https://cloud.google.com/workflows/docs/reference/stdlib/hash/overview */
import { createHash, createHmac } from 'node:crypto';
import { Tag, raise } from '../errors.ts';
import { Bytes } from '../values.ts';
import { type Entry, bytes, fn, str } from './define.ts';

function algorithmOf(fn: string, algorithm: string): string {
  const a = algorithm.toUpperCase();
  const known: Record<string, string> = { MD5: 'md5', SHA1: 'sha1', SHA224: 'sha224', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
  return known[a] ?? raise(Tag.ValueError, `${fn}: unsupported algorithm ${JSON.stringify(algorithm)} (use one of ${Object.keys(known).join(', ')})`);
}

const digest = (b: Buffer): Bytes => new Bytes(new Uint8Array(b));

export const HASH: readonly Entry[] = [
  fn('hash.compute_checksum', [bytes('data'), str('algorithm')], ([d, a]) => digest(createHash(algorithmOf('hash.compute_checksum', a)).update(d).digest())),
  fn('hash.compute_hmac', [bytes('key'), bytes('data'), str('algorithm')], ([k, d, a]) => digest(createHmac(algorithmOf('hash.compute_hmac', a), k).update(d).digest())),
];
