/**
 * Cloud Scheduler v1 jobs (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs).
 * Fills in what the API fills in, so plan's normalisation meets the real defaults: time zone
 * `Etc/UTC`, `User-Agent: Google-Cloud-Scheduler`, `Content-Type: application/octet-stream` for a body
 * without one, the OAuth scope, retry config and attempt deadline.
 */
import { invalid, foundOr, alreadyExists, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { applyMask, enumName, isRecord, maskedUpdate, now, listUnder } from '../google-shapes.ts';
import { publicView, type StoredResource } from '../state.ts';
import { attemptJob, nextScheduleTime } from '../scheduler-runner.ts';

const JOB_ID = /^[a-zA-Z\d_-]{1,500}$/;
const UPDATABLE = ['description', 'schedule', 'timeZone', 'httpTarget', 'pubsubTarget', 'appEngineHttpTarget', 'retryConfig', 'attemptDeadline'];
/** google.cloud.scheduler.v1.HttpMethod, by number. */
const HTTP_METHODS = ['HTTP_METHOD_UNSPECIFIED', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_RETRY = { maxRetryDuration: '0s', minBackoffDuration: '5s', maxBackoffDuration: '3600s', maxDoublings: 5 };

function validCron(schedule: string): boolean {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((f) => /^[\d*/,\-A-Za-z]+$/.test(f));
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(text) && text.length % 4 !== 1;
}

/** Validate a job and complete it with the values Cloud Scheduler fills in. */
function completeJob(job: Record<string, any>): Record<string, any> {
  if (typeof job.schedule !== 'string' || !job.schedule.trim()) throw invalid('schedule is required.');
  if (!validCron(job.schedule)) throw invalid(`Schedule or time zone is invalid: "${job.schedule}" is not a unix-cron schedule.`);
  const timeZone = job.timeZone || 'Etc/UTC';
  if (!validTimeZone(timeZone)) throw invalid(`Schedule or time zone is invalid: unknown time zone "${timeZone}".`);
  if (job.description !== undefined && String(job.description).length > 500) throw invalid('description must be at most 500 characters.');
  const targets = ['httpTarget', 'pubsubTarget', 'appEngineHttpTarget'].filter((t) => job[t] !== undefined);
  if (targets.length !== 1) throw invalid('A job needs exactly one target: httpTarget, pubsubTarget or appEngineHttpTarget.');
  const out: Record<string, any> = { ...job, timeZone };
  if (job.httpTarget !== undefined) {
    const target = job.httpTarget;
    if (!isRecord(target) || typeof target.uri !== 'string' || !target.uri) throw invalid('httpTarget.uri is required.');
    let url: URL;
    try {
      url = new URL(target.uri);
    } catch {
      throw invalid(`httpTarget.uri "${target.uri}" is not a valid URL.`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`httpTarget.uri "${target.uri}" must be http or https.`);
    const named = enumName(target.httpMethod, HTTP_METHODS, 'httpTarget.httpMethod');
    const method = !named || named === 'HTTP_METHOD_UNSPECIFIED' ? 'POST' : named;
    if (target.body !== undefined && (typeof target.body !== 'string' || !isBase64(target.body))) throw invalid('httpTarget.body must be base64-encoded bytes.');
    if (target.oauthToken !== undefined && target.oidcToken !== undefined) throw invalid('httpTarget takes oauthToken or oidcToken, not both.');
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries((target.headers ?? {}) as Record<string, string>)) {
      if (/^(user-agent|content-length|x-google-.*|x-appengine-.*)$/i.test(key)) continue; // set by Cloud Scheduler, never by callers
      headers[key] = value;
    }
    headers['User-Agent'] = 'Google-Cloud-Scheduler';
    if (target.body && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/octet-stream';
    out.httpTarget = {
      ...target,
      httpMethod: method,
      headers,
      ...(target.oauthToken ? { oauthToken: { ...target.oauthToken, scope: target.oauthToken.scope || CLOUD_PLATFORM_SCOPE } } : {}),
    };
    if (target.oauthToken && !target.oauthToken.serviceAccountEmail) throw invalid('httpTarget.oauthToken.serviceAccountEmail is required.');
  }
  out.retryConfig = { ...DEFAULT_RETRY, ...(job.retryConfig ?? {}) };
  out.attemptDeadline = job.attemptDeadline ?? '180s';
  return out;
}

export function schedulerRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/jobs';
  const locationOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}`;
  const nameOf = (p: Readonly<Record<string, string>>) => `${locationOf(p)}/jobs/${p.job}`;
  const mustGet = (name: string) => foundOr(state.get('schedulerJobs', name), `Job not found: ${name}.`);
  // Job.schedule_time (job.proto): output only, the next time the job is scheduled, by the sandbox's clock.
  const scheduled = (job: StoredResource): StoredResource => {
    const { scheduleTime: _s, ...rest } = job;
    const next = job.state === 'ENABLED' ? nextScheduleTime(job, context.clock.now()) : undefined;
    return { ...rest, ...(next ? { scheduleTime: next } : {}) };
  };
  const setState = (name: string, jobState: 'ENABLED' | 'PAUSED') => {
    const job = scheduled({ ...mustGet(name), state: jobState, userUpdateTime: now() });
    state.put('schedulerJobs', name, job);
    return { json: publicView(job) };
  };

  return [
    route('POST', base, 'jobs.create', (req) => {
      const location = locationOf(req.params);
      const body = req.json();
      if (typeof body.name !== 'string' || !body.name) throw invalid('Job name is required: projects/PROJECT_ID/locations/LOCATION_ID/jobs/JOB_ID.');
      const match = /^projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/]+)$/.exec(body.name);
      if (!match) throw invalid(`Job name "${body.name}" must be projects/PROJECT_ID/locations/LOCATION_ID/jobs/JOB_ID.`);
      if (`projects/${match[1]}/locations/${match[2]}` !== location) throw invalid(`Job name "${body.name}" is not in the parent ${location}.`);
      if (!JOB_ID.test(match[3]!)) throw invalid(`Job id "${match[3]}" may hold only letters, numbers, hyphens and underscores, at most 500 characters.`);
      if (state.get('schedulerJobs', body.name)) throw alreadyExists(`Job ${body.name} already exists.`);
      const fields = Object.fromEntries(UPDATABLE.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
      const time = now();
      const job = scheduled({ name: body.name, ...completeJob(fields), state: 'ENABLED', userUpdateTime: time });
      state.put('schedulerJobs', body.name, job);
      return { json: publicView(job) };
    }),

    route('GET', base, 'jobs.list', (req) => ({ json: listUnder(state.all('schedulerJobs'), `${locationOf(req.params)}/jobs/`, req, { defaultSize: 500, maxSize: 500 }, 'jobs', publicView) })),

    route('GET', `${base}/{job}`, 'jobs.get', (req) => ({ json: publicView(mustGet(nameOf(req.params))) })),

    route('PATCH', `${base}/{job}`, 'jobs.patch', (req) => {
      const name = nameOf(req.params);
      const current = mustGet(name);
      const { body, fields } = maskedUpdate(req, name, 'job.name', UPDATABLE);
      const { name: _n, state: jobState, userUpdateTime: _u, ...rest } = applyMask(current, body, fields);
      const kept = Object.fromEntries(Object.entries(rest).filter(([k]) => !UPDATABLE.includes(k)));
      const job = scheduled({ ...kept, name, ...completeJob(Object.fromEntries(Object.entries(rest).filter(([k]) => UPDATABLE.includes(k)))), state: jobState, userUpdateTime: now() });
      state.put('schedulerJobs', name, job);
      return { json: publicView(job) };
    }),

    route('DELETE', `${base}/{job}`, 'jobs.delete', (req) => {
      const name = nameOf(req.params);
      mustGet(name);
      state.remove('schedulerJobs', name);
      return { json: {} };
    }),

    route('POST', `${base}/{job}:pause`, 'jobs.pause', (req) => setState(nameOf(req.params), 'PAUSED')),
    route('POST', `${base}/{job}:resume`, 'jobs.resume', (req) => setState(nameOf(req.params), 'ENABLED')),
    // "Forces a job to run now": the attempt goes on in the background; the job shows it when it is done.
    route('POST', `${base}/{job}:run`, 'jobs.run', (req) => {
      const name = nameOf(req.params);
      const job = mustGet(name);
      context.background.start(() => attemptJob(context, name));
      return { json: publicView(job) };
    }),
  ];
}
