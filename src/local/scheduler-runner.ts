/**
 * Cloud Scheduler jobs that fire. A job's attempt sends its httpTarget (method, headers, base64 body)
 * with an OAuth token of its oauthToken service account, as Cloud Scheduler does
 * (https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#HttpTarget);
 * a `*.googleapis.com` URI goes to the sandbox's own server for that API (src/local/api-urls.ts),
 * a loopback URI as is; any other host is not reached and the attempt fails UNAVAILABLE.
 * The job then shows the attempt: `lastAttemptTime`, `status` (google.rpc.Status of the target's
 * answer) and `scheduleTime`, the next time its schedule fires (Job in
 * node_modules/@google-cloud/scheduler/build/protos/google/cloud/scheduler/v1/job.proto).
 * Schedules are read against the sandbox's injected clock: `tickSchedules` fires what is due.
 */
import type { ApiContext } from './context.ts';
import { LOOPBACK_HOSTS, sandboxUrl } from './api-urls.ts';
import { authorizationFor, serviceAccountMember } from './authz/principal.ts';
import { nextCronTime, parseCron } from './cron-next.ts';
import type { StoredResource } from './state.ts';

/** google.rpc.Code for an HTTP status, as https://cloud.google.com/apis/design/errors#http_mapping maps them. */
function rpcCode(status: number): number {
  const codes: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 10, 412: 9, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };
  return status < 300 ? 0 : (codes[status] ?? (status < 500 ? 9 : 13));
}

/** The next time a job's schedule fires after `afterMs`, as an RFC 3339 string; undefined if never. */
export function nextScheduleTime(job: StoredResource, afterMs: number): string | undefined {
  try {
    const next = nextCronTime(parseCron(String(job.schedule)), String(job.timeZone || 'Etc/UTC'), afterMs);
    return next === undefined ? undefined : new Date(next).toISOString();
  } catch {
    return undefined;
  }
}

/** One attempt of a job: send its target and record the outcome on the job. */
export async function attemptJob(context: ApiContext, name: string): Promise<void> {
  const job = context.state.get('schedulerJobs', name);
  if (!job) return;
  const attemptTime = new Date(context.clock.now()).toISOString();
  const status = job.httpTarget ? await sendHttpTarget(context, job.httpTarget) : { code: 12, message: 'The sandbox sends only httpTarget jobs.' };
  const current = context.state.get('schedulerJobs', name);
  if (!current) return;
  context.state.put('schedulerJobs', name, { ...current, lastAttemptTime: attemptTime, status: status.code === 0 ? {} : status });
  await context.state.flush();
}

async function sendHttpTarget(context: ApiContext, target: Record<string, any>): Promise<{ code: number; message?: string }> {
  const uri = String(target.uri);
  let url = sandboxUrl(uri, context.endpoints);
  if (!url) {
    const host = URL.canParse(uri) ? new URL(uri).hostname : '';
    if (!LOOPBACK_HOSTS.includes(host)) return { code: 14, message: `The sandbox does not reach ${host || uri}: only *.googleapis.com APIs it serves and loopback URLs.` };
    url = uri;
  }
  const headers: Record<string, string> = { ...(target.headers ?? {}) };
  if (target.oauthToken?.serviceAccountEmail) headers.Authorization = authorizationFor(serviceAccountMember(target.oauthToken.serviceAccountEmail));
  const method = String(target.httpMethod || 'POST');
  try {
    const response = await fetch(url, {
      method,
      headers,
      ...(target.body && method !== 'GET' && method !== 'HEAD' ? { body: Buffer.from(String(target.body), 'base64') } : {}),
      signal: context.background.signal,
    });
    const text = await response.text();
    return response.ok ? { code: 0 } : { code: rpcCode(response.status), message: `HTTP ${response.status}: ${text.slice(0, 500)}` };
  } catch (error) {
    return { code: 14, message: `The target did not answer: ${(error as Error).message}` };
  }
}

/** Fire the ENABLED jobs whose scheduleTime has come; each gets its next scheduleTime. Resolves once their targets answered. */
export async function tickSchedules(context: ApiContext): Promise<string[]> {
  const nowMs = context.clock.now();
  const due: string[] = [];
  for (const job of Object.values(context.state.all('schedulerJobs'))) {
    if (job.state !== 'ENABLED') continue;
    if (!job.scheduleTime) {
      // A job stored before schedules were kept: it is scheduled from now on.
      const next = nextScheduleTime(job, nowMs);
      if (next) context.state.put('schedulerJobs', job.name, { ...job, scheduleTime: next });
      continue;
    }
    if (Date.parse(job.scheduleTime) > nowMs) continue;
    // One attempt however many fire times were missed; the next one is after now.
    const next = nextScheduleTime(job, nowMs);
    const { scheduleTime: _s, ...rest } = job;
    context.state.put('schedulerJobs', job.name, { ...rest, ...(next ? { scheduleTime: next } : {}) });
    due.push(job.name);
  }
  await Promise.all(due.map((name) => attemptJob(context, name)));
  return due.sort();
}
