import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clientFieldRows } from '../../src/config/client-docs.ts';

const row = (field: string) => clientFieldRows().find((r) => r.field === field);

test('the field reference says which fields a file needs, and which an optional section needs', () => {
  assert.is(row('name')?.required, 'yes');
  assert.is(row('schedule')?.required, 'no');
  assert.is(row('schedule.cron')?.required, 'yes, in `schedule`', 'a schedule without cron is refused');
  assert.is(row('schedule.timeZone')?.required, 'no');
  assert.is(row('schedule.timeZone')?.defaultValue, '"Etc/UTC"');
  assert.is(row('notify[].secret')?.required, 'yes, in `notify[]`');
  assert.is(row('notify[].on')?.required, 'no');
});

test('every field of the schema has a description', () => {
  for (const r of clientFieldRows()) assert.ok(r.description.length > 10, `${r.field} is described`);
});

test.run();
