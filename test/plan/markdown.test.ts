/**
 * Issue 12 item 1: the Markdown plan (one pull-request comment) of the example product
 * (workflows/product.ts and clients/, as generated/dev holds them), against live states built with
 * the pure helpers. Golden files in golden/markdown/ (UPDATE=1 rewrites them); each case also
 * asserts what it is about, so a refreshed golden cannot hide a lost banner.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocuments } from '../../src/cli/plan.ts';
import { projectLayout } from '../../src/cli/project-files.ts';
import { diff } from '../../src/plan/diff.ts';
import { summaryLine } from '../../src/plan/format.ts';
import { formatPlanMarkdown } from '../../src/plan/markdown.ts';
import { stickyMarker } from '../../src/plan/markdown-text.ts';
import type { IamPolicyBinding } from '../../src/resources/live.ts';
import type { DiffOptions, LiveState, Plan } from '../../src/plan/types.ts';
import type { IamBindingResource, ResourceDocument } from '../../src/resources/types.ts';
import { DEV } from './fake-cloud.ts';
import { emptyProjectOf, liveOf } from './live-state.ts';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';

const goldenDir = fileURLToPath(new URL('./golden/markdown/', import.meta.url));
const example = await loadDocuments(projectLayout().generatedDir, 'dev');

async function matchesGolden(name: string, markdown: string): Promise<void> {
  const file = join(goldenDir, `${name}.md`);
  if (process.env.UPDATE === '1') {
    await mkdir(goldenDir, { recursive: true });
    await writeFile(file, markdown);
  }
  assert.fixture(markdown, await readFile(file, 'utf8'), `golden/markdown/${name}.md differs (UPDATE=1 refreshes it)`);
}

function planOf(live: LiveState, documents: readonly ResourceDocument[], options: DiffOptions = {}): { plan: Plan; markdown: string } {
  const plan = diff(live, documents, options);
  return { plan, markdown: formatPlanMarkdown(plan) };
}

/** The head every comment opens with: marker, heading, then the text plan's summary line. */
function assertHead(markdown: string, plan: Plan): void {
  const lines = markdown.split('\n');
  assert.is(lines[0], stickyMarker('dev'));
  assert.is(lines[0], '<!-- batch-workflows plan: dev -->');
  assert.ok(lines[1]!.startsWith('### Plan for `dev`: product `scoring`, project `scoring-dev-4821`'), lines[1]);
  assert.ok(lines[3]!.startsWith(`**${summaryLine(plan)}**`), lines[3]);
  assert.ok(lines[5]!.startsWith('| kind |'), 'the kind table follows');
}

const withoutDocument = (documents: readonly ResourceDocument[], client: string) => documents.filter((d) => d.client !== client);

test('create: the example product in an empty project', async () => {
  // The bucket and the notification secrets are preconditions: present, labelled, granting nothing yet.
  const empty = emptyProjectOf(example);
  const { plan, markdown } = planOf(empty, example);
  assertHead(markdown, plan);
  assert.ok(plan.summary.create > 0);
  assert.match(markdown, '> [!WARNING]\n> **Access changes**');
  assert.not.match(markdown, '[!CAUTION]', 'nothing is deleted');
  assert.match(markdown, '#### Product-wide changes');
  assert.match(markdown, '<details><summary><b>acme-corp</b>: ');
  assert.match(markdown, '<details><summary><b>globex-retail</b>: ');
  await matchesGolden('create', markdown);
});

