/** The committed API schemas (src/local/schemas/*.json) are what scripts/extract-api-schemas.ts makes from the sources today (a child process; gcloud's apitools modules). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { gcloudPath, skipWithoutGcloud } from '../support/gcloud.ts';

test('the extraction script regenerates the committed files byte for byte (when gcloud is installed)', () => {
  // gcloud is needed only to re-run the extraction; without it this check cannot be made.
  if (skipWithoutGcloud(gcloudPath)) return;
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/extract-api-schemas.ts', '--check'], { encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
});

test.run();
