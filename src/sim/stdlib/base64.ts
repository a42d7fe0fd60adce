/** base64. https://cloud.google.com/workflows/docs/reference/stdlib/base64/overview */
import { Tag, raise } from '../errors.ts';
import { Bytes, describe } from '../values.ts';
import { type Entry, bytes, fn, opt, str, value } from './define.ts';

/** `padding` defaults to true; only an explicit false turns it off. */
function decode(s: string, padding: boolean): Bytes {
  const ok = padding ? /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 : /^[A-Za-z0-9+/]*$/.test(s);
  if (!ok) return raise(Tag.ValueError, `base64.decode: ${describe(s)} is not valid base64${padding ? ' with padding' : ''}`);
  return new Bytes(new Uint8Array(Buffer.from(s, 'base64')));
}

export const BASE64: readonly Entry[] = [
  fn('base64.decode', [str('data'), opt(value('padding'))], ([d, padding]) => decode(d, padding !== false)),
  fn('base64.encode', [bytes('data'), opt(value('padding'))], ([d, padding]) => {
    const s = Buffer.from(d).toString('base64');
    return padding === false ? s.replace(/=+$/, '') : s;
  }),
];
