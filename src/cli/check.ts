/**
 * `npm run check`: exits 1 and names every file when generated/ does not match its sources (CI runs
 * it). Also what plan and apply run first: both refuse a stale generated/, since what they show and
 * deploy must be what was generated and reviewed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../diagnostics.ts';
import { compareTrees, generateTree, isClean, type TreeDifference } from '../generate/tree.ts';
import { explainDifference, type Staleness } from '../generate/staleness.ts';
import { readTree } from './generated-dir.ts';
import { processIo, type Io } from './io.ts';
import { loadGenerateInput, projectLayout, type ProjectLayout } from './project-files.ts';
import { printedHelpOnly } from './help-only.ts';
import { CHECK_USAGE } from './usage.ts';

export interface ProjectCheck {
  readonly difference: TreeDifference;
  readonly staleness: Staleness;
}

export async function checkProjectExplained(layout: ProjectLayout): Promise<ProjectCheck> {
  const result = generateTree(await loadGenerateInput(layout));
  if (!result.ok) throw new UserError(result.diagnostics);
  const actual = await readTree(layout.generatedDir);
  const difference = compareTrees(result.files, actual);
  return { difference, staleness: explainDifference(difference, result.files, actual, (source) => existsSync(sourcePath(layout, source))) };
}

/** Where a source a generated header names ("clients/acme-corp.json") is in this layout. */
function sourcePath(layout: ProjectLayout, source: string): string {
  if (source.startsWith('clients/')) return join(layout.clientsDir, source.slice('clients/'.length));
  if (source.startsWith('workflows/')) return join(layout.workflowsDir, source.slice('workflows/'.length));
  return join(layout.root, source);
}

export async function checkProject(layout: ProjectLayout): Promise<TreeDifference> {
  return (await checkProjectExplained(layout)).difference;
}

/** Every line names a file: the sources that changed first, then generated files edited by hand. */
export function describeDifference({ difference, staleness }: ProjectCheck): string[] {
  const lines: string[] = [];
  const how = (file: string) => (difference.missing.includes(file) ? 'missing' : difference.unexpected.includes(file) ? 'left over' : 'stale');
  for (const { source, files, gone } of staleness.changedSources) {
    lines.push(`  ${source} ${gone ? 'was removed' : 'changed'} since \`npm run generate\`:`);
    for (const file of files) lines.push(`    ${how(file).padEnd(9)} generated/${file}`);
  }
  for (const file of staleness.editedByHand) {
    lines.push(`  generated/${file} was edited by hand? it differs from what its unchanged sources produce (generate overwrites it)`);
  }
  for (const file of staleness.unknown) lines.push(`  stale      generated/${file} (differs from what its sources produce)`);
  return lines;
}

/** The sources named, for the one-line summary ("clients/acme-corp.json changed"). */
function summary({ staleness }: ProjectCheck): string {
  const parts: string[] = [];
  if (staleness.changedSources.length > 0) parts.push(`sources changed since \`npm run generate\` (${staleness.changedSources.map((s) => s.source).join(', ')})`);
  if (staleness.editedByHand.length > 0) parts.push(`${staleness.editedByHand.length} generated file${staleness.editedByHand.length === 1 ? '' : 's'} edited by hand`);
  if (staleness.unknown.length > 0) parts.push(`${staleness.unknown.length} generated file${staleness.unknown.length === 1 ? '' : 's'} differing from what the sources produce`);
  return parts.join('; ');
}

/**
 * What plan and apply (also --dry-run) run before anything else: a UserError naming every source
 * that changed and every file edited by hand when generated/ does not match its sources.
 */
export async function refuseStaleGenerated(layout: ProjectLayout, command: 'plan' | 'apply'): Promise<void> {
  const check = await checkProjectExplained(layout);
  if (isClean(check.difference)) return;
  const what = command === 'plan' ? 'plan shows' : 'apply deploys';
  throw new UserError({
    file: 'generated/',
    message: `generated/ is stale against its sources: ${summary(check)}; ${what} only what was generated and reviewed:\n${describeDifference(check).join('\n')}`,
    fix:
      check.staleness.changedSources.length > 0 || check.staleness.unknown.length > 0
        ? `run \`npm run generate\`, review and commit generated/, then ${command}`
        : `generated/ is written only by \`npm run generate\`: make the change in the sources, then run it (it overwrites the edit)`,
  });
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  if (printedHelpOnly(args, io, 'check', CHECK_USAGE)) return 0;
  const check = await checkProjectExplained(projectLayout(io.cwd));
  if (isClean(check.difference)) {
    io.out('generated/ is up to date with its sources.');
    return 0;
  }
  io.err(`generated/ does not match its sources: ${summary(check)}.`);
  for (const line of describeDifference(check)) io.err(line);
  io.err('\nfix: run `npm run generate` and commit generated/.');
  return 1;
}
