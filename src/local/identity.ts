/**
 * Who is calling. Google authenticates every request by its OAuth token; the sandbox takes no
 * credentials, so its own callers (an execution calling APIs as the workflow's service account,
 * Cloud Scheduler's oauthToken, Eventarc invoking a workflow as the trigger's service account)
 * carry a readable stand-in token, `Authorization: Bearer sandbox:serviceAccount:EMAIL`. Requests
 * without one (the SDKs with PassThroughClient, gcloud with auth/disable_credentials) have no known
 * principal. Nothing is enforced with it yet: it is recorded so authorization can be.
 */
import type { IncomingHttpHeaders } from 'node:http';

const PREFIX = 'Bearer sandbox:';

/** `serviceAccount:EMAIL` for an email or `projects/P/serviceAccounts/EMAIL`. */
export function serviceAccountMember(account: string): string {
  return `serviceAccount:${account.replace(/^projects\/[^/]+\/serviceAccounts\//, '')}`;
}

/** The Authorization header a sandbox-internal caller acting as `member` sends. */
export function authorizationFor(member: string): string {
  return `${PREFIX}${member}`;
}

/** The principal (`serviceAccount:EMAIL`, `user:EMAIL`) a request names, if it names one. */
export function callerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  const header = Array.isArray(value) ? value[0] : value;
  return header?.startsWith(PREFIX) ? header.slice(PREFIX.length) : undefined;
}
