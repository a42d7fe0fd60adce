/**
 * The plan as one GitHub pull-request comment (`plan --format markdown`), posted by CI as a sticky
 * comment it finds again by the marker on its first line and updates in place. What a reviewer
 * needs first comes first and is never cut: the summary line of the text plan, the counts by kind,
 * and a banner when anything would be deleted or anyone's access changes. Then errors and warnings,
 * the product-wide changes and one collapsed section per client. The whole comment stays within
 * GitHub's limit (GITHUB_COMMENT_LIMIT): the largest sections are collapsed to one line first, in a
 * fixed order, and a line says where the full plan is. Same plan, same bytes: no clocks, and every
 * list in a fixed order whatever the order of the client files.
 */
import { formatDiagnostic, type Diagnostic } from '../diagnostics.ts';
import { APPLY_ORDER, type ResourceKind } from '../resources/types.ts';
import { isMultiLine, note, show, summaryLine, SYMBOL, unifiedHunks } from './format.ts';
import { accessBanner, deletionBanner, sectionCounts } from './markdown-banners.ts';
import { byteLength, code, escapeHtml, escapeText, fence, GITHUB_COMMENT_LIMIT, stickyMarker } from './markdown-text.ts';
import { orderChanges } from './summary.ts';
import type { Change, FieldDiff, Plan } from './types.ts';

export interface MarkdownOptions {
  /** Bytes the comment may take (default GitHub's limit); tests pass a smaller one. */
  readonly limit?: number;
}

const ACTIONS = ['create', 'update', 'delete', 'orphan', 'adopt', 'conflict', 'no-op'] as const;
const COLUMN: Record<(typeof ACTIONS)[number], string> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  orphan: 'delete with `--prune`',
  adopt: 'adopt',
  conflict: 'conflict',
  'no-op': 'unchanged',
};

const kindOrder = (kind: ResourceKind) => APPLY_ORDER.indexOf(kind);

function kindTable(plan: Plan): string[] {
  const counts = new Map<ResourceKind, Record<string, number>>();
  for (const change of plan.changes) {
    const row = counts.get(change.kind) ?? Object.fromEntries(ACTIONS.map((a) => [a, 0]));
    row[change.action] = row[change.action]! + 1;
    counts.set(change.kind, row);
  }
  const kinds = [...counts.keys()].sort((a, b) => kindOrder(a) - kindOrder(b));
  const total = Object.fromEntries(ACTIONS.map((a) => [a, kinds.reduce((sum, k) => sum + counts.get(k)![a]!, 0)]));
  const cell = (n: number) => (n === 0 ? '·' : String(n));
  return [
    `| kind | ${ACTIONS.map((a) => COLUMN[a]).join(' | ')} |`,
    `|:--|${ACTIONS.map(() => '--:').join('|')}|`,
    ...kinds.map((k) => `| ${k} | ${ACTIONS.map((a) => cell(counts.get(k)![a]!)).join(' | ')} |`),
    `| **total** | ${ACTIONS.map((a) => `**${total[a]}**`).join(' | ')} |`,
  ];
}

function fieldItem(field: FieldDiff, indent: string): string[] {
  // The blank line makes the item loose: some renderers (micromark) drop the code's line endings in a tight one.
  if (isMultiLine(field)) return [`${indent}- ${code(field.path)}:`, '', ...fence('diff', unifiedHunks(field.before, field.after), `${indent}  `)];
  if (field.before === undefined) return [`${indent}- \`+\` ${code(field.path)} = ${code(show(field.after))}`];
  if (field.after === undefined) return [`${indent}- \`-\` ${code(field.path)} = ${code(show(field.before))}`];
  return [`${indent}- \`~\` ${code(field.path)}: ${code(show(field.before))} → ${code(show(field.after))}`];
}

