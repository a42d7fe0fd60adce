/** The project IAM policy (Resource Manager's getIamPolicy/setIamPolicy), converted as convert.ts explains. */
import type { AuditConfig, IamPolicy, IamPolicyBinding } from '../resources/live.ts';
import { enumNameOf, type Maybe } from './convert.ts';

// ---- Project IAM policy -----------------------------------------------------------------------------

export interface ApiPolicy {
  version?: Maybe<number>;
  /** Bytes from the SDK; base64 text in REST JSON. */
  etag?: Maybe<Uint8Array | string>;
  bindings?: Maybe<
    readonly {
      role?: Maybe<string>;
      members?: Maybe<readonly string[]>;
      condition?: Maybe<{ title?: Maybe<string>; description?: Maybe<string>; expression?: Maybe<string>; location?: Maybe<string> }>;
    }[]
  >;
  auditConfigs?: Maybe<
    readonly {
      service?: Maybe<string>;
      auditLogConfigs?: Maybe<readonly { logType?: Maybe<string | number>; exemptedMembers?: Maybe<readonly string[]> }[]>;
    }[]
  >;
}

const LOG_TYPES = ['LOG_TYPE_UNSPECIFIED', 'ADMIN_READ', 'DATA_WRITE', 'DATA_READ'] as const;

/** The etag travels as bytes in the SDKs and as base64 in REST: we keep the REST form. */
export function etagText(etag: Maybe<Uint8Array | string>): string {
  if (etag === null || etag === undefined) return '';
  return typeof etag === 'string' ? etag : Buffer.from(etag).toString('base64');
}

/** google.iam.v1.Policy's bindings, from the SDKs or REST JSON alike (every policy adapter reads them so). */
export function bindingsFromApi(apiBindings: ApiPolicy['bindings']): IamPolicyBinding[] {
  return (apiBindings ?? []).map((b) => {
    const c = b.condition;
    // Proto3 reads fill absent messages with null and absent strings with '': both mean "not set".
    const condition =
      c && (c.expression || c.title)
        ? {
            title: c.title ?? '',
            ...(c.description ? { description: c.description } : {}),
            expression: c.expression ?? '',
            ...(c.location ? { location: c.location } : {}),
          }
        : undefined;
    return { role: b.role ?? '', members: [...(b.members ?? [])], ...(condition ? { condition } : {}) };
  });
}

export function policyFromApi(p: ApiPolicy): IamPolicy {
  const bindings = bindingsFromApi(p.bindings);
  const auditConfigs: AuditConfig[] = (p.auditConfigs ?? []).map((a) => ({
    service: a.service ?? '',
    auditLogConfigs: (a.auditLogConfigs ?? []).map((l) => ({
      logType: enumNameOf(l.logType, LOG_TYPES) ?? '',
      ...(l.exemptedMembers && l.exemptedMembers.length > 0 ? { exemptedMembers: [...l.exemptedMembers] } : {}),
    })),
  }));
  return {
    version: p.version ?? 0,
    etag: etagText(p.etag),
    bindings,
    ...(p.auditConfigs && p.auditConfigs.length > 0 ? { auditConfigs } : {}),
  };
}

/** The SDK form (etag as bytes) of a policy to send. */
export function policyToApi(policy: IamPolicy) {
  return {
    version: policy.version,
    ...(policy.etag ? { etag: Buffer.from(policy.etag, 'base64') } : {}),
    bindings: policy.bindings.map((b) => ({
      role: b.role,
      members: [...b.members],
      ...(b.condition
        ? {
            condition: {
              title: b.condition.title,
              ...(b.condition.description ? { description: b.condition.description } : {}),
              expression: b.condition.expression,
              ...(b.condition.location ? { location: b.condition.location } : {}),
            },
          }
        : {}),
    })),
    ...(policy.auditConfigs
      ? {
          auditConfigs: policy.auditConfigs.map((a) => ({
            service: a.service,
            auditLogConfigs: a.auditLogConfigs.map((l) => ({
              logType: l.logType,
              ...(l.exemptedMembers ? { exemptedMembers: [...l.exemptedMembers] } : {}),
            })),
          })),
        }
      : {}),
  };
}
