/** The sandbox's CRC-32C is the one Cloud Storage and Secret Manager use (Castagnoli, unsigned). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crc32c, crc32cBase64 } from '../../src/local/objects.ts';

test('the CRC-32C check value: "123456789" gives 0xE3069283 (CRC-32/ISCSI in the CRC RevEng catalogue)', () => {
  assert.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.is(crc32c(new Uint8Array()), 0);
});

test('a view into a larger buffer is checksummed over its own bytes only', () => {
  const whole = Buffer.from('xx123456789yy');
  assert.is(crc32c(whole.subarray(2, 11)), 0xe3069283);
});

test('base64 of the big-endian value, as x-goog-hash and the JSON API write it', () => {
  assert.is(crc32cBase64(Buffer.from('123456789')), Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'));
});

test.run();
