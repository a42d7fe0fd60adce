/**
 * generated/<env>/*.yaml ⇄ ResourceDocument. The written form leaves out what the document already
 * says (each resource's owner is the document's product and client), so a reviewer reads only fields
 * that are sent to Google; parsing puts it back.
 */
import { load } from 'js-yaml';
import { APPLY_ORDER, type Resource, type ResourceDocument } from '../resources/types.ts';
import type { Owner } from '../names/ownership.ts';
import { toYaml, yamlHeader } from './yaml.ts';

/** Every kind there is (APPLY_ORDER names each once). */
const RESOURCE_KINDS: ReadonlySet<string> = new Set(APPLY_ORDER);

export function serializeResourceDocument(document: ResourceDocument, sources: readonly string[]): string {
  const body = {
    environment: document.environment,
    project: document.project,
    region: document.region,
    product: document.product,
    ...(document.client ? { client: document.client } : {}),
    ...(document.quotas ? { quotas: document.quotas } : {}),
    resources: document.resources.map(({ owner: _owner, ...rest }) => {
      const { sourceContents: _contents, ...written } = rest as Resource & { sourceContents?: string };
      return written;
    }),
  };
  return yamlHeader(sources) + toYaml(body);
}

export class ResourceDocumentError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ResourceDocumentError';
  }
}

/** Parses a document written by serializeResourceDocument (throws ResourceDocumentError if it is not one). */
export function parseResourceDocument(text: string, file: string): ResourceDocument {
  let data: unknown;
  try {
    data = load(text, { filename: file });
  } catch (error) {
    throw new ResourceDocumentError(file, `not valid YAML: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null) throw new ResourceDocumentError(file, 'not a resource document');
  const doc = data as Record<string, unknown>;
  for (const key of ['environment', 'project', 'region', 'product'] as const) {
    if (typeof doc[key] !== 'string') throw new ResourceDocumentError(file, `missing "${key}"`);
  }
  if (!Array.isArray(doc.resources)) throw new ResourceDocumentError(file, 'missing "resources"');
  const quotas = doc.quotas as Record<string, unknown> | undefined;
  if (quotas !== undefined && (typeof quotas !== 'object' || quotas === null || (quotas.serviceAccounts !== undefined && !Number.isSafeInteger(quotas.serviceAccounts)))) {
    throw new ResourceDocumentError(file, '"quotas" is not { serviceAccounts: N }');
  }
  const owner: Owner = {
    product: doc.product as string,
    ...(typeof doc.client === 'string' ? { client: doc.client } : {}),
  };
  const resources = doc.resources.map((entry, index) => {
    if (typeof entry !== 'object' || entry === null || !RESOURCE_KINDS.has(String((entry as { kind?: unknown }).kind))) {
      throw new ResourceDocumentError(file, `resources[${index}] has no known kind`);
    }
    return { ...(entry as object), owner } as Resource;
  });
  return {
    environment: doc.environment as string,
    project: doc.project as string,
    region: doc.region as string,
    product: doc.product as string,
    ...(owner.client ? { client: owner.client } : {}),
    ...(quotas ? { quotas: { ...(quotas.serviceAccounts !== undefined ? { serviceAccounts: quotas.serviceAccounts as number } : {}) } } : {}),
    resources,
  };
}
