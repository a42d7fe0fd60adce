/**
 * What must hold before apply may start, each failure a located error with the command that fixes
 * it: the product bucket (exists, uniform bucket-level access on), the project policy within
 * Google's limits, and every notification secret a client names (exists, labelled for that client).
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { Resource } from '../resources/types.ts';
import { SECRET_CLIENT_LABEL, SECRET_PRODUCT_LABEL, secretLabelsFlag } from '../names/naming.ts';
import { applyIamEdits, iamEditsOf, policyLimitProblems } from './iam.ts';
import { exampleWebhookUrl } from './run-settings.ts';
import type { Change, LiveState } from './types.ts';

export function preconditionErrors(live: LiveState, changes: readonly Change[], project: string): Diagnostic[] {
  const errors: Diagnostic[] = [];
  if (!live.bucket.exists) {
    errors.push({
      path: `gs://${live.bucket.name}`,
      message: `the product bucket gs://${live.bucket.name} does not exist; batch-workflows does not manage it (it holds every client's data)`,
      fix: `create it: gcloud storage buckets create gs://${live.bucket.name} --project=${project} --location=${live.bucket.location} --uniform-bucket-level-access`,
    });
  } else if (live.bucket.uniformBucketLevelAccess === false) {
    // "Managed folders can only be created in buckets that have uniform bucket-level access enabled"
    // (https://cloud.google.com/storage/docs/managed-folders); with object ACLs, an ACL could also
    // grant what the folder policies refuse.
    errors.push({
      path: `gs://${live.bucket.name}`,
      message: `the product bucket gs://${live.bucket.name} does not use uniform bucket-level access; client access goes through managed folders, which need it`,
      fix: `turn it on (object ACLs stop applying): gcloud storage buckets update gs://${live.bucket.name} --uniform-bucket-level-access`,
    });
  }
  const edits = changes.flatMap(iamEditsOf);
  if (edits.length > 0) errors.push(...policyLimitProblems(applyIamEdits(live.policy, edits), project));
  return errors;
}

/**
 * Every secret a client's notification target names must exist, and carry the labels
 * batch-workflows-product=PRODUCT and batch-workflows-client=CLIENT, before apply grants the
 * orchestrator access to it: a client file can then name only a secret set up for that client, not
 * any secret of the project. With a client filter, only that client's secrets count.
 */
export function secretErrors(live: LiveState, desired: readonly Resource[], product: string, project: string, filter: string | undefined): Diagnostic[] {
  const found = new Map(live.secretPolicies.map((p) => [p.secret, p]));
  const namedBy = new Map<string, { client: string; type: string }[]>();
  for (const r of desired) {
    if (r.kind !== 'RunSettings') continue;
    for (const target of r.settings.notify) {
      const list = namedBy.get(target.secret) ?? [];
      list.push({ client: r.owner.client ?? r.settings.client, type: target.type });
      namedBy.set(target.secret, list);
    }
  }
  const errors: Diagnostic[] = [];
  // One check per secret, in name order, however many clients' documents carry its grant.
  const grants = new Map<string, Resource & { kind: 'SecretAccess' }>();
  for (const r of desired) if (r.kind === 'SecretAccess' && !grants.has(r.secret)) grants.set(r.secret, r);
  for (const r of [...grants.values()].sort((a, b) => (a.secret < b.secret ? -1 : 1))) {
    const users = namedBy.get(r.secret) ?? [];
    if (filter !== undefined && !users.some((u) => u.client === filter)) continue;
    const id = r.secret.split('/').pop() ?? r.secret;
    const secretProject = /^projects\/([^/]+)\//.exec(r.secret)?.[1] ?? project;
    const live = found.get(r.secret);
    if (!live?.policy) {
      const who = users.map((u) => `${u.client} (${u.type})`).join(', ');
      const client = users[0]?.client ?? 'CLIENT';
      errors.push({
        path: r.secret,
        message: `the secret ${id} does not exist in project ${secretProject}; ${who ? `the notification target of ${who} reads its webhook URL from it` : 'a notification target reads its webhook URL from it'}, and batch-workflows never handles the URL itself`,
        fix: `create it with the webhook URL as its value, labelled for its client: printf %s '${exampleWebhookUrl(users[0]?.type ?? 'webhook')}' | gcloud secrets create ${id} --project=${secretProject} --labels=${secretLabelsFlag(product, client)} --data-file=-`,
      });
      continue;
    }
    for (const user of users.filter((u) => filter === undefined || u.client === filter)) {
      const labels = live.labels ?? {};
      if (labels[SECRET_PRODUCT_LABEL] === product && labels[SECRET_CLIENT_LABEL] === user.client) continue;
      const has =
        labels[SECRET_PRODUCT_LABEL] !== product
          ? `is not labelled ${SECRET_PRODUCT_LABEL}=${product}`
          : labels[SECRET_CLIENT_LABEL] !== user.client
            ? `is labelled for client "${labels[SECRET_CLIENT_LABEL] ?? ''}"`
            : 'is not labelled for it';
      errors.push({
        path: r.secret,
        message: `client ${user.client} names the secret ${id} for its ${user.type} notifications, but the secret ${has}: only a secret labelled ${secretLabelsFlag(product, user.client)} is provably this client's`,
        fix: `if ${id} really is ${user.client}'s webhook secret: gcloud secrets update ${id} --project=${secretProject} --update-labels=${secretLabelsFlag(product, user.client)}; otherwise name the client's own secret`,
      });
    }
  }
  return errors;
}
