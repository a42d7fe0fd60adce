/**
 * The two GitHub REST conversations the CI workflows have, kept out of the YAML so they are tested
 * against a fake API on 127.0.0.1 (test/ci/github.test.ts):
 *
 * - upsertComment: ONE sticky comment per environment on a pull request. The comment is found by
 *   its hidden marker (`<!-- batch-workflows plan: ENV -->`, the first line `plan --format markdown`
 *   prints) and edited in place, so a PR carries one current plan per environment, not one per push.
 * - syncIssue: ONE drift issue per environment, found by its label and exact title among the open
 *   issues: opened or updated while the nightly plan finds changes, closed once it finds none.
 *
 * REST endpoints (https://docs.github.com/en/rest): GET/POST /repos/{owner}/{repo}/issues/{n}/comments,
 * PATCH /repos/{owner}/{repo}/issues/comments/{id}; GET/POST /repos/{owner}/{repo}/issues,
 * PATCH /repos/{owner}/{repo}/issues/{n}, POST /repos/{owner}/{repo}/issues/{n}/comments. Pull
 * requests are issues for comments, and the issues list includes pull requests (`pull_request` set),
 * which are skipped. Lists are paged with `per_page=100&page=N`.
 */

// GitHub refuses an issue or comment body over 65,536 characters: the limit, with its source, is there.
import { GITHUB_COMMENT_LIMIT } from '../../src/plan/markdown-text.ts';

export interface GitHubApi {
  /** e.g. https://api.github.com, or GITHUB_API_URL on GitHub Enterprise. */
  readonly baseUrl: string;
  readonly token: string;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
}

interface Comment {
  readonly id: number;
  readonly body?: string | null;
}

interface Issue {
  readonly number: number;
  readonly title: string;
  readonly state: string;
  readonly body?: string | null;
  readonly pull_request?: unknown;
}

export class GitHubError extends Error {}

async function request<T>(api: GitHubApi, method: string, path: string, body?: unknown): Promise<T> {
  const response = await (api.fetch ?? fetch)(`${api.baseUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${api.token}`,
      'x-github-api-version': '2022-11-28',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new GitHubError(`GitHub ${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function listAll<T>(api: GitHubApi, path: string): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const items = await request<T[]>(api, 'GET', `${path}${separator}per_page=100&page=${page}`);
    all.push(...items);
    if (items.length < 100) return all;
  }
}

/**
 * A body cut to GitHub's limit with a note saying where the rest is, rather than refused; a code
 * block the cut leaves open is closed, or it would swallow the note.
 */
export function fitToLimit(text: string, where: string): string {
  if (text.length <= GITHUB_COMMENT_LIMIT) return text;
  const note = `\n\n… cut at GitHub's ${GITHUB_COMMENT_LIMIT}-character limit: ${where}.\n`;
  let cut = text.slice(0, GITHUB_COMMENT_LIMIT - note.length - 8);
  if ((cut.match(/^```/gm) ?? []).length % 2 === 1) cut += '\n```';
  return `${cut}${note}`;
}

/** The comment as it is posted: the marker as its first line (added when the body lacks it), fitted to the limit. */
export function commentBody(marker: string, body: string): string {
  return fitToLimit(body.startsWith(marker) ? body : `${marker}\n${body}`, "the full plan is in the workflow run's artifacts");
}

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export function parseRepo(fullName: string): RepoRef {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(fullName);
  if (!match) throw new GitHubError(`repository "${fullName}" is not OWNER/NAME`);
  return { owner: match[1]!, repo: match[2]! };
}

/** Creates the marked comment, or edits the first comment that carries the marker. */
export async function upsertComment(api: GitHubApi, repo: RepoRef, issue: number, marker: string, body: string): Promise<{ action: 'created' | 'updated' | 'unchanged'; id: number }> {
  const text = commentBody(marker, body);
  const base = `/repos/${repo.owner}/${repo.repo}/issues`;
  const comments = await listAll<Comment>(api, `${base}/${issue}/comments`);
  // The marker on a line of its own at the start: a comment quoting the marker mid-text is not ours.
  const existing = comments.find((c) => (c.body ?? '').split('\n', 1)[0]!.trim() === marker);
  if (!existing) {
    const created = await request<Comment>(api, 'POST', `${base}/${issue}/comments`, { body: text });
    return { action: 'created', id: created.id };
  }
  if (existing.body === text) return { action: 'unchanged', id: existing.id };
  await request<Comment>(api, 'PATCH', `${base}/comments/${existing.id}`, { body: text });
  return { action: 'updated', id: existing.id };
}

/**
 * `open`: the issue with this label and title is created (labelled) or its body replaced.
 * `closed`: that issue, when open, gets `closeComment` and is closed; nothing happens otherwise.
 */
export async function syncIssue(
  api: GitHubApi,
  repo: RepoRef,
  wanted: { readonly title: string; readonly label: string; readonly state: 'open' | 'closed'; readonly body: string; readonly closeComment?: string },
): Promise<{ action: 'created' | 'updated' | 'closed' | 'none'; number?: number }> {
  const base = `/repos/${repo.owner}/${repo.repo}/issues`;
  const open = await listAll<Issue>(api, `${base}?state=open&labels=${encodeURIComponent(wanted.label)}`);
  const existing = open.find((i) => i.pull_request === undefined && i.title === wanted.title);
  const body = fitToLimit(wanted.body, "the full plan is in the drift run's artifacts");
  if (wanted.state === 'open') {
    if (!existing) {
      const created = await request<Issue>(api, 'POST', base, { title: wanted.title, body, labels: [wanted.label] });
      return { action: 'created', number: created.number };
    }
    await request<Issue>(api, 'PATCH', `${base}/${existing.number}`, { body });
    return { action: 'updated', number: existing.number };
  }
  if (!existing) return { action: 'none' };
  if (wanted.closeComment) await request<Comment>(api, 'POST', `${base}/${existing.number}/comments`, { body: wanted.closeComment });
  await request<Issue>(api, 'PATCH', `${base}/${existing.number}`, { state: 'closed', state_reason: 'completed' });
  return { action: 'closed', number: existing.number };
}
