/**
 * Human-readable, step-by-step account of an execution for `npm run simulate`:
 *
 *   09:00:00.000  main.init                assign   bucket = "scoring-dev-batch", ...
 *   09:00:00.000  main.create_job          call     googleapis.batch.v1....jobs.create → ok
 *   09:02:05.000    · job .../jobs/x is RUNNING
 *   ...
 *   FAILED  OperationError: Batch job ... ended in state FAILED  (main.create_job, line 42)
 */
import type { RunResult } from './index.ts';
import type { TraceEvent } from './trace.ts';

export interface FormatOptions {
  /** Longest rendering of one value before it is cut with "…". Default 100. */
  readonly maxValueLength?: number;
  /** Include call arguments (long for Batch job specs). Default false. */
  readonly showArgs?: boolean;
}

function short(v: unknown, max: number): string {
  let s: string;
  try {
    s = JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x));
  } catch {
    s = String(v);
  }
  if (s === undefined) s = 'null';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function errorLine(e: unknown, max: number): string {
  if (e !== null && typeof e === 'object' && 'message' in e) {
    const raw = (e as { tags?: unknown }).tags;
    const tags = Array.isArray(raw) ? raw.join(',') : '';
    return `${tags ? `${tags}: ` : ''}${String((e as { message: unknown }).message)}`;
  }
  return short(e, max);
}

/**
 * Secret values (webhook URLs and their tokens) must not reach a terminal or a CI log: what Secret
 * Manager returns is shown only by its length, and an HTTP call's URL only by its origin.
 */
function isSecretAccess(call: string | undefined): boolean {
  return call?.startsWith('googleapis.secretmanager.') ?? false;
}

function withoutSecretUrl(call: string | undefined, args: unknown): unknown {
  if (!call?.startsWith('http.') || args === null || typeof args !== 'object' || !('url' in args)) return args;
  const url = String((args as { url: unknown }).url);
  let origin = '(url)';
  try {
    origin = `${new URL(url).origin}/…`;
  } catch {
    // not a URL: show nothing of it
  }
  return { ...(args as object), url: origin };
}

export function formatEvent(e: TraceEvent, options: FormatOptions = {}): string {
  const max = options.maxValueLength ?? 100;
  const indent = '  '.repeat(e.depth);
  const name = `${indent}${e.subworkflow}.${e.step}`;
  let what: string;
  switch (e.kind) {
    case 'assign':
      what = Object.entries((e.detail ?? {}) as Record<string, unknown>)
        .map(([k, v]) => `${k} = ${short(v, Math.max(20, Math.floor(max / 2)))}`)
        .join(', ');
      break;
    case 'call':
      if (e.outcome === 'started') what = `${e.call} (subworkflow)${options.showArgs ? ` ${short(e.args, max)}` : ''}`;
      else if (e.outcome === 'failed') what = `${e.call} ✗ ${errorLine(e.error, max)}`;
      else {
        const shownArgs = options.showArgs && e.args !== undefined ? ` ${short(withoutSecretUrl(e.call, e.args), max)}` : '';
        const shownResult = isSecretAccess(e.call) ? `«secret value, ${String(e.result ?? '').length} characters, not shown»` : short(e.result, max);
        what = `${e.call}${shownArgs} → ${shownResult}`;
      }
      break;
    case 'switch': {
      const d = (e.detail ?? {}) as { condition?: number | null; next?: string };
      what = d.condition === null || d.condition === undefined ? 'no condition true' : `condition #${d.condition + 1} true${d.next ? ` → ${d.next}` : ''}`;
      break;
    }
    case 'next':
      what = `→ ${String((e.detail as { next?: string } | undefined)?.next)}`;
      break;
    case 'iteration': {
      const d = (e.detail ?? {}) as { index?: number; value?: unknown };
      what = `#${d.index} ${short(d.value, max)}`;
      break;
    }
    case 'retry': {
      const d = (e.detail ?? {}) as { attempt?: number; of?: number; delaySeconds?: number };
      what = `${errorLine(e.error, max)}; retry ${d.attempt}/${d.of} in ${d.delaySeconds}s`;
      break;
    }
    case 'except':
      what = `caught ${errorLine(e.error, max)}`;
      break;
    case 'raise':
      what = errorLine(e.error, max);
      break;
    case 'return':
      what = short(e.result, max);
      break;
    case 'log': {
      const d = (e.detail ?? {}) as { severity?: string; data?: unknown };
      what = `[${d.severity}] ${typeof d.data === 'string' ? d.data : short(d.data, max)}`;
      break;
    }
    case 'note':
      return `${clock(e.at)}  ${indent}  · ${String(e.detail)}`;
    default:
      what = '';
  }
  return `${clock(e.at)}  ${name.padEnd(34)} ${e.kind.padEnd(9)} ${what}`.trimEnd();
}

export function formatTrace(trace: readonly TraceEvent[], options: FormatOptions = {}): string {
  return trace.map((e) => formatEvent(e, options)).join('\n');
}

/** The trace followed by the outcome: the result, or the error with where it was raised. */
export function formatRun(run: RunResult, options: FormatOptions = {}): string {
  const lines = [formatTrace(run.trace, options), ''];
  if (run.state === 'SUCCEEDED') {
    lines.push(`SUCCEEDED in ${run.steps} steps`, `result: ${JSON.stringify(run.result, null, 2)}`);
  } else {
    const c = run.errorContext;
    const where = c ? ` (${c.subworkflow}.${c.step}${c.line !== undefined ? `, line ${c.line}` : ''}${c.expression !== undefined ? `, in \${${c.expression}}` : ''})` : '';
    lines.push(`FAILED after ${run.steps} steps: ${errorLine(run.error, 400)}${where}`, `error: ${JSON.stringify(run.error, null, 2)}`);
  }
  return lines.join('\n');
}
