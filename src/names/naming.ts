/**
 * Every name batch-workflows derives from a product and a client, with the rules of the API that
 * receives it. Validation of client files (src/config) and the resource model (src/resources) both
 * ask these functions, so "what we generate" and "what we accept" cannot drift apart; this folder
 * imports neither, so they do not import each other. Names follow the seed's gcloud runbook (docs/design.md §3).
 */
import { conditionTitle, ownershipMarker, type Owner } from './ownership.ts';
import { createHash } from 'node:crypto';

/** A derived identifier and the rule it must satisfy. */
export interface IdRule {
  readonly what: string;
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly describe: string;
}

/*
 * Google's rules for each derived id:
 * - service account id: "must be 6-30 characters long, and match the regular expression
 *   [a-z]([-a-z0-9]*[a-z0-9])" (CreateServiceAccountRequest.account_id, IAM Admin API v1 reference,
 *   https://cloud.google.com/python/docs/reference/iam/latest/google.cloud.iam_admin_v1.types.CreateServiceAccountRequest).
 * - Pub/Sub topic: "must start with a letter, and contain only letters ([A-Za-z]), numbers ([0-9]),
 *   dashes (-), underscores (_), periods (.), tildes (~), plus (+) or percent signs (%). It must be
 *   between 3 and 255 characters in length, and it must not start with "goog"" (Topic.name,
 *   https://cloud.google.com/python/docs/reference/pubsub/latest/google.cloud.pubsub_v1.types.Topic).
 * - Cloud Scheduler job: "JOB_ID can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-),
 *   or underscores (_). The maximum length is 500 characters" (Job.name,
 *   https://cloud.google.com/python/docs/reference/cloudscheduler/latest/google.cloud.scheduler_v1.types.Job).
 * - Eventarc trigger: the REST reference says only that the name "must be unique within the location
 *   of the project and must be in projects/{project}/locations/{location}/triggers/{trigger} format"
 *   (https://cloud.google.com/eventarc/docs/reference/rest/v1/projects.locations.triggers); the
 *   RFC 1035 label rule below (63 characters, lowercase, starting with a letter) is the stricter
 *   rule gcloud and the console apply to resource ids, kept so that no id we derive can be refused.
 * Every one of them allows `--`, which is what naming v2 (below) joins product and client with.
 */
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

// ---- naming schemes ----------------------------------------------------------------------------

/**
 * How a product's per-client ids are derived (product.ts `naming`; absent means v1, so deployed
 * resources keep their names until the product opts in).
 *
 * - v1, the seed runbook's: `batch-PRODUCT-CLIENT[-outputs]` for the trigger, scheduler job and
 *   topic, and the bare client name as its service account id. Ambiguous: both names may contain
 *   hyphens (product `scoring` + client `eu-team-alpha` and product `scoring-eu` + client
 *   `team-alpha` derive the same ids), and two products' clients of one name share an account id.
 * - v2: `batch-PRODUCT--CLIENT[-outputs]`, where neither name may contain `--` and neither can end
 *   (product) or start (client) with a hyphen, so the first `--` is always the boundary and one id
 *   has exactly one (product, client); the client's service account id is `CLIENT-HASH`, HASH the
 *   first 6 base-32 characters of SHA-256 of the product name, so each product's clients carry
 *   their own suffix within the 30 characters Google allows (a client name is then at most 23).
 */
export type NamingScheme = 'v1' | 'v2';
export const NAMING_SCHEMES: readonly NamingScheme[] = ['v1', 'v2'];

/** A product's naming scheme: without a `naming:` key, v1, the names already-deployed products have. */
export function namingOf(product: { readonly naming?: NamingScheme | undefined }): NamingScheme {
  return product.naming ?? 'v1';
}
/** What joins product and client under v2; names of a v2 product may not contain it. */
export const V2_SEPARATOR = '--';
/** Characters of the product hash in a v2 client account id. */
export const ACCOUNT_HASH_LENGTH = 6;

function productClient(naming: NamingScheme, product: string, client: string): string {
  return naming === 'v2' ? `${product}${V2_SEPARATOR}${client}` : `${product}-${client}`;
}

/** Lowercase RFC 4648 base-32 (a–z, 2–7) of SHA-256(product): letters and digits only, so valid in an account id. */
export function productHash(product: string): string {
  const bytes = createHash('sha256').update(product, 'utf8').digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < ACCOUNT_HASH_LENGTH) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= ACCOUNT_HASH_LENGTH) break;
  }
  return out;
}

/** A client's service account id: its name (v1), or `CLIENT-HASH` with the product's hash (v2). */
export function clientAccountId(product: string, client: string, naming: NamingScheme = 'v1'): string {
  return naming === 'v2' ? `${client}-${productHash(product)}` : client;
}

/**
 * Every account id a client's condition titles and folder names may stand for, under either scheme:
 * ownership by name (a deleted account, an interrupted rename) must hold across a migration.
 */
export function clientAccountIds(product: string, client: string): string[] {
  return NAMING_SCHEMES.map((naming) => clientAccountId(product, client, naming));
}

/** The emails of clientAccountIds in `project`. */
export function clientAccountEmails(product: string, client: string, project: string): string[] {
  return clientAccountIds(product, client).map((id) => serviceAccountEmail(id, project));
}

export function triggerId(product: string, client: string, naming: NamingScheme = 'v1'): string {
  return `batch-${productClient(naming, product, client)}`;
}

export function topicId(product: string, client: string, naming: NamingScheme = 'v1'): string {
  return `batch-${productClient(naming, product, client)}-outputs`;
}

/** The topic id with the client's name left out, for the workflows, which append it at run time. */
/** A client topic's id as the text before and after the client's name. */
export interface ClientTopicId {
  readonly before: string;
  readonly after: string;
}

export function topicIdAround(product: string, naming: NamingScheme): ClientTopicId {
  const marker = '\u0000';
  const [before, after] = topicId(product, marker, naming).split(marker) as [string, string];
  return { before, after };
}

export function schedulerJobId(product: string, client: string, naming: NamingScheme = 'v1'): string {
  return `batch-${productClient(naming, product, client)}`;
}

/**
 * The client name rule of each scheme, for the JSON Schema of client files: v1 is the service
 * account rule (the name is the account id); v2 forbids `--` and leaves room for `-HASH`.
 */
export function clientNameRule(naming: NamingScheme): { readonly pattern: string; readonly maxLength: number } {
  return naming === 'v2'
    ? { pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', maxLength: ID_RULES.serviceAccountId.maxLength - ACCOUNT_HASH_LENGTH - 1 }
    : { pattern: ID_RULES.serviceAccountId.pattern.source, maxLength: ID_RULES.serviceAccountId.maxLength };
}

/** Folder of one client in the product bucket: `PRODUCT/CLIENT/`. */
export function clientPrefix(product: string, client: string): string {
  return `${product}/${client}/`;
}

/** The names derived from a client name, each with its rule, for validation. */
export function derivedClientIds(product: string, client: string, naming: NamingScheme = 'v1'): { id: string; rule: IdRule }[] {
  return [
    { id: clientAccountId(product, client, naming), rule: ID_RULES.serviceAccountId },
    { id: triggerId(product, client, naming), rule: ID_RULES.triggerId },
    { id: topicId(product, client, naming), rule: ID_RULES.topicId },
    { id: schedulerJobId(product, client, naming), rule: ID_RULES.schedulerJobId },
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
