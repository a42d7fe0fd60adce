/**
 * Batch v1 jobs (https://cloud.google.com/batch/docs/reference/rest/v1/projects.locations.jobs).
 * A job moves QUEUED → SCHEDULED → RUNNING → SUCCEEDED/FAILED in the background, one step every
 * `batchStepMs`, with a status event per change; the pluggable runner decides how it ends. A duplicate
 * job id is 409 ALREADY_EXISTS, which is what makes a deterministic job id an idempotency key.
 */
import { invalid, foundOr, notFound, alreadyExists, route, type Route } from '../http.ts';
import { type ApiContext, operationRoutes } from '../context.ts';
import { doneOperation, hexId, isRecord, now, uuid, validateLabels, listUnder } from '../google-shapes.ts';
import { publicView } from '../state.ts';

const JOB_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'DELETION_IN_PROGRESS'];

function validateJob(job: Record<string, any>): void {
  const groups = job.taskGroups;
  if (!Array.isArray(groups) || groups.length !== 1) throw invalid('taskGroups must hold exactly one task group.');
  const runnables = groups[0]?.taskSpec?.runnables;
  if (!Array.isArray(runnables) || runnables.length === 0) throw invalid('taskGroups[0].taskSpec.runnables must hold at least one runnable.');
  for (const [i, r] of runnables.entries()) {
    if (!isRecord(r) || !['container', 'script', 'barrier'].some((k) => r[k] !== undefined)) {
      throw invalid(`taskGroups[0].taskSpec.runnables[${i}] needs a container, script or barrier.`);
    }
    if (r.container && !r.container.imageUri) throw invalid(`taskGroups[0].taskSpec.runnables[${i}].container.imageUri is required.`);
  }
  validateLabels(job.labels);
}

function transition(job: Record<string, any>, to: string, extra?: string): Record<string, any> {
  const from = job.status?.state ?? 'STATE_UNSPECIFIED';
  const time = now();
  const event = {
    type: 'STATUS_CHANGED',
    eventTime: time,
    description: `Job state is set from ${from} to ${to} for job ${job.name}.${extra ? ` ${extra}` : ''}`,
  };
  const started = job._runStart ?? (to === 'RUNNING' ? Date.now() : undefined);
  const runDuration = started !== undefined && TERMINAL.includes(to) ? `${((Date.now() - started) / 1000).toFixed(3)}s` : (job.status?.runDuration ?? '0s');
  return {
    ...job,
    ...(started !== undefined ? { _runStart: started } : {}),
    updateTime: time,
    status: {
      ...job.status,
      state: to,
      statusEvents: [...(job.status?.statusEvents ?? []), event],
      runDuration,
      taskGroups: { group0: { counts: { [to === 'SUCCEEDED' ? 'SUCCEEDED' : to === 'FAILED' ? 'FAILED' : to === 'RUNNING' ? 'RUNNING' : 'PENDING']: '1' } } },
    },
  };
}

/** Advance a job one step; schedules the next one. */
function step(context: ApiContext, name: string): void {
  context.background.later(context.batchStepMs, async () => {
    const job = context.state.get('batchJobs', name);
    if (!job || TERMINAL.includes(job.status?.state)) return;
    const current = job.status?.state;
    if (current === 'QUEUED') {
      context.state.put('batchJobs', name, transition(job, 'SCHEDULED'));
      await context.state.flush();
      return step(context, name);
    }
    if (current === 'SCHEDULED') {
      context.state.put('batchJobs', name, transition(job, 'RUNNING'));
      await context.state.flush();
      return step(context, name);
    }
    if (current === 'RUNNING') {
      let outcome: { state: 'SUCCEEDED' | 'FAILED'; message?: string };
      try {
        outcome = await context.batchRunner(publicView(job), context.state);
      } catch (error) {
        outcome = { state: 'FAILED', message: `The runner failed: ${(error as Error).message}` };
      }
      const latest = context.state.get('batchJobs', name);
      if (!latest || TERMINAL.includes(latest.status?.state)) return; // deleted while running
      context.state.put('batchJobs', name, transition(latest, outcome.state, outcome.message));
      await context.state.flush();
    }
  });
}

/** Jobs persisted mid-run by a previous sandbox process continue from their state. */
export function resumeBatchJobs(context: ApiContext): void {
  for (const job of Object.values(context.state.all('batchJobs'))) {
    if (!TERMINAL.includes(job.status?.state)) step(context, job.name);
  }
}

export function batchRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/jobs';
  const locationOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}`;
  const nameOf = (p: Readonly<Record<string, string>>) => `${locationOf(p)}/jobs/${p.job}`;

  return [
    route('POST', base, 'jobs.create', (req) => {
      const id = req.param('jobId') ?? `job-${hexId(4)}-${Date.now().toString(36)}`;
      if (!JOB_ID.test(id)) {
        throw invalid(`Job id "${id}" is invalid: it must be 1-63 characters matching ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$.`);
      }
      const body = req.json();
      validateJob(body);
      const name = `${locationOf(req.params)}/jobs/${id}`;
      if (state.get('batchJobs', name)) throw alreadyExists(`Job ${name} already exists.`);
      const time = now();
      const { name: _n, uid: _u, status: _s, createTime: _c, updateTime: _up, ...spec } = body;
      const job = transition(
        {
          name,
          uid: `${id.slice(0, 40)}-${uuid().slice(0, 8)}-${uuid().slice(0, 4)}`,
          ...spec,
          taskGroups: spec.taskGroups.map((g: Record<string, any>, i: number) => ({
            taskCount: '1',
            parallelism: '1',
            ...g,
            name: `${name}/taskGroups/group${i}`,
          })),
          createTime: time,
          updateTime: time,
          status: { state: 'STATE_UNSPECIFIED', statusEvents: [], runDuration: '0s' },
        },
        'QUEUED',
      );
      state.put('batchJobs', name, job);
      step(context, name);
      return { json: publicView(job) };
    }),

    route('GET', base, 'jobs.list', (req) => ({ json: listUnder(state.all('batchJobs'), `${locationOf(req.params)}/jobs/`, req, { defaultSize: 100, maxSize: 1000 }, 'jobs', publicView) })),

    route('GET', `${base}/{job}`, 'jobs.get', (req) => {
      const job = foundOr(state.get('batchJobs', nameOf(req.params)), `Job ${nameOf(req.params)} not found.`);
      return { json: publicView(job) };
    }),

    route('DELETE', `${base}/{job}`, 'jobs.delete', (req) => {
      const name = nameOf(req.params);
      if (!state.get('batchJobs', name)) throw notFound(`Job ${name} not found.`);
      const time = now();
      state.remove('batchJobs', name);
      const operation = doneOperation({
        location: locationOf(req.params),
        metadataType: 'type.googleapis.com/google.cloud.batch.v1.OperationMetadata',
        target: name,
        verb: 'delete',
        responseType: 'type.googleapis.com/google.protobuf.Empty',
        response: {},
        startTime: time,
      });
      state.putOperation(operation);
      return { json: operation };
    }),

    ...operationRoutes(context, route, 'v1'),
  ];
}
