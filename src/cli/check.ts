/** `npm run check`: exits 1 and names every file when generated/ does not match its sources (CI runs it). */
import { UserError } from '../diagnostics.ts';
import { compareTrees, generateTree, isClean, type TreeDifference } from '../generate/tree.ts';
import { readTree } from './generated-dir.ts';
import { loadGenerateInput, projectLayout, type ProjectLayout } from './project-files.ts';

export async function checkProject(layout: ProjectLayout): Promise<TreeDifference> {
  const result = generateTree(await loadGenerateInput(layout));
  if (!result.ok) throw new UserError(result.diagnostics);
  return compareTrees(result.files, await readTree(layout.generatedDir));
}

export function describeDifference(difference: TreeDifference): string[] {
  return [
    ...difference.stale.map((p) => `  stale       generated/${p} (differs from what its sources produce; edited by hand?)`),
    ...difference.missing.map((p) => `  missing     generated/${p}`),
    ...difference.unexpected.map((p) => `  unexpected  generated/${p} (no source produces it)`),
  ];
}

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(`check takes no arguments (got ${args.join(' ')})`);
    return 1;
  }
  const difference = await checkProject(projectLayout());
  if (isClean(difference)) {
    console.log('generated/ is up to date with its sources.');
    return 0;
  }
  console.error('generated/ does not match its sources:');
  for (const line of describeDifference(difference)) console.error(line);
  console.error('\nfix: run `npm run generate` and commit generated/.');
  return 1;
}
