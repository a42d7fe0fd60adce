/**
 * The Markdown and HTML escaping the pull-request comment (markdown.ts) needs, in one place: what a
 * client file or a live resource holds (a display name, a label, a member) is shown as text, never
 * read as Markdown or HTML, and can neither break a table or a code fence nor inject a tag.
 * Rules are CommonMark's and GitHub Flavored Markdown's (https://spec.commonmark.org/0.31.2/,
 * https://github.github.com/gfm/).
 */

/**
 * The most characters GitHub accepts in an issue or pull-request comment body: a longer one is
 * refused with `body is too long (maximum is 65536 characters)` (the API's validation message, as
 * reported in peter-evans/create-issue-from-file#1049 and mshick/add-pr-comment#93; the
 * create-or-update-comment action truncates to the same 65536). Counted here in UTF-8 bytes, which
 * are never fewer than characters however GitHub counts them, so the bound holds either way.
 */
export const GITHUB_COMMENT_LIMIT = 65_536;

/**
 * The comment's first line: how CI finds the comment of this environment again to update it. An
 * HTML comment may not contain `--`, so an environment name's `--` is written `- -` (scripts/ci's
 * upsert-comment --env builds it here too).
 */
export function stickyMarker(environment: string): string {
  return `<!-- batch-workflows plan: ${environment.replace(/--/g, '- -')} -->`;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Newlines would end a list item or a table row: one line, with a visible mark where each was. */
function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ⏎ ');
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * `value` as a code span: shown literally (no emphasis, links, HTML or mentions inside one), with a
 * backtick fence longer than any run of backticks in it (CommonMark 6.1), padded with a space each
 * side, which the renderer strips, so a value starting or ending with a backtick stays whole. Never
 * put one in a table cell: there a `|` ends the cell even inside a code span (GFM 4.10), so the
 * Markdown plan's only table holds kinds and counts.
 */
export function code(value: string): string {
  const text = oneLine(value);
  if (text === '') return '(empty)';
  const run = longestRun(text, '`');
  const fence = '`'.repeat(run + 1);
  return run > 0 ? `${fence} ${text} ${fence}` : `${fence}${text}${fence}`;
}

/** Text inside raw HTML (a `<summary>`): entities for the characters HTML gives meaning to. */
export function escapeHtml(value: string): string {
  return oneLine(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Running text in Markdown, never at the start of a line: `<`, `>` and `&` as entities (no tag, no
 * entity of the value's own), and a backslash (CommonMark 2.4: any ASCII punctuation may be
 * backslash-escaped) before what means something inline: code, emphasis, links, strikethrough, a
 * table cell's end, an `@` mention and a `:shortcode:`.
 */
export function escapeText(value: string): string {
  return (
    oneLine(value)
      .replace(/[\\`*_[\]|~@]/g, (c) => `\\${c}`)
      // `:word:` is an emoji shortcode on GitHub.
      .replace(/:(?=[\w+-])/g, '\\:')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}

/**
 * A fenced code block of `lines`, indented by `indent` (inside a list item), with a fence of
 * backticks longer than any run of backticks in the content: a line of backticks in a workflow
 * source can then never close the block early (CommonMark 4.5: the closing fence is at least as
 * long as the opening one).
 */
export function fence(info: string, lines: readonly string[], indent = ''): string[] {
  const run = Math.max(0, ...lines.map((l) => longestRun(l, '`')));
  const marks = '`'.repeat(Math.max(3, run + 1));
  return [`${indent}${marks}${info}`, ...lines.map((l) => `${indent}${l}`), `${indent}${marks}`];
}