test('update: a workflow source (holding a ``` line), a schedule and a display name changed live', async () => {
  const drifted = example.map((d) => ({
    ...d,
    resources: d.resources.map((r) => {
      if (r.kind === 'Workflow' && r.sourceFile.endsWith('batch-inference.yaml')) {
        const lines = r.sourceContents!.split('\n');
        return { ...r, sourceContents: [...lines.slice(0, 5), '# ```', '# edited in the console', ...lines.slice(5)].join('\n') };
      }
      if (r.kind === 'SchedulerJob') return { ...r, schedule: '0 5 * * *' };
      if (r.kind === 'ServiceAccount' && r.owner.client === 'acme-corp') return { ...r, displayName: 'ACME (old name)' };
      return r;
    }),
  }));
  const { plan, markdown } = planOf(liveOf(drifted, { uniformBucketLevelAccess: true }), example);
  assertHead(markdown, plan);
  assert.is(plan.summary.update, 3);
  assert.match(markdown, '- `~` `schedule`: `"0 5 * * *"` → `"0 6 * * MON-FRI"`');
  assert.match(markdown, '- `~` `displayName`: `"ACME (old name)"` → `"ACME Corporation"`');
  // The fence is longer than the backtick run in the source, so the ``` line cannot close it.
  assert.match(markdown, '  - `source`:\n\n    ````diff\n    @@ -3,');
  assert.match(markdown, '\n    -# ```\n');
  const html = micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  assert.match(html, /<pre><code class="language-diff">@@ -3,[^<]*\n-# ```\n-# edited in the console\n[^<]*<\/code><\/pre>/, 'one diff block, holding the ``` line');
  await matchesGolden('update', markdown);
});

test('delete: a removed client without --prune (prune-only) and with --prune', async () => {
  const live = liveOf(example, { uniformBucketLevelAccess: true });
  const desired = withoutDocument(example, 'globex-retail');
  const pruneOnly = planOf(live, desired);
  assertHead(pruneOnly.markdown, pruneOnly.plan);
  assert.is(pruneOnly.plan.summary.delete, 0);
  assert.match(pruneOnly.markdown, `> [!CAUTION]\n> **${pruneOnly.plan.summary.orphan} resources would be deleted with \`--prune\`**`);
  assert.match(pruneOnly.markdown, '> Client `globex-retail` has no client file: its access is still live; `apply --prune` removes it.');
  assert.match(pruneOnly.markdown, '<details><summary><b>globex-retail</b>: ');
  assert.match(pruneOnly.markdown, '(no client file: access still live)</summary>');
  await matchesGolden('delete-prune-only', pruneOnly.markdown);

  const pruned = planOf(live, desired, { prune: true });
  assertHead(pruned.markdown, pruned.plan);
  assert.match(pruned.markdown, `> [!CAUTION]\n> **This apply deletes ${pruned.plan.summary.delete} resources** (`);
  assert.match(pruned.markdown, 'Planned with `--prune`');
  await matchesGolden('delete-prune', pruned.markdown);
});

const ACME = `serviceAccount:acme-corp@${DEV.project}.iam.gserviceaccount.com`;
const OPS = 'user:ops@example.com';

test("IAM: the runbook's legacy grants to acme-corp, in bindings a person (foreign) shares", async () => {
  const objects = (prefix: string) => `resource.name.startsWith("projects/_/buckets/${DEV.bucket}/objects/${prefix}")`;
  const runbook: IamPolicyBinding[] = [
    { role: 'roles/storage.objectViewer', members: [OPS, ACME] },
    { role: 'roles/storage.objectCreator', members: [ACME, OPS], condition: { title: 'acme-corp-inputs', expression: objects('scoring/acme-corp/inputs/') } },
  ];
  const { plan, markdown } = planOf(liveOf(example, { extra: runbook, uniformBucketLevelAccess: true }), example);
  assertHead(markdown, plan);
  assert.is(plan.summary.legacy, 2);
  assert.match(markdown, '- 2 grants are **legacy access**');
  assert.match(markdown, '> [!CAUTION]', 'legacy access is deleted with --prune: a caution too');
  assert.not.match(markdown, OPS.replace('@', '\\@'), 'the person keeps the grant: not shown as a change');
  await matchesGolden('iam-legacy', markdown);
});

test('IAM: a disguised grant under one of our condition titles', async () => {
  const member = `serviceAccount:scoring@${DEV.project}.iam.gserviceaccount.com`;
  const title = 'batch-workflows:scoring:logs';
  const wanted: IamBindingResource = {
    kind: 'IamBinding',
    owner: { product: 'scoring' },
    project: DEV.project,
    role: 'roles/logging.viewer',
    member,
    condition: { title, description: '', expression: 'request.time < timestamp("2030-01-01T00:00:00Z")' },
  };
  const documents = example.map((d) => (d.client ? d : { ...d, resources: [...d.resources, wanted] }));
  const disguised = { role: 'roles/storage.objectAdmin', members: [member], condition: { title, expression: 'true' } };
  const { plan, markdown } = planOf(liveOf(documents, { extra: [disguised], uniformBucketLevelAccess: true }), documents);
  assertHead(markdown, plan);
  assert.match(markdown, '- 1 project grant under our condition titles differs from what `generated/` asks for (a **disguised grant**');
  await matchesGolden('iam-disguised', markdown);
});

test('no changes: says so, no banner, no sections', () => {
  const { plan, markdown } = planOf(liveOf(example, { uniformBucketLevelAccess: true }), example);
  assertHead(markdown, plan);
  assert.match(markdown, 'No changes: live matches `generated/`.');
  assert.not.match(markdown, '[!');
  assert.not.match(markdown, '<details>');
});

test.run();
