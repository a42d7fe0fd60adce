/** time. https://cloud.google.com/workflows/docs/reference/stdlib/time/overview */
import { Tag, raise } from '../errors.ts';
import { Double } from '../values.ts';
import { type Entry, fn, nullable, num, str } from './define.ts';

/** Formats epoch seconds as ISO 8601 with microseconds, in UTC ("Z") or a tz database zone ("+02:00"). */
export function formatTime(seconds: number, timezone?: string): string {
  const wholeMs = Math.floor(seconds * 1000);
  const micros = Math.round((seconds - Math.floor(seconds)) * 1e6) % 1e6;
  const zone = timezone && timezone !== '' ? timezone : 'UTC';
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(wholeMs));
  } catch {
    return raise(Tag.ValueError, `time.format: unknown time zone ${JSON.stringify(timezone)}`);
  }
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '00';
  const local = Date.UTC(Number(p('year')), Number(p('month')) - 1, Number(p('day')), Number(p('hour')), Number(p('minute')), Number(p('second')));
  const offsetMin = Math.round((local - Math.floor(wholeMs / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 && (zone === 'UTC' || zone === 'GMT' || zone === 'Etc/UTC') ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}.${String(micros).padStart(6, '0')}${offset}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp → epoch seconds. */
export function parseTime(value: string): number {
  const m = RFC3339.exec(value);
  if (!m) return raise(Tag.ValueError, `time.parse: ${JSON.stringify(value)} is not an RFC 3339 timestamp such as 2024-07-12T12:50:33Z`);
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]!.toUpperCase()}`);
  // Date.parse rolls 2025-02-30 over into March; a calendar check rejects it as Google does.
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(ms) || day.getUTCMonth() !== Number(m[2]) - 1 || day.getUTCDate() !== Number(m[3]) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    return raise(Tag.ValueError, `time.parse: ${JSON.stringify(value)} is not a valid date and time`);
  }
  return ms / 1000 + (m[7] ? Number(`0${m[7]}`) : 0);
}

export const TIME: readonly Entry[] = [
  fn('time.format', [num('seconds'), nullable(str('timezone'))], ([s, tz]) => formatTime(s, tz)),
  fn('time.parse', [str('value')], ([v]) => new Double(parseTime(v))),
];
