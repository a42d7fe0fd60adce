/**
 * The client's run-settings object (`BatchRecipeOptions.settingsObject`): apply writes it, with
 * every product default filled in (src/resources/index.ts `runSettings`, from the client file), and
 * the workflows read it at the start of each run. One type for both sides: a setting renamed or
 * retyped here is a compile error at each read below and at the writer, and one added here is a
 * missing property at the writer (src/resources/index.ts checks, too, that the client file's batch
 * overrides are exactly `batch`'s keys).
 */
import type { Expr, ExprLike } from '../../expr.ts';
import { mapFns } from '../../stdlib.ts';

export interface RunSettings {
  readonly client: string;
  readonly batch: {
    readonly machineType: string;
    readonly taskCount: number;
    readonly parallelism: number;
    readonly maxRunDurationSeconds: number;
    readonly environment: Readonly<Record<string, string>>;
  };
  readonly notify: readonly {
    readonly type: 'slack' | 'teams' | 'webhook';
    /** `projects/P/secrets/S`: the workflows read its latest version; the URL never leaves Secret Manager. */
    readonly secret: string;
    readonly on: 'failure' | 'always';
  }[];
  readonly tracking: { readonly tags: Readonly<Record<string, string>> };
}

/**
 * A run setting as the workflow reads it, `map.get(settings, "notify")` or
 * `map.get(settings, ["batch", "taskCount"])`: null when the object lacks it (a client with no
 * settings object reads `{}`), so each read is wrapped in a default.
 */
export function runSetting<K extends keyof RunSettings>(settings: ExprLike<unknown>, key: K): Expr<RunSettings[K] | null>;
export function runSetting<K extends 'batch' | 'tracking', L extends keyof RunSettings[K]>(settings: ExprLike<unknown>, key: K, field: L): Expr<RunSettings[K][L] | null>;
export function runSetting(settings: ExprLike<unknown>, key: string, field?: string): Expr<unknown> {
  return mapFns.get(settings, field === undefined ? key : [key, field]);
}
