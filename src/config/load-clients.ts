/**
 * Validates every client file against the schema and the product, collecting every problem in every
 * file with its location and a fix (docs/design.md §7: validate everything, report once). Pure: the CLI
 * reads the files and passes their text in.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../diagnostics.ts';
import type { ProductDefinition } from './product.ts';
import { clientFileSchema, type Client, type ClientFile } from './client-schema.ts';
import { parseJsonWithLocations, formatJsonPath, type SourcePosition } from './json-with-locations.ts';
import { cronProblem, timeZoneProblem } from './cron.ts';
import { machineTypeProblem } from './machine-types.ts';
import { scheduleArgsProblems } from './schedule-args.ts';
import { ACCOUNT_HASH_LENGTH, ID_RULES, SERVICE_ACCOUNT_DISPLAY_NAME_BYTES, V2_SEPARATOR, derivedClientIds, namingOf, violates, workerAccountId } from '../names/naming.ts';
import { principalProblems } from './members.ts';
import { PLATFORM_TRACKING_TAGS } from '../dsl/recipes/batch-job.ts';
import { nearest } from '../nearest.ts';
import { salvageParse } from './schema-salvage.ts';
import { MAX_CLIENT_FILE_BYTES } from './limits.ts';

export interface ClientSource {
  /** Path relative to the project root, e.g. `clients/acme-corp.json`. */
  readonly file: string;
  readonly text: string;
}

export interface ClientValidation {
  readonly clients: readonly Client[];
  readonly diagnostics: readonly Diagnostic[];
}

export const CLIENTS_DIR = 'clients';

export function validateClients(sources: readonly ClientSource[], product: ProductDefinition): ClientValidation {
  const diagnostics: Diagnostic[] = [];
  const clients: Client[] = [];
  if (sources.length === 0) {
    diagnostics.push({
      file: `${CLIENTS_DIR}/`,
      message: 'no client files found',
      fix: `add one JSON file per client, e.g. ${CLIENTS_DIR}/acme-corp.json containing {"name": "acme-corp"} (see README, "Adding a client")`,
    });
  }
  const byName = new Map<string, string[]>();
  for (const source of [...sources].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    const result = validateClientFile(source, product);
    diagnostics.push(...result.diagnostics);
    if (result.client) clients.push(result.client);
    if (result.claimedName) byName.set(result.claimedName, [...(byName.get(result.claimedName) ?? []), source.file]);
  }

  for (const [name, files] of byName) {
    if (files.length > 1) {
      for (const file of files) {
        diagnostics.push({
          file,
          path: 'name',
          message: `client name "${name}" is claimed by ${files.length} files: ${files.join(', ')}`,
          fix: 'each client has exactly one file; delete or rename the duplicate',
        });
      }
    }
  }
  return { clients: diagnostics.length === 0 ? clients : [], diagnostics };
}

