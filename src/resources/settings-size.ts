/**
 * A client's run settings must fit in a workflow's memory: the workflows read them into a variable
 * at the start of every run (src/dsl/recipes/batch-job.ts, read_run_settings), and Workflows caps
 * the cumulative size of all variables (src/config/limits.ts cites the limit and the budget).
 */
import type { Diagnostic } from '../diagnostics.ts';
import { MAX_RUN_SETTINGS_BYTES, WORKFLOW_DATA_SIZE_BYTES } from '../config/limits.ts';
import type { RunSettings } from './types.ts';

/** Size of the settings as compact JSON: what the parsed value amounts to, without indentation. */
export function runSettingsBytes(settings: RunSettings): number {
  return Buffer.byteLength(JSON.stringify(settings), 'utf8');
}

/** The problem of a client whose settings (largest over `envs`) are over MAX_RUN_SETTINGS_BYTES. */
export function runSettingsSizeProblem(file: string, settings: readonly RunSettings[]): Diagnostic | undefined {
  const bytes = Math.max(0, ...settings.map(runSettingsBytes));
  if (bytes <= MAX_RUN_SETTINGS_BYTES) return undefined;
  return {
    file,
    message: `the resolved run settings of this client are ${bytes} bytes, over the ${MAX_RUN_SETTINGS_BYTES / 1024} KiB a run can hold (a workflow's variables share ${WORKFLOW_DATA_SIZE_BYTES / 1024} KB, and the settings are held there several times: as read, in the job request, in the job returned)`,
    fix: "shrink batch.environment and tracking.tags: put large values in a file in the client's bucket folder and pass its gs:// URI instead",
  };
}
