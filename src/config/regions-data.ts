/**
 * Regions where batch-workflows can run a product environment: its workflows, scheduler jobs and
 * Batch jobs all live in `environments.ENV.region`, so the region must offer both Workflows and Batch.
 * Data, not code: refresh it from the two pages below when Google adds a region.
 *
 * Provenance (retrieved 2026-12 through the docs search):
 * - Workflows: https://cloud.google.com/workflows/docs/locations (tables "Americas", "Europe",
 *   "Asia Pacific", "Middle East"). The copy retrieved was cut off after me-central2 in the Middle
 *   East table, so me-west1 (Tel Aviv, a Batch region) is not listed as a Workflows region here.
 * - Batch: https://cloud.google.com/batch/docs/locations (tables for the Americas, Europe and the
 *   Middle East, Asia Pacific): "only the following regions can be used for the location of a job".
 */
type Offered = 'both' | 'workflows' | 'batch';

/** Every region either page lists, and which of the two lists it: one row a region, so a review sees both at once. */
const REGION_SERVICES = {
  'northamerica-northeast1': 'both',
  'northamerica-northeast2': 'both',
  'northamerica-south1': 'workflows',
  'southamerica-east1': 'both',
  'southamerica-west1': 'both',
  'us-central1': 'both',
  'us-east1': 'both',
  'us-east4': 'both',
  'us-east5': 'both',
  'us-south1': 'both',
  'us-west1': 'both',
  'us-west2': 'both',
  'us-west3': 'both',
  'us-west4': 'both',
  'europe-central2': 'both',
  'europe-north1': 'both',
  'europe-north2': 'workflows',
  'europe-southwest1': 'both',
  'europe-west1': 'both',
  'europe-west2': 'both',
  'europe-west3': 'both',
  'europe-west4': 'both',
  'europe-west6': 'both',
  'europe-west8': 'both',
  'europe-west9': 'both',
  'europe-west10': 'both',
  'europe-west12': 'both',
  'asia-east1': 'both',
  'asia-east2': 'both',
  'asia-northeast1': 'both',
  'asia-northeast2': 'both',
  'asia-northeast3': 'both',
  'asia-south1': 'both',
  'asia-south2': 'both',
  'asia-southeast1': 'both',
  'asia-southeast2': 'both',
  'asia-southeast3': 'workflows',
  'australia-southeast1': 'both',
  'australia-southeast2': 'both',
  'me-central1': 'both',
  'me-central2': 'both',
  'me-west1': 'batch',
} as const satisfies Record<string, Offered>;

type RegionTable = typeof REGION_SERVICES;
type Region = keyof RegionTable;

/** A region offering both Workflows and Batch: the type of `environments.ENV.region`. */
export type ProductRegion = { [R in Region]: RegionTable[R] extends 'both' ? R : never }[Region];

const regions = Object.keys(REGION_SERVICES) as Region[];
const offers = (region: Region, service: 'workflows' | 'batch') => REGION_SERVICES[region] === 'both' || REGION_SERVICES[region] === service;

export const WORKFLOWS_REGIONS: readonly Region[] = regions.filter((r) => offers(r, 'workflows'));
export const BATCH_REGIONS: readonly Region[] = regions.filter((r) => offers(r, 'batch'));
export const PRODUCT_REGIONS: readonly ProductRegion[] = regions.filter((r): r is ProductRegion => REGION_SERVICES[r] === 'both');

export function isProductRegion(region: string): region is ProductRegion {
  return (PRODUCT_REGIONS as readonly string[]).includes(region);
}
