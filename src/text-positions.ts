/**
 * Offsets in a text → 1-based line and column, for located errors in client JSON files and
 * workflows/product.ts (workflow YAML gets its positions from the `yaml` package's LineCounter, in
 * the same shape). Line starts are found once; each lookup is a binary search.
 */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

export function lineColumnLocator(text: string): (offset: number) => LineColumn {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
}
