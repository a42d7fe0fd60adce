/**
 * Two kinds of failure, kept apart (docs/design.md §7):
 * - `SimSyntaxError`: the workflow file is wrong (found while parsing, before anything runs). It
 *   carries file, line, column and a fix, the same fields as a `Diagnostic` so the CLI can report it.
 * - `WorkflowError`: an error *inside* the workflow's world, raised by `raise`, a failed expression,
 *   a library function or a connector. Its `value` is what the workflow sees in `except: as: e`
 *   (Google's error map `{message, tags}` or whatever was raised), so errors are plain values that
 *   flow through `try`, retries and parallel branches; the JS exception is only the carrier.
 * Anything else thrown is a bug of the interpreter.
 * Error tags: https://cloud.google.com/workflows/docs/reference/syntax/error-types
 */
import { type Value, type WfMap, fromJs, isMap, isList } from './values.ts';

export interface SourceLocation {
  readonly file?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
  /** Where inside the workflow, e.g. `main.steps[2].create_job.args`. */
  readonly path?: string;
}

function located(location: SourceLocation, message: string, fix?: string): string {
  const where = [location.file, location.line, location.column].filter((x) => x !== undefined).join(':');
  return `${where ? `${where}: ` : ''}${location.path ? `${location.path}: ` : ''}${message}${fix ? `\n    fix: ${fix}` : ''}`;
}

/** What both kinds of located failure carry: the place in the file, the reason and a fix. */
abstract class LocatedError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  readonly fix?: string;
  /** The message without the location prefix. */
  readonly reason: string;
  constructor(message: string, location: SourceLocation, fix: string | undefined) {
    super(located(location, message, fix));
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.path = location.path;
    this.fix = fix;
    this.reason = message;
  }
}

export class SimSyntaxError extends LocatedError {
  constructor(message: string, location: SourceLocation = {}, fix?: string) {
    super(message, location, fix);
    this.name = 'SimSyntaxError';
  }
}

/**
 * The workflow is valid but this simulation cannot run it: it reached a call (a connector such as
 * gke.request or googleapis.bigquery.*) that the simulator does not implement or was not given.
 * Not a workflow error (Google would run the call), not a bug of the interpreter either: like a
 * SimSyntaxError it points at the call in the file and says what to do, so the CLI reports it as a
 * user error.
 */
export class SimulationSetupError extends LocatedError {
  constructor(message: string, location: SourceLocation = {}, fix?: string) {
    super(message, location, fix);
    this.name = 'SimulationSetupError';
  }
}

/** Where a runtime error happened: the step, its subworkflow, and the expression if one failed. */
export interface ErrorContext {
  readonly subworkflow: string;
  readonly step: string;
  readonly line?: number;
  readonly column?: number;
  /** Source of the failing expression and the 0-based offset of the failing part inside it. */
  readonly expression?: string;
  readonly offset?: number;
  /** Subworkflow call chain, innermost last, e.g. `["main.run", "publish.send"]`. */
  readonly stack?: readonly string[];
}

export class WorkflowError extends Error {
  context?: ErrorContext;
  constructor(
    readonly value: Value,
    context?: ErrorContext,
  ) {
    super(errorMessageOf(value));
    this.name = 'WorkflowError';
    this.context = context;
  }
}

/** Google's built-in error tags, as constants so a typo is a compile error. */
export const Tag = {
  AuthError: 'AuthError',
  ConnectionError: 'ConnectionError',
  ConnectionFailedError: 'ConnectionFailedError',
  HttpError: 'HttpError',
  IndexError: 'IndexError',
  KeyError: 'KeyError',
  OperationError: 'OperationError',
  ParallelNestingError: 'ParallelNestingError',
  RecursionError: 'RecursionError',
  ResourceLimitError: 'ResourceLimitError',
  ResponseTypeError: 'ResponseTypeError',
  SystemError: 'SystemError',
  TimeoutError: 'TimeoutError',
  TypeError: 'TypeError',
  UnhandledBranchError: 'UnhandledBranchError',
  ValueError: 'ValueError',
  ZeroDivisionError: 'ZeroDivisionError',
} as const;
export type ErrorTag = (typeof Tag)[keyof typeof Tag];

/** Google's error map `{message, tags}` plus extra fields (e.g. `code`, `operation`). */
export function errorValue(tags: readonly string[], message: string, extra: Record<string, unknown> = {}): WfMap {
  const m: WfMap = new Map<string, Value>([
    ['message', message],
    ['tags', [...tags]],
  ]);
  for (const [k, v] of Object.entries(extra)) m.set(k, fromJs(v));
  return m;
}

export function raise(tag: ErrorTag, message: string, extra: Record<string, unknown> = {}): never {
  throw new WorkflowError(errorValue([tag], message, extra));
}

/**
 * An HTTP error as the http.* functions and connectors raise it:
 * `{code, message, headers, body, tags: ["HttpError"]}`.
 */
export function httpErrorValue(code: number, body: unknown = null, headers: Record<string, string> = {}): WfMap {
  return errorValue([Tag.HttpError], `HTTP server responded with error code ${code}`, { code, headers, body });
}

export function tagsOf(error: Value): readonly string[] {
  if (!isMap(error)) return [];
  const tags = error.get('tags') ?? null;
  return isList(tags) ? tags.filter((t): t is string => typeof t === 'string') : [];
}

export function errorMessageOf(error: Value): string {
  if (typeof error === 'string') return error;
  if (isMap(error)) {
    const m = error.get('message');
    if (typeof m === 'string') return m;
  }
  return 'workflow error';
}
