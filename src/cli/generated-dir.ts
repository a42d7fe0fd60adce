/**
 * The file-system side of generated/: reading it as a map, and replacing it atomically.
 *
 * Atomicity: the new tree is assembled in a sibling folder, then swapped in with two renames. Files
 * whose content did not change are hard-linked from the current tree, not rewritten, so their
 * modification times stay as they were. A crash between the two renames leaves `.generated.old`,
 * which the next run restores before doing anything else; a failure before the swap leaves
 * generated/ untouched.
 */
import { existsSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/*
 * Thousands of small files are read and written with the synchronous calls: with the promise API each
 * file costs several round trips through libuv's thread pool (open, stat, write, close) and a run of
 * 1,000 clients spent most of its time idle waiting for them. Only the CLI calls this, between other
 * work it has to wait for anyway.
 */

export async function readTree(dir: string): Promise<Map<string, string>> {
  if (!existsSync(dir)) return new Map();
  const paths: string[] = [];
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) paths.push(full);
    }
  };
  await walk(dir);
  const texts = paths.map((full) => readFileSync(full, 'utf8'));
  const files = paths.map((full, i) => [relative(dir, full).split(sep).join('/'), texts[i]!] as const);
  return new Map(files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function siblings(dir: string): { next: string; old: string } {
  const parent = dirname(dir);
  const base = dir.slice(parent.length + 1);
  return { next: join(parent, `.${base}.next`), old: join(parent, `.${base}.old`) };
}

/** Finishes or undoes a swap a previous run did not complete. */
export async function recoverInterruptedWrite(dir: string): Promise<void> {
  const { next, old } = siblings(dir);
  if (!existsSync(dir) && existsSync(old)) await rename(old, dir);
  await rm(next, { recursive: true, force: true });
  await rm(old, { recursive: true, force: true });
}

export interface WriteSummary {
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
}

export async function writeTreeAtomically(dir: string, files: ReadonlyMap<string, string>): Promise<WriteSummary> {
  await recoverInterruptedWrite(dir);
  const current = await readTree(dir);
  const written: string[] = [];
  let unchanged = 0;
  for (const [path, text] of files) {
    if (current.get(path) === text) unchanged++;
    else written.push(path);
  }
  const removed = [...current.keys()].filter((path) => !files.has(path));
  if (written.length === 0 && removed.length === 0) return { written, removed, unchanged };

  const { next, old } = siblings(dir);
  await mkdir(next, { recursive: true });
  const folders = [...new Set([...files.keys()].map((path) => dirname(join(next, path))))].sort();
  for (const folder of folders) await mkdir(folder, { recursive: true });
  for (const [path, text] of files) {
    const target = join(next, path);
    if (current.get(path) === text) linkSync(join(dir, path), target);
    else writeFileSync(target, text);
  }
  if (existsSync(dir)) await rename(dir, old);
  await rename(next, dir);
  await rm(old, { recursive: true, force: true });
  return { written, removed, unchanged };
}
