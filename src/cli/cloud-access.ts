/**
 * Failures a person fixes in the console or with gcloud, not bugs of ours: no credentials, credentials
 * Google refuses, an API not enabled in the project, a missing permission. Each becomes a UserError
 * naming the API, the project and the command that fixes it.
 */
import { UserError } from '../diagnostics.ts';
import { CloudError } from '../gcp/types.ts';

/** What `apply` needs per API, beyond what `plan` reads (README: Permissions). */
const APPLY_ROLES: Readonly<Record<string, string>> = {
  workflows: 'roles/workflows.admin',
  eventarc: 'roles/eventarc.admin',
  cloudscheduler: 'roles/cloudscheduler.admin',
  iam: 'roles/iam.serviceAccountAdmin',
  cloudresourcemanager: 'roles/resourcemanager.projectIamAdmin',
  pubsub: 'roles/pubsub.admin',
  storage: 'roles/storage.objectAdmin (on the product bucket)',
  secretmanager: 'roles/secretmanager.admin',
};

const LOGIN_FIX = 'run `gcloud auth application-default login` (in CI: set GOOGLE_APPLICATION_CREDENTIALS or use workload identity); to try without Google Cloud, use --target sandbox or `npm start`';

/** Google says an API is off with a 403 whose text names the service (reason SERVICE_DISABLED). */
function isServiceDisabled(error: CloudError): boolean {
  return /SERVICE_DISABLED|has not been used in project|is disabled/i.test(error.message);
}

export function cloudAccessProblem(error: unknown, context: { project: string; principal?: string; action: 'plan' | 'apply' }): UserError | undefined {
  if (!(error instanceof CloudError)) return undefined;
  const who = context.principal ? ` as ${context.principal}` : '';
  const service = error.api ? `${error.api}.googleapis.com` : 'the API';
  if (error.code === 'UNAUTHENTICATED') {
    return new UserError({ message: `Google Cloud refused the credentials${who}: ${error.message}`, fix: LOGIN_FIX });
  }
  if (error.code === 'PERMISSION_DENIED' && isServiceDisabled(error)) {
    return new UserError({
      message: `${service} is not enabled in project ${context.project}: ${error.message}`,
      fix: `gcloud services enable ${service} --project=${context.project}`,
    });
  }
  if (error.code === 'PERMISSION_DENIED') {
    const role = error.api ? APPLY_ROLES[error.api] : undefined;
    return new UserError({
      message: `permission denied${who} in project ${context.project}: ${error.message}`,
      fix:
        context.action === 'plan'
          ? `grant read access to ${service}${context.principal ? ` to ${context.principal}` : ''} (roles/viewer on the project covers most of what plan reads; README: Permissions), or run plan with an account that has it`
          : `grant ${role ?? 'the admin role of this API'}${context.principal ? ` to ${context.principal}` : ''}, or apply with an account that has it (README: Permissions)`,
    });
  }
  return undefined;
}

export function missingCredentials(error: unknown): UserError | undefined {
  if (!(error instanceof CloudError) || error.code !== 'UNAUTHENTICATED') return undefined;
  return new UserError({ message: `plan and apply call Google Cloud and found no credentials (${error.message.replace(/^no Application Default Credentials: /, '')})`, fix: LOGIN_FIX });
}
