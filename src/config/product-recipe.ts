import { batchJobRecipe, type BatchJobRecipe } from '../dsl/recipes/batch-job.ts';
import { type ClientTopicId, namingOf, topicIdAround } from '../names/naming.ts';
import type { ProductDefinition } from './product.ts';
import { WORKFLOW_ENV, runSettingsObject } from './runtime-env.ts';

/** The client topic's id around the client name, by the product's naming scheme (the scheduled workflow checks it too). */
export function productClientTopic(product: ProductDefinition): ClientTopicId {
  return topicIdAround(product.name, namingOf(product));
}

/**
 * The Batch job recipe of a product, as each of its workflows (upload-started and scheduled) runs
 * it: the client's topic named by the product's naming scheme, the environment read from
 * WORKFLOW_ENV. Per-client settings are read at run time (written by apply), so adding a client
 * never changes the YAML.
 */
export function productBatchJobRecipe(product: ProductDefinition): BatchJobRecipe {
  return batchJobRecipe({
    product: product.name,
    clientTopic: productClientTopic(product),
    batch: product.batch,
    env: WORKFLOW_ENV,
    settingsObject: runSettingsObject(product.name, '{client}'),
  });
}
