/**
 * What each resource needs to exist first. Plan uses it to hold back the changes that hang on a
 * conflict; apply uses it to skip the dependants of a failed change (and to order deletes the other
 * way round), so one failure is reported once, with what it blocked.
 */
import { resourceKey, type Resource } from '../resources/types.ts';
import { serviceAccountEmailOf } from './normalise.ts';

function serviceAccountKey(project: string, emailOrName: string): string {
  return `ServiceAccount projects/${project}/serviceAccounts/${serviceAccountEmailOf(emailOrName)}`;
}

function projectOfName(name: string): string {
  return /^projects\/([^/]+)\//.exec(name)?.[1] ?? '';
}

/** Keys of the resources `resource` refers to (they may or may not be in the plan). */
export function dependencies(resource: Resource): string[] {
  switch (resource.kind) {
    case 'ServiceAccount':
    case 'Topic':
    case 'AuditConfig':
    case 'RunSettings':
    case 'ManagedFolder':
    case 'ResourceGrant':
      return [];
    case 'ResourcePolicy': {
      // The resource whose policy it is, and every service account of the same project it names
      // (ours or not: keys not in the plan block nothing).
      const project = resource.target === 'managedFolder' ? '' : projectOfName(resource.name);
      const gs = /^gs:\/\/([^/]+)\/(.+)$/.exec(resource.name);
      const target =
        resource.target === 'managedFolder' ? `ManagedFolder gs://${gs?.[1] ?? ''}/${gs?.[2] ?? ''}` : resource.target === 'topic' ? `Topic ${resource.name}` : `ServiceAccount ${resource.name}`;
      const members = Object.values(resource.bindings).flat();
      const accounts = members.flatMap((m) => {
        const email = /^serviceAccount:(.+)$/.exec(m)?.[1];
        if (!email) return [];
        const accountProject = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? project;
        return [serviceAccountKey(accountProject, email)];
      });
      return [target, ...new Set(accounts)];
    }
    case 'SecretAccess': {
      const email = /^serviceAccount:(.+)$/.exec(resource.member)?.[1];
      return email ? [serviceAccountKey(projectOfName(resource.secret), email)] : [];
    }
    case 'IamBinding': {
      const email = /^serviceAccount:(.+)$/.exec(resource.member)?.[1];
      return email ? [serviceAccountKey(resource.project, email)] : [];
    }
    case 'Workflow':
      return [serviceAccountKey(projectOfName(resource.name), resource.serviceAccount)];
    case 'Trigger':
      return [serviceAccountKey(projectOfName(resource.name), resource.serviceAccount), `Workflow ${resource.destinationWorkflow}`];
    case 'SchedulerJob': {
      const workflow = /\/v1\/(projects\/[^/]+\/locations\/[^/]+\/workflows\/[^/]+)\/executions$/.exec(resource.httpTarget.uri)?.[1];
      return [serviceAccountKey(projectOfName(resource.name), resource.httpTarget.oauthToken.serviceAccountEmail), ...(workflow ? [`Workflow ${workflow}`] : [])];
    }
  }
}

export { resourceKey };
