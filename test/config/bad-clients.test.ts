import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateClients, type ClientSource } from '../../src/config/load-clients.ts';
import { formatDiagnostic } from '../../src/diagnostics.ts';
import { product } from '../../workflows/product.ts';
import { defineProduct, type ProductDefinition } from '../../src/config/product.ts';

const json = (value: unknown) => JSON.stringify(value, null, 2);
const one = (name: string, text: string): ClientSource[] => [{ file: `clients/${name}.json`, text }];

/** Each case: files, and fragments every one of which must appear in the report. */
/** `count`, when given: exactly that many problems (no more, no fewer). */
const cases: { name: string; files: ClientSource[]; expect: string[]; count?: number; product?: ProductDefinition }[] = [
  {
    name: 'malformed JSON: missing comma, reported at its line and column',
    files: one('acme-corp', '{\n  "name": "acme-corp"\n  "displayName": "ACME"\n}'),
    expect: ['clients/acme-corp.json:3:3', 'malformed JSON', "expected ',' or '}'"],
  },
  {
    name: 'malformed JSON: trailing comma',
    files: one('acme-corp', '{\n  "name": "acme-corp",\n}'),
    expect: ['clients/acme-corp.json:3:1', 'trailing comma'],
  },
  {
    name: 'duplicate key',
    files: one('acme-corp', '{\n  "name": "acme-corp",\n  "name": "acme-corp"\n}'),
    expect: ['clients/acme-corp.json:3:3', 'duplicate key "name"'],
  },
  {
    name: 'unknown key with a suggestion',
    files: one('acme-corp', json({ name: 'acme-corp', displayname: 'ACME' })),
    expect: ['clients/acme-corp.json:3:', 'displayname', 'unknown key "displayname"', 'did you mean "displayName"'],
  },
  {
    name: 'unknown key inside schedule',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '0 6 * * *', timezone: 'Etc/UTC' } })),
    expect: ['schedule.timezone', 'did you mean "timeZone"', 'known keys: cron, timeZone, argument'],
  },
  {
    name: 'a misspelt key does not hide the other problems of the file',
    files: one('acme-corp', json({ name: 'acme-corp', schedul: { cron: '0 6 * * *' }, notify: [{ type: 'slack', secret: 'https://hooks.slack.com/services/T0/B0/X' }] })),
    expect: ['unknown key "schedul"', 'notify[0].secret', 'looks like a webhook URL'],
    count: 2,
  },
  {
    name: 'a field of the wrong type is reported alone, not with checks that would compare against a default',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { taskCount: 'four', parallelism: 3 } })),
    expect: ['batch.taskCount', 'expected number'],
    count: 1,
  },
  {
    name: 'a display name within 100 characters but over the 100 bytes IAM takes',
    files: one('acme-corp', json({ name: 'acme-corp', displayName: '株式会社'.repeat(10) })),
    expect: ['displayName', '120 bytes in UTF-8', 'at most 100 bytes'],
    count: 1,
  },
  {
    name: 'name too short',
    files: one('abc', json({ name: 'abc' })),
    expect: ['clients/abc.json:2:11: name', 'too short (3 characters)', '6–30 characters'],
  },
  {
    name: 'name too long',
    files: one('a'.repeat(31), json({ name: 'a'.repeat(31) })),
    expect: ['name', 'too long (31 characters)'],
  },
  {
    name: 'name with illegal characters',
    files: one('Acme_Corp', json({ name: 'Acme_Corp' })),
    expect: ['name', 'illegal characters', 'choose a name such as "acme-corp"'],
  },
  {
    name: 'name does not match the file name',
    files: one('acme', json({ name: 'acme-corp' })),
    expect: ['clients/acme.json', 'does not match the file name "acme.json"', 'rename the file to clients/acme-corp.json'],
  },
  {
    name: 'two files claim the same name',
    files: [
      { file: 'clients/acme-corp.json', text: json({ name: 'acme-corp' }) },
      { file: 'clients/acme-corp-old.json', text: json({ name: 'acme-corp' }) },
    ],
    expect: ['client name "acme-corp" is claimed by 2 files: clients/acme-corp-old.json, clients/acme-corp.json'],
  },
  {
    name: 'a derived id over its limit',
    product: defineProduct({ ...product, name: 'p'.repeat(30) }),
    files: one('acme-corp-international-ltd', json({ name: 'acme-corp-international-ltd' })),
    expect: ['derived Eventarc trigger id', 'over its limit of 63', 'shorten the client name by 1'],
  },
  {
    name: 'the product name used as a client name',
    files: one('scoring', json({ name: 'scoring' })),
    expect: ["the product's own name"],
  },
  {
    name: 'cron with 4 fields',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '0 6 * *' } })),
    expect: ['clients/acme-corp.json:4:13: schedule.cron', 'expected 5 fields', 'found 4'],
  },
  {
    name: 'cron with an out-of-range minute',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '61 6 * * *' } })),
    expect: ['schedule.cron', 'minute field "61"', 'allowed: 0–59'],
  },
  {
    name: 'cron with an unknown day name',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '0 6 * * MON-FRX' } })),
    expect: ['day of week field "MON-FRX"', '"FRX" is not a day of week'],
  },
  {
    name: 'unknown time zone',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '0 6 * * *', timeZone: 'Mars/Olympus' } })),
    expect: ['schedule.timeZone', '"Mars/Olympus" is not an IANA time zone name'],
  },
  {
    name: 'time zone in the wrong case',
    files: one('acme-corp', json({ name: 'acme-corp', schedule: { cron: '0 6 * * *', timeZone: 'europe/paris' } })),
    expect: ['schedule.timeZone', 'case-sensitive: write "Europe/Paris"'],
  },
  {
    name: 'unknown environment',
    files: one('acme-corp', json({ name: 'acme-corp', environments: ['dev', 'prd'] })),
    expect: ['clients/acme-corp.json:5:5: environments[1]', 'unknown environment "prd"', 'use one of "dev", "staging", "prod"', 'did you mean "prod"'],
  },
  {
    name: 'environments given as a string',
    files: one('acme-corp', json({ name: 'acme-corp', environments: 'dev' })),
    expect: ['environments', 'expected array, found string "dev"'],
  },
  {
    name: 'name missing',
    files: one('acme-corp', json({ displayName: 'ACME' })),
    expect: ['clients/acme-corp.json', 'name', 'required field is missing', 'add "name"'],
  },
  {
    name: 'unknown notification type',
    files: one('acme-corp', json({ name: 'acme-corp', notify: [{ type: 'email', secret: 'acme-mail' }] })),
    expect: ['notify[0].type', 'slack', 'teams', 'webhook'],
  },
  {
    name: 'a webhook URL pasted where a secret id belongs',
    files: one('acme-corp', json({ name: 'acme-corp', notify: [{ type: 'slack', secret: 'https://hooks.slack.com/services/T000/B000/XXXX' }] })),
    expect: ['notify[0].secret', 'looks like a webhook URL', 'store it in Secret Manager', 'gcloud secrets create acme-corp-slack --data-file=-', '"secret": "acme-corp-slack"'],
  },
  {
    name: 'a full secret resource name instead of an id',
    files: one('acme-corp', json({ name: 'acme-corp', notify: [{ type: 'webhook', secret: 'projects/p/secrets/s' }] })),
    expect: ['notify[0].secret', 'is not a Secret Manager secret id', "in each environment's project"],
  },
  {
    name: 'parallelism above the task count',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { taskCount: 2, parallelism: 4 } })),
    expect: ['batch.parallelism', 'parallelism 4 is above the task count 2', 'set parallelism to at most 2'],
  },
  {
    name: 'parallelism above the product default task count',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { parallelism: 3 } })),
    expect: ['batch.parallelism', 'the task count is the product default'],
  },
  {
    name: 'a machine type that does not exist',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { machineType: 'n1-standard-3' } })),
    expect: ['batch.machineType', '"n1-standard-3" does not exist', 'n1-standard-4'],
  },
  {
    name: 'an unknown machine family',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { machineType: 'x9-mega-2' } })),
    expect: ['batch.machineType', 'not a predefined machine type', 'e2, n1, n2'],
  },
  {
    name: 'a reserved environment variable',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { environment: { INPUT_URI: 'x', 'BAD-NAME': 'y' } } })),
    expect: ['batch.environment.INPUT_URI', 'set by the workflows themselves', 'not an environment variable name'],
  },
  {
    name: 'a tracking tag the workflows set themselves',
    files: one('acme-corp', json({ name: 'acme-corp', tracking: { tags: { team: 'risk', client: 'someone-else' } } })),
    expect: ['tracking.tags.client', 'set by the workflows on every run', 'workflow_execution_id'],
  },
  {
    name: 'a task run time longer than the workflows wait',
    files: one('acme-corp', json({ name: 'acme-corp', batch: { maxRunDurationSeconds: 86_400 } })),
    expect: ['batch.maxRunDurationSeconds', 'longer than the workflows wait for a job (7200 s)', 'raise batch.waitTimeoutSeconds in workflows/product.ts'],
  },
  {
    name: "a schedule argument naming another client's folder, reported at the argument",
    files: one(
      'acme-corp',
      json({ name: 'acme-corp', environments: ['dev'], schedule: { cron: '0 6 * * *', argument: { args: ['--mode', 'daily', 'gs://scoring-dev-4821-batch/scoring/globex-retail/outputs/x'] } } }),
    ),
    expect: [
      'clients/acme-corp.json:12:9: schedule.argument.args[2]',
      "names a gs:// path outside the client's folder in dev (gs://scoring-dev-4821-batch/scoring/acme-corp/)",
      'point inside gs://scoring-dev-4821-batch/scoring/acme-corp/',
    ],
    count: 1,
  },
  {
    name: 'a schedule argument in another bucket, or with the scheme in capitals, or only partly inside',
    files: one(
      'acme-corp',
      json({
        name: 'acme-corp',
        environments: ['dev'],
        schedule: {
          cron: '0 6 * * *',
          argument: {
            args: [
              '--model=gs://other-bucket/scoring/acme-corp/m',
              'GS://scoring-dev-4821-batch/scoring/x',
              '--two=gs://scoring-dev-4821-batch/scoring/acme-corp/a,gs://scoring-dev-4821-batch/scoring/b',
            ],
          },
        },
      }),
    ),
    expect: ['schedule.argument.args[0]', 'schedule.argument.args[1]', 'schedule.argument.args[2]'],
    count: 3,
  },
  {
    name: 'a schedule argument that climbs out of the client folder with ".."',
    files: one(
      'acme-corp',
      json({ name: 'acme-corp', environments: ['dev'], schedule: { cron: '0 6 * * *', argument: { args: ['gs://scoring-dev-4821-batch/scoring/acme-corp/../globex-retail/x'] } } }),
    ),
    expect: ['schedule.argument.args[0]', 'has a ".", ".." or empty path segment', 'without "." or ".." segments and without "//"'],
    count: 1,
  },
  {
    name: 'a schedule argument with an empty or "." segment',
    files: one(
      'acme-corp',
      json({
        name: 'acme-corp',
        environments: ['dev'],
        schedule: { cron: '0 6 * * *', argument: { args: ['gs://scoring-dev-4821-batch/scoring/acme-corp//x', 'gs://scoring-dev-4821-batch/scoring/acme-corp/./x'] } },
      }),
    ),
    expect: ['schedule.argument.args[0]', 'schedule.argument.args[1]', 'empty path segment'],
    count: 2,
  },
  {
    name: 'a schedule argument inside the dev folder, for a client also deployed to prod (another bucket)',
    files: one(
      'acme-corp',
      json({ name: 'acme-corp', environments: ['dev', 'prod'], schedule: { cron: '0 6 * * *', argument: { args: ['gs://scoring-dev-4821-batch/scoring/acme-corp/models/m'] } } }),
    ),
    expect: ["outside the client's folder in prod (gs://scoring-prod-4821-batch/scoring/acme-corp/)", 'deploy this client to one environment ("environments": ["dev"])', 'INPUT_URI / OUTPUT_URI'],
    count: 1,
  },
  {
    name: 'empty clients/',
    files: [],
    expect: ['clients/', 'no client files found', 'add one JSON file per client'],
  },
  {
    name: "uploaders and subscribers: each member checked against Google's principal identifiers, located",
    files: one(
      'acme-corp',
      json({
        name: 'acme-corp',
        uploaders: [
          'group:uploads@acme.example.com',
          'allUsers',
          'user:not-an-email',
          'principalSet://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/ci-pool/attribute.repository/acme/app',
        ],
        subscribers: [
          'serviceAccount:reader@acme-ops.iam.gserviceaccount.com',
          'domain:acme.example.com',
          'serviceAccount:reader@acme-ops.iam.gserviceaccount.com',
          'principal://iam.googleapis.com/wrong',
        ],
      }),
    ),
    expect: [
      'clients/acme-corp.json:5:5: uploaders[1]: "allUsers" would let anyone act for this client',
      'clients/acme-corp.json:6:5: uploaders[2]: "user:not-an-email" is not a user: principal',
      'subscribers[1]: "domain:acme.example.com" names every account of a domain',
      'subscribers[2]: serviceAccount:reader@acme-ops.iam.gserviceaccount.com is listed twice',
      'subscribers[3]: "principal://iam.googleapis.com/wrong" is not a workload or workforce identity federation principal',
      'https://cloud.google.com/iam/docs/principal-identifiers',
    ],
    count: 5,
  },
  {
    name: "uploaders naming a service account of the product's own project (another client's) are refused",
    files: one(
      'acme-corp',
      json({ name: 'acme-corp', uploaders: ['serviceAccount:globex-inc@scoring-dev-4821.iam.gserviceaccount.com'], subscribers: ['serviceAccount:scoring@scoring-prod-4821.iam.gserviceaccount.com'] }),
    ),
    expect: ['uploaders[0]', 'subscribers[0]', "is a service account of the product's own project", 'one client could act as another'],
    count: 2,
  },
  {
    name: "a client named like the product's worker account",
    files: one('scoring-worker', json({ name: 'scoring-worker' })),
    expect: ['name', "is the id of the product's worker service account"],
    count: 1,
  },
];

