/**
 * Who is calling the sandbox: the principal named by the request's bearer token.
 *
 * The sandbox issues and accepts access tokens of the form `sandbox:<member>`, e.g.
 * `sandbox:serviceAccount:acme-corp@P.iam.gserviceaccount.com` or `sandbox:user:alice@example.com`,
 * sent as Google's APIs take any OAuth 2 token: `Authorization: Bearer <token>` (what
 * `gcloud --access-token-file`, `--impersonate-service-account` and the SDKs' auth clients send).
 *
 * A request without a token comes from the sandbox's operator, `user:operator@sandbox.local`, the
 * person running plan and apply against it: the operator holds roles/owner on every sandbox project
 * implicitly (it is in no stored policy, so policies read back exactly as they were written).
 *
 * A token that is not `sandbox:<principal>` is refused as Google refuses an invalid credential: 401
 * UNAUTHENTICATED, "Request had invalid authentication credentials. Expected OAuth 2 access token,
 * login cookie or other valid authentication credential. See
 * https://developers.google.com/identity/sign-in/web/devconsole-project." with an ErrorInfo of
 * reason ACCESS_TOKEN_TYPE_UNSUPPORTED (the body Google APIs answer for a bearer token that is not
 * an OAuth 2 access token, as recorded from live calls in public client code and tests).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../http.ts';

export const OPERATOR = 'user:operator@sandbox.local';
const TOKEN_PREFIX = 'sandbox:';

/**
 * Principals a token may name: a user, a service account, or a workload identity federation
 * principal (https://cloud.google.com/iam/docs/principal-identifiers). Groups, domains and
 * principal sets are sets of principals, not callers.
 */
const CALLER = /^(user:[^\s@]+@[^\s@]+|serviceAccount:[^\s@]+@[^\s@]+|principal:\/\/\S+)$/;

/** The access token the sandbox accepts for `member` (what internal actors and tests send). */
export function tokenFor(member: string): string {
  if (!CALLER.test(member)) throw new Error(`tokenFor: "${member}" is not a principal (user:EMAIL, serviceAccount:EMAIL or principal://...)`);
  return `${TOKEN_PREFIX}${member}`;
}

/** The email of an account named by its email or as `projects/P/serviceAccounts/EMAIL`. */
export function serviceAccountEmail(account: string): string {
  return account.replace(/^projects\/[^/]+\/serviceAccounts\//, '');
}

/** `serviceAccount:EMAIL` for an email or `projects/P/serviceAccounts/EMAIL`. */
export function serviceAccountMember(account: string): string {
  return `serviceAccount:${serviceAccountEmail(account)}`;
}

/** The Authorization header value a sandbox-internal caller acting as `member` sends. */
export function authorizationFor(member: string): string {
  return `Bearer ${tokenFor(member)}`;
}

/** `Authorization` headers for a request as `member`. */
export function authHeaders(member: string): { authorization: string } {
  return { authorization: `Bearer ${tokenFor(member)}` };
}

/**
 * Cloud Storage's JSON API words it its own way, in its `errors[]` shape (the JSON API status-codes
 * page, https://cloud.google.com/storage/docs/json_api/v1/status-codes, "401 Unauthorized": domain
 * global, location Authorization); "Invalid Credentials" with reason authError is the body Storage
 * answers for a token it does not accept (recalled from Storage responses, not from that page, which
 * shows the missing-header case).
 */
class UnauthenticatedError extends ApiError {
  constructor(private readonly storage: boolean) {
    super(
      'UNAUTHENTICATED',
      storage
        ? 'Invalid Credentials'
        : 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    );
  }
  override toBody(): unknown {
    if (this.storage) {
      return { error: { code: 401, message: this.message, errors: [{ message: this.message, domain: 'global', reason: 'authError', locationType: 'header', location: 'Authorization' }] } };
    }
    return {
      error: {
        code: 401,
        message: this.message,
        status: 'UNAUTHENTICATED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com' }],
      },
    };
  }
}

/** The member a token names, or undefined when it is not a sandbox token. */
export function memberOfToken(token: string): string | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const member = token.slice(TOKEN_PREFIX.length).trim();
  return CALLER.test(member) ? member : undefined;
}

/** The caller of a request: its token's principal, or the operator when it has none. */
export function callerOf(headers: IncomingHttpHeaders, api?: string): string {
  const header = headers.authorization;
  if (header === undefined || header === '') return OPERATOR;
  const match = /^Bearer\s+(.+)$/i.exec(String(header).trim());
  const member = match ? memberOfToken(match[1]!) : undefined;
  if (!member) throw new UnauthenticatedError(api === 'storage');
  return member;
}
