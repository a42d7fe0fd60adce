/** `npm run generate`: writes generated/ from workflows/*.ts and clients/*.json, or reports every problem and writes nothing. */
import { UserError } from '../diagnostics.ts';
import { generateTree } from '../generate/tree.ts';
import { writeTreeAtomically, type WriteSummary } from './generated-dir.ts';
import { loadGenerateInput, projectLayout, type ProjectLayout } from './project-files.ts';

export async function generateProject(layout: ProjectLayout): Promise<WriteSummary & { files: number; clients: number }> {
  const result = generateTree(await loadGenerateInput(layout));
  if (!result.ok) throw new UserError(result.diagnostics);
  const summary = await writeTreeAtomically(layout.generatedDir, result.files);
  return { ...summary, files: result.files.size, clients: result.clients.length };
}

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) {
    console.error(`generate takes no arguments (got ${args.join(' ')})`);
    return 1;
  }
  const summary = await generateProject(projectLayout());
  for (const path of summary.written) console.log(`  wrote    generated/${path}`);
  for (const path of summary.removed) console.log(`  removed  generated/${path}`);
  console.log(
    `generated/: ${summary.files} files for ${summary.clients} clients; ${summary.written.length} written, ${summary.removed.length} removed, ${summary.unchanged} unchanged.`,
  );
  return 0;
}
