import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatEvent } from '../../src/sim/format-trace.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';

const url = 'https://hooks.slack.com/services/T000/B000/s3cr3t-token';
const base = { seq: 1, at: 0, depth: 0, subworkflow: 'notify', kind: 'call', outcome: 'succeeded' } as const;

test('what Secret Manager returns is never printed, only its length', () => {
  const event: TraceEvent = { ...base, step: 'read_webhook_url', call: 'googleapis.secretmanager.v1.projects.secrets.versions.accessString', args: { secret_id: 's' }, result: url };
  const line = formatEvent(event, { showArgs: true });
  assert.not.ok(line.includes('s3cr3t'), line);
  assert.ok(line.includes(`«secret value, ${url.length} characters, not shown»`), line);
});

test('an HTTP call shows only the origin of its URL, even with --show-args', () => {
  const event: TraceEvent = { ...base, step: 'post_slack', call: 'http.post', args: { url, body: { text: 'run failed' } }, result: { code: 200 } };
  const line = formatEvent(event, { showArgs: true });
  assert.not.ok(line.includes('s3cr3t') || line.includes('/services/'), line);
  assert.ok(line.includes('"url":"https://hooks.slack.com/…"'), line);
  assert.ok(line.includes('run failed'), 'the rest of the arguments is shown');
});

test.run();
