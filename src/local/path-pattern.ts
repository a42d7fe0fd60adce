/**
 * Eventarc's `match-path-pattern` operator, as https://cloud.google.com/eventarc/docs/path-patterns
 * documents it for the `resourceName` of Cloud Audit Logs events:
 * - a resource name is a path of segments separated by `/`
 *   (`projects/_/buckets/BUCKET/objects/OBJECT`, where an object name with `/` spans several segments);
 * - `*` matches zero or more characters inside one segment (never a `/`);
 * - `**` matches zero or more whole segments, anywhere in the pattern (the page's gcloud example
 *   is `resourceName=projects/_/buckets/**\/r*.txt`);
 * - everything else matches itself, case-sensitively.
 * The same page writes patterns both with a leading `/` (`/projects/_/buckets/...`, as the console
 * and batch-workflows do) and without (the gcloud example), while audit logs carry the name without
 * one; a leading `/` is therefore not significant on either side. (That equivalence is read from the
 * page's examples, not stated in a sentence.)
 * A `**` inside a longer segment (`**.txt`) is taken as any characters across segments.
 */

/** Does `path` (a resource name) match `pattern`? Pure; linear-ish in practice (memoised). */
export function matchPathPattern(pattern: string, path: string): boolean {
  const patternSegments = pattern.replace(/^\/+/, '').split('/');
  const pathSegments = path.replace(/^\/+/, '').split('/');
  const memo = new Map<number, boolean>();
  const at = (p: number, s: number): boolean => {
    const key = p * (pathSegments.length + 1) + s;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (p === patternSegments.length) {
      result = s === pathSegments.length;
    } else {
      const segment = patternSegments[p]!;
      if (segment === '**') {
        // Zero segments, or consume one and stay on `**`.
        result = at(p + 1, s) || (s < pathSegments.length && at(p, s + 1));
      } else if (segment.includes('**')) {
        // `**` inside a segment: the segment and everything after it match as one glob over the rest.
        result = globRegex(patternSegments.slice(p).join('/'), true).test(pathSegments.slice(s).join('/'));
      } else {
        result = s < pathSegments.length && globRegex(segment, false).test(pathSegments[s]!) && at(p + 1, s + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}

const regexCache = new Map<string, RegExp>();

/** `*` → within a segment; with `crossSegments`, `**` → anything, `/` included. */
function globRegex(glob: string, crossSegments: boolean): RegExp {
  const key = `${crossSegments ? 1 : 0}${glob}`;
  let regex = regexCache.get(key);
  if (!regex) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i]!;
      if (c === '*' && crossSegments && glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else if (c === '*') {
        source += '[^/]*';
      } else {
        source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      }
    }
    regex = new RegExp(`^${source}$`, 's');
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(key, regex);
  }
  return regex;
}