function validateClientFile(source: ClientSource, product: ProductDefinition): { client?: Client; claimedName?: string; diagnostics: Diagnostic[] } {
  const { file } = source;
  // The CLI refuses a larger file before reading it; this keeps the pure core bounded on its own.
  const bytes = Buffer.byteLength(source.text, 'utf8');
  if (bytes > MAX_CLIENT_FILE_BYTES) return { diagnostics: [clientFileTooLarge(file, bytes)] };
  const parsed = parseJsonWithLocations(source.text);
  if (!parsed.ok) {
    return {
      diagnostics: [
        {
          file,
          line: parsed.position.line,
          column: parsed.position.column,
          message: `${parsed.fix ? '' : 'malformed JSON: '}${parsed.message}`,
          fix: parsed.fix ?? 'correct the JSON syntax at this position (JSON allows no comments, no trailing commas, and needs double quotes)',
        },
      ],
    };
  }
  const at = (path: readonly (string | number)[]): { path: string; line?: number; column?: number } => {
    const key = formatJsonPath(path);
    const position: SourcePosition | undefined = parsed.positions.get(key) ?? nearestPosition(parsed.positions, path);
    return { path: key || '(file)', ...(position ?? {}) };
  };

  const result = clientFileSchema.safeParse(parsed.value, { reportInput: true });
  const diagnostics: Diagnostic[] = [];
  // Every problem at once: the valid parts of a file with schema problems are still checked below
  // (a refused field is absent from `data`); `refused` names them, so no check that combines fields
  // compares with a default instead. A file with schema problems never becomes a client.
  const salvage = result.success ? undefined : salvageParse(clientFileSchema, parsed.value);
  if (salvage) {
    diagnostics.push(...salvage.issues.map((issue) => zodIssueDiagnostic(file, issue, at)));
    if (salvage.value === undefined) return { diagnostics };
  }
  const data = (result.success ? result.data : salvage!.value) as ClientFile;
  const refused: ReadonlySet<string> = salvage?.refused ?? new Set();
  const expectedName = file.replace(/^.*\//, '').replace(/\.json$/, '');

  const nameRule = ID_RULES.serviceAccountId;
  const naming = namingOf(product);
  if (data.name === undefined) {
    // Missing or not a string: reported by the schema above.
  } else if (violates(data.name, nameRule)) {
    const tooShort = data.name.length < 6;
    const tooLong = data.name.length > nameRule.maxLength;
    diagnostics.push({
      file,
      ...at(['name']),
      message: `"${data.name}" is not a valid client name: ${tooShort ? `too short (${data.name.length} characters)` : tooLong ? `too long (${data.name.length} characters)` : 'illegal characters'}; it becomes the client's ${nameRule.what}, which must be ${nameRule.describe}`,
      fix: `choose a name such as "${suggestClientName(data.name)}" and rename the file to match`,
    });
  } else if (naming === 'v2' && data.name.includes(V2_SEPARATOR)) {
    diagnostics.push({
      file,
      ...at(['name']),
      message: `"${data.name}" contains "${V2_SEPARATOR}", which naming v2 puts between the product and the client name in the ids it derives (batch-${product.name}${V2_SEPARATOR}CLIENT): with it in a name, two products' clients could derive one id`,
      fix: `choose a name with single hyphens, such as "${data.name.replace(/-{2,}/g, '-')}", and rename the file to match`,
    });
  } else {
    for (const { id, rule } of derivedClientIds(product.name, data.name, naming)) {
      if (rule === nameRule && naming === 'v2' && violates(id, rule)) {
        diagnostics.push({
          file,
          ...at(['name']),
          message: `the derived ${rule.what} "${id}" (naming v2: the client name, "-" and the product's ${ACCOUNT_HASH_LENGTH}-character hash) is ${id.length} characters, over its limit of ${rule.maxLength}`,
          fix: `shorten the client name by ${id.length - rule.maxLength} characters (at most ${rule.maxLength - ACCOUNT_HASH_LENGTH - 1} under naming v2)`,
        });
        continue;
      }
      if (rule !== nameRule && violates(id, rule)) {
        diagnostics.push({
          file,
          ...at(['name']),
          message: `the derived ${rule.what} "${id}" is ${id.length} characters, over its limit of ${rule.maxLength}`,
          fix: `shorten the client name by ${id.length - rule.maxLength} characters`,
        });
      }
    }
  }
  if (data.name !== undefined && data.name !== expectedName) {
    diagnostics.push({
      file,
      ...at(['name']),
      message: `name "${data.name}" does not match the file name "${expectedName}.json"`,
      fix: `rename the file to ${CLIENTS_DIR}/${data.name}.json, or set "name": "${expectedName}"`,
    });
  }
  if (data.name === product.name) {
    diagnostics.push({
      file,
      ...at(['name']),
      message: `"${data.name}" is the product's own name; its service account would be the product service account`,
      fix: 'choose another client name',
    });
  }

  if (data.displayName !== undefined && Buffer.byteLength(data.displayName, 'utf8') > SERVICE_ACCOUNT_DISPLAY_NAME_BYTES) {
    diagnostics.push({
      file,
      ...at(['displayName']),
      message: `"${data.displayName}" is ${Buffer.byteLength(data.displayName, 'utf8')} bytes in UTF-8; it becomes the service account's display name, which takes at most ${SERVICE_ACCOUNT_DISPLAY_NAME_BYTES} bytes`,
      fix: 'shorten it (letters outside ASCII take 2–4 bytes each)',
    });
  }

  const known = Object.keys(product.environments);
  const seen = new Set<string>();
  (data.environments ?? []).forEach((env, index) => {
    if (!known.includes(env)) {
      const near = nearest(env, known);
      diagnostics.push({
        file,
        ...at(['environments', index]),
        message: `unknown environment "${env}"`,
        fix: `use one of ${known.map((k) => `"${k}"`).join(', ')} (defined in workflows/product.ts)${near ? `; did you mean "${near}"?` : ''}`,
      });
    } else if (seen.has(env)) {
      diagnostics.push({ file, ...at(['environments', index]), message: `environment "${env}" is listed twice`, fix: 'remove the duplicate' });
    }
    seen.add(env);
  });

  if (data.schedule) {
    const cron = data.schedule.cron === undefined ? undefined : cronProblem(data.schedule.cron);
    if (cron) {
      diagnostics.push({
        file,
        ...at(['schedule', 'cron']),
        message: `invalid cron expression "${data.schedule.cron}": ${cron}`,
        fix: 'write 5 fields, e.g. "0 6 * * *" for every day at 06:00 or "30 2 * * MON-FRI" for weekdays at 02:30',
      });
    }
    const tz = data.schedule.timeZone === undefined ? undefined : timeZoneProblem(data.schedule.timeZone);
    if (tz) {
      diagnostics.push({
        file,
        ...at(['schedule', 'timeZone']),
        message: `unknown time zone: ${tz}`,
        fix: 'use a name from the IANA time zone database, e.g. "Europe/Paris"; omit the field for Etc/UTC',
      });
    }
    const args = data.schedule.argument?.args ?? [];
    diagnostics.push(...scheduleArgsProblems(file, data.name ?? expectedName, args, data.environments ?? known, product, at));
  }

  diagnostics.push(...runSettingsProblems(file, data, product, at, refused));
  diagnostics.push(...principalProblems(file, data, product, at));
  if (data.name === workerAccountId(product.name)) {
    diagnostics.push({
      file,
      ...at(['name']),
      message: `"${data.name}" is the id of the product's worker service account (the identity its Batch jobs run as)`,
      fix: 'choose another client name',
    });
  }

  if (diagnostics.length > 0) return { ...(data.name === undefined ? {} : { claimedName: data.name }), diagnostics };
  const { $schema: _schemaPath, ...fields } = data;
  const client: Client = {
    ...fields,
    displayName: data.displayName ?? data.name,
    file,
    environments: data.environments ? known.filter((env) => data.environments!.includes(env)) : known,
    ...(data.schedule ? { schedule: { ...data.schedule, cron: data.schedule.cron.trim().split(/\s+/).join(' ') } } : {}),
    ...(data.uploaders ? { uploaders: [...new Set(data.uploaders)].sort() } : {}),
    ...(data.subscribers ? { subscribers: [...new Set(data.subscribers)].sort() } : {}),
  };
  return { client, claimedName: data.name, diagnostics };
}

/** The problem of a client file over MAX_CLIENT_FILE_BYTES; the CLI reports the same before reading it. */
export function clientFileTooLarge(file: string, bytes: number): Diagnostic {
  return {
    file,
    message: `is ${bytes} bytes, over the ${MAX_CLIENT_FILE_BYTES / 1024} KiB a client file may have (it was not read)`,
    fix: 'a client file holds a name, a schedule, a few overrides and targets: remove what does not belong there',
  };
}

/** Environment variable names the workflows set themselves; a client may not replace them. */
const RESERVED_ENV = /^(INPUT_URI|OUTPUT_URI|MLFLOW_.*|BATCH_.*|GOOGLE_.*|CLOUDSDK_.*)$/;
/** Secret Manager secret ids. */
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

function runSettingsProblems(
  file: string,
  data: ClientFile,
  product: ProductDefinition,
  at: (path: readonly (string | number)[]) => { path: string; line?: number; column?: number },
  refused: ReadonlySet<string> = new Set(),
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const batch = data.batch;
  if (batch) {
    if (batch.machineType !== undefined) {
      const problem = machineTypeProblem(batch.machineType);
      if (problem) problems.push({ file, ...at(['batch', 'machineType']), message: problem, fix: 'use a predefined machine type such as "n1-standard-8" or "e2-highmem-4"' });
    }
    const taskCount = batch.taskCount ?? product.batch.taskCount;
    const parallelism = batch.parallelism ?? product.batch.parallelism;
    if (parallelism > taskCount && !refused.has('batch.taskCount') && !refused.has('batch.parallelism')) {
      problems.push({
        file,
        ...at(['batch', batch.parallelism !== undefined ? 'parallelism' : 'taskCount']),
        message: `parallelism ${parallelism} is above the task count ${taskCount}${batch.parallelism === undefined ? ' (parallelism is the product default)' : batch.taskCount === undefined ? ' (the task count is the product default)' : ''}`,
        fix: `set parallelism to at most ${taskCount}, or raise taskCount`,
      });
    }
    if (batch.maxRunDurationSeconds !== undefined && batch.maxRunDurationSeconds > product.batch.waitTimeoutSeconds) {
      problems.push({
        file,
        ...at(['batch', 'maxRunDurationSeconds']),
        message: `${batch.maxRunDurationSeconds} s is longer than the workflows wait for a job (${product.batch.waitTimeoutSeconds} s): the run would be reported FAILED while the job still runs`,
        fix: `lower it to at most ${product.batch.waitTimeoutSeconds}, or raise batch.waitTimeoutSeconds in workflows/product.ts`,
      });
    }
    for (const name of Object.keys(batch.environment ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.push({ file, ...at(['batch', 'environment', name]), message: `"${name}" is not an environment variable name`, fix: 'use letters, digits and underscores, not starting with a digit' });
      } else if (RESERVED_ENV.test(name)) {
        problems.push({
          file,
          ...at(['batch', 'environment', name]),
          message: `"${name}" is set by the workflows themselves`,
          fix: 'choose another name (INPUT_URI, OUTPUT_URI, MLFLOW_*, BATCH_*, GOOGLE_*, CLOUDSDK_* are reserved)',
        });
      }
    }
  }
  (data.notify ?? []).forEach((target, index) => {
    const secret = target.secret;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(secret) || /^www\.|\.(com|net|org|io|cloud)(\/|$)/i.test(secret)) {
      problems.push({
        file,
        ...at(['notify', index, 'secret']),
        message: 'this looks like a webhook URL; URLs and tokens must never be in the repository (generated/ and logs would show it)',
        fix: `store it in Secret Manager and put the secret id here: printf %s 'URL' | gcloud secrets create ${data.name}-${target.type} --data-file=- ; then "secret": "${data.name}-${target.type}"`,
      });
    } else if (!SECRET_ID.test(secret)) {
      problems.push({
        file,
        ...at(['notify', index, 'secret']),
        message: `"${secret}" is not a Secret Manager secret id`,
        fix: "use the secret id only (letters, digits, hyphens, underscores), not projects/.../secrets/... : the secret lives in each environment's project",
      });
    }
  });
  for (const key of Object.keys(data.tracking?.tags ?? {})) {
    if (!/^[A-Za-z0-9_.\-/ ]{1,250}$/.test(key)) {
      problems.push({ file, ...at(['tracking', 'tags', key]), message: `"${key}" is not a usable MLflow tag name`, fix: 'use letters, digits, underscores, dashes, dots, slashes and spaces' });
    } else if ((PLATFORM_TRACKING_TAGS as readonly string[]).includes(key)) {
      // The workflows set these to link the MLflow run to its execution; a client's value would be dropped.
      problems.push({
        file,
        ...at(['tracking', 'tags', key]),
        message: `"${key}" is set by the workflows on every run`,
        fix: `choose another tag name (${PLATFORM_TRACKING_TAGS.join(', ')} are reserved)`,
      });
    }
  }
  return problems;
}

