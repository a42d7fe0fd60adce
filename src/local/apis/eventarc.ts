/**
 * Eventarc v1 triggers (https://cloud.google.com/eventarc/docs/reference/rest/v1/projects.locations.triggers).
 * Patches are in place (same uid, new etag), which is what lets apply change a path filter without
 * the gap Terraform's delete-and-recreate leaves. Operations are returned done.
 */
import { ApiError, booleanParam, invalid, foundOr, notFound, alreadyExists, route, type Route } from '../http.ts';
import { operationRoutes, type ApiContext } from '../context.ts';
import { applyMask, camelCase, doneOperation, hexId, isRecord, now, uuid, validateLabels, listUnder } from '../google-shapes.ts';
import { publicView } from '../state.ts';

const TRIGGER_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const AUDIT_LOG_TYPE = 'google.cloud.audit.log.v1.written';
const UPDATABLE = ['eventFilters', 'serviceAccount', 'destination', 'transport', 'labels', 'channel', 'eventDataContentType'];
const METADATA_TYPE = 'type.googleapis.com/google.cloud.eventarc.v1.OperationMetadata';
const TRIGGER_TYPE = 'type.googleapis.com/google.cloud.eventarc.v1.Trigger';

function validateTrigger(trigger: Record<string, any>): void {
  const filters = trigger.eventFilters;
  if (!Array.isArray(filters) || filters.length === 0) throw invalid('eventFilters is required: at least the "type" attribute must be filtered.');
  const seen = new Set<string>();
  for (const [i, f] of filters.entries()) {
    if (!isRecord(f) || typeof f.attribute !== 'string' || !f.attribute) throw invalid(`eventFilters[${i}].attribute is required.`);
    if (typeof f.value !== 'string' || !f.value) throw invalid(`eventFilters[${i}].value is required (attribute ${f.attribute}).`);
    if (seen.has(f.attribute)) throw invalid(`The attribute "${f.attribute}" appears in more than one event filter.`);
    seen.add(f.attribute);
    if (f.operator !== undefined && f.operator !== '' && f.operator !== 'match-path-pattern') {
      throw invalid(`eventFilters[${i}].operator "${f.operator}" is not supported; the only operator is "match-path-pattern".`);
    }
  }
  const type = filters.find((f: any) => f.attribute === 'type')?.value;
  if (!type) throw invalid('The "type" event filter is required.');
  if (type === AUDIT_LOG_TYPE) {
    for (const required of ['serviceName', 'methodName']) {
      if (!seen.has(required)) throw invalid(`Audit log triggers need a "${required}" event filter.`);
    }
    for (const f of filters) {
      if (f.operator === 'match-path-pattern' && f.attribute !== 'resourceName') {
        throw invalid(`The "match-path-pattern" operator is only supported on the "resourceName" attribute of audit log events, not "${f.attribute}".`);
      }
    }
  }
  const destination = trigger.destination;
  if (!isRecord(destination)) throw invalid('destination is required.');
  const kinds = ['workflow', 'cloudRun', 'cloudFunction', 'gke', 'httpEndpoint'].filter((k) => destination[k] !== undefined);
  if (kinds.length !== 1) throw invalid('destination must name exactly one of workflow, cloudRun, cloudFunction, gke, httpEndpoint.');
  if (destination.workflow !== undefined && !/^projects\/[^/]+\/locations\/[^/]+\/workflows\/[^/]+$/.test(destination.workflow)) {
    throw invalid(`destination.workflow "${destination.workflow}" must be projects/{project}/locations/{location}/workflows/{workflow}.`);
  }
  if (destination.workflow !== undefined && !trigger.serviceAccount) {
    throw invalid('A trigger with a Workflows destination needs a serviceAccount to invoke the workflow with.');
  }
  if (trigger.serviceAccount !== undefined && !/^[^/@\s]+@[^/@\s]+$/.test(trigger.serviceAccount)) {
    throw invalid(`serviceAccount "${trigger.serviceAccount}" must be a service account email.`);
  }
  validateLabels(trigger.labels);
}

