/**
 * Every name batch-workflows derives from a product and a client, with the rules of the API that
 * receives it. Validation of client files (src/config) and the resource model (src/resources) both
 * ask these functions, so "what we generate" and "what we accept" cannot drift apart; this folder
 * imports neither, so they do not import each other. Names follow the seed's gcloud runbook (docs/design.md §3).
 */
import { conditionTitle, ownershipMarker, type Owner } from './ownership.ts';

/** A derived identifier and the rule it must satisfy. */
export interface IdRule {
  readonly what: string;
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly describe: string;
}

export const ID_RULES = {
  serviceAccountId: {
    what: 'service account id',
    pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
    maxLength: 30,
    describe: '6–30 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
  },
  triggerId: {
    what: 'Eventarc trigger id',
    pattern: /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
    maxLength: 63,
    describe: 'at most 63 characters: lowercase letters, digits and hyphens, starting with a letter',
  },
  topicId: {
    what: 'Pub/Sub topic id',
    pattern: /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/,
    maxLength: 255,
    describe: '3–255 characters, starting with a letter, not starting with "goog"',
  },
  schedulerJobId: {
    what: 'Cloud Scheduler job id',
    pattern: /^[A-Za-z0-9_-]{1,500}$/,
    maxLength: 500,
    describe: 'at most 500 characters: letters, digits, hyphens and underscores',
  },
  batchJobId: {
    what: 'Batch job id (made at run time by the workflows)',
    pattern: /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/,
    maxLength: 63,
    describe: 'at most 63 characters: lowercase letters, digits and hyphens',
  },
  workflowId: {
    // Google's rule (CreateWorkflowRequest.workflow_id in google/cloud/workflows/v1/workflows.proto;
    // https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows/create):
    // letters, numbers, underscores and hyphens; starts with a letter; 1-64 characters; ends with a
    // number or a letter. The DSL's check and the sandbox's workflows.create use this one pattern.
    what: 'workflow id',
    pattern: /^[A-Za-z](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$/,
    maxLength: 64,
    describe: '1–64 characters: letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit',
  },
  labelValue: {
    what: 'label value',
    pattern: /^[a-z0-9_-]{0,63}$/,
    maxLength: 63,
    describe: 'at most 63 characters: lowercase letters, digits, hyphens and underscores',
  },
  conditionTitle: {
    what: 'IAM condition title',
    pattern: /^[A-Za-z0-9:_-]{1,100}$/,
    maxLength: 100,
    describe: 'at most 100 characters',
  },
} as const satisfies Record<string, IdRule>;

/** Bucket names as Cloud Storage accepts them (dotted names are domain-verified; not supported here). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/;
/** GCP project ids. */
export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** Regions such as europe-west1. */
export const REGION = /^[a-z]+-[a-z]+[0-9]+$/;

export function defaultBucket(project: string): string {
  return `${project}-batch`;
}

export function serviceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}

export function serviceAccountName(accountId: string, project: string): string {
  return `projects/${project}/serviceAccounts/${serviceAccountEmail(accountId, project)}`;
}

/** Workflow id of one of the product's workflows: `PRODUCT-batch-inference`. */
export function workflowId(product: string, workflowName: string): string {
  return `${product}-${workflowName}`;
}

export function triggerId(product: string, client: string): string {
  return `batch-${product}-${client}`;
}

export function topicId(product: string, client: string): string {
  return `batch-${product}-${client}-outputs`;
}

export function schedulerJobId(product: string, client: string): string {
  return `batch-${product}-${client}`;
}

/** Folder of one client in the product bucket: `PRODUCT/CLIENT/`. */
export function clientPrefix(product: string, client: string): string {
  return `${product}/${client}/`;
}

