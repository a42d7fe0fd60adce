/** Cloud Scheduler jobs, converted as convert.ts explains. */
import type { SchedulerJobResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import { ownerFromDescription } from '../names/ownership.ts';
import { enumNameOf, live, stringMap, type Maybe, type StringMap } from './convert.ts';
import { timestampText, type ApiTimestamp } from './timestamp.ts';

// ---- Cloud Scheduler -----------------------------------------------------------------------------

const HTTP_METHODS = ['HTTP_METHOD_UNSPECIFIED', 'POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
/** google.cloud.scheduler.v1.Job.State, in number order (job.proto). */
const JOB_STATES = ['STATE_UNSPECIFIED', 'ENABLED', 'PAUSED', 'DISABLED', 'UPDATE_FAILED'] as const;

export interface ApiSchedulerJob {
  name?: Maybe<string>;
  state?: Maybe<string | number>;
  description?: Maybe<string>;
  schedule?: Maybe<string>;
  timeZone?: Maybe<string>;
  httpTarget?: Maybe<{
    uri?: Maybe<string>;
    httpMethod?: Maybe<string | number>;
    headers?: StringMap;
    /** Bytes from the SDK, base64 text from REST JSON. */
    body?: Maybe<Uint8Array | string>;
    oauthToken?: Maybe<{ serviceAccountEmail?: Maybe<string>; scope?: Maybe<string> }>;
  }>;
  /** Output only (google.cloud.scheduler.v1.Job, job.proto); not scheduleTime/lastAttemptTime, which move every run. */
  userUpdateTime?: ApiTimestamp;
}

function bodyText(body: Maybe<Uint8Array | string>): string {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return Buffer.from(body, 'base64').toString('utf8');
  return Buffer.from(body).toString('utf8');
}

export function schedulerJobFromApi(j: ApiSchedulerJob): Live<SchedulerJobResource> {
  const t = j.httpTarget ?? {};
  const method = enumNameOf(t.httpMethod, HTTP_METHODS) ?? '';
  const description = j.description ?? '';
  return live(
    (owner) => ({
      kind: 'SchedulerJob',
      owner,
      name: j.name ?? '',
      description,
      schedule: j.schedule ?? '',
      timeZone: j.timeZone ?? '',
      // google.cloud.scheduler.v1.Job.State (job.proto): a number over gRPC, a name over REST.
      state: (enumNameOf(j.state, JOB_STATES) ?? 'STATE_UNSPECIFIED') as 'ENABLED',
      httpTarget: {
        uri: t.uri ?? '',
        // The model only ever asks for POST; a foreign job may use another verb and is shown as it is.
        httpMethod: method as 'POST',
        headers: stringMap(t.headers),
        body: bodyText(t.body),
        oauthToken: {
          serviceAccountEmail: t.oauthToken?.serviceAccountEmail ?? '',
          scope: t.oauthToken?.scope ?? '',
        },
      },
    }),
    ownerFromDescription(description),
    { userUpdateTime: timestampText(j.userUpdateTime) },
  );
}

export function schedulerJobToApi(desired: SchedulerJobResource) {
  const t = desired.httpTarget;
  return {
    name: desired.name,
    description: desired.description,
    schedule: desired.schedule,
    timeZone: desired.timeZone,
    httpTarget: {
      uri: t.uri,
      httpMethod: t.httpMethod,
      headers: { ...t.headers },
      body: Buffer.from(t.body, 'utf8'),
      oauthToken: { serviceAccountEmail: t.oauthToken.serviceAccountEmail, scope: t.oauthToken.scope },
    },
  };
}

export const SCHEDULER_UPDATE_PATHS = ['description', 'schedule', 'time_zone', 'http_target'] as const;
