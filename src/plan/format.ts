/**
 * Renders a Plan: terraform-like text for people, a stable JSON shape for machines. Separate from
 * diff so the plan a CI job gates on and the one a reviewer reads are the same value.
 */
import { structuredPatch } from 'diff';
import { formatDiagnostic } from '../diagnostics.ts';
import { createdFields } from './normalise.ts';
import type { Change, FieldDiff, Plan } from './types.ts';

export interface FormatOptions {
  /** ANSI colours (a terminal). */
  readonly color?: boolean;
}

export const SYMBOL: Record<Change['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  orphan: '-',
  'no-op': ' ',
  conflict: '!',
  adopt: '~',
};

const COLOR: Record<Change['action'], string> = {
  create: '32',
  update: '33',
  delete: '31',
  orphan: '2',
  'no-op': '0',
  conflict: '35',
  adopt: '33',
};

function paint(text: string, code: string, on: boolean): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? 'null');
}

/** Unchanged lines shown around each change, as `diff -u` and `git diff` do. */
const CONTEXT_LINES = 3;

/**
 * Every changed hunk of a multi-line value (a workflow source), each with its context lines and a
 * unified-diff header (`@@ -old,count +new,count @@`), from the `diff` package's structured patch:
 * nothing is elided, so a second edit far below the first is as visible as the first.
 */
export function unifiedHunks(before: string, after: string): string[] {
  const patch = structuredPatch('live', 'desired', before, after, undefined, undefined, { context: CONTEXT_LINES });
  // Hunk lines are `+x`, `-x`, ` x`, or `\ No newline at end of file`, as `diff -u` prints them.
  return patch.hunks.flatMap((hunk) => [`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`, ...hunk.lines]);
}

function lineDiff(before: string, after: string): string[] {
  // In the text plan a space after the sign reads better.
  return unifiedHunks(before, after).map((line) => (line.startsWith('\\') || line.startsWith('@@') ? line : `${line[0]} ${line.slice(1)}`));
}

/** Whether a field's values are multi-line text (a workflow source), shown as unified hunks. */
export function isMultiLine(field: FieldDiff): field is FieldDiff & { before: string; after: string } {
  const { before, after } = field;
  return typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'));
}

function fieldLines(field: FieldDiff): string[] {
  const { before, after, path } = field;
  if (isMultiLine(field)) return [`~ ${path}:`, ...lineDiff(field.before, field.after).map((l) => `    ${l}`)];
  if (before === undefined) return [`+ ${path} = ${show(after)}`];
  if (after === undefined) return [`- ${path} = ${show(before)}`];
  return [`~ ${path}: ${show(before)} → ${show(after)}`];
}

/** What a change does, in words, after its kind and name (shared by the text and Markdown plans). */
export function note(change: Change): string {
  switch (change.action) {
    case 'create':
    case 'update':
      return `(${change.impact})`;
    case 'delete':
      return change.legacy ? `(${change.impact}: legacy access, only this member)` : `(${change.impact})`;
    case 'orphan':
      if (change.legacy) return 'legacy access: held by our client account, not made by batch-workflows nor in generated/; would revoke with --prune (only this member)';
      return change.kind === 'SecretAccess' ? 'no client names this secret any more; would revoke with --prune (only this member)' : 'no longer in generated/; would delete with --prune';
    case 'conflict':
      return change.otherProduct !== undefined
        ? `exists and is managed by product ${change.otherProduct}; left untouched (--adopt does not take another product's resources)`
        : 'exists but is not managed by this product; left untouched (apply --adopt takes it over)';
    case 'adopt':
      return `exists unmanaged; will be adopted (${change.impact})`;
    case 'no-op':
      return '';
  }
}

