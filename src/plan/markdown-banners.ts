/**
 * The alerts at the top of the Markdown plan (GitHub's alert syntax, `> [!CAUTION]` and
 * `> [!WARNING]`: https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#alerts):
 * what a reviewer must not miss however long the plan is, so they hold counts, never lists that grow
 * with the number of clients (the names of removed clients are capped).
 */
import { APPLY_ORDER, type ResourceKind } from '../resources/types.ts';
import { code } from './markdown-text.ts';
import type { Change, Plan } from './types.ts';

/** Kinds whose changes are someone's access: project bindings, own policies of resources, secret grants. */
const ACCESS_KINDS: ReadonlySet<ResourceKind> = new Set(['IamBinding', 'ResourcePolicy', 'SecretAccess']);

/** Removed clients named in the deletion banner; more are counted. */
const NAMED_REMOVED_CLIENTS = 20;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `N to create, N to update, …` with only the actions that occur, for a section's summary. */
export function sectionCounts(changes: readonly Change[]): string {
  const count = (action: Change['action']) => changes.filter((c) => c.action === action).length;
  const parts: string[] = [];
  for (const [action, words] of [
    ['create', 'to create'],
    ['update', 'to update'],
    ['delete', 'to delete'],
    ['orphan', 'to delete with --prune'],
    ['adopt', 'to adopt'],
  ] as const) {
    if (count(action) > 0) parts.push(`${count(action)} ${words}`);
  }
  if (count('conflict') > 0) parts.push(plural(count('conflict'), 'conflict'));
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function byKind(changes: readonly Change[]): string {
  const counts = new Map<ResourceKind, number>();
  for (const c of changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => APPLY_ORDER.indexOf(a) - APPLY_ORDER.indexOf(b))
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

const quote = (lines: readonly string[]) => lines.map((l) => (l === '' ? '>' : `> ${l}`));

/** Anything deleted by this apply, or by the same apply with --prune: a CAUTION. */
export function deletionBanner(plan: Plan): string[] {
  const deleted = plan.changes.filter((c) => c.action === 'delete');
  const orphans = plan.changes.filter((c) => c.action === 'orphan');
  if (deleted.length === 0 && orphans.length === 0 && plan.removedClients.length === 0) return [];
  const lines: string[] = [];
  if (deleted.length > 0) lines.push(`**This apply deletes ${plural(deleted.length, 'resource')}** (${byKind(deleted)}).`);
  if (orphans.length > 0) {
    lines.push(
      `**${plural(orphans.length, 'resource')} would be deleted with \`--prune\`** (${byKind(orphans)}): no longer in \`generated/\`; a plain apply leaves ${orphans.length === 1 ? 'it' : 'them'} live.`,
    );
  }
  const removed = plan.removedClients;
  if (removed.length > 0) {
    const named = removed
      .slice(0, NAMED_REMOVED_CLIENTS)
      .map((c) => code(c))
      .join(', ');
    const more = removed.length > NAMED_REMOVED_CLIENTS ? ` and ${removed.length - NAMED_REMOVED_CLIENTS} more` : '';
    const their = removed.length === 1 ? 'its' : 'their';
    const what = plan.prune ? `${their} live resources and grants are deleted by this apply` : `${their} access is still live; \`apply --prune\` removes it`;
    lines.push(`${removed.length === 1 ? 'Client' : 'Clients'} ${named}${more} ${removed.length === 1 ? 'has' : 'have'} no client file: ${what}.`);
  }
  return quote(['[!CAUTION]', ...lines.flatMap((l, i) => (i === 0 ? [l] : ['', l]))]);
}

/**
 * Anyone's access changing: a WARNING with the grants added, changed and revoked, and the two cases
 * a reviewer is least likely to expect: legacy access (grants of our client accounts we did not
 * make) and a grant of ours that differs from the desired one under its condition title (a
 * disguised grant: a broader role or condition hiding behind our title).
 */
export function accessBanner(plan: Plan): string[] {
  const access = plan.changes.filter(
    (c) => c.action !== 'no-op' && c.action !== 'conflict' && (ACCESS_KINDS.has(c.kind) || c.impact === 'grants-access' || c.impact === 'revokes-access' || c.impact === 'changes-access'),
  );
  if (access.length === 0) return [];
  const added = access.filter((c) => c.action === 'create' || c.action === 'adopt').length;
  const changed = access.filter((c) => c.action === 'update').length;
  const revoked = access.filter((c) => c.action === 'delete').length;
  const pruneOnly = access.filter((c) => c.action === 'orphan').length;
  const parts = [
    ...(added > 0 ? [`${added} added`] : []),
    ...(changed > 0 ? [`${changed} changed`] : []),
    ...(revoked > 0 ? [`${revoked} revoked`] : []),
    ...(pruneOnly > 0 ? [`${pruneOnly} revoked only with \`--prune\``] : []),
  ];
  const lines = ['[!WARNING]', `**Access changes**: ${plural(access.length, 'grant')}: ${parts.join(', ')} (${byKind(access)}).`];
  const legacy = access.filter((c) => c.legacy).length;
  if (legacy > 0) {
    lines.push(
      `- ${plural(legacy, 'grant is', 'grants are')} **legacy access**: held by our client accounts, not made by batch-workflows nor in \`generated/\`; \`--prune\` revokes ${legacy === 1 ? 'it' : 'them'}, that member only.`,
    );
  }
  const disguised = access.filter((c) => c.action === 'update' && c.kind === 'IamBinding').length;
  if (disguised > 0) {
    lines.push(
      `- ${plural(disguised, 'project grant', 'project grants')} under our condition titles ${disguised === 1 ? 'differs' : 'differ'} from what \`generated/\` asks for (a **disguised grant**, such as a broader role or condition): this apply replaces ${disguised === 1 ? 'it' : 'them'}, without \`--prune\`.`,
    );
  }
  const handAdded = access.filter((c) => c.action === 'update' && c.kind === 'ResourcePolicy').length;
  if (handAdded > 0) {
    lines.push(
      `- ${plural(handAdded, 'resource policy', 'resource policies')} of ours ${handAdded === 1 ? 'holds' : 'hold'} other members or roles than \`generated/\` lists: this apply sets them to what it lists.`,
    );
  }
  return quote(lines);
}
