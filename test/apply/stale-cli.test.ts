/**
 * The reproduction of issue 10 item 1, as a user runs it: a client file edited without
 * `npm run generate` made plan say "no changes" (exit 0) and `apply --dry-run` exit 0. Now both
 * refuse (exit 1) naming the client file; "edited by hand?" only when generated/ itself was edited.
 * The CLI in-process, in a scratch project.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withScratch } from './scratch-project.ts';
import { runCli } from '../support/cli.ts';

const cli = (dir: string, args: string[]) => runCli(args, { cwd: dir });

test('plan and apply --dry-run refuse a stale generated/, naming the source that changed or the file edited by hand', async () => {
  await withScratch(async (dir, sandbox) => {
    const url = sandbox.endpoints.workflows;
    const clientFile = join(dir, 'clients', 'client-003.json');
    const original = await readFile(clientFile, 'utf8');
    await writeFile(clientFile, JSON.stringify({ name: 'client-003', displayName: 'Renamed by hand' }));
    for (const args of [['plan'], ['apply', '--dry-run']]) {
      const run = await cli(dir, [...args, '--env', 'dev', '--sandbox-url', url]);
      assert.is(run.code, 1, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, 'clients/client-003.json changed since `npm run generate`');
      assert.match(run.stderr, 'generated/dev/clients/client-003.yaml');
      assert.not.match(run.stderr, 'by hand');
      assert.not.match(run.stdout, 'Plan:');
    }
    await writeFile(clientFile, original);
    const generated = join(dir, 'generated', 'dev', 'clients', 'client-003.yaml');
    await writeFile(generated, (await readFile(generated, 'utf8')).replace('Client 3', 'Client Three'));
    const edited = await cli(dir, ['plan', '--env', 'dev', '--sandbox-url', url]);
    assert.is(edited.code, 1, edited.stdout + edited.stderr);
    assert.match(edited.stderr, 'generated/dev/clients/client-003.yaml was edited by hand?');
    assert.not.match(edited.stderr, 'changed since');
    assert.is(Object.keys(sandbox.state.all('serviceAccounts')).length, 0, 'nothing was applied');
  });
});

test.run();
