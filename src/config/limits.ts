/**
 * Size bounds of what a client may ask for, so an oversized input is a located error at generate
 * time, never minutes of parsing, gigabytes of memory, or a workflow that fails at run time.
 */

/**
 * Largest client file read (bytes). A client file holds a name, a schedule, a few overrides and
 * targets: a few KiB. The bound is checked before the file is read whole, so a 48 MB file costs
 * nothing; it also keeps every file small enough to be reviewed in a diff.
 */
export const MAX_CLIENT_FILE_BYTES = 256 * 1024;

/**
 * Largest run-settings object (generated/ENV/clients/CLIENT.yaml → gs://BUCKET/PRODUCT/_settings/
 * CLIENT.json), as compact JSON bytes.
 *
 * Workflows limits (https://cloud.google.com/workflows/quotas, "Limits"): "Data size: 512 KB, the
 * maximum cumulative size for variables, arguments, and events"; an HTTP response (the settings
 * object is read with storage.objects.get) is up to 2 MB, but once stored in a variable the 512 KB
 * memory limit applies. The workflows hold the settings in `settings`, copy their environment and
 * tags into the job request (`container_env`, MLFLOW_RUN_TAGS), and receive them back in the job
 * that jobs.create and every jobs.get while waiting return: at least three copies of them live at
 * once, next to the event and the other variables. A quarter of the limit keeps a run well inside it.
 */
export const WORKFLOW_DATA_SIZE_BYTES = 512 * 1024;
export const MAX_RUN_SETTINGS_BYTES = WORKFLOW_DATA_SIZE_BYTES / 4;
