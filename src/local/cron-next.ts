/**
 * When a Cloud Scheduler job fires next: the unix-cron format Cloud Scheduler documents
 * (https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules): five fields
 * `minute hour day-of-month month day-of-week`, each `*`, a value, a range `a-b`, a step `x/n`
 * or a comma list of those; month and weekday names (JAN, MON); weekday 0 and 7 are Sunday; the
 * schedule is read in the job's time zone. src/config/cron.ts validates expressions; this computes
 * times. When both day fields are restricted a day matching either fires, as in Vixie cron (the
 * behaviour of the cron Cloud Scheduler's page describes; the page does not spell this case out).
 */

interface Field {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly weekdays: ReadonlySet<number>;
  readonly daysRestricted: boolean;
  readonly weekdaysRestricted: boolean;
}

function value(text: string, field: Field): number {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) throw new Error(`"${text}" is not a cron value`);
  return field.min === 0 ? index : index + 1;
}

function parseField(text: string, field: Field): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = field.min;
    let to = field.max;
    if (range !== '*') {
      const [a, b] = range.split('-') as [string, string | undefined];
      from = value(a, field);
      // `5/15` means from 5 to the end, every 15.
      to = b !== undefined ? value(b, field) : stepText !== undefined ? field.max : from;
    }
    if (!(step >= 1) || from < field.min || to > field.max || from > to) throw new Error(`"${item}" is not a valid cron field`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Throws on an expression src/config/cron.ts would refuse. */
export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`"${expression}" does not have 5 fields`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(p, FIELDS[i]!)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (weekdays.has(7)) weekdays.add(0);
  return { minutes, hours, days, months, weekdays, daysRestricted: !parts[2]!.startsWith('*'), weekdaysRestricted: !parts[4]!.startsWith('*') };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Wall-clock fields of an instant in a time zone. */
function local(ms: number, timeZone: string): { month: number; day: number; weekday: number; hour: number; minute: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  return { month: Number(parts.month), day: Number(parts.day), weekday: WEEKDAYS.indexOf(parts.weekday!), hour: Number(parts.hour), minute: Number(parts.minute) };
}

const MINUTE = 60_000;

/** The first minute strictly after `afterMs` the schedule fires at, in epoch ms; undefined if none within ~5 years. */
export function nextCronTime(schedule: CronSchedule, timeZone: string, afterMs: number): number | undefined {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = t + 5 * 366 * 24 * 60 * MINUTE;
  while (t < limit) {
    const f = local(t, timeZone);
    const dayOk = schedule.daysRestricted && schedule.weekdaysRestricted ? schedule.days.has(f.day) || schedule.weekdays.has(f.weekday) : schedule.days.has(f.day) && schedule.weekdays.has(f.weekday);
    if (!schedule.months.has(f.month) || !dayOk) t += (24 * 60 - (f.hour * 60 + f.minute)) * MINUTE;
    else if (!schedule.hours.has(f.hour)) t += (60 - f.minute) * MINUTE;
    else if (!schedule.minutes.has(f.minute)) t += MINUTE;
    else return t;
  }
  return undefined;
}