for (const c of cases) {
  test(`bad client file: ${c.name}`, () => {
    const result = validateClients(c.files, c.product ?? product);
    assert.equal(result.clients, [], 'no client is accepted when any file has a problem');
    assert.ok(result.diagnostics.length > 0, 'a problem is reported');
    const report = result.diagnostics.map(formatDiagnostic).join('\n');
    for (const fragment of c.expect) assert.ok(report.includes(fragment), `report lacks ${JSON.stringify(fragment)}:\n${report}`);
    for (const d of result.diagnostics) assert.ok(d.fix, `every problem says how to fix it: ${formatDiagnostic(d)}`);
    if (c.count !== undefined) assert.is(result.diagnostics.length, c.count, report);
  });
}

test('every problem in every file is reported at once', () => {
  const result = validateClients(
    [
      { file: 'clients/acme-corp.json', text: json({ name: 'acme-corp', schedule: { cron: 'nope', timeZone: 'Nowhere/City' } }) },
      { file: 'clients/globex.json', text: '{ "name": ' },
      { file: 'clients/initech-co.json', text: json({ name: 'initech-co', colour: 'red' }) },
    ],
    product,
  );
  const files = result.diagnostics.map((d) => d.file);
  assert.equal(files.filter((f) => f === 'clients/acme-corp.json').length, 2, 'cron and time zone both reported');
  assert.ok(files.includes('clients/globex.json'));
  assert.ok(files.includes('clients/initech-co.json'));
});

