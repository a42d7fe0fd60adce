/**
 * scripts/ci/plan-env.sh, plan-status.sh and apply-plan.sh as the CI workflows run them, against the
 * in-process sandbox (npm run plan -- --sandbox-url URL): plan's exit code recorded and mapped
 * (0 and 2 are not failures, 1 is), the text plan captured without colour, the comment file made
 * under the environment's marker, the step outputs written to $GITHUB_OUTPUT.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../src/local/index.ts';
import { deployLocally, type LocalDeployment } from '../../src/cli/local-deployment.ts';
import { loadDocuments } from '../../src/cli/plan.ts';
import { inTempDir } from '../support/temp-dir.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function script(name: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', [join('scripts', 'ci', name), ...args], { cwd: repo, env: { ...process.env, FORCE_COLOR: undefined, GITHUB_OUTPUT: '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const withDir = (body: (dir: string) => Promise<void>) => inTempDir('ci-plan-env-', body);

/** The repository's generated dev environment applied to a fresh sandbox, and a folder for the scripts' files. */
async function withDevDeployed(body: (deployment: LocalDeployment, url: string, dir: string) => Promise<void>): Promise<void> {
  const documents = await loadDocuments(join(repo, 'generated'), 'dev');
  const deployment = await deployLocally({ documents, usePubSubEmulator: false });
  try {
    assert.ok(deployment.converged);
    await withDir((dir) => body(deployment, deployment.sandbox.endpoints.workflows, dir));
  } finally {
    await deployment.close();
  }
}

const outputs = async (file: string) =>
  Object.fromEntries(
    (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );

test('plan exit 1 (a failing precondition: no product bucket): the script fails, and still writes the comment and outputs', async () => {
  const sandbox = await startSandbox();
  try {
    await withDir(async (dir) => {
      const run = await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--', '--sandbox-url', sandbox.endpoints.storage], { GITHUB_OUTPUT: join(dir, 'out') });
      assert.is(run.code, 1, run.stdout + run.stderr);
      assert.is((await readFile(join(dir, 'dev.exit-code'), 'utf8')).trim(), '1');
      assert.equal(await outputs(join(dir, 'out')), { 'exit-code': '1', changes: 'false' });
      const text = await readFile(join(dir, 'dev.plan.txt'), 'utf8');
      assert.match(text, 'scoring-dev-4821-batch', 'the precondition names the bucket');
      const comment = await readFile(join(dir, 'dev.comment.md'), 'utf8');
      assert.is(comment.split('\n')[0], '<!-- batch-workflows plan: dev -->');
      assert.match(comment, '**Errors**');
      assert.match(comment, 'scoring-dev-4821-batch');
      const status = await script('plan-status.sh', [dir, 'dev']);
      assert.is(status.code, 1);
      assert.match(status.stderr, 'dev: plan exited 1');
    });
  } finally {
    await sandbox.stop();
  }
});

test('plan exit 0 once applied, exit 2 on drift: both succeed, and say which', async () => {
  await withDevDeployed(async (deployment, url, dir) => {
    const clean = await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--', '--sandbox-url', url], { GITHUB_OUTPUT: join(dir, 'out') });
    assert.is(clean.code, 0, clean.stdout + clean.stderr);
    assert.is((await readFile(join(dir, 'dev.exit-code'), 'utf8')).trim(), '0');
    assert.equal(await outputs(join(dir, 'out')), { 'exit-code': '0', changes: 'false' });
    assert.match(await readFile(join(dir, 'dev.comment.md'), 'utf8'), 'No changes');

    // Drift: a client's run settings object deleted by hand.
    const settings = deployment.sandbox.state.listObjects(deployment.bucket, 'scoring/_settings/').map((o) => o.name);
    assert.ok(settings.length > 0);
    assert.ok(deployment.sandbox.state.deleteObject(deployment.bucket, settings[0]!));
    await writeFile(join(dir, 'out'), '');
    const drifted = await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--', '--sandbox-url', url], { GITHUB_OUTPUT: join(dir, 'out') });
    assert.is(drifted.code, 0, 'changes are not a failure');
    assert.is((await readFile(join(dir, 'dev.exit-code'), 'utf8')).trim(), '2');
    assert.equal(await outputs(join(dir, 'out')), { 'exit-code': '2', changes: 'true' });
    const text = await readFile(join(dir, 'dev.plan.txt'), 'utf8');
    assert.match(
      text,
      settings[0]!
        .split('/')
        .pop()!
        .replace(/\.json$/, ''),
    );
    assert.match(text, /Plan: 1 to create/);
    assert.not.ok(text.includes('\u001b['), 'no colour in the artifact');
    const comment = await readFile(join(dir, 'dev.comment.md'), 'utf8');
    assert.is(comment.split('\n')[0], '<!-- batch-workflows plan: dev -->');
    assert.match(comment, 'Changes: merging applies them');
    assert.match(comment, /```text\n[\s\S]*Plan: 1 to create[\s\S]*```/);
    const status = await script('plan-status.sh', [dir, 'dev']);
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, 'dev: changes');
  });
});

