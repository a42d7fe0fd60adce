/**
 * The file side of saved plans (what they hold: src/plan/saved-plan.ts): `plan --out FILE` writes
 * one, atomically (a temporary file beside it, then a rename, so a reader never sees half a plan and
 * an interrupted write leaves the previous file as it was); `apply FILE` reads one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../diagnostics.ts';
import { makeSavedPlan, type SavedPlan } from '../plan/saved-plan.ts';
import { parseSavedPlan, savedPlanText } from '../plan/saved-plan-file.ts';
import type { LiveState, Plan } from '../plan/types.ts';
import type { ResourceDocument } from '../resources/types.ts';
import { toolVersion } from './apply-lock.ts';
import type { CommonArgs } from './plan.ts';

export interface SavePlanInput {
  readonly plan: Plan;
  readonly documents: readonly ResourceDocument[];
  readonly common: CommonArgs;
  /** generated/'s files the plan read, by path under generated/. */
  readonly files: ReadonlyMap<string, string>;
  /** The live state the plan was made from. */
  readonly live: LiveState;
  /** Where relative --out paths start (the project root, where npm runs). */
  readonly root: string;
}

/** Writes `text` to `path` through a temporary file in the same folder and a rename. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** `plan --text-out FILE`: the text plan, written atomically as a saved plan is. */
export async function writeTextPlan(out: string, root: string, lines: readonly string[]): Promise<void> {
  try {
    await writeFileAtomically(resolve(root, out), `${lines.join('\n')}\n`);
  } catch (error) {
    throw new UserError({ file: out, message: `could not write the text plan: ${(error as Error).message}`, fix: 'choose a path in a folder you can write to' });
  }
}

/** `plan --out FILE`: saves the plan, unless it has errors (apply would refuse it). */
export async function savePlan(out: string, input: SavePlanInput, log: (line: string) => void): Promise<void> {
  const { plan } = input;
  if (plan.errors.length > 0) {
    log(`\nNo plan written to ${out}: the plan has errors (above), and apply would refuse it.`);
    return;
  }
  const saved = makeSavedPlan({
    plan,
    live: input.live,
    documents: input.documents,
    files: input.files,
    target: input.common.target,
    ...(input.common.sandboxUrl ? { sandboxUrl: input.common.sandboxUrl } : {}),
    toolVersion: await toolVersion(),
  });
  try {
    await writeFileAtomically(resolve(input.root, out), savedPlanText(saved));
  } catch (error) {
    throw new UserError({ file: out, message: `could not write the plan: ${(error as Error).message}`, fix: 'choose a path in a folder you can write to' });
  }
  const count = saved.plan.changes.filter((c) => c.action !== 'orphan' && c.action !== 'conflict').length;
  log(`\nSaved the plan to ${out} (${count} change${count === 1 ? '' : 's'} to apply). Apply exactly it with: npm run apply -- ${out}`);
}

/** Reads and checks a saved plan file (located UserErrors for a missing, corrupted or foreign file). */
export async function readPlanFile(file: string, root: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(resolve(root, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError({
      file,
      message: code === 'ENOENT' ? 'no such plan file' : code === 'EISDIR' ? 'is a folder, not a plan file' : `could not read the plan file: ${(error as Error).message}`,
      fix: 'save a plan first: npm run plan -- --env ENV --out FILE, then npm run apply -- FILE',
    });
  }
  return parseSavedPlan(text, file);
}
