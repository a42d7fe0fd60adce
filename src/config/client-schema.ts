/**
 * The schema of clients/<name>.json. Structure is checked by zod (strict: an unknown key is an error,
 * never silently ignored); rules that need the product or the file name (name = file name, derived
 * ids, environments, cron, time zone) are checked in load-clients.ts, where the location is known.
 * generated/schema/client.schema.json is emitted from this schema for editor completion.
 */
import { z } from 'zod';

export const SCHEDULE_DEFAULT_TIME_ZONE = 'Etc/UTC';

export const scheduleSchema = z
  .strictObject({
    cron: z
      .string()
      .describe('When to run, as a 5-field unix cron expression (minute hour day-of-month month day-of-week), e.g. "0 6 * * 1-5".'),
    timeZone: z
      .string()
      .default(SCHEDULE_DEFAULT_TIME_ZONE)
      .describe('IANA time zone the cron expression is read in, e.g. "Europe/Paris".'),
    argument: z
      .strictObject({
        args: z
          .array(z.string())
          .max(50)
          .optional()
          .describe('Extra command-line arguments appended to the container command of each scheduled run.'),
      })
      .optional()
      .describe('Extra JSON passed to each scheduled run of the batch-scheduled workflow, next to "client".'),
  })
  .describe('Run the batch-scheduled workflow for this client on a schedule (Cloud Scheduler).');

export const clientFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path to generated/schema/client.schema.json, for editor completion.'),
    name: z
      .string()
      .describe(
        'Client name; must equal the file name. Becomes the service account id and part of the trigger, topic and job names: 6–30 lowercase letters, digits and hyphens, starting with a letter.',
      ),
    displayName: z.string().min(1).max(100).optional().describe('Human-readable name, shown on the service account.'),
    environments: z
      .array(z.string())
      .min(1)
      .optional()
      .describe("Environments of the product this client is deployed to; default: all of them."),
    schedule: scheduleSchema.optional(),
  })
  .describe('A client of the product: one JSON file per client in clients/.');

export type ClientFile = z.output<typeof clientFileSchema>;

/** The validated client, with defaults filled in. */
export interface Client {
  readonly name: string;
  readonly displayName: string;
  /** Source file, relative to the project root. */
  readonly file: string;
  readonly environments: readonly string[];
  readonly schedule?: {
    readonly cron: string;
    readonly timeZone: string;
    readonly args?: readonly string[];
  };
}

export function clientJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(clientFileSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { $id: 'client.schema.json', title: 'batch-workflows client', ...schema };
}
