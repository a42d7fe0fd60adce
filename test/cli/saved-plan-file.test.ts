/**
 * The file side of saved plans: written atomically (missing folders made, an existing file
 * replaced, no temporary file left), not written at all when the plan has errors, and a missing file
 * a located UserError.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diff } from '../../src/plan/diff.ts';
import { readPlanFile, savePlan, writeFileAtomically } from '../../src/cli/saved-plan.ts';
import type { CommonArgs } from '../../src/cli/plan.ts';
import { client, documentsFor } from '../plan/fake-cloud.ts';
import { liveOf } from '../plan/live-state.ts';
import { inTempDir } from '../support/temp-dir.ts';
import { userErrorOf } from '../support/user-error.ts';

const common: CommonArgs = { env: 'dev', format: 'text', prune: false, adopt: false, target: 'sandbox', sandboxUrl: 'http://127.0.0.1:9', noColor: true };

const inTemp = (body: (dir: string) => Promise<void>) => inTempDir('bw-saved-file-', body);

test('written atomically: folders made, an existing file replaced, no temporary file left', async () => {
  await inTemp(async (dir) => {
    const path = join(dir, 'plans', 'nested', 'dev.plan.json');
    await writeFileAtomically(path, 'first\n');
    await writeFileAtomically(path, 'second\n');
    assert.is(await readFile(path, 'utf8'), 'second\n');
    assert.equal(await readdir(join(dir, 'plans', 'nested')), ['dev.plan.json']);
  });
});

test('plan --out saves a plan without errors, and none with errors (an older file is left as it was)', async () => {
  await inTemp(async (dir) => {
    const documents = documentsFor([client('acme-corp')]);
    const live = liveOf(documentsFor([]));
    const lines: string[] = [];
    const read = { files: new Map([['dev/product.yaml', 'x\n']]), live };
    await savePlan('plans/dev.plan.json', { plan: diff(live, documents), documents, common, files: read.files, live, root: dir }, (l) => lines.push(l));
    const saved = await readPlanFile('plans/dev.plan.json', dir);
    assert.is(saved.environment, 'dev');
    assert.ok(saved.plan.changes.length > 0);
    assert.match(lines.join('\n'), 'Apply exactly it with: npm run apply -- plans/dev.plan.json');

    const before = await readFile(join(dir, 'plans/dev.plan.json'), 'utf8');
    const noBucket = { ...live, bucket: { ...live.bucket, exists: false } };
    const failing = diff(noBucket, documents);
    assert.ok(failing.errors.length > 0, 'a missing bucket is a failing precondition');
    await savePlan('plans/dev.plan.json', { plan: failing, documents, common, files: read.files, live: noBucket, root: dir }, (l) => lines.push(l));
    assert.match(lines.at(-1)!, 'No plan written to plans/dev.plan.json: the plan has errors');
    assert.is(await readFile(join(dir, 'plans/dev.plan.json'), 'utf8'), before);
    assert.not.ok(existsSync(join(dir, 'plans/other.plan.json')));
  });
});

test('a missing plan file, or a folder, is a located UserError with the command that makes one', async () => {
  await inTemp(async (dir) => {
    for (const [file, message] of [
      ['plans/none.json', 'no such plan file'],
      ['.', 'is a folder, not a plan file'],
    ] as const) {
      const error = await userErrorOf(readPlanFile(file, dir));
      assert.is(error.diagnostics[0]!.file, file);
      assert.match(error.message, message);
      assert.match(error.message, 'npm run plan -- --env ENV --out FILE');
    }
    await writeFile(join(dir, 'garbage.json'), '{"formatVersion": 1, "kind": "batch-workflows saved plan"}');
    assert.match((await userErrorOf(readPlanFile('garbage.json', dir))).message, 'garbage.json:1:1: toolVersion: not a valid saved plan (edited or corrupted?): missing');
  });
});

test.run();
