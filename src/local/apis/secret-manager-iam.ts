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
import { ApiError, invalid, notFound, route, type ApiRequest, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { deepClone, etag, isRecord } from '../google-shapes.ts';
import { policyView } from './resource-manager.ts';
import { serviceAccountNotYetVisible } from './iam.ts';

const MEMBER = /^(user|serviceAccount|group|domain|principal|principalSet|deleted:user|deleted:serviceAccount|deleted:group|projectOwner|projectEditor|projectViewer):.+$|^(allUsers|allAuthenticatedUsers)$/;
const ROLE = /^(roles\/[A-Za-z0-9_.]+|projects\/[^/]+\/roles\/[A-Za-z0-9_.]+|organizations\/[^/]+\/roles\/[A-Za-z0-9_.]+)$/;
const MAX_PRINCIPALS = 1500;

interface Binding {
  role: string;
  members: string[];
  condition?: { title?: string; description?: string; expression: string };
}

const EMPTY_POLICY = { version: 1, etag: 'ACAB', bindings: [] as Binding[] };

function validateBindings(value: unknown): Binding[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('policy.bindings must be a list.');
  return value.map((raw, i) => {
    if (!isRecord(raw)) throw invalid(`policy.bindings[${i}] must be an object.`);
    const role = raw.role;
    if (typeof role !== 'string' || !ROLE.test(role) || role.includes('_withcond_')) throw invalid(`Role (${String(role)}) does not exist in the resource's hierarchy.`);
    const members = raw.members;
    if (!Array.isArray(members) || members.length === 0) throw invalid(`policy.bindings[${i}] (role ${role}) has no members; bindings with no members are not allowed.`);
    for (const member of members) {
      if (typeof member !== 'string' || !MEMBER.test(member)) throw invalid(`Invalid member: ${String(member)} (in policy.bindings[${i}], role ${role}).`);
    }
    const binding: Binding = { role, members: [...new Set(members as string[])] };
    if (raw.condition !== undefined && raw.condition !== null) {
      if (!isRecord(raw.condition) || typeof raw.condition.expression !== 'string' || !raw.condition.expression.trim()) {
        throw invalid(`policy.bindings[${i}].condition.expression is required (role ${role}).`);
      }
      binding.condition = deepClone(raw.condition) as Binding['condition'];
    }
    return binding;
  });
}

function requestedVersion(raw: unknown): number {
  const version = Number(raw ?? 0);
  if (![0, 1, 3].includes(version)) throw invalid(`Invalid requested policy version ${String(raw)}: valid values are 0, 1 and 3.`);
  return version;
}

export function secretManagerIamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const secretName = (req: ApiRequest) => `projects/${req.params.project}/secrets/${req.params.secret}`;
  const mustGetSecret = (name: string) => {
    const secret = state.get('secrets', name);
    if (!secret) throw notFound(`Secret [${name}] not found or has no versions.`);
    return secret;
  };
  const policyOf = (secret: Record<string, any>) => (secret._iamPolicy as typeof EMPTY_POLICY | undefined) ?? EMPTY_POLICY;

  const getPolicy = (req: ApiRequest, requested: number) => ({ json: policyView(policyOf(mustGetSecret(secretName(req))), requested) });

  return [
    route('GET', '/v1/projects/{project}/secrets/{secret}:getIamPolicy', 'secrets.getIamPolicy', (req) =>
      getPolicy(req, requestedVersion(req.param('options.requestedPolicyVersion'))),
    ),
    route('POST', '/v1/projects/{project}/secrets/{secret}:getIamPolicy', 'secrets.getIamPolicy', (req) => {
      const body = req.json();
      return getPolicy(req, requestedVersion(body.options?.requestedPolicyVersion ?? req.param('options.requestedPolicyVersion')));
    }, false),
    route('POST', '/v1/projects/{project}/secrets/{secret}:setIamPolicy', 'secrets.setIamPolicy', (req) => {
      const name = secretName(req);
      const secret = mustGetSecret(name);
      const body = req.json();
      if (!isRecord(body.policy)) throw invalid('policy is required.');
      const incoming = body.policy;
      const current = policyOf(secret);
      const version = Number(incoming.version ?? 0);
      if (![0, 1, 3].includes(version)) throw invalid(`Invalid policy version ${String(incoming.version)}: valid values are 0, 1 and 3.`);
      if (incoming.etag !== undefined && incoming.etag !== '' && incoming.etag !== current.etag) {
        throw new ApiError('ABORTED', 'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.');
      }
      const bindings = validateBindings(incoming.bindings);
      const conditional = bindings.some((b) => b.condition);
      if (conditional && version < 3) throw invalid(`The policy has conditional role bindings but its version is ${version}; set version 3 to write conditions.`);
      const principals = bindings.reduce((n, b) => n + b.members.length, 0);
      if (principals > MAX_PRINCIPALS) throw invalid(`The number of members in the policy (${principals}) is larger than the maximum allowed size ${MAX_PRINCIPALS}.`);
      const before = new Set(current.bindings.flatMap((b) => b.members));
      for (const b of bindings) {
        for (const m of b.members) {
          if (before.has(m) || !m.startsWith('serviceAccount:')) continue;
          const email = m.slice('serviceAccount:'.length);
          if (serviceAccountNotYetVisible(state, email)) throw invalid(`Service account ${email} does not exist.`);
        }
      }
      const next = { version: conditional ? 3 : 1, etag: etag(), bindings };
      state.put('secrets', name, { ...secret, _iamPolicy: next });
      return { json: policyView(next, 3) };
    }),
  ];
}
