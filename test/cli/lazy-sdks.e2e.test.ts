/**
 * `--help` of every command loads no Google SDK (issue 11: SDKs load only when a command connects;
 * `plan --help` took ~2 s when they loaded eagerly), and through src/cli.ts no command module at all
 * (the usage texts live in src/cli/usage.ts; issue 11 asks ≤ 0.3 s for any --help). Not timed: it
 * checks what is loaded, in child processes whose ES module resolutions a loader hook records and
 * whose require cache they read.
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
  const io = { out: (line) => out.push(line), err: (line) => out.push(line), env: {}, stdoutIsTTY: false, cwd: process.cwd(), interactive: false, ask: async () => '' };
  out.push('exit ' + command + ' ' + (await module.run(['--help'], io)));
}
process.stdout.write(JSON.stringify({ out, required: Object.keys(createRequire(import.meta.url).cache) }));
`;

/**
 * Runs `script` in a child process (from the repository root, with tsx) whose ES module resolutions
 * the loader hook records; returns the JSON object the script printed, with the resolved URLs.
 */
function runRecorded<Printed extends object>(script: string): Printed & { readonly resolved: readonly string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'bw-lazy-'));
  const record = join(dir, 'resolved.txt');
  try {
    const stdout = execFileSync(process.execPath, ['--import', './test/support/record-resolutions.mjs', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, RECORD_RESOLUTIONS: record },
    });
    return { ...(JSON.parse(stdout) as Printed), resolved: readFileSync(record, 'utf8').split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--help of every command loads no Google SDK, transport or auth library', () => {
  const { out, required, resolved } = runRecorded<{ out: string[]; required: string[] }>(CHILD);
  for (const command of COMMANDS) {
    const exit = out.indexOf(`exit ${command} 0`);
    assert.ok(exit > 0, `${command} --help exits 0`);
    assert.ok(out[exit - 1]!.startsWith('usage: npm'), `${command} printed its usage through its Io`);
  }
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
});

// Runs in the child: src/cli.ts's main, as `npm run <command> -- --help` (and -h) runs it.
const CHILD_MAIN = `
import { main } from './src/cli.ts';
const out = [];
const io = { out: (line) => out.push(line), err: (line) => out.push(line), env: {}, stdoutIsTTY: false, cwd: process.cwd(), interactive: false, ask: async () => '' };
for (const command of ${JSON.stringify(COMMANDS)}) {
  for (const flag of ['--help', '-h']) out.push('exit ' + command + ' ' + flag + ' ' + (await main([command, flag], io)));
}
out.push('exit apply FILE ' + (await main(['apply', 'plans/dev.plan.json', '--help'], io)));
process.stdout.write(JSON.stringify({ out }));
`;

/** All that src/cli.ts needs to answer --help: itself, its error reporting, its Io and the usage texts. */
const HELP_MODULES = ['src/cli.ts', 'src/cli/io.ts', 'src/cli/usage.ts', 'src/diagnostics.ts', 'src/local/sandbox-apis.ts'];

test('--help through src/cli.ts loads no command module: only the usage texts', () => {
  const { out, resolved } = runRecorded<{ out: string[] }>(CHILD_MAIN);
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) assert.ok(out.includes(`exit ${command} ${flag} 0`), `${command} ${flag} exits 0`);
  }
  assert.ok(out.includes('exit apply FILE 0'), 'apply FILE --help exits 0');
  assert.ok(
    out.some((line) => line.startsWith('usage: npm run apply -- FILE')),
    "apply FILE --help prints the saved plan's usage",
  );
  const ours = new Set(
    resolved
      .filter((url) => url.startsWith('file://') && !url.includes('/node_modules/'))
      .map((url) => fileURLToPath(url))
      .filter((path) => path.startsWith(join(root, 'src/')))
      .map((path) => path.slice(root.length)),
  );
  assert.equal([...ours].sort(), HELP_MODULES, 'modules of src/ loaded');
});

test.run();