function zodIssueDiagnostic(file: string, issue: z.core.$ZodIssue, at: (path: readonly (string | number)[]) => { path: string; line?: number; column?: number }): Diagnostic {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const knownKeys = knownKeysAt(path);
    const suggestions = issue.keys.map((key) => {
      const near = nearest(key, knownKeys);
      return near ? `"${key}" → did you mean "${near}"?` : `remove "${key}"`;
    });
    const location = at([...path, issue.keys[0]!]);
    return {
      file,
      ...location,
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${path.length ? ` in ${formatJsonPath(path)}` : ''}`,
      fix: `${suggestions.join('; ')} (known keys: ${knownKeys.join(', ')})`,
    };
  }
  if (issue.code === 'invalid_type') {
    const present = issue.input !== undefined;
    return {
      file,
      ...at(path),
      message: present ? `expected ${issue.expected}, found ${describeJson(issue.input)}` : `required field is missing`,
      fix: present ? `write ${/^[aeiou]/.test(String(issue.expected)) ? 'an' : 'a'} ${issue.expected} here` : `add "${String(path[path.length - 1])}" (see generated/schema/client.schema.json)`,
    };
  }
  return { file, ...at(path), message: issue.message, fix: 'see generated/schema/client.schema.json for the allowed values' };
}

function knownKeysAt(path: readonly (string | number)[]): string[] {
  // Walk the zod shape along the path to find the object whose keys were checked.
  let schema: unknown = clientFileSchema;
  for (const part of path) {
    let inner = schema as { shape?: Record<string, unknown>; unwrap?: () => unknown; def?: { innerType?: unknown } };
    while (inner && !inner.shape && (inner.def?.innerType || inner.unwrap)) {
      inner = (inner.def?.innerType ?? inner.unwrap?.()) as typeof inner;
    }
    schema = inner?.shape?.[String(part)];
  }
  let inner = schema as { shape?: Record<string, unknown>; def?: { innerType?: unknown } };
  while (inner && !inner.shape && inner.def?.innerType) inner = inner.def.innerType as typeof inner;
  return Object.keys(inner?.shape ?? {});
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function nearestPosition(positions: ReadonlyMap<string, SourcePosition>, path: readonly (string | number)[]): SourcePosition | undefined {
  for (let n = path.length - 1; n >= 0; n--) {
    const position = positions.get(formatJsonPath(path.slice(0, n)));
    if (position) return position;
  }
  return undefined;
}

function suggestClientName(name: string): string {
  let s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '');
  if (s.length > 30) s = s.slice(0, 30).replace(/-+$/, '');
  while (s.length < 6) s = s ? `${s}-client`.slice(0, 30) : 'client-name';
  return s;
}
