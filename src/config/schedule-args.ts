/**
 * `schedule.argument.args` may name Cloud Storage paths only inside the client's own folder
 * `gs://BUCKET/PRODUCT/CLIENT/` of every environment the client is deployed to: the container runs
 * as the product's identity, which reaches every client's data, so an argument is where one
 * client's schedule could read or overwrite another's. The rule is the one batch-scheduled applies
 * at run time (src/dsl/recipes/safe-paths.ts), so a file that validates is one the workflow runs.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { clientFolder, scheduledArgProblem } from '../dsl/recipes/safe-paths.ts';
import { defaultBucket } from '../names/naming.ts';
import type { ProductDefinition } from './product.ts';

type Locate = (path: readonly (string | number)[]) => { path: string; line?: number; column?: number };

/**
 * One problem per refused argument, naming each environment whose folder it leaves. `environments`
 * are the client's (already checked against the product; unknown ones are skipped here).
 */
export function scheduleArgsProblems(file: string, client: string, args: readonly string[], environments: readonly string[], product: ProductDefinition, at: Locate): Diagnostic[] {
  const folders = environments.flatMap((name) => {
    const env = product.environments[name];
    return env ? [{ name, folder: clientFolder(env.bucket ?? defaultBucket(env.project), product.name, client) }] : [];
  });
  const problems: Diagnostic[] = [];
  args.forEach((arg, index) => {
    const refusals = folders.flatMap(({ name, folder }) => {
      const problem = scheduledArgProblem(arg, folder);
      return problem ? [{ name, folder, problem }] : [];
    });
    if (refusals.length === 0) return;
    const unsafeSegment = refusals.some((r) => !r.problem.startsWith('names a gs:// path outside'));
    const where = refusals.map((r) => `${r.name} (${r.folder})`).join(', ');
    // Where the argument does fit, if anywhere: the environment to keep.
    const fits = folders.find((f) => !refusals.some((r) => r.name === f.name)) ?? folders[0]!;
    problems.push({
      file,
      ...at(['schedule', 'argument', 'args', index]),
      message: unsafeSegment
        ? `"${arg}" has a ".", ".." or empty path segment: a gs:// path in an argument must stay inside the client's folder, and these segments can lead out of it`
        : `"${arg}" names a gs:// path outside the client's folder in ${where}; the scheduled run would be refused (InvalidArgument)`,
      fix: unsafeSegment
        ? 'write the path without "." or ".." segments and without "//" (one trailing "/" for a folder is fine)'
        : folders.length > 1 && new Set(folders.map((f) => f.folder)).size > 1
          ? `an argument is the same in every environment, but each has its own bucket (${folders.map((f) => f.folder).join(', ')}), so no gs:// path is inside all of them: deploy this client to one environment ("environments": ["${fits.name}"]), or let the container derive its paths from INPUT_URI / OUTPUT_URI`
          : `point inside ${folders[0]!.folder}, or let the container derive paths from INPUT_URI / OUTPUT_URI`,
    });
  });
  return problems;
}
