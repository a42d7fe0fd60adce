/** sys. https://cloud.google.com/workflows/docs/reference/stdlib/sys/overview */
import { Tag, raise } from '../errors.ts';
import { Double } from '../values.ts';
import { type Entry, blockingFn, fn, nullable, num, opt, str, value } from './define.ts';
import { parseTime } from './time.ts';

export const SYS: readonly Entry[] = [
  fn('sys.get_env', [str('name'), opt(str('default'))], ([name, fallback], ctx) => ctx.env(name) ?? fallback ?? null),
  fn('sys.now', [], (_, ctx) => new Double(ctx.now() / 1000)),
  blockingFn('sys.log', [opt(value('data')), nullable(str('severity')), opt(value('text')), opt(value('json')), opt(value('timeout'))], ([data, severity, text, json], ctx) => {
    const payload = data ?? text ?? json;
    if (payload === undefined) return raise(Tag.TypeError, 'sys.log: pass data, text or json');
    ctx.log(severity ?? 'DEFAULT', payload);
    return null;
  }),
  blockingFn('sys.sleep', [num('seconds')], async ([seconds], ctx) => {
    if (seconds < 0) return raise(Tag.ValueError, 'sys.sleep: seconds must not be negative');
    await ctx.sleep(seconds * 1000);
    return null;
  }),
  blockingFn('sys.sleep_until', [str('time')], async ([t], ctx) => {
    const until = parseTime(t) * 1000;
    if (until > ctx.now()) await ctx.sleep(until - ctx.now());
    return null;
  }),
];