test('--markdown --save: the comment is the markdown plan, the saved plan applies exactly, and a moved live state is refused', async () => {
  await withDevDeployed(async (deployment, url, dir) => {
    const plans = join(dir, 'plans');
    const settings = deployment.sandbox.state.listObjects(deployment.bucket, 'scoring/_settings/').map((o) => o.name);
    assert.ok(deployment.sandbox.state.deleteObject(deployment.bucket, settings[0]!));
    deployment.sandbox.stats.reset();
    const drifted = await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--markdown', '--save', '--', '--sandbox-url', url], { GITHUB_OUTPUT: join(dir, 'out'), PLANS_DIR: plans });
    assert.is(drifted.code, 0, drifted.stdout + drifted.stderr);
    // One plan made the comment, the saved plan and the text artifact: the sandbox answered one
    // plan's reads, as many as the artifact's own count says.
    const text = await readFile(join(dir, 'dev.plan.txt'), 'utf8');
    assert.match(text, /Plan: 1 to create/);
    assert.match(text, `Saved the plan to ${join(plans, 'dev.plan.json')}`);
    assert.not.ok(text.includes('\u001b['), 'no colour in the artifact');
    const counted = Number(/\((\d+) API calls to /.exec(text)?.[1]);
    assert.ok(counted > 0, text);
    assert.is(deployment.sandbox.stats.total(), counted, 'one read of live, not two');
    assert.is((await readFile(join(dir, 'dev.exit-code'), 'utf8')).trim(), '2');
    const comment = await readFile(join(dir, 'dev.comment.md'), 'utf8');
    assert.is(comment.split('\n')[0], '<!-- batch-workflows plan: dev -->');
    assert.not.match(comment, '### Plan for `dev` (exit', 'the markdown plan, not the fallback');
    const planFile = join(plans, 'dev.plan.json');
    assert.ok(existsSync(planFile), 'the saved plan is written');

    const applied = await script('apply-plan.sh', [planFile, '--', '--sandbox-url', url]);
    assert.is(applied.code, 0, applied.stdout + applied.stderr);
    const after = await script('plan-env.sh', ['--env', 'dev', '--dir', join(dir, 'after'), '--', '--sandbox-url', url]);
    assert.is(after.code, 0, after.stdout + after.stderr);
    assert.is((await readFile(join(dir, 'after', 'dev.exit-code'), 'utf8')).trim(), '0', 'the saved plan converged the environment');

    // The same file again: what it read has moved since (the settings object it planned to create
    // now exists), so it is refused.
    const again = await script('apply-plan.sh', [planFile, '--', '--sandbox-url', url]);
    assert.is(again.code, 1, again.stdout + again.stderr);
    assert.match(again.stdout + again.stderr, settings[0]!.split('/').pop()!);
  });
});

test('--markdown with a failing plan (no bucket): exit 1, and the comment still says why', async () => {
  const sandbox = await startSandbox();
  try {
    await withDir(async (dir) => {
      const run = await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--markdown', '--', '--sandbox-url', sandbox.endpoints.storage]);
      assert.is(run.code, 1, run.stdout + run.stderr);
      const comment = await readFile(join(dir, 'dev.comment.md'), 'utf8');
      assert.is(comment.split('\n')[0], '<!-- batch-workflows plan: dev -->');
      assert.match(comment, 'scoring-dev-4821-batch');
    });
  } finally {
    await sandbox.stop();
  }
});

test('every scripts/ci/*.sh parses (bash -n), and a broken script does not', async () => {
  const shells = readdirSync(join(repo, 'scripts', 'ci')).filter((f) => f.endsWith('.sh'));
  assert.equal(shells.sort(), ['apply-plan.sh', 'plan-env.sh', 'plan-status.sh']);
  const parse = (args: string[]) => new Promise<number>((resolve) => execFile('bash', args, { cwd: repo }, (error) => resolve(error ? Number((error as { code?: number }).code ?? 1) : 0)));
  for (const file of shells) assert.is(await parse(['-n', join('scripts', 'ci', file)]), 0, file);
  assert.is.not(await parse(['-n', '-c', 'if true; then echo']), 0);
});

test('plan-env.sh refuses bad arguments; plan-status.sh a plan that never ran; apply-plan.sh a missing plan file', async () => {
  await withDir(async (dir) => {
    assert.is((await script('plan-env.sh', ['--dir', dir])).code, 64);
    assert.is((await script('plan-env.sh', ['--env', '../etc', '--dir', dir])).code, 64);
    assert.is((await script('plan-env.sh', ['--env', 'dev', '--dir', dir, '--bogus'])).code, 64);
    assert.not.ok(existsSync(join(dir, 'dev.exit-code')), 'nothing ran');
    const status = await script('plan-status.sh', [dir, 'staging']);
    assert.is(status.code, 1);
    assert.match(status.stderr, 'staging: the plan did not run');
    assert.is((await script('plan-status.sh', [dir])).code, 64);
    const missing = await script('apply-plan.sh', [join(dir, 'plans', 'dev.plan.json')]);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, 'no saved plan');
    assert.is((await script('apply-plan.sh', [])).code, 64);
  });
});

test.run();
