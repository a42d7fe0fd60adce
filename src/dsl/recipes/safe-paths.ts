/**
 * Which object paths and container arguments the batch workflows accept: written once, as patterns
 * that mean the same in RE2 (the workflows' `text.match_regex` / `text.find_all_regex`) and in
 * JavaScript (client-file validation), so a schedule that validates is one the workflow runs, and a
 * scheduler job body edited by hand meets the same rule at run time.
 *
 * Why: Cloud Storage names are flat strings. `.`, `..` and `//` inside a name mean nothing to it,
 * and IAM's `resource.name.startsWith(...)` conditions compare text, so
 * `PRODUCT/acme/inputs/../../other/outputs/x` is "under" acme's inputs/. Anything that reads the
 * name as a path (Cloud Storage FUSE treats `/` as the directory separator, and so does any
 * container code that joins or normalises paths) would land in another client's folder.
 *   https://cloud.google.com/storage/docs/objects#naming (names: any Unicode sequence of 1–1024
 *   bytes without CR/LF; only the whole names `.` and `..` are refused)
 *   https://cloud.google.com/storage/docs/gcs-fuse ("interpreting the slash character in object
 *   names as a directory separator")
 *
 * Not refused, on purpose: percent-encoded dots (`%2e%2e`) and backslashes. Cloud Storage stores a
 * name exactly as sent and decodes nothing in it (percent-encoding applies only to the name's
 * place in a request URL), and `/` is the only separator its tools and FUSE read; so `%2e%2e` and
 * `a\..\b` are ordinary, if odd, names that stay inside the folder they were uploaded to.
 */

/**
 * An object path with a `.`, `..` or empty segment anywhere: a leading or trailing `/`, `a//b`,
 * `a/./b`, `a/../b`, or the empty path. `...` and `.hidden` are ordinary segments.
 */
export const UNSAFE_OBJECT_PATH = '(^|/)\\.{0,2}(/|$)';

/** The URI scheme of Cloud Storage paths in container arguments, matched in any case. */
export const GS_SCHEME = 'gs://';
/** RE2 spelling of GS_SCHEME in any case (RE2 takes flags inline; JS takes them apart). */
export const GS_SCHEME_ANY_CASE = '(?i)gs://';

/**
 * A container argument with its `gs://` schemes removed, that has a `.` or `..` segment, or an
 * empty segment (`//`). A segment ends at `/`, a tab, a space, a comma, a semicolon or the end of
 * the argument, so `--in=gs://B/P/C/a/..,x` is caught as well as `gs://B/P/C/a/../x`. One trailing
 * `/` is allowed: it names a folder, as the workflows' own output URIs do.
 */
export const UNSAFE_ARG_PATH = '(^|[/\\t ,;])\\.{1,2}([/\\t ,;]|$)|//';

/** `gs://BUCKET/PRODUCT/CLIENT/`: the only folder a client's scheduled arguments may name. */
export function clientFolder(bucket: string, product: string, client: string): string {
  return `${GS_SCHEME}${bucket}/${product}/${client}/`;
}

/**
 * Why a scheduled run's argument is refused, or undefined when it is accepted: the JavaScript twin
 * of batch-scheduled's run-time check (same patterns, same order, same wording).
 */
export function scheduledArgProblem(arg: string, folder: string): string | undefined {
  const schemes = arg.match(new RegExp(GS_SCHEME, 'gi'))?.length ?? 0;
  if (schemes === 0) return undefined;
  if (arg.split(folder).length - 1 !== schemes) return `names a gs:// path outside ${folder}`;
  if (new RegExp(UNSAFE_ARG_PATH, 'u').test(arg.replace(new RegExp(GS_SCHEME, 'gi'), ''))) return 'has a ".", ".." or empty path segment';
  return undefined;
}
