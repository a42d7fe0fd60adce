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
export const WORKFLOWS_REGIONS = [
  'northamerica-northeast1',
  'northamerica-northeast2',
  'northamerica-south1',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  'europe-central2',
  'europe-north1',
  'europe-north2',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'asia-southeast3',
  'australia-southeast1',
  'australia-southeast2',
  'me-central1',
  'me-central2',
] as const;

export const BATCH_REGIONS = [
  'northamerica-northeast1',
  'northamerica-northeast2',
  'southamerica-east1',
  'southamerica-west1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west2',
  'us-west3',
  'us-west4',
  'europe-central2',
  'europe-north1',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'europe-west8',
  'europe-west9',
  'europe-west10',
  'europe-west12',
  'me-central1',
  'me-central2',
  'me-west1',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast2',
  'asia-northeast3',
  'asia-south1',
  'asia-south2',
  'asia-southeast1',
  'asia-southeast2',
  'australia-southeast1',
  'australia-southeast2',
] as const;

/** A region offering both Workflows and Batch: the type of `environments.ENV.region`. */
export type ProductRegion = Extract<(typeof WORKFLOWS_REGIONS)[number], (typeof BATCH_REGIONS)[number]>;

export const PRODUCT_REGIONS: readonly ProductRegion[] = WORKFLOWS_REGIONS.filter((r): r is ProductRegion => (BATCH_REGIONS as readonly string[]).includes(r));

export function isProductRegion(region: string): region is ProductRegion {
  return (PRODUCT_REGIONS as readonly string[]).includes(region);
}