test('a valid client gets defaults: all environments, display name, Etc/UTC', () => {
  const result = validateClients(
    [
      { file: 'clients/acme-corp.json', text: json({ name: 'acme-corp' }) },
      { file: 'clients/globex-retail.json', text: json({ name: 'globex-retail', environments: ['prod', 'dev'], schedule: { cron: '0  6 * * *' } }) },
    ],
    product,
  );
  assert.equal(result.diagnostics, []);
  const [acme, globex] = result.clients;
  assert.equal(acme?.environments, ['dev', 'staging', 'prod']);
  assert.is(acme?.displayName, 'acme-corp');
  assert.equal(globex?.environments, ['dev', 'prod'], 'environments follow the product order');
  assert.equal(globex?.schedule, { cron: '0 6 * * *', timeZone: 'Etc/UTC' });
});

test('schedule arguments inside the client folder of each environment, or naming no gs:// path, are accepted', () => {
  const args = ['--mode', 'daily', './relative/../path', 'gs://scoring-dev-4821-batch/scoring/acme-corp/models/v3.pkl', '--out=gs://scoring-dev-4821-batch/scoring/acme-corp/reports/'];
  const result = validateClients([{ file: 'clients/acme-corp.json', text: json({ name: 'acme-corp', environments: ['dev'], schedule: { cron: '0 6 * * *', argument: { args } } }) }], product);
  assert.equal(result.diagnostics, []);
  assert.equal(result.clients[0]?.schedule?.argument?.args, args);
});

test.run();
