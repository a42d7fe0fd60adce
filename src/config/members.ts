/**
 * Principals a client file may name in `uploaders` and `subscribers`, in the identifier formats of
 * allow policies (https://cloud.google.com/iam/docs/principal-identifiers, "Principal identifiers
 * for allow policies"): Google accounts, groups, service accounts, and workload or workforce
 * identity federation (single identities `principal://…/subject/…`, sets `principalSet://…`).
 *
 * Refused on purpose: allUsers and allAuthenticatedUsers (anyone), domain: (a whole organisation),
 * and `deleted:` members (Google writes those itself). A wrong member is an error here, at
 * generate, not a refused setIamPolicy in the middle of an apply.
 */
import type { Diagnostic } from '../diagnostics.ts';
import type { ClientFile } from './client-schema.ts';
import type { ProductDefinition } from './product.ts';

/** RFC 5322 is far wider; this is what IAM shows for Google accounts, groups and service accounts. */
const EMAIL = /^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const POOL_ID = '[a-z0-9-]{4,32}';
const PROJECT_NUMBER = '[0-9]{1,20}';
/** Subject, group and attribute values are set by the identity provider: printable ASCII, "/" included (GitHub's attribute.repository/OWNER/REPO). */
const VALUE = '[!-~]{1,127}';
const ATTRIBUTE = 'attribute\\.[a-z_][a-z0-9_]{0,63}';
const WORKLOAD_POOL = `iam\\.googleapis\\.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/${POOL_ID}`;
const WORKFORCE_POOL = `iam\\.googleapis\\.com/locations/global/workforcePools/${POOL_ID}`;

const FEDERATED = [
  // Single identity in a workload or workforce identity pool.
  new RegExp(`^principal://(${WORKLOAD_POOL}|${WORKFORCE_POOL})/subject/${VALUE}$`),
  // A group, the identities with an attribute value, or the whole pool.
  new RegExp(`^principalSet://(${WORKLOAD_POOL}|${WORKFORCE_POOL})/(group/${VALUE}|${ATTRIBUTE}/${VALUE}|\\*)$`),
];

/** Why `member` cannot be an uploader or subscriber, or undefined when it can. */
export function memberProblem(member: string): { message: string; fix: string } | undefined {
  const fix =
    'write user:EMAIL, group:EMAIL, serviceAccount:EMAIL, or a workload identity federation principal such as principalSet://iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/attribute.repository/ORG/REPO (https://cloud.google.com/iam/docs/principal-identifiers)';
  if (member === 'allUsers' || member === 'allAuthenticatedUsers') {
    return { message: `"${member}" would let anyone act for this client`, fix: "name the client's own accounts, groups or federated identities" };
  }
  const typed = /^(user|group|serviceAccount|domain|deleted):(.*)$/.exec(member);
  if (typed) {
    const [, type, rest] = typed as unknown as [string, string, string];
    if (type === 'domain') return { message: `"${member}" names every account of a domain`, fix: 'name a group of that domain instead (group:EMAIL)' };
    if (type === 'deleted') return { message: `"${member}" is how Google shows a deleted principal`, fix: 'remove it, or name the principal as it is now' };
    if (!EMAIL.test(rest)) return { message: `"${member}" is not a ${type}: principal: "${rest}" is not an email address`, fix };
    if (type === 'serviceAccount' && !/\.gserviceaccount\.com$/.test(rest)) {
      return { message: `"${member}" is not a service account email (they end in .gserviceaccount.com)`, fix };
    }
    return undefined;
  }
  if (member.startsWith('principal://') || member.startsWith('principalSet://')) {
    return FEDERATED.some((p) => p.test(member)) ? undefined : { message: `"${member}" is not a workload or workforce identity federation principal`, fix };
  }
  return { message: `"${member}" is not a principal identifier`, fix };
}

/** `uploaders` and `subscribers`: principal identifiers of allow policies, each once. */
export function principalProblems(
  file: string,
  data: ClientFile,
  product: ProductDefinition,
  at: (path: readonly (string | number)[]) => { path: string; line?: number; column?: number },
): Diagnostic[] {
  const problems: Diagnostic[] = [];
  // A service account of the product's own projects is ours (another client's, the orchestrator,
  // the worker) or could become one: naming it would let one client act as, or listen for, another.
  const projects = new Set(Object.values(product.environments).map((e) => e.project));
  const ours = (member: string) => {
    const project = /^serviceAccount:[^@]+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$/.exec(member)?.[1];
    return project !== undefined && projects.has(project);
  };
  for (const field of ['uploaders', 'subscribers'] as const) {
    const seen = new Set<string>();
    (data[field] ?? []).forEach((member, index) => {
      const problem = memberProblem(member);
      if (problem) problems.push({ file, ...at([field, index]), ...problem });
      else if (ours(member)) {
        problems.push({
          file,
          ...at([field, index]),
          message: `${member} is a service account of the product's own project, where batch-workflows keeps each client's and the product's accounts: one client could act as another`,
          fix: "name the client's people, groups or workload identities, or a service account in a project of the client's",
        });
      } else if (seen.has(member)) problems.push({ file, ...at([field, index]), message: `${member} is listed twice`, fix: 'remove the duplicate' });
      seen.add(member);
    });
  }
  return problems;
}
