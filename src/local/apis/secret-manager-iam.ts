/**
 * Secret Manager IAM (https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/getIamPolicy,
 * /setIamPolicy, /testIamPermissions is not served): the policy of one secret, which is where
 * batch-workflows grants the product service account `roles/secretmanager.secretAccessor`.
 *
 * As Google does: getIamPolicy is a GET with `options.requestedPolicyVersion` (a POST with the
 * options in the body is accepted too); a policy with conditions read below version 3 shows each
 * conditional role as `ROLE_withcond_HASH`; a write whose etag is not the current one fails 409
 * ABORTED; a write without an etag overwrites; bindings are stored exactly as sent. A new secret's
 * policy is empty with etag `ACAB`. The policy lives with the secret (deleting the secret deletes it).
 */
import { ApiError, invalid, foundOr, route, type ApiRequest, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { etag, isRecord, sameEtag } from '../google-shapes.ts';
import { MAX_PRINCIPALS, policyView, requestedPolicyVersion, validateBindings, type Binding } from './iam-policy.ts';
import { serviceAccountNotYetVisible } from './iam.ts';

const EMPTY_POLICY = { version: 1, etag: 'ACAB', bindings: [] as Binding[] };
/** Permissions that apply to a secret: a role granted on one must hold one of them. */
const SECRET_PERMISSIONS = ['secretmanager.secrets.', 'secretmanager.versions.'];

export function secretManagerIamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const secretName = (req: ApiRequest) => `projects/${req.params.project}/secrets/${req.params.secret}`;
  const mustGetSecret = (name: string) => foundOr(state.get('secrets', name), `Secret [${name}] not found or has no versions.`);
  const policyOf = (secret: Record<string, any>) => (secret._iamPolicy as typeof EMPTY_POLICY | undefined) ?? EMPTY_POLICY;

  const getPolicy = (req: ApiRequest, requested: number) => ({ json: policyView(policyOf(mustGetSecret(secretName(req))), requested) });

  return [
    route('GET', '/v1/projects/{project}/secrets/{secret}:getIamPolicy', 'secrets.getIamPolicy', (req) => getPolicy(req, requestedPolicyVersion(req.param('options.requestedPolicyVersion')))),
    route(
      'POST',
      '/v1/projects/{project}/secrets/{secret}:getIamPolicy',
      'secrets.getIamPolicy',
      (req) => {
        const body = req.json();
        return getPolicy(req, requestedPolicyVersion(body.options?.requestedPolicyVersion ?? req.param('options.requestedPolicyVersion')));
      },
      false,
    ),
    route('POST', '/v1/projects/{project}/secrets/{secret}:setIamPolicy', 'secrets.setIamPolicy', (req) => {
      const name = secretName(req);
      const secret = mustGetSecret(name);
      const body = req.json();
      if (!isRecord(body.policy)) throw invalid('policy is required.');
      const incoming = body.policy;
      const current = policyOf(secret);
      const version = Number(incoming.version ?? 0);
      if (![0, 1, 3].includes(version)) throw invalid(`Invalid policy version ${String(incoming.version)}: valid values are 0, 1 and 3.`);
      // Policy.etag is bytes (google/iam/v1/policy.proto): compared as bytes, whatever base64 alphabet.
      if (incoming.etag !== undefined && incoming.etag !== '' && !sameEtag(incoming.etag, current.etag)) {
        throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const bindings = validateBindings(incoming.bindings, SECRET_PERMISSIONS);
      const conditional = bindings.some((b) => b.condition);
      if (conditional && version < 3) throw invalid(`The policy has conditional role bindings but its version is ${version}; set version 3 to write conditions.`);
      const principals = bindings.reduce((n, b) => n + b.members.length, 0);
      if (principals > MAX_PRINCIPALS) throw invalid(`The number of members in the policy (${principals}) is larger than the maximum allowed size ${MAX_PRINCIPALS}.`);
      const before = new Set(current.bindings.flatMap((b) => b.members));
      for (const b of bindings) {
        for (const m of b.members) {
          if (before.has(m) || !m.startsWith('serviceAccount:')) continue;
          const email = m.slice('serviceAccount:'.length);
          if (serviceAccountNotYetVisible(context, email)) throw invalid(`Service account ${email} does not exist.`);
        }
      }
      const next = { version: conditional ? 3 : 1, etag: etag(), bindings };
      state.put('secrets', name, { ...secret, _iamPolicy: next });
      return { json: policyView(next, 3) };
    }),
  ];
}
