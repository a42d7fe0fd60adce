/**
 * User-facing problems versus internal bugs (docs/design.md §7, after ts2workflows and cdk8s): a user
 * error carries where it is and how to fix it, and many are collected before anything is reported.
 * Anything else that escapes a command is a bug in batch-workflows and is reported as such.
 */

export interface Diagnostic {
  /** Path relative to the project root, e.g. `clients/acme-corp.json`. */
  readonly file?: string;
  /** JSON path (`schedule.cron`) or another locator inside the file. */
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** What the user should do about it. */
  readonly fix?: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  let where = d.file ?? '';
  if (d.line !== undefined) where += `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}`;
  if (d.path) where += `${where ? ': ' : ''}${d.path}`;
  const head = where ? `${where}: ${d.message}` : d.message;
  return d.fix ? `${head}\n    fix: ${d.fix}` : head;
}

/** One or more problems in the user's input. Thrown once, after every problem was collected. */
export class UserError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[] | Diagnostic) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map(formatDiagnostic).join('\n'));
    this.name = 'UserError';
    this.diagnostics = list;
  }
}
