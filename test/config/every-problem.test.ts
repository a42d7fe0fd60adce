/** One run reports every problem of a client file, each at its line and column (issue 10, item 7). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateClients } from '../../src/config/load-clients.ts';
import { formatDiagnostic } from '../../src/diagnostics.ts';
import { product } from '../../workflows/product.ts';

const text = `{
  "name": "acme-corp",
  "displayName": "${'A'.repeat(120)}",
  "colour": "blue",
  "environments": ["dev", "prdo"],
  "schedule": { "cron": "0 25 * * *", "timeZone": 7 },
  "batch": { "machineType": "n1-standard-3", "taskCount": "four", "parallelism": 3, "environment": { "1BAD": "x" } },
  "notify": [{ "type": "slack", "secret": "https://hooks.slack.com/services/T0/B0/X" }],
  "tracking": { "tags": { "client": "me" } }
}
`;

test('a file with problems of every kind: all reported in one run, each located', () => {
  const { diagnostics, clients } = validateClients([{ file: 'clients/acme-corp.json', text }], product);
  assert.equal(clients, []);
  const lines = diagnostics.map((d) => formatDiagnostic(d).split('\n')[0]!);
  const expected: [string, string][] = [
    ['clients/acme-corp.json:3:18: displayName', 'Too big'],
    ['clients/acme-corp.json:4:13: colour', 'unknown key "colour"'],
    ['clients/acme-corp.json:5:27: environments[1]', 'unknown environment "prdo"'],
    ['clients/acme-corp.json:6:25: schedule.cron', 'invalid cron expression'],
    ['clients/acme-corp.json:6:51: schedule.timeZone', 'expected string, found number 7'],
    ['clients/acme-corp.json:7:29: batch.machineType', '"n1-standard-3" does not exist'],
    ['clients/acme-corp.json:7:59: batch.taskCount', 'expected number, found string "four"'],
    ['clients/acme-corp.json:7:110: batch.environment["1BAD"]', 'is not an environment variable name'],
    ['clients/acme-corp.json:8:43: notify[0].secret', 'looks like a webhook URL'],
    ['clients/acme-corp.json:9:37: tracking.tags.client', 'is set by the workflows on every run'],
  ];
  for (const [where, what] of expected) {
    assert.ok(
      lines.some((line) => line.startsWith(`${where}: `) && line.includes(what)),
      `missing "${where}: …${what}…" in:\n${lines.join('\n')}`,
    );
  }
  // Nothing else: parallelism 3 is not compared with the default task count, as taskCount was refused.
  assert.is(diagnostics.length, expected.length, lines.join('\n'));
});

test("a wrong type inside one notify target refuses the list but still reports the other targets' problems", () => {
  const file = JSON.stringify(
    {
      name: 'acme-corp',
      notify: [
        { type: 'pager', secret: 'x' },
        { type: 'slack', secret: 5, extra: 1 },
      ],
    },
    null,
    2,
  );
  const { diagnostics } = validateClients([{ file: 'clients/acme-corp.json', text: file }], product);
  assert.equal(diagnostics.map((d) => d.path).sort(), ['notify[0].type', 'notify[1].extra', 'notify[1].secret'].sort());
});

test.run();
