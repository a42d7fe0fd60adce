/**
 * The checks of workflows/product.ts that its types also make (src/config/product.ts), repeated at
 * generate time, since tsx runs the file without type-checking it: unknown keys (a misspelt `imgae:`
 * would silently run the default image), machine types, regions, and image references. Each problem
 * is located at its key or value in the file's text, when it is written there as a literal.
 */
import type { Diagnostic } from '../diagnostics.ts';
import { nearest } from '../nearest.ts';
import { lineColumnLocator } from '../text-positions.ts';
import { imageReferenceProblem } from './image-reference.ts';
import { machineTypeProblem } from './machine-types.ts';
import { PRODUCT_KEYS, type ProductDefinition } from './product.ts';
import { NAMING_SCHEMES, V2_SEPARATOR } from '../names/naming.ts';
import { BATCH_REGIONS, PRODUCT_REGIONS, WORKFLOWS_REGIONS, isProductRegion } from './regions-data.ts';

const FILE = 'workflows/product.ts';
type Located = { line?: number; column?: number };

export function productShapeProblems(product: ProductDefinition, source: string | undefined): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const locate = sourceLocator(source);
  const add = (path: readonly string[], at: 'key' | 'value', message: string, fix: string) => problems.push({ file: FILE, ...locate(path, at), path: path.join('.'), message, fix });

  const unknownKeys = (value: unknown, known: readonly string[], path: readonly string[]) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const near = nearest(key, known);
      add([...path, key], 'key', `unknown key "${key}"${path.length ? ` in ${path.join('.')}` : ''}`, `${near ? `did you mean "${near}"? ` : `remove "${key}"; `}known keys: ${known.join(', ')}`);
    }
  };
  const record = product as unknown as Record<string, unknown>;
  unknownKeys(record, PRODUCT_KEYS.product, []);
  unknownKeys(record.batch, PRODUCT_KEYS.batch, ['batch']);
  unknownKeys((record.batch as Record<string, unknown> | undefined)?.bootDisk, PRODUCT_KEYS.bootDisk, ['batch', 'bootDisk']);
  unknownKeys(record.tracking, PRODUCT_KEYS.tracking, ['tracking']);

  const image = (value: unknown, path: readonly string[]) => {
    if (typeof value !== 'string') return;
    const problem = imageReferenceProblem(value);
    if (problem)
      add(
        path,
        'value',
        `image "${value}" ${problem}`,
        'write LOCATION-docker.pkg.dev/PROJECT-ID/REPOSITORY/IMAGE:TAG (or @sha256:DIGEST), see https://cloud.google.com/artifact-registry/docs/docker/names',
      );
  };
  image(product.batch?.image, ['batch', 'image']);
  const machineType = product.batch?.machineType;
  if (typeof machineType === 'string') {
    const problem = machineTypeProblem(machineType);
    if (problem) add(['batch', 'machineType'], 'value', problem, 'use a predefined machine type such as "n1-standard-2" or "e2-standard-4"');
  }

  const naming: unknown = record.naming;
  if (naming !== undefined && !(NAMING_SCHEMES as readonly unknown[]).includes(naming)) {
    add(
      ['naming'],
      'value',
      `naming ${JSON.stringify(naming)} is not a naming scheme`,
      `write naming: 'v2' (or remove it to keep the v1 names of an existing deployment; README, "Two products in one project")`,
    );
  }
  if (naming === 'v2' && typeof product.name === 'string' && product.name.includes(V2_SEPARATOR)) {
    add(
      ['name'],
      'value',
      `product name "${product.name}" contains "${V2_SEPARATOR}", which naming v2 puts between the product and the client name in the ids it derives (batch-PRODUCT${V2_SEPARATOR}CLIENT)`,
      `choose a name with single hyphens, such as "${product.name.replace(/-{2,}/g, '-')}"`,
    );
  }

  for (const [env, definition] of Object.entries(product.environments ?? {})) {
    unknownKeys(definition, PRODUCT_KEYS.environment, ['environments', env]);
    unknownKeys(definition?.quotas, PRODUCT_KEYS.quotas, ['environments', env, 'quotas']);
    const accounts: unknown = definition?.quotas?.serviceAccounts;
    if (accounts !== undefined && !(typeof accounts === 'number' && Number.isSafeInteger(accounts) && accounts >= 1)) {
      add(
        ['environments', env, 'quotas', 'serviceAccounts'],
        'value',
        `quotas.serviceAccounts must be a whole number of at least 1 (got ${JSON.stringify(accounts)})`,
        "write the quota Google granted the project (the console's IAM & Admin > Quotas page), or remove it to use the default of 100",
      );
    }
    image(definition?.image, ['environments', env, 'image']);
    const region: unknown = definition?.region;
    if (typeof region === 'string' && !isProductRegion(region)) {
      const inWorkflows = (WORKFLOWS_REGIONS as readonly string[]).includes(region);
      const inBatch = (BATCH_REGIONS as readonly string[]).includes(region);
      const near = nearest(region, PRODUCT_REGIONS);
      add(
        ['environments', env, 'region'],
        'value',
        inWorkflows || inBatch
          ? `"${region}" offers ${inWorkflows ? 'Workflows but not Batch' : 'Batch but not Workflows'}; the workflows and their Batch jobs run in this one region`
          : `"${region}" is not a region offering Workflows and Batch`,
        `${near ? `did you mean "${near}"? ` : ''}use one of ${PRODUCT_REGIONS.join(', ')} (src/config/regions-data.ts, from Google's Workflows and Batch locations pages)`,
      );
    }
  }
  return problems;
}

/**
 * The warning generate prints for a product on the v1 names (no `naming:` key): they are ambiguous
 * when another product shares the project. Located at the product's `name:`.
 */
export function namingWarnings(product: ProductDefinition, source: string | undefined): Diagnostic[] {
  if (product.naming !== undefined) return [];
  return [
    {
      file: FILE,
      ...sourceLocator(source)(['name'], 'key'),
      path: 'naming',
      message: `product ${product.name} uses the v1 names (no naming: key): batch-PRODUCT-CLIENT ids and bare client service account ids, which another product in the same project can derive too`,
      fix: `new products: add naming: 'v2'; deployed ones: follow README "Two products in one project" to migrate, or add naming: 'v1' to keep these names`,
    },
  ];
}

/**
 * Where the key at `path` (each key searched after the previous one) or its value starts in the
 * source, comments masked. Empty when the source is absent or the key is not written there.
 */
function sourceLocator(source: string | undefined): (path: readonly string[], at: 'key' | 'value') => Located {
  if (source === undefined) return () => ({});
  const text = maskComments(source);
  const position = lineColumnLocator(source);
  return (path, at) => {
    let offset = 0;
    let match: RegExpExecArray | null = null;
    for (const key of path) {
      const pattern = new RegExp(`(?<![A-Za-z0-9_$])(['"]?)${key.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}\\1\\s*:\\s*`, 'g');
      pattern.lastIndex = offset;
      match = pattern.exec(text);
      if (!match) return {};
      offset = match.index + match[0].length;
    }
    return match ? position(at === 'key' ? match.index : offset) : {};
  };
}

/** The source with `//` and `/* *\/` comments replaced by spaces (strings kept), so offsets stay. */
function maskComments(source: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quote) {
      out += ch;
      if (ch === '\\') out += source[++i] ?? '';
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
      out += ch;
    } else if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') (out += ' '), i++;
      if (i < source.length) out += '\n';
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else out += ch;
  }
  return out;
}
