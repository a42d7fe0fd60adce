/**
 * The schema of clients/<name>.json. Structure is checked by zod (strict: an unknown key is an error,
 * never silently ignored); rules that need the product or the file name (name = file name, derived
 * ids, environments, cron, time zone) are checked in load-clients.ts, where the location is known.
 * generated/schema/client.schema.json is emitted from this schema for editor completion.
 */
import { z } from 'zod';
import { PLATFORM_TRACKING_TAGS } from '../dsl/recipes/batch-job.ts';

export const SCHEDULE_DEFAULT_TIME_ZONE = 'Etc/UTC';

export const scheduleSchema = z
  .strictObject({
    cron: z.string().describe('When to run, as a 5-field unix cron expression (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1-5".'),
    timeZone: z.string().default(SCHEDULE_DEFAULT_TIME_ZONE).describe('IANA time zone the cron expression is read in, e.g. "Europe/Paris".'),
    argument: z
      .strictObject({
        args: z
          .array(z.string())
          .max(50)
          .optional()
          .describe(
            'Extra command-line arguments appended to the container command of each scheduled run. An argument containing gs:// must point inside the client\'s own folder gs://BUCKET/PRODUCT/CLIENT/ in every environment the client is deployed to, with no ".", ".." or empty path segments (one trailing "/" is fine); batch-scheduled refuses any other at run time too.',
          ),
      })
      .optional()
      .describe('Extra JSON passed to each scheduled run of the batch-scheduled workflow, next to "client".'),
    paused: z
      .boolean()
      .optional()
      .describe('true: the Cloud Scheduler job exists but does not run (apply pauses it, and resumes it once this is removed). A job paused by hand without this is drift, which apply resumes.'),
  })
  .describe('Run the batch-scheduled workflow for this client on a schedule (Cloud Scheduler).');

export const NOTIFY_TYPES = ['slack', 'teams', 'webhook'] as const;

export const batchOverridesSchema = z
  .strictObject({
    machineType: z.string().optional().describe('Compute Engine machine type of the Batch job, e.g. "n1-standard-8". Default: the product\'s.'),
    taskCount: z.number().int().min(1).max(10_000).optional().describe("Number of tasks of each job (1–10,000). Default: the product's."),
    parallelism: z.number().int().min(1).max(10_000).optional().describe("Tasks run at once; at most taskCount. Default: the product's."),
    maxRunDurationSeconds: z
      .number()
      .int()
      .min(60)
      .max(604_800)
      .optional()
      .describe("Maximum run time of one task in seconds (60 s – 7 days), at most the product's wait timeout. Default: the product's."),
    environment: z.record(z.string(), z.string().max(4096)).optional().describe('Extra environment variables for the container, NAME → value. Never put secrets here: they are visible in generated/.'),
  })
  .describe("Overrides of the product's Batch job defaults for this client's runs.");

export const notifyTargetSchema = z
  .strictObject({
    type: z.enum(NOTIFY_TYPES).describe('slack (incoming webhook), teams (message card) or webhook (the status message as JSON).'),
    secret: z
      .string()
      .describe(
        "Id of the Secret Manager secret, in the environment's project, whose latest version holds the webhook URL. Never the URL itself. The secret must carry the labels batch-workflows-product=PRODUCT and batch-workflows-client=CLIENT (plan checks them): only secrets set up for this client can be named.",
      ),
    on: z.enum(['failure', 'always']).default('failure').describe('Notify on failures only (default) or on every run.'),
  })
  .describe('Where to announce a run.');

export const clientFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path to generated/schema/client.schema.json, for editor completion.'),
    name: z
      .string()
      .describe(
        'Client name; must equal the file name. Becomes the service account id and part of the trigger, topic and job names: 6–30 lowercase letters, digits and hyphens, starting with a letter.',
      ),
    displayName: z.string().min(1).max(100).optional().describe('Human-readable name, shown on the service account.'),
    environments: z.array(z.string()).min(1).optional().describe('Environments of the product this client is deployed to; default: all of them.'),
    schedule: scheduleSchema.optional(),
    batch: batchOverridesSchema.optional(),
    uploaders: z
      .array(z.string())
      .max(50)
      .optional()
      .describe(
        "Principals who may act as this client's service account, without a key: user:EMAIL, group:EMAIL, serviceAccount:EMAIL, or a workload identity federation principal (principal://… or principalSet://…, https://cloud.google.com/iam/docs/principal-identifiers). Each gets roles/iam.serviceAccountTokenCreator on the client's service account only, and so uploads to gs://BUCKET/PRODUCT/CLIENT/inputs/ and reads the client's folder with --impersonate-service-account. allUsers, allAuthenticatedUsers, domain: and service accounts of the product's own projects are refused.",
      ),
    subscribers: z
      .array(z.string())
      .max(50)
      .optional()
      .describe(
        "Principals who may attach subscriptions to this client's status topic (same formats as uploaders): roles/pubsub.subscriber on that topic only. The subscription itself is created in a project of the subscriber's.",
      ),
    notify: z.array(notifyTargetSchema).max(10).optional().describe('Notification targets, notified after the status message is published.'),
    tracking: z
      .strictObject({
        tags: z
          .record(z.string(), z.string().max(500))
          .optional()
          .describe(`Tags added to the MLflow run of each job (MLFLOW_RUN_TAGS), next to the ones the workflows set: ${PLATFORM_TRACKING_TAGS.join(', ')} (reserved names).`),
      })
      .optional()
      .describe('Experiment tracking (MLflow) settings of this client.'),
  })
  .describe('A client of the product: one JSON file per client in clients/.');

export type ClientFile = z.output<typeof clientFileSchema>;

/**
 * The validated client: the file's own fields as the schema outputs them (nothing renamed, so a new
 * field in the schema is a field of Client), with the defaults that need the product filled in
 * (`displayName`, `environments`) and the file it came from. load-clients.ts normalises values only
 * (the cron's spacing, sorted unique principals), never the shape.
 */
export type Client = Readonly<
  Omit<ClientFile, '$schema' | 'displayName' | 'environments'> & {
    readonly displayName: string;
    /** Source file, relative to the project root. */
    readonly file: string;
    /** The product's environments this client is deployed to, in the product's order. */
    readonly environments: readonly string[];
  }
>;

export function clientJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clientFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { $id: 'client.schema.json', title: 'batch-workflows client', ...schema };
}
