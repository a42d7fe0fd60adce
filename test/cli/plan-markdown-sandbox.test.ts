/**
 * Issue 12 item 1 as CI runs it: `npm run plan -- --env dev --format markdown` (plan's run(), in
 * process) against a sandbox on 127.0.0.1 holding the example product, applied with notification
 * secrets whose values are webhook URLs. stdout is the comment alone, opening with its marker; the
 * exit code is plan's (2: changes); and no secret value appears in the Markdown, text or JSON plan.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planAndApply } from '../../src/apply/index.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { recordingIo } from '../../src/cli/io.ts';
import { loadDocuments, parseCommonArgs, run as plan } from '../../src/cli/plan.ts';
import { UserError } from '../../src/diagnostics.ts';
import { run as apply } from '../../src/cli/apply.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import type { ResourceDocument } from '../../src/resources/types.ts';
import { addClientSecret, quickClock, withSandbox } from '../apply/sandbox-env.ts';
import { inTempDir } from '../support/temp-dir.ts';
import { userErrorOf } from '../support/user-error.ts';

/** What each notification secret holds: a webhook URL, its token the part that must never be shown. */
const secretValue = (id: string) => `https://hooks.slack.com/services/T0PLANTEST/B0PLANTEST/${id}-xoxb-7f3c9a1e`;

/** The example with every client's notifications sent on failure only: what is live differs from generated/. */
function onFailureOnly(documents: readonly ResourceDocument[]): ResourceDocument[] {
  return documents.map((d) => ({
    ...d,
    resources: d.resources.map((r) => (r.kind === 'RunSettings' ? { ...r, settings: { ...r.settings, notify: r.settings.notify.map((t) => ({ ...t, on: 'failure' as const })) } } : r)),
  }));
}

test('plan --format markdown against the sandbox: exit 2, the marker first, stdout the comment alone, no secret value in any format', async () => {
  const documents = await loadDocuments(projectLayout().generatedDir, 'dev');
  await withSandbox({}, async ({ sandbox, apis }) => {
    const values: string[] = [];
    for (const r of documents.flatMap((d) => d.resources)) {
      if (r.kind !== 'RunSettings') continue;
      for (const target of r.settings.notify) {
        const id = target.secret.split('/').pop()!;
        addClientSecret(sandbox, id, secretValue(id), r.owner.client!);
        values.push(secretValue(id));
      }
    }
    assert.ok(values.length >= 2, 'the example names notification secrets');
    const applied = await planAndApply({ documents: onFailureOnly(documents), apis, clock: quickClock });
    assert.is(applied.status, 'applied');
    const url = sandbox.endpoints.workflows;

    const outputs: Record<string, string> = {};
    for (const format of ['markdown', 'text', 'json']) {
      const io = recordingIo();
      const code = await plan(['--env', 'dev', '--sandbox-url', url, '--format', format], io);
      assert.is(code, 2, `${format}: ${io.stdout.join('\n')}\n${io.stderr.join('\n')}`);
      outputs[format] = io.stdout.join('\n');
      if (format === 'markdown') {
        assert.is(io.stdout.length, 1, 'one block on stdout: the comment, and nothing else');
        assert.is(io.stdout[0]!.split('\n')[0], '<!-- batch-workflows plan: dev -->');
        assert.match(io.stdout[0]!, '**Plan: 0 to create, 2 to update, 0 to delete, 0 conflicts.**');
        assert.match(io.stdout[0]!, '<details><summary><b>acme-corp</b>: 1 to update</summary>');
      }
    }
    assert.equal(JSON.parse(outputs.json!).summary.update, 2);
    const dryRunIo = recordingIo();
    assert.is(await apply(['--env', 'dev', '--sandbox-url', url, '--dry-run', '--format', 'markdown'], dryRunIo), 2, dryRunIo.stderr.join('\n'));
    assert.is(dryRunIo.stdout.join('\n'), outputs.markdown, 'apply --dry-run prints the same comment');
    assert.match(dryRunIo.stderr.join('\n'), '--dry-run: nothing was applied.');
    outputs.dryRunStderr = dryRunIo.stderr.join('\n');

    // --text-out: one read gives the comment on stdout and, in the file, the text plan as --format text prints it.
    await inTempDir('plan-text-out-', async (dir) => {
      const io = recordingIo();
      const file = join(dir, 'nested', 'dev.plan.txt');
      assert.is(await plan(['--env', 'dev', '--sandbox-url', url, '--format', 'markdown', '--text-out', file], io), 2, io.stderr.join('\n'));
      assert.is(io.stdout.join('\n'), outputs.markdown, 'stdout is still the comment alone');
      outputs.textOut = await readFile(file, 'utf8');
      assert.is(outputs.textOut, `${outputs.text}\n`);
      assert.equal(readdirSync(join(dir, 'nested')), ['dev.plan.txt'], 'no temporary file is left');
      const empty = await userErrorOf(plan(['--env', 'dev', '--sandbox-url', url, '--text-out', ' '], recordingIo()));
      assert.match(empty.message, '--text-out needs a file path');
      const same = await userErrorOf(plan(['--env', 'dev', '--sandbox-url', url, '--out', file, '--text-out', file], recordingIo()));
      assert.match(same.message, 'both name');
      assert.is(readFileSync(file, 'utf8'), outputs.textOut, 'nothing was written');
    });

    for (const [format, output] of Object.entries(outputs)) {
      for (const value of values) {
        assert.not.match(output, value, `${format} shows a secret's value`);
        assert.not.match(output, value.split('/').pop()!, `${format} shows a secret's token`);
      }
      assert.not.match(output, 'hooks.slack.com', `${format} shows a webhook URL`);
    }
    // What the plan may show of a notification: the secret's name, never its content.
    assert.match(outputs.markdown!, 'acme-corp-slack-webhook');
  });
});

test('--format: text by default, --json is --format json, anything else or both at odds is a usage error', () => {
  const formatOf = (...args: string[]) => parseCommonArgs('plan', ['--env', 'dev', ...args], {})!.common;
  assert.is(formatOf().format, 'text');
  assert.is(formatOf('--json').format, 'json');
  assert.is(formatOf('--format', 'markdown').format, 'markdown');
  assert.is(formatOf('--json', '--format', 'json').format, 'json');
  assert.throws(
    () => formatOf('--format', 'yaml'),
    (e: unknown) => e instanceof UserError && /--format must be one of text, json, markdown/.test(e.message),
  );
  assert.throws(
    () => formatOf('--json', '--format', 'markdown'),
    (e: unknown) => e instanceof UserError && /two formats/.test(e.message),
  );
});

test('apply --format markdown without --dry-run is refused before anything is read', async () => {
  assert.match((await userErrorOf(apply(['--env', 'dev', '--format', 'markdown', '--yes']))).message, 'apply --dry-run --format markdown');
});

test.run();
