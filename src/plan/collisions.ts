/**
 * Names two products (or two documents) both claim. Derived names are project-wide, and naming v1
 * joins product and client with hyphens, which both may contain: product `scoring` with client
 * `eu-team-alpha` and product `scoring-eu` with client `team-alpha` both derive the trigger
 * `batch-scoring-eu-team-alpha`, and a client's service account id is its bare name, so two
 * products with a client of the same name derive the same account. Naming v2 (naming.ts) derives
 * no such pair, yet a name can still be taken (two products of one name, a v1 product beside a v2
 * one, a name made by hand). Plan sees only one product's
 * documents, so it finds such a collision where it can be seen: a live resource at a desired name
 * that carries another product's marks (the product deployed first keeps it), or two documents
 * claiming one resource. Each is a located error before anything is written, with the file to
 * change, not only a conflict line among the changes.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Owner } from '../names/ownership.ts';
import type { Resource, ResourceDocument } from '../resources/types.ts';
import type { Change } from './types.ts';

const WHAT: Partial<Record<Resource['kind'], string>> = {
  ServiceAccount: 'service account',
  Topic: 'Pub/Sub topic',
  Trigger: 'Eventarc trigger',
  SchedulerJob: 'Cloud Scheduler job',
  Workflow: 'workflow',
};

/** The source a derived name comes from: the client's file, or product.ts for the product's own. */
function sourceOf(owner: Owner): string {
  return owner.client ? `clients/${owner.client}.json` : 'workflows/product.ts';
}

function whose(owner: Owner): string {
  return owner.client ? `product ${owner.product}'s client ${owner.client}` : `product ${owner.product} itself`;
}

/**
 * Conflicts with a resource another product marks, on the kinds whose names are derived (their
 * policies share the resource's owner and would only repeat the error).
 */
export function productCollisionErrors(changes: readonly Change[]): Diagnostic[] {
  const errors: Diagnostic[] = [];
  for (const change of changes) {
    if (change.action !== 'conflict' || change.otherProduct === undefined) continue;
    const what = WHAT[change.kind];
    if (!what) continue;
    const theirs = change.live.owner;
    errors.push({
      file: sourceOf(change.owner),
      message:
        `the ${what} ${change.name} that ${whose(change.owner)} derives already exists for ${whose(theirs)}: ` +
        `two products in one project must not derive the same name (under naming v1 a client's service account id is the client name, and topics, triggers and scheduler jobs are batch-PRODUCT-CLIENT… with hyphens joining both), so this one is left to ${theirs.product}`,
      fix: change.owner.client
        ? `rename the client (its "name" in ${sourceOf(change.owner)} and the file) so that no name it derives is one of ${theirs.product}'s, give both products naming: 'v2' (README, "Two products in one project"), or deploy the product in its own project`
        : `rename the product in workflows/product.ts, or deploy it in its own project`,
    });
  }
  return errors;
}

/** Resource keys that more than one document claims; a secret grant may be carried by each client naming the secret. */
export function duplicateClaimErrors(documents: readonly ResourceDocument[], keyOf: (r: Resource) => string): Diagnostic[] {
  const claims = new Map<string, ResourceDocument[]>();
  for (const document of documents) {
    for (const resource of document.resources) {
      if (resource.kind === 'SecretAccess') continue;
      const key = keyOf(resource);
      const list = claims.get(key) ?? [];
      list.push(document);
      claims.set(key, list);
    }
  }
  const errors: Diagnostic[] = [];
  for (const [key, docs] of claims) {
    if (docs.length < 2) continue;
    const files = docs.map((d) => `generated/${d.environment}/${d.client ? `clients/${d.client}` : 'product'}.yaml`);
    errors.push({
      file: files[0]!,
      message: `${key} is claimed by ${files.join(' and ')}: one name, two owners, and apply would write one over the other`,
      fix: 'rename one of the clients so the names they derive differ, then npm run generate (a generated/ edited by hand: npm run generate restores it)',
    });
  }
  return errors;
}

/**
 * A client whose topic or service account is desired under one name and left (or deleted) under
 * another: a rename, as a switch from naming v1 to v2 makes. Google renames neither, so the
 * new one is created and the old one is deleted by `--prune`; what hangs on the old one does not
 * move with it, and the plan says so.
 */
export function renameWarnings(changes: readonly Change[]): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  for (const kind of ['Topic', 'ServiceAccount'] as const) {
    const created = new Map<string, string>();
    // Created now, or by an earlier apply of the rename (its leftovers still live).
    for (const c of changes) if (c.kind === kind && c.action !== 'orphan' && c.action !== 'delete' && c.action !== 'conflict' && c.owner.client !== undefined) created.set(c.owner.client, c.name);
    for (const c of changes) {
      if (c.kind !== kind || (c.action !== 'orphan' && c.action !== 'delete') || c.owner.client === undefined) continue;
      const next = created.get(c.owner.client);
      if (next === undefined) continue;
      warnings.push(
        kind === 'Topic'
          ? {
              path: c.name,
              message: `client ${c.owner.client}'s topic is renamed to ${next}: the old one ${c.action === 'delete' ? 'is deleted now' : 'is left until apply --prune'}; its subscriptions are not moved and receive no status messages once the workflows publish to the new topic`,
              fix: `have the client's subscribers create their subscriptions on ${next} (gcloud pubsub subscriptions create SUB --topic=${next}), then run apply --prune (README, "Two products in one project")`,
            }
          : {
              path: c.name,
              message: `client ${c.owner.client}'s service account is renamed to ${next}: the old one ${c.action === 'delete' ? 'is deleted now' : 'is left until apply --prune'}, and the client folders grant the new one only; whoever uploads as the old one (impersonation, keys) must switch to the new one`,
              fix: `tell the client's uploaders the new account (they keep their tokenCreator grant on it), then run apply --prune (README, "Two products in one project")`,
            },
      );
    }
  }
  return warnings;
}
