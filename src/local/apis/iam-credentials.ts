/**
 * The IAM Service Account Credentials API (https://cloud.google.com/iam/docs/reference/credentials/rest),
 * the one method `gcloud --impersonate-service-account` and the SDKs' Impersonated credentials call:
 * `POST v1/projects/-/serviceAccounts/{email}:generateAccessToken` (gcloud's
 * generated_clients/apis/iamcredentials/v1: body GenerateAccessTokenRequest {delegates, lifetime,
 * scope}; answer GenerateAccessTokenResponse {accessToken, expireTime}).
 *
 * The caller needs iam.serviceAccounts.getAccessToken on the account (roles/iam.serviceAccountTokenCreator;
 * checked by the authorizer before this handler runs, see authz/permissions.ts). The token is the
 * sandbox's token for the account, `sandbox:serviceAccount:EMAIL`. Its lifetime is at most one hour
 * unless an organization policy allows up to 12 ("By default, the maximum allowed value is 1 hour",
 * GenerateAccessTokenRequest.lifetime); the sandbox has no organization policies, so longer is a 400.
 * Delegation chains (`delegates`) are not served: a request naming delegates is refused.
 */
import { invalid, notFound, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { findAccount } from './iam.ts';
import { tokenFor } from '../authz/principal.ts';

const MAX_LIFETIME_SECONDS = 3600;

export function iamCredentialsRoutes(context: ApiContext): Route[] {
  const { state } = context;
  return [
    route(
      'POST',
      '/v1/projects/{project}/serviceAccounts/{account}:generateAccessToken',
      'serviceAccounts.generateAccessToken',
      (req) => {
        if (req.params.project !== '-') throw invalid('The project in the resource name must be "-": projects/-/serviceAccounts/{ACCOUNT_EMAIL_OR_UNIQUEID}.');
        const body = req.json();
        if (!Array.isArray(body.scope) || body.scope.length === 0 || body.scope.some((s: unknown) => typeof s !== 'string')) {
          throw invalid('scope is required: the OAuth 2.0 scopes the token is for, e.g. https://www.googleapis.com/auth/cloud-platform.');
        }
        if (Array.isArray(body.delegates) && body.delegates.length > 0) throw invalid('The sandbox does not serve delegation chains: call generateAccessToken without delegates.');
        let lifetime = MAX_LIFETIME_SECONDS;
        if (body.lifetime !== undefined) {
          const match = /^(\d+(?:\.\d+)?)s$/.exec(String(body.lifetime));
          if (!match) throw invalid(`Invalid lifetime "${String(body.lifetime)}": a duration in seconds such as "3600s".`);
          lifetime = Number(match[1]);
          if (lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) throw invalid(`The lifetime ${body.lifetime} is longer than the maximum of ${MAX_LIFETIME_SECONDS}s.`);
        }
        const account = findAccount(state, '-', req.params.account!);
        if (!account) throw notFound(`Service account projects/-/serviceAccounts/${req.params.account} not found.`);
        if (account.disabled) throw invalid(`Service account ${account.email} is disabled.`);
        return {
          json: {
            accessToken: tokenFor(`serviceAccount:${account.email}`),
            expireTime: new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        };
      },
      false,
    ),
  ];
}
