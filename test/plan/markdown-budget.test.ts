/**
 * Issue 12 item 1, the Markdown plan's guarantees beyond its goldens: it fits one GitHub comment
 * (500 clients' first plan included) and still opens with the summary and the kind table; it is the
 * same bytes for the same plan, whatever the order of the client files; and what a client file
 * holds cannot break its Markdown or inject HTML, checked by rendering it with a GFM parser.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { diff } from '../../src/plan/diff.ts';
import { summaryLine } from '../../src/plan/format.ts';
import { formatPlanMarkdown } from '../../src/plan/markdown.ts';
import { GITHUB_COMMENT_LIMIT } from '../../src/plan/markdown-text.ts';
import { client, documentsFor, scheduled, seededRandom } from './fake-cloud.ts';
import { emptyProjectOf, liveOf } from './live-state.ts';

/** As GitHub renders a comment: GFM, raw HTML passed through (GitHub then sanitises it). */
const render = (markdown: string) => micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });

/** 500 synthetic clients as the bench makes them: every 4th scheduled, every 10th with a Slack secret. */
function clients(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const name = `client-${String(i).padStart(4, '0')}`;
    const base = i % 4 === 0 ? scheduled(name) : client(name);
    return i % 10 === 0 ? { ...base, notify: [{ type: 'slack' as const, secret: `${name}-slack`, on: 'failure' as const }] } : base;
  });
}

const many = documentsFor(clients(500));
const firstPlan = diff(emptyProjectOf(many), many);

test('500 clients, first plan: within 65,536 characters (and bytes), opening with the summary and the kind table', () => {
  const markdown = formatPlanMarkdown(firstPlan);
  assert.ok(markdown.length <= GITHUB_COMMENT_LIMIT, `${markdown.length} characters`);
  assert.ok(Buffer.byteLength(markdown) <= GITHUB_COMMENT_LIMIT, `${Buffer.byteLength(markdown)} bytes`);
  const lines = markdown.split('\n');
  assert.is(lines[0], '<!-- batch-workflows plan: dev -->');
  assert.ok(lines[3]!.startsWith(`**${summaryLine(firstPlan)}**`), lines[3]);
  assert.ok(lines[5]!.startsWith('| kind |'));
  assert.match(markdown, `| **total** | **${firstPlan.summary.create}** |`);
  assert.match(markdown, "_The full plan is in this run's CI artifact: the output of `npm run plan -- --env dev`, or the saved plan file._");
  // Every client is still named: on the one line its section collapsed to, or in its section.
  for (let i = 0; i < 500; i++) {
    const name = `client-${String(i).padStart(4, '0')}`;
    assert.ok(markdown.includes(`- \`${name}\`: `) || markdown.includes(`<details><summary><b>${name}</b>: `), name);
  }
  // Collapsed largest first, ties in order: client-0000 (scheduled, with a secret: the largest) is one line.
  assert.match(markdown, '- `client-0000`: 13 to create; details left out to fit, see the full plan\n');
  // Still well-formed: every <details> closed, one table, every code fence closed.
  const html = render(markdown);
  assert.is((html.match(/<details>/g) ?? []).length, (html.match(/<\/details>/g) ?? []).length);
  assert.is((html.match(/<table>/g) ?? []).length, 1);
});

test('a plan that fits is not shortened; a smaller budget collapses the largest sections first, the same way every time', () => {
  const docs = documentsFor([client('acme-corp'), scheduled('big-one'), client('zeta-inc')]);
  const plan = diff(emptyProjectOf(docs), docs);
  const whole = formatPlanMarkdown(plan);
  assert.not.match(whole, 'Shortened to fit');
  const limit = whole.length - 200;
  const short = formatPlanMarkdown(plan, { limit });
  assert.ok(short.length <= limit, `${short.length} > ${limit}`);
  assert.match(short, 'Shortened to fit a GitHub comment');
  // The product-wide section holds the most (accounts, project IAM, workflows): it goes first; the clients stay whole.
  assert.match(short, '#### Product-wide changes\n\n- `product scoring`: ');
  for (const name of ['acme-corp', 'big-one', 'zeta-inc']) assert.match(short, `<details><summary><b>${name}</b>`);
  assert.is(formatPlanMarkdown(plan, { limit }), short);
});

test('a budget smaller than the head: the head is kept whole, sections are left out from the last and counted', () => {
  const docs = documentsFor([client('acme-corp'), client('zeta-inc')]);
  const plan = diff(emptyProjectOf(docs), docs);
  const markdown = formatPlanMarkdown(plan, { limit: 1500 });
  assert.ok(markdown.startsWith('<!-- batch-workflows plan: dev -->\n'));
  assert.match(markdown, `**${summaryLine(plan)}**`);
  assert.match(markdown, '| **total** |');
  assert.match(markdown, '> [!WARNING]');
  assert.match(markdown, /_…and \d+ more sections? with changes, left out to fit; see the full plan\._/);
});

test('byte-stable: the same plan twice, and client files in any order, give the same bytes', () => {
  assert.is(formatPlanMarkdown(firstPlan), formatPlanMarkdown(firstPlan));
  const docs = documentsFor(clients(40));
  const live = liveOf(documentsFor(clients(45)).slice(0, 30), { uniformBucketLevelAccess: true });
  const expected = formatPlanMarkdown(diff(live, docs));
  const random = seededRandom(12);
  for (let round = 0; round < 3; round++) {
    const [product, ...rest] = docs;
    const shuffled = [
      product!,
      ...rest
        .map((d) => ({ d, k: random() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.d),
    ];
    const liveShuffled = { ...live, serviceAccounts: [...live.serviceAccounts].reverse(), topics: [...live.topics].reverse(), triggers: [...live.triggers].reverse() };
    assert.is(formatPlanMarkdown(diff(liveShuffled, shuffled)), expected, `round ${round}`);
  }
});

test('a display name with HTML, pipes, backticks, emphasis, a mention and a shortcode is shown as text', () => {
  const evil = '<script>alert(1)</script> | a `b` ``c`` **d** [e](https://x.example) @everyone :smile: <img src=x onerror=alert(2)>';
  const desired = documentsFor([client('acme-corp', { displayName: evil })]);
  const live = liveOf(documentsFor([client('acme-corp', { displayName: 'ACME' })]), { uniformBucketLevelAccess: true });
  const plan = diff(live, desired);
  assert.ok(plan.summary.update > 0);
  const markdown = formatPlanMarkdown(plan);
  const html = render(markdown);
  assert.not.match(html, '<script', 'no script element');
  assert.not.match(html, '<img', 'no image element');
  assert.not.match(html, '<a href="https://x.example"', 'no link');
  assert.not.match(html, '<strong>d</strong>');
  assert.is((html.match(/<table>/g) ?? []).length, 1, 'one table');
  const rows = (html.match(/<tr>/g) ?? []).length;
  assert.is(rows, new Set(plan.changes.map((c) => c.kind)).size + 2, 'kinds, header and total: no row added or split');
  // The value is there, whole, as text in a code span.
  const shown = JSON.stringify(evil).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  assert.match(html, `<code>${shown}</code>`);
});

test.run();
