/** What the batch-job subworkflows share: the recipe's options, naming rules and the job id suffix. */
import { concat, type Expr, type Value } from '../../expr.ts';
import { base64, hash, text } from '../../stdlib.ts';
import type { ClientTopicId } from '../../../names/naming.ts';

/** The product's Batch defaults this recipe builds jobs from (the product's BatchDefaults extends it). */
export interface BatchJobDefaults {
  /** Container entrypoint; empty means the image's own. */
  readonly entrypoint?: string;
  /** Container commands; `{input}` and `{output}` are replaced by the gs:// URIs at run time. */
  readonly commands: readonly string[];
  readonly machineType: string;
  readonly bootDisk: { readonly sizeGb: number; readonly image: string };
  /** Batch `allocationPolicy.location.allowedLocations`, e.g. `regions/europe-west1`. Empty: the job's region. */
  readonly allowedLocations?: readonly string[];
  readonly taskCount: number;
  readonly parallelism: number;
  /** Maximum run time of one task, in seconds. */
  readonly maxRunDurationSeconds: number;
  /** How long the workflow waits for the job to end before it fails the run, in seconds. */
  readonly waitTimeoutSeconds: number;
}

export interface BatchRecipeOptions {
  /** Product name: labels, bucket folder, job ids. */
  readonly product: string;
  /** The client topic's id around the client name (src/names/naming.ts topicIdAround). */
  readonly clientTopic: ClientTopicId;
  readonly batch: BatchJobDefaults;
  /** Names of the userEnvVars holding the environment-specific values. */
  readonly env: {
    readonly bucket: string;
    readonly image: string;
    readonly jobServiceAccount: string;
    /** When set and non-empty at run time, jobs get MLFLOW_TRACKING_URI and MLFLOW_RUN_TAGS. */
    readonly mlflowTrackingUri?: string;
  };
  /**
   * The client's run-settings object in the product bucket, with `{client}` where the name goes
   * (e.g. `scoring/_settings/{client}.json`). Its JSON is `RunSettings` (./run-settings.ts); a
   * missing object means product defaults, no notifications, no extra tags.
   */
  readonly settingsObject: string;
}

/** MLFLOW_RUN_TAGS keys the workflows set on every run (a client's tags may not use them). */
export const PLATFORM_TRACKING_TAGS = ['product', 'client', 'workflow_execution_id', 'input_uri'] as const;
export type PlatformTrackingTag = (typeof PLATFORM_TRACKING_TAGS)[number];

/** Job states published in the status message. */
export type JobState = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** `gs://B/PRODUCT/CLIENT/` as an expression. */
export function clientFolderUri(product: string, bucket: Expr<string>, client: Expr<string>): Expr<string> {
  return concat('gs://', bucket, `/${product}/`, client, '/');
}

/**
 * The container commands with `{input}`/`{output}` replaced: each command becomes a literal or a
 * concatenation, decided at generate time, so no text substitution runs in the workflow.
 */
export function containerCommands(commands: readonly string[], input: Expr<string>, output: Expr<string>): Value[] {
  return commands.map((command) => {
    const parts = command.split(/(\{input\}|\{output\})/).filter((part) => part !== '');
    if (parts.length === 1 && parts[0] === command && !/\{(input|output)\}/.test(command)) return command;
    return concat(...parts.map((part) => (part === '{input}' ? input : part === '{output}' ? output : part)));
  });
}

/**
 * A job id suffix of `length` characters from [a-z0-9], derived from `key` by SHA-256. Workflows has
 * no hex encoder, so the base64 digest is lower-cased and stripped of `+/=`; 16+ characters of it
 * still carry more than 80 bits, far beyond any collision risk for one client's uploads.
 */
export function digestOf(key: Expr<string>, length: number): Expr<string> {
  const digest = base64.encode(hash.computeChecksum(text.encode(key), 'SHA256'));
  return text.substring(text.replaceAllRegex(text.toLower(digest), '[^a-z0-9]', ''), 0, length);
}

/**
 * The client's topic, `projects/P/topics/` + `before` + CLIENT + `after`: src/names/naming.ts
 * topicIdAround gives the two parts for the product's naming scheme (`batch-PRODUCT-` and
 * `-outputs` under v1; `batch-PRODUCT--` under v2), so the workflows and apply agree on it.
 */
export function outputsTopic(topicId: ClientTopicId, project: Expr<string>, client: Expr<string>): Expr<string> {
  return concat('projects/', project, `/topics/${topicId.before}`, client, topicId.after);
}
