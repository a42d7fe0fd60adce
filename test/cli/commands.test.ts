/**
 * Each command in-process, through its run(args, io): --help works on every one (generate and check
 * used to fail on it), the top-level usage names what users type, and colour follows NO_COLOR,
 * --no-color and the terminal.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordingIo, useColor } from '../../src/cli/io.ts';
import { parseCommonArgs, planAndPrint, type Connection } from '../../src/cli/plan.ts';
import { client, documentsFor, freshCloud, DEV } from '../plan/fake-cloud.ts';
import { runCli } from '../support/cli.ts';

const COMMANDS = ['generate', 'check', 'plan', 'apply', 'sandbox', 'simulate', 'start'] as const;

for (const name of COMMANDS) {
  test(`${name} --help prints its usage, naming the npm script, and exits 0`, async () => {
    for (const flag of ['--help', '-h']) {
      const io = recordingIo();
      const command = (await import(`../../src/cli/${name}.ts`)) as { run(args: string[], io: unknown): Promise<number> };
      assert.is(await command.run([flag], io), 0, io.stderr.join('\n'));
      const text = io.stdout.join('\n');
      assert.match(text, name === 'start' ? /^usage: npm start/ : new RegExp(`^usage: npm run ${name}`));
      assert.not.match(text, 'tsx src/cli.ts');
    }
  });
}

// src/cli.ts answers --help from src/cli/usage.ts without loading the command (what it loads:
// test/cli/lazy-sdks.e2e.test.ts); what it prints must be what the command itself prints.
for (const args of [
  ...[...COMMANDS, 'force-unlock'].flatMap((name) => [
    [name, '--help'],
    [name, '-h'],
  ]),
  ['plan', '--env', 'dev', '--format', 'json', '--help'],
  ['apply', 'plans/dev.plan.json', '--help'],
  ['apply', '--env', 'dev', '--yes', '-h'],
  ['force-unlock', '--env', 'dev', 'LOCK', '--help'],
  ['simulate', '--workflow', 'w.yaml', '-h'],
  ['sandbox', '--port', 'abc', '--help'],
]) {
  test(`${args.join(' ')}: src/cli.ts prints what the command prints, exit 0`, async () => {
    const [name, ...rest] = args as [string, ...string[]];
    const io = recordingIo();
    const command = (await import(`../../src/cli/${name}.ts`)) as { run(args: string[], io: unknown): Promise<number> };
    assert.is(await command.run(rest, io), 0, io.stderr.join('\n'));
    const viaMain = await runCli(args);
    assert.is(viaMain.code, 0, viaMain.stderr);
    assert.is(viaMain.stdout, io.stdout.join('\n'));
    assert.match(viaMain.stdout, /^usage: npm /);
  });
}

for (const args of [
  ['plan', '--bogus', '--help'],
  ['apply', 'plans/dev.plan.json', '--format', 'json', '--help'],
  ['simulate', '--workflow', '--help'],
]) {
  test(`${args.join(' ')}: still the command's usage error, not the usage (exit 1)`, async () => {
    const { code, stdout, stderr } = await runCli(args);
    assert.is(code, 1, stdout);
    assert.not.match(stderr, 'internal error');
    assert.not.match(stdout, /^usage:/);
  });
}

test('colour: on a terminal only, never with NO_COLOR set (non-empty) or --no-color', () => {
  assert.is(useColor(recordingIo({ tty: true }), false), true);
  assert.is(useColor(recordingIo({ tty: false }), false), false);
  assert.is(useColor(recordingIo({ tty: true, env: { NO_COLOR: '1' } }), false), false);
  // no-color.org: "when present and not an empty string"
  assert.is(useColor(recordingIo({ tty: true, env: { NO_COLOR: '' } }), false), true);
  assert.is(useColor(recordingIo({ tty: true }), true), false);
});

test('the plan as printed: ANSI colours on a terminal, none with NO_COLOR or --no-color', async () => {
  const cloud = freshCloud();
  const documents = documentsFor([client('acme-corp')]);
  const connection = { apis: cloud.apis, where: 'a fake', project: DEV.project, close: async () => {} } as unknown as Connection;
  const printed = async (args: string[], env: Record<string, string> = {}) => {
    const io = recordingIo({ tty: true, env });
    const lines: string[] = [];
    await planAndPrint(connection, documents, parseCommonArgs('plan', ['--env', 'dev', ...args], {})!.common, (l) => lines.push(l), 'plan', io);
    return lines.join('\n');
  };
  assert.match(await printed([]), '\u001b[');
  assert.not.match(await printed([], { NO_COLOR: '1' }), '\u001b[');
  assert.not.match(await printed(['--no-color']), '\u001b[');
});

test('the top-level usage names the commands as typed', async () => {
  const { code, stdout: out } = await runCli(['--help']);
  assert.is(code, 0);
  for (const typed of ['npm run generate', 'npm run check', 'npm run plan -- --env dev', 'npm run apply -- --env dev', 'npm start', 'npm run sandbox', 'npm run simulate']) {
    assert.match(out, typed);
  }
  assert.not.match(out, 'batch-workflows <command>');
});

test.run();
