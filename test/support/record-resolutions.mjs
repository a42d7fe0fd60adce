/**
 * `node --import ./test/support/record-resolutions.mjs ...`: appends every URL the ES module loader
 * resolves to the file named by RECORD_RESOLUTIONS, one a line. Used to prove what a command does
 * not load (test/cli/lazy-sdks.e2e.test.ts). Plain JavaScript: it runs before tsx is registered.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

// Imported once on the main thread (to register) and once more on the loader-hooks thread (for the hook).
if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.RECORD_RESOLUTIONS) appendFileSync(process.env.RECORD_RESOLUTIONS, `${resolved.url}\n`);
  return resolved;
}
