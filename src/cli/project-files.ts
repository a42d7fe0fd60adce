/**
 * Reads the project's sources from disk: the product and workflows (TypeScript modules, imported)
 * and the client files (JSON text, validated later by the pure core).
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError, type Diagnostic } from '../diagnostics.ts';
import type { ProductDefinition } from '../config/product.ts';
import { clientFileTooLarge, type ClientSource } from '../config/load-clients.ts';
import { MAX_CLIENT_FILE_BYTES } from '../config/limits.ts';
import type { WorkflowDefinition } from '../dsl/index.ts';
import type { GenerateInput } from '../generate/tree.ts';

/** The local sandbox's state folder in the project (npm run sandbox and --target sandbox share it). */
export const SANDBOX_STATE_DIR = '.sandbox';

export interface ProjectLayout {
  /** Project root; file names in messages are relative to it. */
  readonly root: string;
  readonly workflowsDir: string;
  readonly clientsDir: string;
  readonly generatedDir: string;
}

export function projectLayout(root = process.cwd(), overrides: Partial<ProjectLayout> = {}): ProjectLayout {
  return {
    root,
    workflowsDir: join(root, 'workflows'),
    clientsDir: join(root, 'clients'),
    generatedDir: join(root, 'generated'),
    ...overrides,
  };
}

/**
 * Reads clients/*.json. Refused, each as a located problem and all at once, before anything is
 * generated: a name that is nearly a client file (`x.JSON`, `x.json.bak`, `x.jsonc`: any name
 * holding ".json" in any letter case that does not end in exactly ".json"), since whether a client
 * exists must not hang on a letter's case, and a client that silently vanished would be deleted by
 * `--prune`; a symbolic link leading outside the project, whose content the reviewed diff never
 * shows; a file over MAX_CLIENT_FILE_BYTES, refused without reading more than that. Hidden files
 * (`.gitkeep`, editor swap files) and names without ".json" (`notes.txt`) are not client files.
 */
export async function loadClientSources(layout: ProjectLayout): Promise<ClientSource[]> {
  if (!existsSync(layout.clientsDir)) return [];
  const all = (await readdir(layout.clientsDir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const problems: Diagnostic[] = [];
  for (const entry of all) {
    if (/\.json/i.test(entry.name) && !entry.name.endsWith('.json')) {
      const stem = entry.name.replace(/\.json.*$/i, '');
      problems.push({
        file: `clients/${entry.name}`,
        message: 'is named like a client file but does not end in ".json" exactly, so it would not be read: its client would vanish from generated/, and apply --prune would delete it',
        fix: `rename it to clients/${stem}.json if it is a client, or move it out of clients/`,
      });
    }
  }
  const entries = all.filter((e) => e.name.endsWith('.json'));
  const root = await realpath(layout.root);
  const sources = await Promise.all(
    entries.map(async (entry) => {
      const file = `clients/${entry.name}`;
      const path = join(layout.clientsDir, entry.name);
      try {
        if (entry.isSymbolicLink()) {
          const target = await realpath(path);
          const inside = relative(root, target);
          if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
            problems.push({
              file,
              message: `is a symbolic link to ${target}, outside the project: its content would never appear in a reviewed diff`,
              fix: `replace the link with the file itself (cp --remove-destination "${target}" ${file})`,
            });
            return undefined;
          }
        }
        const text = await readBounded(path, file, problems);
        return text === undefined ? undefined : { file, text };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        problems.push({
          file,
          message: code === 'EISDIR' ? 'is a folder, not a client file' : `cannot be read (${code ?? (error as Error).message})`,
          fix: code === 'EISDIR' ? 'client files are JSON files directly in clients/; rename or move the folder' : 'make the file readable, or remove it',
        });
        return undefined;
      }
    }),
  );
  if (problems.length > 0) throw new UserError(problems.sort((a, b) => (a.file! < b.file! ? -1 : a.file! > b.file! ? 1 : 0)));
  return sources.filter((s): s is ClientSource => s !== undefined);
}

/** The file's text, or undefined (with a problem) when it holds more than MAX_CLIENT_FILE_BYTES. */
async function readBounded(path: string, file: string, problems: Diagnostic[]): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    // Sized to the file (plus one byte, to see a file that grew since the stat), not to the limit:
    // a zeroed 256 KiB buffer per client was most of generate's memory at 5,000 clients.
    let buffer = Buffer.allocUnsafe(size + 1);
    let { bytesRead } = size > MAX_CLIENT_FILE_BYTES ? { bytesRead: size } : await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > size && bytesRead <= MAX_CLIENT_FILE_BYTES) {
      buffer = Buffer.allocUnsafe(MAX_CLIENT_FILE_BYTES + 1);
      ({ bytesRead } = await handle.read(buffer, 0, buffer.length, 0));
    }
    if (bytesRead > MAX_CLIENT_FILE_BYTES) {
      problems.push(clientFileTooLarge(file, Math.max(size, bytesRead)));
      return undefined;
    }
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Imports a TypeScript module of workflows/. A syntax error (tsx's esbuild reports it as
 * `FILE:LINE:COL: ERROR: ...`) or an exception while the module runs is the author's to fix, so it
 * becomes a located user error rather than an internal one.
 */
