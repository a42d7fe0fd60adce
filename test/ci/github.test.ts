/**
 * scripts/ci/github.ts and github-cli.ts against a fake GitHub REST API on 127.0.0.1: one sticky
 * comment per environment (found by its marker, edited in place, other comments untouched, pages
 * followed), bodies cut at GitHub's limit, and the drift issue opened, updated and closed by the
 * plan's exit code.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentBody, upsertComment, type GitHubApi } from '../../scripts/ci/github.ts';
import { DRIFT_LABEL, driftAction, driftTitle, main } from '../../scripts/ci/github-cli.ts';
import { GITHUB_COMMENT_LIMIT, stickyMarker } from '../../src/plan/markdown-text.ts';

interface FakeComment {
  id: number;
  issue: number;
  body: string;
}
interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: string[];
  pull_request?: object;
  state_reason?: string;
}

/** Enough of GitHub's issues and comments API for the two scripts, with a request log. */
async function fakeGitHub(): Promise<{ api: GitHubApi; comments: FakeComment[]; issues: FakeIssue[]; log: string[]; close(): Promise<void> }> {
  const comments: FakeComment[] = [];
  const issues: FakeIssue[] = [];
  const log: string[] = [];
  let next = 1000;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      log.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (status: number, json: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      if (req.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Bad credentials' });
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      const page = (items: unknown[]) => {
        const per = Number(url.searchParams.get('per_page') ?? 30);
        const n = Number(url.searchParams.get('page') ?? 1);
        return items.slice((n - 1) * per, n * per);
      };
      let m: RegExpExecArray | null;
      if ((m = /^\/repos\/acme\/infra\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
        const issue = Number(m[1]);
        if (req.method === 'GET') return send(200, page(comments.filter((c) => c.issue === issue)));
        if (req.method === 'POST') {
          if (body.body.length > 65536) return send(422, { message: 'body is too long (maximum is 65536 characters)' });
          const created = { id: next++, issue, body: body.body };
          comments.push(created);
          return send(201, created);
        }
      }
      if ((m = /^\/repos\/acme\/infra\/issues\/comments\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
        const comment = comments.find((c) => c.id === Number(m![1]));
        if (!comment) return send(404, { message: 'Not Found' });
        if (body.body.length > 65536) return send(422, { message: 'body is too long' });
        comment.body = body.body;
        return send(200, comment);
      }
      if (url.pathname === '/repos/acme/infra/issues') {
        if (req.method === 'GET') {
          const label = url.searchParams.get('labels');
          const state = url.searchParams.get('state') ?? 'open';
          return send(200, page(issues.filter((i) => (state === 'all' || i.state === state) && (!label || i.labels.includes(label)))));
        }
        if (req.method === 'POST') {
          const created: FakeIssue = { number: next++, title: body.title, body: body.body, state: 'open', labels: body.labels ?? [] };
          issues.push(created);
          return send(201, created);
        }
      }
      if ((m = /^\/repos\/acme\/infra\/issues\/(\d+)$/.exec(url.pathname)) && req.method === 'PATCH') {
        const issue = issues.find((i) => i.number === Number(m![1]));
        if (!issue) return send(404, { message: 'Not Found' });
        Object.assign(issue, body);
        return send(200, issue);
      }
      send(404, { message: `no route ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { api: { baseUrl, token: 'test-token' }, comments, issues, log, close: () => new Promise<void>((done) => server.close(() => done())) };
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
}

const REPO = { owner: 'acme', repo: 'infra' };
const marker = (env: string) => `<!-- batch-workflows plan: ${env} -->`;

test('one sticky comment per environment: created once, then edited in place; other comments untouched', async () => {
  const gh = await fakeGitHub();
  try {
    gh.comments.push({ id: 1, issue: 7, body: 'LGTM' }, { id: 2, issue: 7, body: `quoting ${marker('dev')} mid-text is not the plan comment` });
    const first = await upsertComment(gh.api, REPO, 7, marker('dev'), `${marker('dev')}\nPlan: 3 to create`);
    assert.is(first.action, 'created');
    const prod = await upsertComment(gh.api, REPO, 7, marker('prod'), `${marker('prod')}\nNo changes`);
    assert.is(prod.action, 'created');
    const second = await upsertComment(gh.api, REPO, 7, marker('dev'), `${marker('dev')}\nPlan: 4 to create`);
    assert.equal(second, { action: 'updated', id: first.id });
    const again = await upsertComment(gh.api, REPO, 7, marker('dev'), `${marker('dev')}\nPlan: 4 to create`);
    assert.is(again.action, 'unchanged');
    assert.equal(
      gh.comments.map((c) => c.body),
      ['LGTM', `quoting ${marker('dev')} mid-text is not the plan comment`, `${marker('dev')}\nPlan: 4 to create`, `${marker('prod')}\nNo changes`],
    );
  } finally {
    await gh.close();
  }
});

test('the marker is found on a later page of comments, and added when the body lacks it', async () => {
  const gh = await fakeGitHub();
  try {
    for (let i = 0; i < 150; i++) gh.comments.push({ id: i + 1, issue: 9, body: `comment ${i}` });
    gh.comments.push({ id: 500, issue: 9, body: `${marker('staging')}\nold` });
    const result = await upsertComment(gh.api, REPO, 9, marker('staging'), 'new plan without a marker');
    assert.equal(result, { action: 'updated', id: 500 });
    assert.is(gh.comments.find((c) => c.id === 500)!.body, `${marker('staging')}\nnew plan without a marker`);
    assert.ok(
      gh.log.some((l) => l.includes('page=2')),
      gh.log.join('\n'),
    );
  } finally {
    await gh.close();
  }
});

test("a body over GitHub's limit is cut, its code block closed, and says where the full plan is", () => {
  const long = `${marker('dev')}\n\`\`\`text\n${'~ update x\n'.repeat(10_000)}\`\`\`\n`;
  const cut = commentBody(marker('dev'), long);
  assert.ok(cut.length <= GITHUB_COMMENT_LIMIT, String(cut.length));
  assert.ok(cut.startsWith(marker('dev')));
  assert.is((cut.match(/^```/gm) ?? []).length % 2, 0, 'code fences balanced');
  assert.match(cut, 'artifacts');
  assert.is(commentBody(marker('dev'), 'short'), `${marker('dev')}\nshort`);
});

test('drift: exit 2 opens the issue, again updates it, exit 0 closes it with a comment, exit 1 leaves it', async () => {
  assert.equal([0, 1, 2, 70].map(driftAction), ['close', 'leave', 'open', 'leave']);
  const gh = await fakeGitHub();
  const dir = await mkdtemp(join(tmpdir(), 'ci-drift-'));
  const environment = { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: gh.api.baseUrl };
  const run = async (code: number, body: string) => {
    await writeFile(join(dir, 'prod.exit-code'), `${code}\n`);
    await writeFile(join(dir, 'prod.comment.md'), body);
    const lines: string[] = [];
    const exit = await main(
      [
        'drift-issue',
        '--repo',
        'acme/infra',
        '--env',
        'prod',
        '--exit-code-file',
        join(dir, 'prod.exit-code'),
        '--body-file',
        join(dir, 'prod.comment.md'),
        '--run-url',
        'https://github.example/run/1',
      ],
      environment,
      (l) => lines.push(l),
    );
    return { exit, lines };
  };
  try {
    // Someone else's open issue with the same label but another title, and a pull request: not ours.
    gh.issues.push({ number: 1, title: 'Drift in dev: live resources differ from generated/dev/', body: '', state: 'open', labels: [DRIFT_LABEL] });
    gh.issues.push({ number: 2, title: driftTitle('prod'), body: '', state: 'open', labels: [DRIFT_LABEL], pull_request: {} });
    assert.is((await run(0, 'no changes')).exit, 0);
    assert.is(gh.issues.length, 2, 'no drift, no issue: nothing created');
    await run(2, '~ update batch-scoring-acme-corp (paused by hand)');
    const opened = gh.issues.find((i) => i.title === driftTitle('prod') && !i.pull_request)!;
    assert.ok(opened, 'opened');
    assert.equal(opened.labels, [DRIFT_LABEL]);
    assert.match(opened.body, 'paused by hand');
    assert.match(opened.body, 'https://github.example/run/1');
    await run(2, '~ update two things now');
    assert.is(gh.issues.filter((i) => i.title === driftTitle('prod') && !i.pull_request).length, 1, 'one issue per environment');
    assert.match(opened.body, 'two things');
    await writeFile(join(dir, 'prod.exit-code'), '');
    await rejects(
      main(['drift-issue', '--repo', 'acme/infra', '--env', 'prod', '--exit-code-file', join(dir, 'prod.exit-code'), '--body-file', join(dir, 'prod.comment.md')], environment, () => {}),
      /not plan's exit code/,
    );
    assert.is(opened.state, 'open', 'an empty exit code file closes nothing');
    const left = await run(1, 'errors');
    assert.is(opened.state, 'open');
    assert.match(left.lines.join('\n'), 'left as it is');
    await run(0, 'no changes');
    assert.is(opened.state, 'closed');
    assert.is(opened.state_reason, 'completed');
    assert.ok(gh.comments.some((c) => c.issue === opened.number && /No drift in prod/.test(c.body)));
    assert.is(gh.issues.find((i) => i.number === 1)!.state, 'open', "dev's issue untouched");
    await run(2, 'drift again');
    assert.is(gh.issues.filter((i) => i.title === driftTitle('prod') && !i.pull_request && i.state === 'open').length, 1, 'a new issue once the old one is closed');
  } finally {
    await gh.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('upsert-comment --env finds the comment by the marker plan --format markdown writes, an environment with -- included', async () => {
  const gh = await fakeGitHub();
  const dir = await mkdtemp(join(tmpdir(), 'ci-upsert-env-'));
  try {
    const environment = { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: gh.api.baseUrl };
    const body = join(dir, 'comment.md');
    for (const text of ['first plan', 'second plan']) {
      await writeFile(body, `${stickyMarker('eu--prod')}\n${text}`);
      assert.is(await main(['upsert-comment', '--repo', 'acme/infra', '--issue', '5', '--env', 'eu--prod', '--body-file', body], environment, () => {}), 0);
    }
    assert.equal(
      gh.comments.map((c) => [c.issue, c.body]),
      [[5, `${stickyMarker('eu--prod')}\nsecond plan`]],
      'one comment, edited in place, its marker not repeated',
    );
  } finally {
    await gh.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the CLI refuses a missing token or a bad repository before calling anything', async () => {
  await rejects(main(['upsert-comment', '--repo', 'acme/infra', '--issue', '3', '--marker', 'm', '--body-file', '/nonexistent'], {}), /GITHUB_TOKEN/);
  await rejects(main(['upsert-comment', '--repo', 'not a repo', '--issue', '3'], { GITHUB_TOKEN: 't' }), /OWNER\/NAME/);
  await rejects(main(['frobnicate', '--repo', 'acme/infra'], { GITHUB_TOKEN: 't' }), /unknown command/);
});

test.run();