/** The names derived from a client name, each with its rule, for validation. */
export function derivedClientIds(product: string, client: string): { id: string; rule: IdRule }[] {
  return [
    { id: client, rule: ID_RULES.serviceAccountId },
    { id: triggerId(product, client), rule: ID_RULES.triggerId },
    { id: topicId(product, client), rule: ID_RULES.topicId },
    { id: schedulerJobId(product, client), rule: ID_RULES.schedulerJobId },
    { id: conditionTitle({ product, client }, 'upload'), rule: ID_RULES.conditionTitle },
    // The longest job id the workflows make: PRODUCT-CLIENT-YYYYMMDD-xxxxxxxx (src/dsl/recipes/batch-job.ts).
    { id: `${product}-${client}-${'0'.repeat(BATCH_JOB_ID_SUFFIX_LENGTH)}`, rule: ID_RULES.batchJobId },
  ];
}

/**
 * Characters the workflows append to `PRODUCT-CLIENT-` to make a Batch job id (workflows/batch-*.ts),
 * so client names must satisfy len(product) + len(client) + 2 + 17 <= 63 (Batch's job id limit).
 */
export const BATCH_JOB_ID_SUFFIX_LENGTH = 17;

/**
 * A client name as the product accepts it: the service account id rule, as the workflows check it at
 * run time (text.match_regex; the pattern means the same in RE2 and JavaScript).
 */
export const CLIENT_NAME_PATTERN = ID_RULES.serviceAccountId.pattern.source;

export function violates(id: string, rule: IdRule): boolean {
  return id.length > rule.maxLength || !rule.pattern.test(id);
}

/** The product service account's display name. */
export function productAccountDisplayName(productDisplayName: string): string {
  return `${productDisplayName} workflows`;
}

/** The worker service account's display name. */
export function workerAccountDisplayName(productDisplayName: string): string {
  return `${productDisplayName} batch jobs`;
}

/** IAM's limits on service accounts, in UTF-8 bytes. */
export const SERVICE_ACCOUNT_DISPLAY_NAME_BYTES = 100;
export const SERVICE_ACCOUNT_DESCRIPTION_BYTES = 256;

/**
 * A service account description ending in its ownership marker, within IAM's 256 bytes: `text` when
 * it fits, else `shorter` (which must: it names no free text). The marker is never cut, or apply
 * would stop recognising the account as ours.
 */
export function serviceAccountDescription(text: string, shorter: string, owner: Owner): string {
  const full = `${text} ${ownershipMarker(owner)}`;
  return Buffer.byteLength(full, 'utf8') <= SERVICE_ACCOUNT_DESCRIPTION_BYTES ? full : `${shorter} ${ownershipMarker(owner)}`;
}

// ---- identities, folders and labels of issue 9 ----------------------------------------------------

/** The worker's account id: the identity the Batch containers run as, apart from the orchestrator. */
export function workerAccountId(product: string): string {
  return `${product}-worker`;
}

/**
 * Managed folders (https://cloud.google.com/storage/docs/managed-folders): a client's folder, its
 * inputs/ and outputs/ inside it, and the product's settings folder. Names end with "/", as the JSON
 * API returns them (managedFolder.name, e.g. `example_dir/example_dir2/`).
 */
export function clientFolder(product: string, client: string): string {
  return clientPrefix(product, client);
}
export function inputsFolder(product: string, client: string): string {
  return `${clientPrefix(product, client)}inputs/`;
}
export function outputsFolder(product: string, client: string): string {
  return `${clientPrefix(product, client)}outputs/`;
}
export function settingsFolder(product: string): string {
  return `${product}/_settings/`;
}

/**
 * Labels a notification secret must carry before plan lets the orchestrator read it: proof that
 * the secret was set up for this client of this product, not any secret a client file names.
 * Label keys and values: lowercase letters, digits, `_` and `-`, at most 63 characters
 * (https://cloud.google.com/secret-manager/docs/labels).
 */
export const SECRET_PRODUCT_LABEL = 'batch-workflows-product';
export const SECRET_CLIENT_LABEL = 'batch-workflows-client';

export function secretLabels(product: string, client: string): Record<string, string> {
  return { [SECRET_PRODUCT_LABEL]: product, [SECRET_CLIENT_LABEL]: client };
}

/** `--update-labels=` / `--labels=` value of gcloud secrets for a client's notification secret. */
export function secretLabelsFlag(product: string, client: string): string {
  return `${SECRET_PRODUCT_LABEL}=${product},${SECRET_CLIENT_LABEL}=${client}`;
}
