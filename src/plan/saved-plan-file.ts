/**
 * The text of a saved plan file (src/plan/saved-plan.ts is what it holds): JSON in one fixed key
 * order, so the same plan always gives the same bytes; and its parsing, where a corrupted file, one
 * of another format version, or some other JSON (`plan --json` output) is a located UserError with a
 * fix, never a stack trace. Pure: src/cli/saved-plan.ts reads and writes the file.
 */
import { z } from 'zod';
import { UserError, type Diagnostic } from '../diagnostics.ts';
import { formatJsonPath, parseJsonWithLocations } from '../config/json-with-locations.ts';
import { SAVED_PLAN_FORMAT_VERSION, SAVED_PLAN_KIND, type SavedPlan } from './saved-plan.ts';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a sha256: digest');
const count = z.number().int().min(0);

const schema = z.strictObject({
  formatVersion: z.literal(SAVED_PLAN_FORMAT_VERSION),
  kind: z.literal(SAVED_PLAN_KIND),
  toolVersion: z.string().min(1),
  environment: z.string().min(1),
  project: z.string().min(1),
  product: z.string().min(1),
  target: z.enum(['gcp', 'sandbox']),
  sandboxUrl: z.string().min(1).nullable(),
  options: z.strictObject({ prune: z.boolean(), adopt: z.boolean(), client: z.string().min(1).nullable() }),
  documents: z.record(z.string().min(1), digest),
  live: z.array(z.strictObject({ id: z.string().min(1), revision: z.record(z.string(), z.string()).optional(), digest })),
  plan: z.strictObject({
    digest,
    summary: z.strictObject({ create: count, update: count, delete: count, adopt: count, conflict: count, orphan: count, legacy: count, unchanged: count }),
    changes: z.array(
      z.strictObject({
        action: z.enum(['create', 'update', 'delete', 'orphan', 'conflict', 'adopt']),
        kind: z.string().min(1),
        key: z.string().min(1),
        name: z.string(),
        client: z.string().nullable(),
        impact: z.string().min(1),
      }),
    ),
  }),
});

/** The file's text: two-space JSON, keys in the order of SavedPlan, maps sorted, a final newline. */
export function savedPlanText(saved: SavedPlan): string {
  const sorted = (record: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  const ordered = {
    formatVersion: saved.formatVersion,
    kind: saved.kind,
    toolVersion: saved.toolVersion,
    environment: saved.environment,
    project: saved.project,
    product: saved.product,
    target: saved.target,
    sandboxUrl: saved.sandboxUrl,
    options: { prune: saved.options.prune, adopt: saved.options.adopt, client: saved.options.client },
    documents: sorted(saved.documents),
    live: saved.live.map((e) => ({ id: e.id, ...(e.revision ? { revision: sorted(e.revision) } : {}), digest: e.digest })),
    plan: {
      digest: saved.plan.digest,
      summary: { ...saved.plan.summary },
      changes: saved.plan.changes.map((c) => ({ action: c.action, kind: c.kind, key: c.key, name: c.name, client: c.client, impact: c.impact })),
    },
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Parses a saved plan file's text; `file` is how to name it in errors (as the user typed it). */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  const planCommand = 'npm run plan -- --env ENV --out FILE (then review it and apply that file)';
  const replan = `make a new one: ${planCommand}`;
  const parsed = parseJsonWithLocations(text);
  if (!parsed.ok) {
    throw new UserError({
      file,
      line: parsed.position.line,
      column: parsed.position.column,
      message: `not a readable saved plan (corrupted or truncated?): ${parsed.message}`,
      fix: replan,
    });
  }
  const value = parsed.value as Record<string, unknown> | null;
  // Located at the value, or (a missing key) at the nearest enclosing value that is there.
  const at = (path: readonly (string | number)[]): Pick<Diagnostic, 'line' | 'column' | 'path'> => {
    const key = formatJsonPath(path);
    let position;
    for (let n = path.length; n >= 0 && !position; n--) position = parsed.positions.get(formatJsonPath(path.slice(0, n)));
    return { ...(key ? { path: key } : {}), ...(position ? { line: position.line, column: position.column } : {}) };
  };
  const valueAt = (path: readonly (string | number)[]): unknown =>
    path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), parsed.value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError({ file, ...at([]), message: 'not a saved plan: the file is not a JSON object', fix: replan });
  }
  if (value.kind !== SAVED_PLAN_KIND) {
    const looksLikeJsonPlan = value.kind === undefined && Array.isArray(value.changes) && value.formatVersion !== undefined;
    throw new UserError({
      file,
      ...at(value.kind === undefined ? [] : ['kind']),
      message: looksLikeJsonPlan
        ? 'this is `plan --json` output, not a saved plan: it records nothing apply could check the live state against'
        : `not a saved plan: "kind" is ${JSON.stringify(value.kind ?? null)}, a saved plan's is "${SAVED_PLAN_KIND}"`,
      fix: replan,
    });
  }
  if (value.formatVersion !== SAVED_PLAN_FORMAT_VERSION) {
    throw new UserError({
      file,
      ...at(['formatVersion']),
      message: `saved plan format version ${JSON.stringify(value.formatVersion ?? null)} is not one this batch-workflows reads (it reads ${SAVED_PLAN_FORMAT_VERSION})`,
      fix: `make a new one with the batch-workflows that will apply it: ${planCommand}`,
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new UserError(
      result.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        const missing = issue.code === 'invalid_type' && valueAt(path) === undefined;
        return { file, ...at(path), message: `not a valid saved plan (edited or corrupted?): ${missing ? 'missing' : issue.message}`, fix: replan };
      }),
    );
  }
  return result.data as SavedPlan;
}