export function formatPlan(plan: Plan, options: FormatOptions = {}): string {
  const color = options.color ?? false;
  const out: string[] = [];
  const scope = plan.clientFilter ? `, client ${plan.clientFilter}` : '';
  out.push(`Plan for environment ${plan.environment} (project ${plan.project}), product ${plan.product}${scope}:`);
  out.push('');
  const shown = plan.changes.filter((c) => c.action !== 'no-op');
  for (const change of shown) {
    const head = `  ${SYMBOL[change.action]} ${change.kind} ${change.name}  ${note(change)}`;
    out.push(paint(head, COLOR[change.action], color));
    if (change.blockedBy) out.push(`      held back: needs ${change.blockedBy}, which is in conflict`);
    // A reviewer approves grants by who gets what: a new or revoked resource policy lists them.
    const grants = change.action === 'create' ? change.desired : change.action === 'delete' || change.action === 'orphan' ? change.live : undefined;
    if (grants?.kind === 'ResourcePolicy') {
      const sign = change.action === 'create' ? '+' : '-';
      for (const [role, members] of Object.entries(grants.bindings)) out.push(`      ${sign} ${role}: ${members.join(', ')}`);
    }
    if (change.needs?.length && (change.action === 'update' || change.action === 'delete')) out.push(`      only after: ${change.needs.join(', ')}`);
    if (change.action === 'update' || change.action === 'adopt' || change.action === 'conflict') {
      if (change.action === 'conflict' && change.otherProduct !== undefined) continue;
      const prefix = change.action === 'conflict' ? '      with --adopt: ' : '      ';
      for (const field of change.fields) for (const line of fieldLines(field)) out.push(`${prefix}${line}`);
    }
  }
  if (shown.length > 0) out.push('');
  for (const warning of plan.warnings) out.push(paint(`warning: ${formatDiagnostic(warning)}`, '33', color));
  for (const error of plan.errors) out.push(paint(`error: ${formatDiagnostic(error)}`, '31', color));
  if (plan.warnings.length + plan.errors.length > 0) out.push('');
  const s = plan.summary;
  if (s.unchanged > 0) out.push(`${s.unchanged} resource${s.unchanged === 1 ? '' : 's'} unchanged.`);
  if (s.orphan > 0) {
    const legacy = s.legacy > 0 ? ` (${s.legacy} of them legacy access of our client accounts)` : '';
    out.push(`${s.orphan} owned resource${s.orphan === 1 ? ' is' : 's are'} no longer in generated/${legacy}; run with --prune to delete ${s.orphan === 1 ? 'it' : 'them'}.`);
  }
  for (const client of plan.removedClients) {
    const count = plan.changes.filter((c) => c.owner.client === client && (c.action === 'orphan' || c.action === 'delete')).length;
    out.push(
      plan.prune
        ? `Client ${client} has no client file: its ${count} live resource${count === 1 ? '' : 's'} and grants will be deleted.`
        : `Client ${client} has no client file but its access is still live (${count} resource${count === 1 ? '' : 's'}); apply --prune removes it.`,
    );
  }
  out.push(summaryLine(plan));
  return out.join('\n');
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.delete} to delete`];
  if (s.adopt > 0) parts.push(`${s.adopt} to adopt`);
  // Without --prune these change nothing, yet live differs: counted so the summary never says "0" over them.
  if (s.orphan > 0) parts.push(`${s.orphan} to delete with --prune`);
  const conflicts = `${s.conflict} conflict${s.conflict === 1 ? '' : 's'}`;
  return `Plan: ${parts.join(', ')}, ${conflicts}.`;
}

/** Version 1 of the JSON shape; fields are only ever added. No-op changes are counted, not listed. */
export interface PlanJson {
  readonly formatVersion: 1;
  readonly environment: string;
  readonly project: string;
  readonly product: string;
  readonly client: string | null;
  readonly prune: boolean;
  readonly adopt: boolean;
  readonly summary: Plan['summary'];
  readonly changes: readonly {
    readonly action: Exclude<Change['action'], 'no-op'>;
    readonly kind: string;
    readonly key: string;
    readonly name: string;
    readonly product: string;
    readonly client: string | null;
    readonly impact: string;
    readonly blockedBy: string | null;
    /** True for a grant held by one of our accounts that generated/ does not ask for (README, "Legacy access"): revoked by --prune. */
    readonly legacy: boolean;
    readonly fields: readonly { readonly path: string; readonly before: unknown; readonly after: unknown }[];
  }[];
  readonly warnings: readonly { readonly where: string | null; readonly message: string; readonly fix: string | null }[];
  readonly errors: readonly { readonly where: string | null; readonly message: string; readonly fix: string | null }[];
  /** Clients with no client file whose resources or access are still live (apply --prune removes them). */
  readonly removedClients: readonly string[];
}

export function planToJson(plan: Plan): PlanJson {
  const diagnostics = (list: Plan['warnings']) => list.map((d) => ({ where: d.path ?? d.file ?? null, message: d.message, fix: d.fix ?? null }));
  return {
    formatVersion: 1,
    environment: plan.environment,
    project: plan.project,
    product: plan.product,
    client: plan.clientFilter ?? null,
    prune: plan.prune,
    adopt: plan.adopt,
    summary: plan.summary,
    changes: plan.changes.flatMap((c) =>
      c.action === 'no-op'
        ? []
        : [
            {
              action: c.action,
              kind: c.kind,
              key: c.key,
              name: c.name,
              product: c.owner.product,
              client: c.owner.client ?? null,
              impact: c.impact,
              blockedBy: c.blockedBy ?? null,
              legacy: (c.action === 'orphan' || c.action === 'delete') && c.legacy === true,
              // A create lists every field it sets (before: null), so a CI gate can read what appears.
              fields: (c.action === 'update' || c.action === 'adopt' || c.action === 'conflict' ? c.fields : c.action === 'create' ? createdFields(c.desired) : []).map((f) => ({
                path: f.path,
                before: f.before ?? null,
                after: f.after ?? null,
              })),
            },
          ],
    ),
    warnings: diagnostics(plan.warnings),
    errors: diagnostics(plan.errors),
    removedClients: plan.removedClients,
  };
}