export function eventarcRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/triggers';
  const locationOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}`;
  const nameOf = (p: Readonly<Record<string, string>>) => `${locationOf(p)}/triggers/${p.trigger}`;

  const finish = (location: string, verb: 'create' | 'update' | 'delete', target: string, response: Record<string, unknown>, startTime: string, record: boolean) => {
    const operation = doneOperation({ location, metadataType: METADATA_TYPE, target, verb, responseType: TRIGGER_TYPE, response, startTime });
    if (record) state.putOperation(operation);
    return { json: operation };
  };

  const create = (location: string, id: string, body: Record<string, any>, validateOnly: boolean) => {
    if (!TRIGGER_ID.test(id)) {
      throw invalid(`Invalid triggerId "${id}": it must be 1-63 lowercase letters, digits and hyphens, start with a letter and end with a letter or digit.`);
    }
    validateTrigger(body);
    const name = `${location}/triggers/${id}`;
    if (state.get('triggers', name)) throw alreadyExists(`Resource '${name}' already exists`);
    const time = now();
    const fields = Object.fromEntries(UPDATABLE.filter((f) => f !== 'transport' && body[f] !== undefined).map((f) => [f, body[f]]));
    const project = location.split('/')[1];
    const trigger = {
      name,
      uid: uuid(),
      createTime: time,
      updateTime: time,
      ...fields,
      // Output only: Eventarc provisions a Pub/Sub transport for audit-log and direct events.
      transport: {
        pubsub: {
          topic: `projects/${project}/topics/eventarc-${location.split('/')[3]}-${id}-${hexId(2)}`,
          subscription: `projects/${project}/subscriptions/eventarc-${location.split('/')[3]}-${id}-sub-${hexId(2)}`,
        },
      },
      etag: hexId(16),
      eventDataContentType: body.eventDataContentType ?? 'application/json',
    };
    if (!validateOnly) state.put('triggers', name, trigger);
    return finish(location, 'create', name, publicView(trigger), time, !validateOnly);
  };

  return [
    route('POST', base, 'triggers.create', (req) => {
      const id = req.param('triggerId');
      if (!id) throw invalid('triggerId is required.');
      return create(locationOf(req.params), id, req.json(), booleanParam(req.param('validateOnly')));
    }),

    route('GET', base, 'triggers.list', (req) => ({ json: listUnder(state.all('triggers'), `${locationOf(req.params)}/triggers/`, req, { defaultSize: 100, maxSize: 1000 }, 'triggers', publicView) })),

    route('GET', `${base}/{trigger}`, 'triggers.get', (req) => {
      const trigger = foundOr(state.get('triggers', nameOf(req.params)), `Resource '${nameOf(req.params)}' was not found`);
      return { json: publicView(trigger) };
    }),

    route('PATCH', `${base}/{trigger}`, 'triggers.patch', (req) => {
      const name = nameOf(req.params);
      const body = req.json();
      const validateOnly = booleanParam(req.param('validateOnly'));
      const current = state.get('triggers', name);
      if (!current) {
        if (booleanParam(req.param('allowMissing'))) return create(locationOf(req.params), req.params.trigger!, body, validateOnly);
        throw notFound(`Resource '${name}' was not found`);
      }
      const mask = req.param('updateMask');
      // Without a mask the fields present in the request are updated; `*` updates all of them.
      const fields =
        mask === undefined || mask === ''
          ? UPDATABLE.filter((f) => body[f] !== undefined)
          : mask
              .split(',')
              .map((f) => camelCase(f.trim().split('.')[0]!))
              .flatMap((f) => (f === '*' ? UPDATABLE : [f]));
      for (const field of fields) {
        if (!UPDATABLE.includes(field)) throw invalid(`Invalid update mask path: "${field}". Updatable fields: ${UPDATABLE.join(', ')}.`);
      }
      if (body.etag !== undefined && body.etag !== '' && body.etag !== current.etag) {
        throw new ApiError('ABORTED', `The etag of trigger ${name} does not match: it was changed since it was read.`);
      }
      const time = now();
      const next: Record<string, any> = applyMask(
        current,
        body,
        fields.filter((f) => f !== 'transport'),
      );
      validateTrigger(next);
      const updated = { ...next, updateTime: time, etag: hexId(16) };
      if (!validateOnly) state.put('triggers', name, updated);
      return finish(locationOf(req.params), 'update', name, publicView(updated), time, !validateOnly);
    }),

    route('DELETE', `${base}/{trigger}`, 'triggers.delete', (req) => {
      const name = nameOf(req.params);
      const current = state.get('triggers', name);
      const time = now();
      if (!current) {
        if (booleanParam(req.param('allowMissing'))) return finish(locationOf(req.params), 'delete', name, {}, time, true);
        throw notFound(`Resource '${name}' was not found`);
      }
      const expected = req.param('etag');
      if (expected && expected !== current.etag) throw new ApiError('ABORTED', `The etag of trigger ${name} does not match: it was changed since it was read.`);
      if (booleanParam(req.param('validateOnly'))) return finish(locationOf(req.params), 'delete', name, publicView(current), time, false);
      state.remove('triggers', name);
      return finish(locationOf(req.params), 'delete', name, publicView(current), time, true);
    }),

    ...operationRoutes(context, route, 'v1'),
  ];
}
