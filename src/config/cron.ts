/**
 * Checks of the two schedule fields Cloud Scheduler would otherwise reject only at apply time, after
 * half a plan has been applied: the unix-cron expression and the IANA time zone.
 *
 * Hand-written on purpose, not a cron library: those accept what Cloud Scheduler rejects (seconds
 * fields, `@daily` macros, `L`/`W`/`#`, `?`), and the point of this check is to refuse exactly what
 * Cloud Scheduler's unix-cron format refuses
 * (https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules).
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 0 and 7 are both Sunday in unix cron.
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** Returns a problem description, or undefined when the expression is a valid 5-field unix cron. */
export function cronProblem(expression: string): string | undefined {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5 || expression.trim() === '') {
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${expression.trim() === '' ? 0 : parts.length}`;
  }
  for (let f = 0; f < 5; f++) {
    const field = FIELDS[f]!;
    for (const item of parts[f]!.split(',')) {
      const problem = cronItemProblem(item, field);
      if (problem) return `${field.name} field "${parts[f]}": ${problem}`;
    }
  }
  return undefined;
}

function cronItemProblem(item: string, field: CronField): string | undefined {
  const match = /^([^/]+)(?:\/(\d+))?$/.exec(item);
  if (!match) return `"${item}" is not a value, range or step`;
  const [, range, step] = match;
  if (step !== undefined && (Number(step) < 1 || Number(step) > field.max)) return `step "/${step}" must be between 1 and ${field.max}`;
  if (range === '*') return undefined;
  const bounds = range!.split('-');
  if (bounds.length > 2) return `"${range}" is not a range`;
  const values: number[] = [];
  for (const bound of bounds) {
    const value = cronValue(bound, field);
    if (value === undefined) {
      const allowed = `${field.min}–${field.max}${field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : ''}`;
      return `"${bound}" is not a ${field.name} (allowed: ${allowed})`;
    }
    values.push(value);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `range "${range}" goes backwards`;
  return undefined;
}

function cronValue(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index < 0) return undefined;
  return field.min === 0 ? index : index + 1;
}

/**
 * Returns a problem description, or undefined for a time zone the IANA database knows. Case
 * variants are refused with the right spelling, since Cloud Scheduler matches names exactly.
 */
/** Building an Intl.DateTimeFormat costs ~0.1 ms and most clients share a handful of zones. */
const timeZoneVerdicts = new Map<string, string | undefined>();

export function timeZoneProblem(timeZone: string): string | undefined {
  if (!timeZoneVerdicts.has(timeZone)) timeZoneVerdicts.set(timeZone, checkTimeZone(timeZone));
  return timeZoneVerdicts.get(timeZone);
}

function checkTimeZone(timeZone: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return `"${timeZone}" is not an IANA time zone name (such as "Europe/Paris", "America/New_York" or "Etc/UTC")`;
  }
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) {
    return `time zone names are case-sensitive: write "${resolved}"`;
  }
  if (/^[+-]?\d/.test(timeZone)) return `"${timeZone}" is an offset, not an IANA time zone name (such as "Etc/GMT-2")`;
  return undefined;
}
