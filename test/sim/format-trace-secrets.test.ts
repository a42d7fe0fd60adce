import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fakeConnectors } from '../../src/sim/connectors/fake.ts';
import { formatEvent, formatRun } from '../../src/sim/format-trace.ts';
import { parseWorkflow, runWorkflow } from '../../src/sim/index.ts';
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

test('a secret read inside an expression (accessString helper) is not printed where it is assigned or returned', async () => {
  const w = parseWorkflow(
    [
      '- read:',
      '    assign:',
      '      - hook: ${googleapis.secretmanager.v1.projects.secrets.versions.accessString("webhook")}',
      '      - n: 1',
      '- r:',
      '    return: ${googleapis.secretmanager.v1.projects.secrets.versions.accessString("webhook", "latest", "p")}',
      '',
    ].join('\n'),
  );
  const run = await runWorkflow(w, {
    connectors: fakeConnectors({ secrets: { 'projects/p/secrets/webhook': url, 'projects/sim-project/secrets/webhook': url } }).registry,
    env: { builtins: { GOOGLE_CLOUD_PROJECT_ID: 'p' } },
  });
  assert.is(run.state, 'SUCCEEDED');
  assert.is(run.result, url, 'the workflow itself sees the secret');
  const text = run.trace.map((e) => formatEvent(e)).join('\n');
  assert.not.ok(text.includes('s3cr3t'), text);
  assert.ok(text.includes(`«secret value, ${url.length} characters, not shown»`), text);
  assert.ok(text.includes('n = 1'), 'values not computed from the secret are shown');
  assert.not.ok(JSON.stringify(run.trace).includes('s3cr3t'), 'nor is it in the trace data');
  assert.ok(formatRun({ ...run, trace: [] }).length > 0);
});

test.run();
