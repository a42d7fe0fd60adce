/**
 * Eventarc for Cloud Storage uploads through Cloud Audit Logs. An object written through the Storage
 * API is logged as `storage.objects.create`, a DATA_WRITE Data Access audit log
 * (https://cloud.google.com/storage/docs/audit-logging), only when the project's policy enables
 * DATA_WRITE logs for storage.googleapis.com (or allServices): Data Access logs are off by default
 * (https://cloud.google.com/logging/docs/audit/configure-data-access), and Eventarc's audit-log
 * triggers fire only on logs that are written ("Ensure that you have enabled the data access audit
 * log types for your service", https://cloud.google.com/eventarc/docs/determining-filters-cal).
 * A principal in the config's exemptedMembers is not logged (AuditLogConfig.exempted_members).
 * Every trigger of the project whose event filters all match the event (attribute equality, or
 * `match-path-pattern` on resourceName, src/local/path-pattern.ts) starts an execution of its
 * destination workflow with the CloudEvent as argument, as the trigger's service account
 * (https://cloud.google.com/eventarc/docs/workflows/overview: the event is the execution's argument).
 * Not modelled: trigger regions (a regional trigger receives only events of its region), delivery
 * retries and the transport topic.
 */
import type { ApiContext } from './context.ts';
import { auditLogUploadEvent } from './audit-log-event.ts';
import { matchPathPattern } from './path-pattern.ts';
import { createExecution } from './run-execution.ts';
import { serviceAccountMember } from './authz/principal.ts';
import { isAllowed } from './authz/authorize.ts';
import { projectCheck } from './authz/permissions.ts';
import { hexId, now } from './google-shapes.ts';

const SERVICE = 'storage.googleapis.com';

/** Are DATA_WRITE audit logs written for `service` in this policy, for this principal? */
export function dataWriteLogged(policy: Readonly<Record<string, any>> | undefined, service: string, principal: string | undefined): boolean {
  for (const config of policy?.auditConfigs ?? []) {
    if (config.service !== service && config.service !== 'allServices') continue;
    for (const log of config.auditLogConfigs ?? []) {
      if (log.logType !== 'DATA_WRITE') continue;
      if (principal && (log.exemptedMembers ?? []).includes(principal)) continue;
      return true;
    }
  }
  return false;
}

/** The value an event filter attribute names in a CloudEvent (attributes are lower-case context attributes). */
function attributeOf(event: Readonly<Record<string, unknown>>, attribute: string): unknown {
  return event[attribute.toLowerCase()];
}

export function filtersMatch(filters: readonly Record<string, any>[], event: Readonly<Record<string, unknown>>): boolean {
  return filters.every((filter) => {
    const actual = attributeOf(event, String(filter.attribute));
    if (typeof actual !== 'string') return false;
    return filter.operator === 'match-path-pattern' ? matchPathPattern(String(filter.value), actual) : actual === filter.value;
  });
}

function deliveryAllowed(context: ApiContext, project: string, member: string): boolean {
  const now = new Date(context.clock.now());
  return (
    isAllowed(context.state, member, projectCheck(project, 'eventarc.events.receiveAuditLogWritten', 'eventarc.googleapis.com'), now) &&
    isAllowed(context.state, member, projectCheck(project, 'workflows.executions.create', 'workflows.googleapis.com'), now)
  );
}

/**
 * Deliver the audit-log event of an object write. Returns the names of the executions started
 * (none when the project does not log DATA_WRITE for Cloud Storage or no trigger matches).
 */
export function deliverObjectCreated(context: ApiContext, upload: { bucket: string; object: string; caller?: string }): string[] {
  const { state } = context;
  const project = state.get('buckets', upload.bucket)?._project;
  if (typeof project !== 'string') return [];
  if (!dataWriteLogged(state.projectPolicy(project), SERVICE, upload.caller)) return [];
  const time = now();
  const event = auditLogUploadEvent({
    project,
    bucket: upload.bucket,
    object: upload.object,
    time,
    insertId: hexId(8),
    ...(upload.caller ? { principalEmail: upload.caller.replace(/^[a-zA-Z]+:/, '') } : {}),
  });
  const started: string[] = [];
  const triggers = Object.values(state.all('triggers'))
    .filter((t) => t.name.startsWith(`projects/${project}/`))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const trigger of triggers) {
    const workflow = trigger.destination?.workflow;
    if (typeof workflow !== 'string' || !filtersMatch(trigger.eventFilters ?? [], event)) continue;
    // A destination that does not exist: Eventarc's delivery fails; nothing runs.
    if (!state.get('workflows', workflow)) continue;
    // Eventarc delivers as the trigger's service account, which must be allowed to receive the event
    // and to invoke the workflow (https://cloud.google.com/eventarc/docs/workflows/quickstart-storage:
    // roles/eventarc.eventReceiver and roles/workflows.invoker). Without them delivery fails: nothing runs.
    if (trigger.serviceAccount && !deliveryAllowed(context, project, serviceAccountMember(trigger.serviceAccount))) continue;
    const execution = createExecution(context, {
      workflow,
      argument: JSON.stringify(event),
      ...(trigger.serviceAccount ? { caller: serviceAccountMember(trigger.serviceAccount) } : {}),
    });
    started.push(execution.name);
  }
  return started;
}
