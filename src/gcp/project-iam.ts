/**
 * The project IAM policy through @google-cloud/resource-manager v3
 * (https://cloud.google.com/resource-manager/reference/rest/v3/projects/getIamPolicy).
 *
 * Two pitfalls this file exists to avoid: a read without `requestedPolicyVersion: 3` returns a v1
 * policy with conditions stripped (and writing that back drops them), and a write without
 * `auditConfigs` in its update mask silently ignores audit configs.
 */
import type { ProjectsClient, protos } from '@google-cloud/resource-manager';
import type { IamPolicy } from '../resources/live.ts';
import type { ProjectIamApi } from './types.ts';
import { call, type CallCounter } from './calls.ts';
import { policyFromApi, policyToApi } from './convert-policy.ts';

/** The only version that carries conditions; always asked for and always written. */
export const POLICY_VERSION = 3;

export class ResourceManagerProjectIam implements ProjectIamApi {
  constructor(
    private readonly client: ProjectsClient,
    private readonly counter: CallCounter,
  ) {}

  async getPolicy(project: string): Promise<IamPolicy> {
    const resource = `projects/${project}`;
    const [policy] = await call(this.counter, 'cloudresourcemanager', 'getIamPolicy', resource, () => this.client.getIamPolicy({ resource, options: { requestedPolicyVersion: POLICY_VERSION } }));
    return policyFromApi(policy);
  }

  async setPolicy(project: string, policy: IamPolicy): Promise<IamPolicy> {
    const resource = `projects/${project}`;
    // Google requires version 3 whenever a binding has a condition; sending it always is harmless.
    // logType goes out as its enum name, which the SDK encodes; the SDK's type only lists known names.
    const body = policyToApi({ ...policy, version: POLICY_VERSION }) as protos.google.iam.v1.IPolicy;
    const paths = policy.auditConfigs !== undefined ? ['bindings', 'etag', 'audit_configs'] : undefined;
    const [written] = await call(this.counter, 'cloudresourcemanager', 'setIamPolicy', resource, () =>
      this.client.setIamPolicy({ resource, policy: body, ...(paths ? { updateMask: { paths } } : {}) }),
    );
    return policyFromApi(written);
  }
}
