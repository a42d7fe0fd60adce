/**
 * `--help` of every command loads no Google SDK (issue 11: SDKs load only when a command connects;
 * `plan --help` took ~2 s when they loaded eagerly). Not timed: it checks what is loaded, in one
 * child process whose ES module resolutions a loader hook records and whose require cache it reads.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COMMANDS = ['generate', 'check', 'plan', 'apply', 'force-unlock', 'start', 'sandbox', 'simulate'];
/** The SDK clients, their transport and their auth: hundreds of modules between them. */
const HEAVY = /node_modules\/(@google-cloud\/|google-gax\/|google-auth-library\/|@grpc\/|protobufjs\/)/;

// Runs in the child: what src/cli.ts does for `npm run <command> -- --help`, for every command, then
// prints the CommonJS modules loaded (the SDKs are CommonJS; require() does not pass the ESM hook).
const CHILD = `
import { createRequire } from 'node:module';
const out = [];
for (const command of ${JSON.stringify(COMMANDS)}) {
  const module = await import('./src/cli/' + command + '.ts');
  const io = { out: (line) => out.push(line), err: (line) => out.push(line), env: {}, stdoutIsTTY: false };
  const log = console.log;
  console.log = (line) => out.push(String(line));
  try {
    out.push('exit ' + command + ' ' + (await module.run(['--help'], io)));
  } finally {
    console.log = log;
  }
}
process.stdout.write(JSON.stringify({ out, required: Object.keys(createRequire(import.meta.url).cache) }));
`;

test('--help of every command loads no Google SDK, transport or auth library', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bw-lazy-'));
  const record = join(dir, 'resolved.txt');
  try {
    const stdout = execFileSync(process.execPath, ['--import', './test/support/record-resolutions.mjs', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RECORD_RESOLUTIONS: record },
    });
    const { out, required } = JSON.parse(stdout) as { out: string[]; required: string[] };
    for (const command of COMMANDS) {
      assert.ok(out.includes(`exit ${command} 0`), `${command} --help exits 0`);
      assert.ok(
        out.some((line) => line.startsWith('usage: npm')),
        'the usage texts were printed',
      );
    }
    const resolved = readFileSync(record, 'utf8').split('\n');
    assert.ok(
      resolved.some((url) => url.endsWith('/src/cli/plan.ts')),
      'the hook recorded the command modules',
    );
    assert.equal(
      resolved.filter((url) => HEAVY.test(url)),
      [],
      'ES modules resolved',
    );
    assert.equal(
      required.filter((path) => HEAVY.test(path)),
      [],
      'CommonJS modules loaded',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
