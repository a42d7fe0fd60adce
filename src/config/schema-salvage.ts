/**
 * Every problem at once (docs/design.md §7): zod stops describing a value at its first wrong field only
 * in the sense that the whole parse fails, so the checks that need the parsed value (names, cron,
 * environments, webhook URLs) would run only on the next run. salvageParse walks the schema and the
 * value together and keeps every part that is valid on its own: an object keeps its valid fields, a
 * list is kept only when all its items are whole, anything else is kept only when it parses.
 *
 * It returns every schema issue (unknown keys included) with its full path, the salvaged value, and
 * the paths whose value was refused, so a check that combines fields (parallelism ≤ taskCount)
 * can skip itself instead of comparing with a default and misleading.
 */
import type { z } from 'zod';
import { formatJsonPath } from './json-with-locations.ts';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

export interface Salvage {
  readonly issues: readonly Issue[];
  /** The valid parts, with defaults filled in; undefined when nothing at the root was valid. */
  readonly value: unknown;
  /** formatJsonPath of every value that was refused (not of unknown keys, which are only dropped). */
  readonly refused: ReadonlySet<string>;
}

interface Part {
  /** Present when the part (or some of it) is kept. */
  readonly value?: unknown;
  /** False when some of it was refused (unknown keys do not count). */
  readonly whole: boolean;
}

/** The zod 4 definition fields this walk reads. */
interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

export function salvageParse(schema: z.ZodType, input: unknown): Salvage {
  const issues: Issue[] = [];
  const refused = new Set<string>();

  const parseWhole = (s: z.ZodType, value: unknown, path: Path): Part => {
    const result = s.safeParse(value, { reportInput: true });
    if (result.success) return { value: result.data, whole: true };
    for (const issue of result.error.issues) issues.push({ ...issue, path: [...path, ...issue.path] } as Issue);
    refused.add(formatJsonPath(path));
    return { whole: false };
  };

  const walk = (s: z.ZodType, value: unknown, path: Path): Part => {
    // Optional and default wrappers decide what an absent value means; their inner type checks a present one.
    let inner = s;
    while (['optional', 'default', 'prefault', 'nullable'].includes(defOf(inner).type) && defOf(inner).innerType) {
      if (value === undefined) return parseWhole(s, value, path);
      inner = defOf(inner).innerType!;
    }
    const def = defOf(inner);
    if (def.type === 'object' && def.shape && isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      let whole = true;
      const strict = def.catchall !== undefined && defOf(def.catchall).type === 'never';
      const unknown = Object.keys(value).filter((key) => !Object.hasOwn(def.shape!, key));
      if (strict && unknown.length > 0) {
        issues.push({ code: 'unrecognized_keys', keys: unknown, path, message: `Unrecognized keys: ${unknown.join(', ')}`, input: value } as Issue);
      }
      for (const [key, field] of Object.entries(def.shape)) {
        const part = walk(field, value[key], [...path, key]);
        if (part.value !== undefined) out[key] = part.value;
        whole &&= part.whole;
      }
      return { value: out, whole };
    }
    if (def.type === 'array' && def.element && Array.isArray(value)) {
      // The list's own bounds (min, max) first, then each item, so each item's problems are located.
      const own = inner.safeParse(value, { reportInput: true });
      const ownIssues = own.success ? [] : own.error.issues.filter((issue) => issue.path.length === 0);
      for (const issue of ownIssues) issues.push({ ...issue, path: [...path] } as Issue);
      const items = value.map((item, index) => walk(def.element!, item, [...path, index]));
      if (ownIssues.length === 0 && items.every((item) => item.whole)) return { value: items.map((item) => item.value), whole: true };
      refused.add(formatJsonPath(path));
      return { whole: false };
    }
    return parseWhole(s, value, path);
  };

  const root = walk(schema, input, []);
  return { issues, value: root.value, refused };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
