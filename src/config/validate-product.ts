/**
 * What TypeScript cannot check in workflows/product.ts: id formats and bounds, and that every role
 * exists. Problems are located by the field path in the product definition, and by line and column
 * when the file's text is given and the value is written there as a literal.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { isPredefinedRole, nearestRole, permissionsOf } from '../iam/roles.ts';
import { lineColumnLocator } from '../text-positions.ts';
import type { ProductDefinition } from './product.ts';
import { productShapeProblems } from './product-shape.ts';
import { BUCKET_NAME, ID_RULES, PROJECT_ID, SERVICE_ACCOUNT_DISPLAY_NAME_BYTES, defaultBucket, productAccountDisplayName, violates, workflowId } from '../names/naming.ts';
import { workerAccountId } from '../names/naming.ts';

export const PRODUCT_FILE = 'workflows/product.ts';

/** `source` is the text of workflows/product.ts, for line and column. */
export function validateProduct(product: ProductDefinition, workflowNames: readonly string[], source?: string): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const add = (path: string, message: string, fix: string) => problems.push({ file: PRODUCT_FILE, path, message, fix });

  for (const field of ['serviceAccountRoles', 'workerServiceAccountRoles'] as const) problems.push(...roleProblems(product, field, source));

  if (violates(product.name, ID_RULES.serviceAccountId)) {
    add(
      'name',
      `product name "${product.name}" is also the product service account id, which must be ${ID_RULES.serviceAccountId.describe}`,
      'choose a product name of 6–30 lowercase letters, digits and hyphens',
    );
  } else if (violates(workerAccountId(product.name), ID_RULES.serviceAccountId)) {
    add(
      'name',
      `"${workerAccountId(product.name)}", the worker service account id made from the product name, must be ${ID_RULES.serviceAccountId.describe}`,
      'choose a product name of at most 23 characters',
    );
  }
  for (const name of workflowNames) {
    const id = workflowId(product.name, name);
    if (violates(id, ID_RULES.workflowId)) add('name', `workflow id "${id}" breaks the rule: ${ID_RULES.workflowId.describe}`, 'shorten the product or workflow name');
  }
  const productAccountName = productAccountDisplayName(product.displayName);
  if (Buffer.byteLength(productAccountName, 'utf8') > SERVICE_ACCOUNT_DISPLAY_NAME_BYTES) {
    add('displayName', `"${productAccountName}" (the product service account's display name) is over ${SERVICE_ACCOUNT_DISPLAY_NAME_BYTES} bytes`, 'shorten the product displayName');
  }
  const envNames = Object.keys(product.environments);
  if (envNames.length === 0) add('environments', 'no environments defined', 'define at least one, e.g. dev: { project, region }');
  for (const [env, definition] of Object.entries(product.environments)) {
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(env)) add(`environments.${env}`, `environment name "${env}" is not a short lowercase name`, 'use names such as dev, staging, prod');
    if (!PROJECT_ID.test(definition.project))
      add(`environments.${env}.project`, `"${definition.project}" is not a valid GCP project id`, 'use the project id (6–30 lowercase letters, digits, hyphens), not its name or number');
    const bucket = definition.bucket ?? defaultBucket(definition.project);
    // A default derived from an invalid project id would only repeat the project's problem.
    if ((definition.bucket !== undefined || PROJECT_ID.test(definition.project)) && !BUCKET_NAME.test(bucket)) {
      add(
        `environments.${env}.bucket`,
        `"${bucket}" is not a valid bucket name${bucket.includes('.') ? ' (dotted, domain-named buckets are not supported)' : ''}${definition.bucket === undefined ? ` (the default, "<project>-batch")` : ''}`,
        'use 3–63 lowercase letters, digits, hyphens and underscores, starting and ending with a letter or digit',
      );
    }
  }
  const batch = product.batch;
  if (!(batch.taskCount >= 1 && Number.isInteger(batch.taskCount))) add('batch.taskCount', 'task count must be a whole number ≥ 1', 'set taskCount: 1');
  if (!(batch.parallelism >= 1 && batch.parallelism <= batch.taskCount))
    add('batch.parallelism', `parallelism ${batch.parallelism} must be between 1 and taskCount (${batch.taskCount})`, 'lower parallelism or raise taskCount');
  if (!(batch.maxRunDurationSeconds > 0)) add('batch.maxRunDurationSeconds', 'must be positive', 'e.g. 3600');
  if (!(batch.waitTimeoutSeconds > 0 && batch.waitTimeoutSeconds <= 31_536_000))
    add('batch.waitTimeoutSeconds', 'must be between 1 s and one year (the longest a workflow execution may run)', 'e.g. 7200');
  if (!batch.commands.some((c) => c.includes('{input}')) || !batch.commands.some((c) => c.includes('{output}'))) {
    add('batch.commands', 'the container commands must contain {input} and {output}', 'e.g. ["python3", "main.py", "{input}", "{output}"]');
  }
  // Unknown keys, machine types, regions (which offer Workflows and Batch) and image references.
  problems.push(...productShapeProblems(product, source));
  return problems;
}

