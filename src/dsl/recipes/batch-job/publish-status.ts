/** publish_status(topic, status): the DESIGN.md §3 status message to the client's topic. */
import { retry, subworkflow, type Subworkflow } from '../../builder.ts';
import { pubsub } from '../../connectors.ts';
import type { Expr, Value } from '../../expr.ts';
import { base64, json, sys, time } from '../../stdlib.ts';
import type { JobState } from './common.ts';

export function publishStatusSubworkflow(): Subworkflow<readonly ['topic', 'status']> {
  return subworkflow('publish_status', ['topic', 'status'] as const, (s) =>
    s
      // Publishing is not idempotent (a retry may duplicate the message), so only the retries that
      // are safe for non-idempotent calls; subscribers key on job_id + job_state.
      .try(
        'publish',
        (t) =>
          t.call(
            'publish_message',
            (v) =>
              pubsub.topics.publish({
                topic: v.topic,
                body: {
                  messages: [
                    {
                      data: base64.encode(json.encode(v.status)),
                      attributes: { job_state: v.status.get('job_state'), client: v.status.get('client'), product: v.status.get('product') },
                    },
                  ],
                },
              }),
            { result: 'published' },
          ),
        { retry: retry.httpDefaultNonIdempotent },
      )
      .return('published_status', (v) => v.status),
  );
}

/** DESIGN.md §3 status message. */
export function statusMessage(product: string, job: Expr<any>, state: JobState, error: Value): Value {
  return {
    job_id: job.get('job_id'),
    project_id: sys.getEnv('GOOGLE_CLOUD_PROJECT_ID'),
    product,
    client: job.get('client'),
    workflow: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_ID'),
    execution_id: sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
    job_state: state,
    input_uri: job.get('input_uri'),
    output_uri: job.get('output_uri'),
    timestamp: time.format(sys.now()),
    error,
  };
}
