/**
 * The google.iam.v1.IAMPolicy methods (getIamPolicy, setIamPolicy) on the resources that have their
 * own allow policy besides the project and secrets: Pub/Sub topics and subscriptions, and IAM
 * service accounts. The HTTP bindings are Google's, from gcloud's apitools clients
 * (generated_clients/apis/pubsub/v1/pubsub_v1_client.py: `GET v1/projects/{p}/topics/{t}:getIamPolicy`
 * with `options_requestedPolicyVersion`, `POST ...:setIamPolicy` with a SetIamPolicyRequest body; the
 * same for subscriptions; iam/v1/iam_v1_client.py: `POST v1/projects/{p}/serviceAccounts/{sa}:getIamPolicy`
 * with the version as a query parameter, `POST ...:setIamPolicy`). A POST getIamPolicy with
 * `options` in the body (what the gax REST fallback sends) is served too.
 *
 * Semantics are those of every allow policy (iam-policy.ts): version 3 for conditions, etags, the
 * `_withcond_` view for readers below version 3. A resource's policy is deleted with the resource.
 */
import { invalid, notFound, route, type ApiRequest, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { etag, isRecord } from '../google-shapes.ts';
import { ownPolicy, putOwnPolicy, type PolicyResource } from '../resource-policies.ts';
import { nextResourcePolicy, policyView, requestedPolicyVersion } from './iam-policy.ts';
import { findAccount, serviceAccountNotYetVisible } from './iam.ts';

interface PolicyTarget {
  /** Path template up to the resource, e.g. `/v1/projects/{project}/topics/{topic}`. */
  readonly path: string;
  /** Stats name prefix, e.g. `topics`. */
  readonly name: string;
  /**
   * How Google serves getIamPolicy for this resource: Pub/Sub's is a GET with the version as a query
   * parameter (https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics/getIamPolicy),
   * IAM's service accounts a POST with a body (gcloud's iam v1 client: iam.projects.serviceAccounts.getIamPolicy).
   */
  readonly getMethod: 'GET' | 'POST';
  /** The resource the request names; throws Google's NOT_FOUND when it does not exist. */
  resolve(req: ApiRequest): PolicyResource;
}

function requested(req: ApiRequest, body: Record<string, any>): number {
  return requestedPolicyVersion(body.options?.requestedPolicyVersion ?? body.options?.requested_policy_version ?? req.param('options.requestedPolicyVersion'));
}

/** getIamPolicy (GET and POST) and setIamPolicy routes for one kind of resource. */
export function policyRoutes(context: Pick<ApiContext, 'state' | 'clock'>, target: PolicyTarget): Route[] {
  const { state } = context;
  const get = (req: ApiRequest) => {
    const resource = target.resolve(req);
    const body = req.method === 'POST' ? req.json() : {};
    return { json: policyView(ownPolicy(state, resource) as Record<string, any>, requested(req, body)) };
  };
  return [
    route(target.getMethod, `${target.path}:getIamPolicy`, `${target.name}.getIamPolicy`, get, false),
    route('POST', `${target.path}:setIamPolicy`, `${target.name}.setIamPolicy`, (req) => {
      const resource = target.resolve(req);
      const body = req.json();
      if (!isRecord(body.policy)) throw invalid('policy is required.');
      const current = ownPolicy(state, resource);
      const next = nextResourcePolicy(current, body.policy, (email) => serviceAccountNotYetVisible(context, email), etag);
      putOwnPolicy(state, resource, next);
      return { json: policyView(next, 3) };
    }),
  ];
}

/** Topic and subscription policies (Pub/Sub's NOT_FOUND wording as in pubsub.ts). */
export function pubsubIamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  return PUBSUB_POLICY_HOLDERS.flatMap(({ collection, param, kind, missing }) =>
    policyRoutes(context, {
      path: `/v1/projects/{project}/${collection}/{${param}}`,
      name: collection,
      getMethod: 'GET',
      resolve(req) {
        const name = `projects/${req.params.project}/${collection}/${req.params[param]}`;
        if (!state.get(collection, name)) throw notFound(missing);
        return { kind, name };
      },
    }),
  );
}

const PUBSUB_POLICY_HOLDERS = [
  { collection: 'topics', param: 'topic', kind: 'topic', missing: 'Topic not found' },
  { collection: 'subscriptions', param: 'subscription', kind: 'subscription', missing: 'Subscription does not exist' },
] as const;

/** A service account's own policy (where roles/iam.serviceAccountUser and TokenCreator are granted). */
export function serviceAccountIamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  return policyRoutes(context, {
    path: '/v1/projects/{project}/serviceAccounts/{account}',
    name: 'serviceAccounts',
    getMethod: 'POST',
    resolve(req) {
      const account = findAccount(state, req.params.project!, req.params.account!);
      if (!account) throw notFound(`Unknown service account: projects/${req.params.project}/serviceAccounts/${req.params.account}`);
      return { kind: 'serviceAccount', project: account.projectId as string, email: account.email as string };
    },
  });
}
