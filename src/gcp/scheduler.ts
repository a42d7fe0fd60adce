/**
 * Cloud Scheduler jobs through @google-cloud/scheduler (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs).
 * Jobs have no labels: ownership is the description marker. The HTTP body is bytes in the API and
 * text in the model; convert.ts translates.
 */
import type { CloudSchedulerClient } from '@google-cloud/scheduler';
import type { SchedulerJobResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import type { SchedulerJobsApi } from './types.ts';
import { allPages, call, type CallCounter } from './calls.ts';
import { SCHEDULER_UPDATE_PATHS, schedulerJobFromApi, schedulerJobToApi } from './convert-scheduler.ts';

/** The documented maximum page size. */
const PAGE_SIZE = 500;

function parentOf(name: string): string {
  const match = /^(projects\/[^/]+\/locations\/[^/]+)\/jobs\/[^/]+$/.exec(name);
  if (!match) throw new Error(`internal: not a Cloud Scheduler job name: ${name}`);
  return match[1]!;
}

export class CloudSchedulerJobs implements SchedulerJobsApi {
  constructor(
    private readonly client: CloudSchedulerClient,
    private readonly counter: CallCounter,
  ) {}

  async list(project: string, location: string): Promise<Live<SchedulerJobResource>[]> {
    const parent = `projects/${project}/locations/${location}`;
    const jobs = await allPages(this.counter, 'cloudscheduler', parent, PAGE_SIZE, (request) => this.client.listJobs(request, { autoPaginate: false }));
    return jobs.map(schedulerJobFromApi);
  }

  async create(desired: SchedulerJobResource): Promise<void> {
    const parent = parentOf(desired.name);
    await call(this.counter, 'cloudscheduler', 'create', desired.name, () => this.client.createJob({ parent, job: schedulerJobToApi(desired) }));
  }

  async update(desired: SchedulerJobResource): Promise<void> {
    parentOf(desired.name);
    await call(this.counter, 'cloudscheduler', 'update', desired.name, () => this.client.updateJob({ job: schedulerJobToApi(desired), updateMask: { paths: [...SCHEDULER_UPDATE_PATHS] } }));
  }

  // https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs/pause and /resume.
  async setState(name: string, state: SchedulerJobResource['state']): Promise<void> {
    parentOf(name);
    if (state === 'PAUSED') await call(this.counter, 'cloudscheduler', 'pause', name, () => this.client.pauseJob({ name }));
    else await call(this.counter, 'cloudscheduler', 'resume', name, () => this.client.resumeJob({ name }));
  }

  async delete(name: string): Promise<void> {
    parentOf(name);
    await call(this.counter, 'cloudscheduler', 'delete', name, () => this.client.deleteJob({ name }));
  }
}
