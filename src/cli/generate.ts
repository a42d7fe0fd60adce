/** `npm run generate`: writes generated/ from workflows/*.ts and clients/*.json, or reports every problem and writes nothing. */
import { UserError, formatDiagnostic, type Diagnostic } from '../diagnostics.ts';
import { processIo, type Io } from './io.ts';
import { generateTree } from '../generate/tree.ts';
import { writeTreeAtomically, type WriteSummary } from './generated-dir.ts';
import { loadGenerateInput, projectLayout, type ProjectLayout } from './project-files.ts';
import { printedHelpOnly } from './help-only.ts';
import { GENERATE_USAGE } from './usage.ts';

export async function generateProject(layout: ProjectLayout): Promise<WriteSummary & { files: number; clients: number; warnings: readonly Diagnostic[] }> {
  const result = generateTree(await loadGenerateInput(layout));
  if (!result.ok) throw new UserError(result.diagnostics);
  const summary = await writeTreeAtomically(layout.generatedDir, result.files);
  return { ...summary, files: result.files.size, clients: result.clients.length, warnings: result.warnings };
}

export async function run(args: string[], io: Io = processIo): Promise<number> {
  if (printedHelpOnly(args, io, 'generate', GENERATE_USAGE)) return 0;
  const summary = await generateProject(projectLayout(io.cwd));
  for (const warning of summary.warnings) io.err(`warning: ${formatDiagnostic(warning)}`);
  for (const path of summary.written) io.out(`  wrote    generated/${path}`);
  for (const path of summary.removed) io.out(`  removed  generated/${path}`);
  io.out(`generated/: ${summary.files} files for ${summary.clients} clients; ${summary.written.length} written, ${summary.removed.length} removed, ${summary.unchanged} unchanged.`);
  return 0;
}