/** One change as a list item, with what the text plan shows under it. */
function changeItem(change: Change): string[] {
  const action = change.action === 'orphan' ? 'delete with --prune' : change.action;
  const out = [`- \`${SYMBOL[change.action]}\` **${action}** ${change.kind} ${code(change.name)}: ${escapeText(note(change).replace(/^\((.*)\)$/, '$1'))}`];
  if (change.blockedBy) out.push(`  - held back: needs ${code(change.blockedBy)}, which is in conflict`);
  const grants = change.action === 'create' ? change.desired : change.action === 'delete' || change.action === 'orphan' ? change.live : undefined;
  if (grants?.kind === 'ResourcePolicy') {
    const sign = change.action === 'create' ? '+' : '-';
    for (const role of Object.keys(grants.bindings).sort()) {
      out.push(
        `  - \`${sign}\` ${code(role)}: ${[...grants.bindings[role]!]
          .sort()
          .map((m) => code(m))
          .join(', ')}`,
      );
    }
  }
  if (change.needs?.length && (change.action === 'update' || change.action === 'delete')) out.push(`  - only after: ${change.needs.map((k) => code(k)).join(', ')}`);
  const showFields = change.action === 'update' || change.action === 'adopt' || (change.action === 'conflict' && change.otherProduct === undefined);
  if (showFields) {
    if (change.action === 'conflict') out.push('  - with `--adopt`:');
    for (const field of change.fields) out.push(...fieldItem(field, change.action === 'conflict' ? '    ' : '  '));
  }
  return out;
}

/** A part of the comment the budget may shorten: its full text, and the one line it collapses to. */
interface Block {
  readonly full: string;
  readonly collapsed: string;
}

function section(title: string, counts: string, changes: readonly Change[], tag = ''): Block {
  const summary = `<b>${escapeHtml(title)}</b>: ${escapeHtml(counts)}${tag ? ` (${escapeHtml(tag)})` : ''}`;
  // Apply order, then by key: independent of the order the documents came in.
  const items = orderChanges(changes).flatMap(changeItem);
  return {
    full: [`<details><summary>${summary}</summary>`, '', ...items, '', '</details>', ''].join('\n'),
    collapsed: `- ${code(title)}: ${escapeText(counts)}${tag ? ` (${escapeText(tag)})` : ''}; details left out to fit, see the full plan`,
  };
}

function diagnosticsBlock(label: 'Errors' | 'Warnings', list: readonly Diagnostic[], why: string): Block | undefined {
  if (list.length === 0) return undefined;
  const lines = list.map((d) => `${label === 'Errors' ? 'error' : 'warning'}: ${formatDiagnostic(d)}`).sort();
  const title = `#### ${label} (${list.length})${why}`;
  return {
    full: [
      title,
      '',
      ...fence(
        'text',
        lines.flatMap((l) => l.split('\n')),
      ),
      '',
    ].join('\n'),
    collapsed: [title, '', `${list.length} ${label.toLowerCase()} left out to fit; see the full plan.`, ''].join('\n'),
  };
}

function clientSections(plan: Plan): Block[] {
  const byClient = new Map<string, Change[]>();
  for (const change of plan.changes) {
    if (change.action === 'no-op' || change.owner.client === undefined) continue;
    byClient.set(change.owner.client, [...(byClient.get(change.owner.client) ?? []), change]);
  }
  const removed = new Set(plan.removedClients);
  return [...byClient.keys()].sort().map((client) => {
    const changes = byClient.get(client)!;
    const tag = !removed.has(client) ? '' : plan.prune ? 'no client file: removed by this apply' : 'no client file: access still live';
    return section(client, sectionCounts(changes), changes, tag);
  });
}

/**
 * Keeps the comment within `limit` bytes. First the largest sections (ties: the earlier one) become
 * their one line, until it fits; then the warnings, then the errors; then one-line sections are left
 * out from the last, replaced by a count. The head (marker, heading, summary, kind table, banners)
 * is never shortened.
 */
