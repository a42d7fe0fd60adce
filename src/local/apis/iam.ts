/**
 * IAM v1 service accounts (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts).
 *
 * Eventual consistency, as users meet it: a new account is returned by `create` at once, but `get`
 * and `list` only see it after `serviceAccountVisibilityDelayMs` (measured on the context's clock,
 * so tests advance time instead of sleeping), and until then a policy that newly grants it a role is
 * refused with "does not exist" (see resource-manager.ts, secret-manager-iam.ts).
 */
import { ApiError, invalid, notFound, alreadyExists, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { byName, etag, isRecord, listBody, maskFields, paginate, sameEtag } from '../google-shapes.ts';
import { publicView, type StoredResource } from '../state.ts';
import type { SandboxState } from '../state.ts';
import { removeOwnPolicy } from '../resource-policies.ts';

/** IAM measures both in UTF-8 bytes: 100 for the display name, 256 for the description. */
function checkAccountTexts(fields: Record<string, unknown>): void {
  if (fields.displayName !== undefined && Buffer.byteLength(String(fields.displayName), 'utf8') > 100) throw invalid('displayName must be at most 100 UTF-8 bytes.');
  if (fields.description !== undefined && Buffer.byteLength(String(fields.description), 'utf8') > 256) throw invalid('description must be at most 256 UTF-8 bytes.');
}

/**
 * ServiceAccount.etag is bytes (gcloud's iam v1 messages: `etag = _messages.BytesField(5)`), so it is
 * compared as bytes; absent or empty (proto3 cannot tell them apart) means "no precondition".
 */
function etagMatches(sent: unknown, current: unknown): boolean {
  return sent === undefined || sent === '' || sameEtag(sent, current);
}

const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;

function visible(account: StoredResource, at: number): boolean {
  return account._visibleAt === undefined || at >= account._visibleAt;
}

/** Find an account by `projects/P/serviceAccounts/{email|uniqueId}` (P may be `-`). */
export function findAccount(state: SandboxState, project: string, key: string): StoredResource | undefined {
  const byEmailKey = state.get('serviceAccounts', `projects/${project}/serviceAccounts/${key}`);
  if (byEmailKey) return byEmailKey;
  return Object.values(state.all('serviceAccounts')).find((a) => (project === '-' || a.projectId === project) && (a.email === key || a.uniqueId === key));
}

/** Whether `email` names a service account that exists but is not yet visible (created moments ago). */
export function serviceAccountNotYetVisible(context: Pick<ApiContext, 'state' | 'clock'>, email: string): boolean {
  const account = findAccount(context.state, '-', email);
  return account !== undefined && !visible(account, context.clock.now());
}

let uniqueCounter = 0;
function uniqueId(): string {
  // 21 digits, like Google's; time-based so ids from separate runs over one state do not collide.
  uniqueCounter = (uniqueCounter + 1) % 1000;
  return `1${String(Date.now()).padStart(14, '0')}${String(uniqueCounter).padStart(3, '0')}${Math.floor(Math.random() * 1000)
    .toString()
    .padStart(3, '0')}`;
}

export function iamRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/serviceAccounts';
  const mustGetVisible = (project: string, key: string) => {
    const account = findAccount(state, project, key);
    if (!account || !visible(account, context.clock.now())) {
      throw notFound(`Unknown service account: projects/${project}/serviceAccounts/${key}`);
    }
    return account;
  };

  return [
    route('POST', base, 'serviceAccounts.create', (req) => {
      const project = req.params.project!;
      const body = req.json();
      const accountId = body.accountId;
      if (typeof accountId !== 'string' || accountId === '') throw invalid('accountId is required.');
      if (accountId.length < 6 || accountId.length > 30 || !ACCOUNT_ID.test(accountId)) {
        throw invalid(
          `Invalid accountId "${accountId}": it must be 6-30 characters of lowercase letters, digits and dashes, start with a letter and not end with a dash (regex [a-z]([-a-z0-9]*[a-z0-9])).`,
        );
      }
      const details = isRecord(body.serviceAccount) ? body.serviceAccount : {};
      checkAccountTexts(details);
      const email = `${accountId}@${project}.iam.gserviceaccount.com`;
      const name = `projects/${project}/serviceAccounts/${email}`;
      if (state.get('serviceAccounts', name)) {
        throw alreadyExists(`Service account ${accountId} already exists within project projects/${project}.`);
      }
      const id = uniqueId();
      const account = {
        name,
        projectId: project,
        uniqueId: id,
        email,
        ...(details.displayName !== undefined ? { displayName: details.displayName } : {}),
        ...(details.description !== undefined ? { description: details.description } : {}),
        etag: etag(),
        oauth2ClientId: id,
        disabled: false,
        ...(context.serviceAccountVisibilityDelayMs > 0 ? { _visibleAt: context.clock.now() + context.serviceAccountVisibilityDelayMs } : {}),
      };
      state.put('serviceAccounts', name, account);
      return { json: publicView(account) };
    }),

    route('GET', base, 'serviceAccounts.list', (req) => {
      const project = req.params.project!;
      const at = context.clock.now();
      const all = Object.values(state.all('serviceAccounts'))
        .filter((a) => a.projectId === project && visible(a, at))
        .sort(byName);
      const page = paginate(all, req.param('pageSize'), req.param('pageToken'), { defaultSize: 20, maxSize: 100 });
      return { json: listBody('accounts', page.items.map(publicView), page.nextPageToken) };
    }),

    route('GET', `${base}/{account}`, 'serviceAccounts.get', (req) => {
      return { json: publicView(mustGetVisible(req.params.project!, req.params.account!)) };
    }),

    route('PATCH', `${base}/{account}`, 'serviceAccounts.patch', (req) => {
      const current = mustGetVisible(req.params.project!, req.params.account!);
      const body = req.json();
      const patch = isRecord(body.serviceAccount) ? body.serviceAccount : {};
      const fields = maskFields(body.updateMask ?? req.param('updateMask'), ['displayName', 'description'], []);
      if (fields.length === 0) throw invalid('updateMask is required: name the fields to update (displayName, description).');
      if (!etagMatches(patch.etag, current.etag)) {
        throw new ApiError('ABORTED', 'The etag in the request does not match the current etag of the service account; read it again and retry.');
      }
      checkAccountTexts(Object.fromEntries(fields.map((f) => [f, patch[f]])));
      const next: Record<string, any> = { ...current, etag: etag() };
      for (const field of fields) {
        if (patch[field] === undefined || patch[field] === '') delete next[field];
        else next[field] = patch[field];
      }
      state.put('serviceAccounts', current.name, next);
      return { json: publicView(next) };
    }),

    // The legacy `update` (PUT) that older clients use: replaces displayName and description.
    route('PUT', `${base}/{account}`, 'serviceAccounts.update', (req) => {
      const current = mustGetVisible(req.params.project!, req.params.account!);
      const body = req.json();
      if (!etagMatches(body.etag, current.etag)) {
        throw new ApiError('ABORTED', 'The etag in the request does not match the current etag of the service account; read it again and retry.');
      }
      checkAccountTexts(body);
      const next: Record<string, any> = { ...current, etag: etag() };
      for (const field of ['displayName', 'description']) {
        if (body[field] === undefined) delete next[field];
        else next[field] = body[field];
      }
      state.put('serviceAccounts', current.name, next);
      return { json: publicView(next) };
    }),

    route('DELETE', `${base}/{account}`, 'serviceAccounts.delete', (req) => {
      const account = mustGetVisible(req.params.project!, req.params.account!);
      state.remove('serviceAccounts', account.name);
      removeOwnPolicy(state, { kind: 'serviceAccount', project: account.projectId, email: account.email });
      return { json: {} };
    }),
  ];
}
