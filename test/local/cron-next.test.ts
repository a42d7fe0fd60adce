/** Next fire times of unix-cron schedules in a time zone (https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nextCronTime, parseCron } from '../../src/local/cron-next.ts';

const next = (expression: string, zone: string, after: string) => {
  const t = nextCronTime(parseCron(expression), zone, Date.parse(after));
  return t === undefined ? undefined : new Date(t).toISOString();
};

test('every minute, every hour, and strictly after the given time', () => {
  assert.is(next('* * * * *', 'Etc/UTC', '2026-01-05T10:00:00Z'), '2026-01-05T10:01:00.000Z');
  assert.is(next('* * * * *', 'Etc/UTC', '2026-01-05T10:00:30Z'), '2026-01-05T10:01:00.000Z');
  assert.is(next('0 * * * *', 'Etc/UTC', '2026-01-05T10:00:00Z'), '2026-01-05T11:00:00.000Z');
  assert.is(next('*/15 * * * *', 'Etc/UTC', '2026-01-05T10:07:00Z'), '2026-01-05T10:15:00.000Z');
  assert.is(next('5/20 * * * *', 'Etc/UTC', '2026-01-05T10:26:00Z'), '2026-01-05T10:45:00.000Z');
});

test('weekdays by name, in the job time zone (Paris is UTC+1 in winter, UTC+2 in summer)', () => {
  // Friday 2026-01-09 06:00 Paris has passed: the next is Monday 2026-01-12 06:00 Paris = 05:00 UTC.
  assert.is(next('0 6 * * MON-FRI', 'Europe/Paris', '2026-01-09T06:00:00Z'), '2026-01-12T05:00:00.000Z');
  assert.is(next('0 6 * * MON-FRI', 'Europe/Paris', '2026-07-01T00:00:00Z'), '2026-07-01T04:00:00.000Z');
  assert.is(next('30 2 * * 0', 'Etc/UTC', '2026-01-05T00:00:00Z'), '2026-01-11T02:30:00.000Z', 'Sunday is 0');
  assert.is(next('30 2 * * 7', 'Etc/UTC', '2026-01-05T00:00:00Z'), '2026-01-11T02:30:00.000Z', 'and 7');
});

test('day of month and month; both day fields restricted fire on either', () => {
  assert.is(next('0 0 1 * *', 'Etc/UTC', '2026-01-15T00:00:00Z'), '2026-02-01T00:00:00.000Z');
  assert.is(next('0 12 29 FEB *', 'Etc/UTC', '2026-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z', 'the next leap day');
  assert.is(next('0 0 13 * FRI', 'Etc/UTC', '2026-01-05T00:00:00Z'), '2026-01-09T00:00:00.000Z', 'Friday the 9th comes before the 13th');
  assert.is(next('0 0 31 2 *', 'Etc/UTC', '2026-01-01T00:00:00Z'), undefined, 'never');
});

test('parseCron refuses what is not unix-cron', () => {
  assert.throws(() => parseCron('* * * *'));
  assert.throws(() => parseCron('61 * * * *'));
  assert.throws(() => parseCron('* * * * FUN'));
});

test.run();
