/**
 * The ownership marks (docs/design.md §4): the labels, description marker and condition titles that say a
 * live resource is ours, written and read back in one file. The round trip is pinned by
 * test/gcp/ownership.test.ts. Parsing is strict: a resource is ours only when the mark is exactly
 * ours, because a false positive would let apply change or delete something a person made.
 */

/** Label values that mark a resource as ours. Keys and values satisfy GCP label rules. */
export const MANAGED_BY_LABEL = 'managed-by';
export const MANAGED_BY_VALUE = 'batch-workflows';
export const PRODUCT_LABEL = 'product';
export const CLIENT_LABEL = 'client';

export type Labels = Readonly<Record<string, string>>;

export interface Owner {
  readonly product: string;
  /** Absent for product-level resources. */
  readonly client?: string;
}

/**
 * Appended to descriptions of resources without labels (service accounts, scheduler jobs). Parsed
 * back by ownerFromDescription below; the format is part of the contract with resources already deployed.
 */
export function ownershipMarker(owner: Owner): string {
  return `[managed-by=${MANAGED_BY_VALUE} product=${owner.product}${owner.client ? ` client=${owner.client}` : ''}]`;
}

/** Condition titles identify the bindings we own in the project policy. */
export function conditionTitle(owner: Owner, purpose: string): string {
  return [MANAGED_BY_VALUE, owner.product, ...(owner.client ? [owner.client] : []), purpose].join(':');
}

/** Product and client names as they appear in marks: label-safe identifiers. */
const NAME = '[a-z0-9][a-z0-9_-]*';

/** ` [managed-by=batch-workflows product=P client=C]` at the very end of a description. */
const MARKER = new RegExp(`(?:^|\\s)\\[${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE} product=(${NAME})(?: client=(${NAME}))?\\]$`);

function owner(product: string, client: string | undefined): Owner {
  return client ? { product, client } : { product };
}

/** The labels that mark a resource ours (ownerFromLabels reads them back): `managed-by`, `product`, `client`. */
export function ownerLabels(owner: Owner): Labels {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [PRODUCT_LABEL]: owner.product, ...(owner.client ? { [CLIENT_LABEL]: owner.client } : {}) };
}

/** Owner from labels `managed-by=batch-workflows`, `product`, optional `client`; undefined when not ours. */
export function ownerFromLabels(labels: Labels | undefined | null): Owner | undefined {
  if (!labels || labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) return undefined;
  const product = labels[PRODUCT_LABEL];
  if (!product) return undefined;
  return owner(product, labels[CLIENT_LABEL] || undefined);
}

/** Owner from a description ending with the ownership marker; undefined when there is none. */
export function ownerFromDescription(description: string | undefined | null): Owner | undefined {
  const match = MARKER.exec(description ?? '');
  if (!match?.[1]) return undefined;
  return owner(match[1], match[2]);
}

/** The description with our marker (and the space before it) removed, for display. */
export function descriptionWithoutMarker(description: string): string {
  const match = MARKER.exec(description);
  return match ? description.slice(0, match.index) : description;
}

export interface ConditionOwnership {
  readonly owner: Owner;
  readonly purpose: string;
}

/**
 * `batch-workflows:PRODUCT:CLIENT:PURPOSE` or `batch-workflows:PRODUCT:PURPOSE`. Segments cannot hold
 * a colon (names are label-safe), so the count of segments says which form it is.
 */
export function ownerFromConditionTitle(title: string | undefined | null): ConditionOwnership | undefined {
  if (!title) return undefined;
  const parts = title.split(':');
  if (parts[0] !== MANAGED_BY_VALUE) return undefined;
  const name = new RegExp(`^${NAME}$`);
  const purposeRule = /^[A-Za-z0-9_-]+$/;
  if (parts.length === 3) {
    const [, product, purpose] = parts as [string, string, string];
    if (!name.test(product) || !purposeRule.test(purpose)) return undefined;
    return { owner: { product }, purpose };
  }
  if (parts.length === 4) {
    const [, product, client, purpose] = parts as [string, string, string, string];
    if (!name.test(product) || !name.test(client) || !purposeRule.test(purpose)) return undefined;
    return { owner: { product, client }, purpose };
  }
  return undefined;
}

/** Placeholder owner for live resources that carry no mark of ours (their `owned` is false). */
export const NO_OWNER: Owner = Object.freeze({ product: '' });