/** Basic roles: thousands of permissions each (https://cloud.google.com/iam/docs/roles-overview#basic). */
const BASIC_ROLES = new Set(['roles/owner', 'roles/editor', 'roles/viewer']);
/**
 * Permissions that let the holder act as, or mint credentials of, another service account: granted
 * on the project they cover every account in it, the default compute account (Editor) included
 * (https://cloud.google.com/iam/docs/service-account-permissions).
 */
const ACT_AS_PERMISSIONS = [
  'iam.serviceAccounts.actAs',
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
  'iam.serviceAccountKeys.create',
];

function roleProblems(product: ProductDefinition, field: 'serviceAccountRoles' | 'workerServiceAccountRoles', source: string | undefined): Diagnostic[] {
  const roles = product[field] ?? [];
  const roleAt = literalLocator(source, field);
  const problems: Diagnostic[] = [];
  roles.forEach((role, i) => {
    const where = { file: PRODUCT_FILE, ...roleAt(role, roles.slice(0, i).filter((r) => r === role).length), path: `${field}[${i}]` };
    if (BASIC_ROLES.has(role)) {
      problems.push({
        ...where,
        message: `"${role}" is a basic role: it grants nearly everything in the project`,
        fix: 'grant the predefined roles the workflows or Batch jobs use instead (README, "Permissions")',
      });
      return;
    }
    if (isPredefinedRole(role)) {
      const actAs = ACT_AS_PERMISSIONS.filter((p) => permissionsOf(role)?.includes(p));
      if (actAs.length > 0) {
        problems.push({
          ...where,
          message: `"${role}" holds ${actAs.join(', ')}: granted on the project it lets this account act as every service account there`,
          fix: "remove it: batch-workflows grants the orchestrator iam.serviceAccountUser on the worker account's own policy, and nothing more is needed",
        });
      }
      return;
    }
    const custom = /^(projects|organizations)\/[^/]+\/roles\//.test(role);
    const near = custom ? undefined : nearestRole(role);
    problems.push({
      ...where,
      message: custom ? `role "${role}" is a custom role, which batch-workflows does not support` : `role "${role}" does not exist`,
      fix: custom
        ? 'grant a predefined role (https://cloud.google.com/iam/docs/roles-permissions), or grant the custom role outside batch-workflows'
        : `${near ? `did you mean "${near}"? ` : ''}use a predefined role (https://cloud.google.com/iam/docs/roles-permissions; the roles batch-workflows knows are in src/iam/roles-data.json)`,
    });
  });
  return problems;
}

/**
 * Where the `nth` string literal `value` stands after the key `key` in the source text, or nothing
 * when the text is absent or the value is not written as a literal there (built by code).
 */
function literalLocator(source: string | undefined, key: string): (value: string, nth: number) => { line?: number; column?: number } {
  const start = source === undefined ? -1 : source.search(new RegExp(`\\b${key}\\s*:`));
  if (source === undefined || start < 0) return () => ({});
  const at = lineColumnLocator(source);
  return (value, nth) => {
    const literal = new RegExp(`(['"\`])${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\1`, 'g');
    literal.lastIndex = start;
    let match: RegExpExecArray | null = null;
    for (let k = 0; k <= nth; k++) match = literal.exec(source);
    return match ? at(match.index) : {};
  };
}
