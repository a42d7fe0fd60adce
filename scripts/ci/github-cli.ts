/**
 * What the CI workflows call (node --import tsx scripts/ci/github-cli.ts COMMAND ...), with the
 * token in GITHUB_TOKEN and the API in GITHUB_API_URL (set by GitHub Actions; https://api.github.com
 * otherwise):
 *
 *   upsert-comment --repo OWNER/NAME --issue N (--env ENV | --marker TEXT) --body-file F
 *                  (--env: the marker `plan --format markdown` opens its comment with, stickyMarker)
 *   drift-issue    --repo OWNER/NAME --env ENV --exit-code-file F --body-file F [--run-url URL]
 *
 * drift-issue maps the nightly plan's exit code to the issue: 2 (drift) opens or updates the
 * environment's issue, 0 closes it when open, 1 (the plan failed) leaves it alone: the failed run
 * says why, and "could not plan" is not "no drift".
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { stickyMarker } from '../../src/plan/markdown-text.ts';
import { parseRepo, syncIssue, upsertComment, type GitHubApi } from './github.ts';

export const DRIFT_LABEL = 'drift';
export const driftTitle = (env: string) => `Drift in ${env}: live resources differ from generated/${env}/`;

export type DriftAction = 'open' | 'close' | 'leave';

/** What the drift issue does for a plan exit code (see the header). */
export function driftAction(exitCode: number): DriftAction {
  if (exitCode === 2) return 'open';
  if (exitCode === 0) return 'close';
  return 'leave';
}

function api(environment: NodeJS.ProcessEnv): GitHubApi {
  const token = environment.GITHUB_TOKEN;
  if (!token) throw new Error('GITHUB_TOKEN is not set (in a workflow: env: GITHUB_TOKEN: ${{ github.token }})');
  return { baseUrl: environment.GITHUB_API_URL || 'https://api.github.com', token };
}

function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new Error(`--${name} is required`);
  return value;
}

export async function main(argv: string[], environment: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      repo: { type: 'string' },
      issue: { type: 'string' },
      marker: { type: 'string' },
      'body-file': { type: 'string' },
      env: { type: 'string' },
      'exit-code-file': { type: 'string' },
      'run-url': { type: 'string' },
    },
    strict: true,
  });
  const repo = parseRepo(required(values, 'repo'));
  if (command === 'upsert-comment') {
    const issue = Number(required(values, 'issue'));
    if (!Number.isInteger(issue) || issue < 1) throw new Error(`--issue must be a pull request number (got ${String(values.issue)})`);
    const marker = typeof values.env === 'string' && values.env !== '' ? stickyMarker(values.env) : required(values, 'marker');
    const result = await upsertComment(api(environment), repo, issue, marker, readFileSync(required(values, 'body-file'), 'utf8'));
    log(`comment ${result.id} ${result.action} on #${issue}`);
    return 0;
  }
  if (command === 'drift-issue') {
    const env = required(values, 'env');
    const recorded = readFileSync(required(values, 'exit-code-file'), 'utf8').trim();
    // An empty or garbled file is not "exit 0": it would close the issue of a plan that never ran.
    if (!/^\d+$/.test(recorded)) throw new Error(`the exit code file holds "${recorded}", not plan's exit code`);
    const exitCode = Number(recorded);
    const action = driftAction(exitCode);
    if (action === 'leave') {
      log(`plan for ${env} exited ${exitCode}: drift issue left as it is (the failed run says why)`);
      return 0;
    }
    const runUrl = typeof values['run-url'] === 'string' ? values['run-url'] : undefined;
    const body = readFileSync(required(values, 'body-file'), 'utf8');
    const result = await syncIssue(api(environment), repo, {
      title: driftTitle(env),
      label: DRIFT_LABEL,
      state: action === 'open' ? 'open' : 'closed',
      body: runUrl ? `${body}\n\nFound by ${runUrl}. Merge a change that makes generated/ describe what should be live, or run the deploy workflow to put it back.` : body,
      closeComment: `No drift in ${env} any more${runUrl ? ` (${runUrl})` : ''}: live matches generated/${env}/.`,
    });
    log(`drift issue for ${env}: ${result.action}${result.number ? ` #${result.number}` : ''}`);
    return 0;
  }
  throw new Error(`unknown command "${command ?? ''}" (upsert-comment or drift-issue)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`github-cli: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
