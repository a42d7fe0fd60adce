/**
 * Secret Manager IAM over REST (there is no Secret Manager SDK here):
 * https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets/getIamPolicy and
 * /setIamPolicy. batch-workflows grants the product service account secretAccessor on single secrets
 * (resource-level), never on the project.
 *
 * The policy is passed through as read: bindings we do not touch go back exactly as they came (order,
 * members, conditions), and the etag read is the etag sent, so a concurrent edit fails the write
 * (409 ABORTED) instead of being overwritten.
 */
import type { IamPolicy, LabelledSecret } from '../resources/live.ts';
import { bindingsFromApi } from './convert-policy.ts';
import type { SecretManagerApi } from './types.ts';
import { CloudError } from './types.ts';
import type { RestClient } from './rest.ts';

/** Conditional role bindings need version 3; asking for it never loses anything. */
const POLICY_VERSION = 3;

export interface ApiSecretPolicy {
  readonly version?: number;
  readonly etag?: string;
  readonly bindings?: readonly {
    readonly role?: string;
    readonly members?: readonly string[];
    readonly condition?: { readonly title?: string; readonly description?: string; readonly expression?: string; readonly location?: string } | null;
  }[];
}

function secretParts(secret: string): void {
  if (!/^projects\/[^/]+\/secrets\/[^/]+$/.test(secret)) throw new Error(`internal: not a secret name: ${secret}`);
}

/** google.iam.v1.Policy as REST JSON → IamPolicy (shared by every resource-level policy adapter). */
export function policyFromApi(policy: ApiSecretPolicy): IamPolicy {
  return { version: policy.version ?? 1, etag: policy.etag ?? '', bindings: bindingsFromApi(policy.bindings) };
}

/** IamPolicy → google.iam.v1.Policy as REST JSON, version 3, with the etag read. */
export function policyToApi(policy: IamPolicy): ApiSecretPolicy {
  return {
    version: POLICY_VERSION,
    ...(policy.etag ? { etag: policy.etag } : {}),
    bindings: policy.bindings.map((b) => ({ role: b.role, members: [...b.members], ...(b.condition ? { condition: { ...b.condition } } : {}) })),
  };
}

/** Secret Manager's documented page size maximum (projects.secrets.list pageSize). */
const SECRETS_PAGE_SIZE = 25_000;

interface ApiSecret {
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export class RestSecretManager implements SecretManagerApi {
  constructor(private readonly rest: RestClient) {}

  /**
   * Secrets carrying every label given, one call per page: projects.secrets.list with a filter
   * (`labels.KEY=VALUE`, https://cloud.google.com/secret-manager/docs/filtering). The labels are
   * checked again here, so a server that ignores the filter cannot widen the result.
   */
  async listLabelled(project: string, labels: Readonly<Record<string, string>>): Promise<LabelledSecret[]> {
    const parent = `projects/${project}`;
    const filter = Object.entries(labels)
      .map(([k, v]) => `labels.${k}=${v}`)
      .join(' AND ');
    const secrets = await this.rest.listAll<ApiSecret>(`v1/${parent}/secrets`, 'secrets', SECRETS_PAGE_SIZE, parent, { filter });
    return secrets.filter((s) => s.name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)).map((s) => ({ secret: s.name!, labels: { ...(s.labels ?? {}) } }));
  }

  async getSecret(secret: string): Promise<LabelledSecret | undefined> {
    secretParts(secret);
    try {
      const found = await this.rest.send<ApiSecret>('GET', `v1/${secret}`, { count: 'secrets.get', resource: secret });
      return { secret, labels: { ...(found?.labels ?? {}) } };
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async getPolicy(secret: string): Promise<IamPolicy | undefined> {
    secretParts(secret);
    try {
      const policy = await this.rest.send<ApiSecretPolicy | ''>('GET', `v1/${secret}:getIamPolicy`, {
        query: { 'options.requestedPolicyVersion': POLICY_VERSION },
        count: 'secrets.getIamPolicy',
        resource: secret,
      });
      return policyFromApi(policy && typeof policy === 'object' ? policy : {});
    } catch (error) {
      if (error instanceof CloudError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  async setPolicy(secret: string, policy: IamPolicy): Promise<IamPolicy> {
    secretParts(secret);
    const written = await this.rest.send<ApiSecretPolicy>('POST', `v1/${secret}:setIamPolicy`, {
      body: { policy: policyToApi(policy), updateMask: 'bindings,etag' },
      count: 'secrets.setIamPolicy',
      resource: secret,
    });
    return policyFromApi(written ?? {});
  }
}