async function importWorkflowsModule(layout: ProjectLayout, name: string): Promise<Record<string, unknown>> {
  const path = join(layout.workflowsDir, name);
  const file = `workflows/${name}`;
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const located = /:(\d+):(\d+): ERROR: (.+)/.exec(text);
    if (located) {
      throw new UserError({
        file,
        line: Number(located[1]),
        column: Number(located[2]),
        message: located[3]!,
        fix: 'correct the TypeScript here; `npm test` type-checks workflows/ and shows every error',
      });
    }
    const frame = (error instanceof Error ? (error.stack ?? '') : '').split('\n').find((l) => l.includes(path));
    const at = frame ? /:(\d+):(\d+)\)?$/.exec(frame) : null;
    throw new UserError({
      file,
      ...(at ? { line: Number(at[1]), column: Number(at[2]) } : {}),
      message: `failed while loading: ${text}`,
      fix: 'the module threw while it was being evaluated; correct the code at this place',
    });
  }
}

export async function loadProduct(layout: ProjectLayout): Promise<ProductDefinition> {
  const module = (await importWorkflowsModule(layout, 'product.ts')) as { product?: ProductDefinition };
  if (!module.product) {
    throw new UserError({ file: 'workflows/product.ts', message: 'does not export `product`', fix: 'export const product = defineProduct({...})' });
  }
  return module.product;
}

/** Every workflows/<name>.ts except product.ts must export `workflow`, built with the DSL. */
export async function loadWorkflows(layout: ProjectLayout): Promise<WorkflowDefinition[]> {
  const names = (await readdir(layout.workflowsDir)).filter((n) => n.endsWith('.ts') && n !== 'product.ts').sort();
  const problems: Diagnostic[] = [];
  const workflows: WorkflowDefinition[] = [];
  for (const name of names) {
    const module = (await importWorkflowsModule(layout, name)) as { workflow?: WorkflowDefinition };
    const base = name.replace(/\.ts$/, '');
    if (!module.workflow || typeof module.workflow.render !== 'function') {
      problems.push({ file: `workflows/${name}`, message: 'does not export `workflow`', fix: 'export const workflow = defineWorkflow({...}) built with src/dsl' });
    } else if (module.workflow.name !== base) {
      problems.push({ file: `workflows/${name}`, path: 'name', message: `workflow is named "${module.workflow.name}" but its file is ${name}`, fix: `name it "${base}" or rename the file` });
    } else {
      workflows.push(module.workflow);
    }
  }
  if (problems.length) throw new UserError(problems);
  return workflows;
}

export async function loadGenerateInput(layout: ProjectLayout): Promise<GenerateInput> {
  const [product, workflows, clientSources, productSource] = await Promise.all([
    loadProduct(layout),
    loadWorkflows(layout),
    loadClientSources(layout),
    // Only for line and column in messages about product.ts; loadProduct has already read it.
    readFile(join(layout.workflowsDir, 'product.ts'), 'utf8').catch(() => undefined),
  ]);
  return { product, workflows, clientSources, ...(productSource === undefined ? {} : { productSource }) };
}