function fitted(head: string, diagnostics: Block[], sections: Block[], pointer: string, limit: number): string {
  const state = [...diagnostics, ...sections].map((block) => ({ block, text: block.full }));
  const join = (shown: readonly { text: string }[], shortened: boolean, dropped: number) =>
    [
      head,
      ...(shortened ? [pointer] : []),
      ...shown.map((s) => s.text),
      ...(dropped > 0 ? [`_…and ${dropped} more section${dropped === 1 ? '' : 's'} with changes, left out to fit; see the full plan._\n`] : []),
    ].join('\n');
  const full = join(state, false, 0);
  if (byteLength(full) <= limit) return full;
  // Room for the pointer line and the count of left-out sections, whatever their digits.
  let size = byteLength(join(state, true, 0)) + 200;
  const collapse = (entry: (typeof state)[number]) => {
    size += byteLength(entry.block.collapsed) - byteLength(entry.text);
    entry.text = entry.block.collapsed;
  };
  const sectionEntries = state.slice(diagnostics.length);
  const largestFirst = sectionEntries.map((entry, index) => ({ entry, index, bytes: byteLength(entry.text) })).sort((a, b) => b.bytes - a.bytes || a.index - b.index);
  for (const { entry } of largestFirst) {
    if (size <= limit) break;
    collapse(entry);
  }
  for (const entry of [...state.slice(0, diagnostics.length)].reverse()) if (size > limit) collapse(entry);
  let kept = state.length;
  while (size > limit && kept > diagnostics.length) {
    kept--;
    size -= byteLength(state[kept]!.text) + 1;
  }
  return join(state.slice(0, kept), true, state.length - kept);
}

export function formatPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const s = plan.summary;
  const scope = plan.clientFilter ? `, client ${code(plan.clientFilter)} only` : '';
  const head: string[] = [
    stickyMarker(plan.environment),
    `### Plan for ${code(plan.environment)}: product ${code(plan.product)}, project ${code(plan.project)}${scope}`,
    '',
    `**${summaryLine(plan)}**${s.unchanged > 0 ? ` ${s.unchanged} unchanged.` : ''}`,
    '',
    ...kindTable(plan),
    '',
  ];
  if (plan.prune) head.push('Planned with `--prune`: owned resources no longer in `generated/` are deleted.', '');
  if (plan.adopt) head.push('Planned with `--adopt`: unmanaged resources with our names are taken over.', '');
  for (const banner of [deletionBanner(plan), accessBanner(plan)]) if (banner.length > 0) head.push(...banner, '');
  const changed = plan.changes.some((c) => c.action !== 'no-op');
  if (!changed && plan.errors.length === 0) head.push('No changes: live matches `generated/`.', '');

  const diagnostics = [diagnosticsBlock('Errors', plan.errors, ': apply refuses to start'), diagnosticsBlock('Warnings', plan.warnings, '')].filter((b): b is Block => b !== undefined);
  const productChanges = plan.changes.filter((c) => c.action !== 'no-op' && c.owner.client === undefined);
  const clients = clientSections(plan);
  const sections: Block[] = [];
  if (productChanges.length > 0) {
    const block = section(`product ${plan.product}`, sectionCounts(productChanges), productChanges);
    sections.push({ full: `#### Product-wide changes\n\n${block.full}`, collapsed: `#### Product-wide changes\n\n${block.collapsed}\n` });
  }
  if (clients.length > 0) {
    const title = `#### Clients (${clients.length} with changes)\n\n`;
    // The heading travels with the first client section, so it stays even when the budget collapses it.
    sections.push(...clients.map((c, i) => (i === 0 ? { full: title + c.full, collapsed: title + c.collapsed } : c)));
  }
  const pointer = [
    `_Shortened to fit a GitHub comment (${String(limit).replace(/\B(?=(\d{3})+$)/g, ',')} characters): the largest sections are summarised on one line._`,
    `_The full plan is in this run's CI artifact: the output of ${code(`npm run plan -- --env ${plan.environment}`)}, or the saved plan file._`,
    '',
  ].join('\n');
  return fitted(head.join('\n'), diagnostics, sections, pointer, limit).replace(/\n+$/, '\n');
}
