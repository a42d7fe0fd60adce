/**
 * generated/schema/client.md: every client field in a table (name, type, default, required,
 * description), made from the same zod schema that validates the files, in the spirit of
 * terraform-docs, so the reference cannot drift from what is accepted.
 */
import { clientJsonSchema } from './client-schema.ts';

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchemaNode[];
}

interface Row {
  readonly field: string;
  readonly type: string;
  readonly defaultValue: string;
  /** `yes`, `no`, or `yes, in \`schedule\`` for a field its optional parent cannot do without. */
  readonly required: string;
  readonly description: string;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.anyOf) return node.anyOf.map(typeOf).join(' \\| ');
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
  const bounds: string[] = [];
  if (node.minimum !== undefined || node.maximum !== undefined) bounds.push(`${node.minimum ?? ''}–${node.maximum ?? ''}`);
  if (node.minLength !== undefined || node.maxLength !== undefined) bounds.push(`${node.minLength ?? 0}–${node.maxLength ?? '∞'} chars`);
  if (node.minItems !== undefined || node.maxItems !== undefined) bounds.push(`${node.minItems ?? 0}–${node.maxItems ?? '∞'} items`);
  if (type === 'array' && node.items) return `list of ${node.items.properties ? 'objects' : typeOf(node.items)}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
  if (type === 'object' && typeof node.additionalProperties === 'object') return `map of ${typeOf(node.additionalProperties)}`;
  return bounds.length ? `${type} (${bounds.join(', ')})` : type;
}

/**
 * `parent` is the field this node belongs to and whether a file must have it; a field its parent
 * requires is required outright under a required parent, and "yes, in `parent`" under an optional one
 * (a `schedule` needs a `cron`, though a client needs no `schedule`).
 */
function walk(node: JsonSchemaNode, prefix: string, parent: { field: string; required: boolean } | undefined, rows: Row[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (key === '$schema') continue;
    const field = `${prefix}${key}`;
    const inParent = (node.required ?? []).includes(key);
    const isRequired = inParent && (parent === undefined || parent.required);
    rows.push({
      field,
      type: typeOf(child),
      defaultValue: child.default !== undefined ? JSON.stringify(child.default) : '',
      required: isRequired ? 'yes' : inParent && parent ? `yes, in \`${parent.field}\`` : 'no',
      description: (child.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' '),
    });
    if (child.properties) walk(child, `${field}.`, { field, required: isRequired }, rows);
    if (child.items?.properties) walk(child.items, `${field}[].`, { field: `${field}[]`, required: isRequired }, rows);
  }
}

export function clientFieldRows(): Row[] {
  const rows: Row[] = [];
  walk(clientJsonSchema() as JsonSchemaNode, '', undefined, rows);
  return rows;
}

export function clientDocsMarkdown(header: string, environments: readonly string[]): string {
  const lines = [
    header,
    '# Client file reference',
    '',
    `One JSON file per client in \`clients/<name>.json\`. Unknown keys are errors. Environments of this product: ${environments.map((e) => `\`${e}\``).join(', ')}.`,
    '',
    '| field | type | default | required | description |',
    '|---|---|---|---|---|',
    ...clientFieldRows().map((r) => `| \`${r.field}\` | ${r.type} | ${r.defaultValue ? `\`${r.defaultValue}\`` : ''} | ${r.required} | ${r.description} |`),
    '',
  ];
  return lines.join('\n');
}
