/**
 * Workflows v1 (https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows).
 * Create, patch and delete return long-running operations, born done. A new revision id is minted when
 * a field that defines the deployed program changes (source, service account, env vars, call logging,
 * KMS key), as the API does; labels and description edits keep the revision.
 */
import { load as loadYaml } from 'js-yaml';
import { invalid, notFound, alreadyExists, foundOr, route, type Route } from '../http.ts';
import { operationRoutes, type ApiContext } from '../context.ts';
import { applyMask, doneOperation, enumName, hexId, isRecord, maskedUpdate, now, validateLabels, listUnder } from '../google-shapes.ts';
import { publicView } from '../state.ts';
import { ID_RULES, violates } from '../../names/naming.ts';

const MAX_SOURCE_BYTES = 128 * 1024;
const MAX_ENV_VARS = 20;
const MAX_ENV_VAR_BYTES = 4 * 1024;
const UPDATABLE = ['description', 'labels', 'serviceAccount', 'sourceContents', 'userEnvVars', 'callLogLevel', 'cryptoKeyName', 'executionHistoryLevel', 'tags'];
const REVISION_FIELDS = ['sourceContents', 'serviceAccount', 'userEnvVars', 'callLogLevel', 'cryptoKeyName'];

/** google.cloud.workflows.v1.Workflow.CallLogLevel, by number. */
const CALL_LOG_LEVELS = ['CALL_LOG_LEVEL_UNSPECIFIED', 'LOG_ALL_CALLS', 'LOG_ERRORS_ONLY', 'LOG_NONE'];
const EXECUTION_HISTORY_LEVELS = ['EXECUTION_HISTORY_LEVEL_UNSPECIFIED', 'EXECUTION_HISTORY_BASIC', 'EXECUTION_HISTORY_DETAILED'];
const METADATA_TYPE = 'type.googleapis.com/google.cloud.workflows.v1.OperationMetadata';
const WORKFLOW_TYPE = 'type.googleapis.com/google.cloud.workflows.v1.Workflow';
const EMPTY_TYPE = 'type.googleapis.com/google.protobuf.Empty';

function validateWorkflow(body: Record<string, any>): void {
  const source = body.sourceContents;
  if (source === undefined || source === '') throw invalid('Workflow source must be provided: set sourceContents.');
  if (typeof source !== 'string') throw invalid('sourceContents must be a string.');
  const size = Buffer.byteLength(source, 'utf8');
  if (size > MAX_SOURCE_BYTES) throw invalid(`Workflow source is ${size} bytes; the maximum is ${MAX_SOURCE_BYTES} bytes (128 KB).`);
  try {
    const parsed = loadYaml(source);
    if (!isRecord(parsed) && !Array.isArray(parsed)) throw new Error('the document is not a map or a list of steps');
  } catch (error) {
    throw invalid(`Workflow source is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const env = body.userEnvVars;
  if (env !== undefined) {
    if (!isRecord(env)) throw invalid('userEnvVars must be a map of strings.');
    const entries = Object.entries(env);
    if (entries.length > MAX_ENV_VARS) throw invalid(`userEnvVars: at most ${MAX_ENV_VARS} variables are allowed, got ${entries.length}.`);
    for (const [key, value] of entries) {
      if (key.startsWith('GOOGLE') || key.startsWith('WORKFLOW')) throw invalid(`userEnvVars: "${key}" is reserved (names starting with GOOGLE or WORKFLOW are).`);
      if (typeof value !== 'string') throw invalid(`userEnvVars: "${key}" must be a string.`);
      if (Buffer.byteLength(value, 'utf8') > MAX_ENV_VAR_BYTES) throw invalid(`userEnvVars: "${key}" is longer than 4 KiB.`);
    }
  }
  validateLabels(body.labels);
  if (body.callLogLevel !== undefined) body.callLogLevel = enumName(body.callLogLevel, CALL_LOG_LEVELS, 'callLogLevel');
  if (body.executionHistoryLevel !== undefined) body.executionHistoryLevel = enumName(body.executionHistoryLevel, EXECUTION_HISTORY_LEVELS, 'executionHistoryLevel');
  if (body.serviceAccount !== undefined && !/^(projects\/[^/]+\/serviceAccounts\/)?[^/@\s]+@[^/@\s]+$/.test(body.serviceAccount)) {
    throw invalid(`serviceAccount "${body.serviceAccount}" must be an email or projects/{project}/serviceAccounts/{email}.`);
  }
}

/** Revision ids look like `000001-a4d`: a counter and a short hash. */
function revisionId(counter: number): string {
  return `${String(counter).padStart(6, '0')}-${hexId(2).slice(0, 3)}`;
}

function definitionOf(workflow: Record<string, any>): string {
  return JSON.stringify(REVISION_FIELDS.map((f) => workflow[f] ?? null));
}

export function workflowsRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/workflows';
  const nameOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}/workflows/${p.workflow}`;
  const locationOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}`;
  const mustGet = (name: string) => foundOr(state.get('workflows', name), `Resource '${name}' was not found`);
  /** Stores the workflow `name` and answers with the operation that made it, done at once. */
  const stored = (params: Readonly<Record<string, string>>, name: string, workflow: Record<string, any>, verb: 'create' | 'update', time: string) => {
    state.put('workflows', name, workflow);
    const operation = doneOperation({
      location: locationOf(params),
      metadataType: METADATA_TYPE,
      target: name,
      verb,
      responseType: WORKFLOW_TYPE,
      response: publicView(workflow),
      startTime: time,
    });
    state.putOperation(operation);
    return operation;
  };

  return [
    route('POST', base, 'workflows.create', (req) => {
      const id = req.param('workflowId');
      if (!id) throw invalid('workflowId is required.');
      if (violates(id, ID_RULES.workflowId)) {
        throw invalid(`Invalid workflowId "${id}": it must contain only letters, numbers, underscores and hyphens, start with a letter, end with a letter or number, and be 1-64 characters long.`);
      }
      const body = req.json();
      validateWorkflow(body);
      const name = nameOf({ ...req.params, workflow: id });
      if (state.get('workflows', name)) throw alreadyExists(`Resource '${name}' already exists`);
      const time = now();
      const fields = Object.fromEntries(UPDATABLE.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]));
      const workflow = {
        name,
        ...fields,
        state: 'ACTIVE',
        revisionId: revisionId(1),
        createTime: time,
        updateTime: time,
        revisionCreateTime: time,
        _revision: 1,
      };
      return { json: stored(req.params, name, workflow, 'create', time) };
    }),

    route('GET', base, 'workflows.list', (req) => ({
      json: listUnder(state.all('workflows'), `${locationOf(req.params)}/workflows/`, req, { defaultSize: 500, maxSize: 1000 }, 'workflows', publicView),
    })),

    route('GET', `${base}/{workflow}`, 'workflows.get', (req) => {
      const workflow = mustGet(nameOf(req.params));
      const revision = req.param('revisionId');
      if (revision && revision !== workflow.revisionId) throw notFound(`Revision '${revision}' of workflow '${workflow.name}' was not found`);
      return { json: publicView(workflow) };
    }),

    route('PATCH', `${base}/{workflow}`, 'workflows.patch', (req) => {
      const name = nameOf(req.params);
      const current = mustGet(name);
      const { body, fields } = maskedUpdate(req, name, 'workflow.name', UPDATABLE);
      const time = now();
      const merged = applyMask(current, body, fields);
      validateWorkflow(merged);
      const newRevision = definitionOf(merged) !== definitionOf(current);
      const revision = newRevision ? (current._revision ?? 1) + 1 : (current._revision ?? 1);
      const workflow = {
        ...merged,
        updateTime: time,
        ...(newRevision ? { revisionId: revisionId(revision), revisionCreateTime: time, _revision: revision } : {}),
      };
      return { json: stored(req.params, name, workflow, 'update', time) };
    }),

    route('DELETE', `${base}/{workflow}`, 'workflows.delete', (req) => {
      const name = nameOf(req.params);
      mustGet(name);
      const time = now();
      state.remove('workflows', name);
      const operation = doneOperation({ location: locationOf(req.params), metadataType: METADATA_TYPE, target: name, verb: 'delete', responseType: EMPTY_TYPE, response: {}, startTime: time });
      state.putOperation(operation);
      return { json: operation };
    }),

    ...operationRoutes(context, route, 'v1'),
  ];
}
