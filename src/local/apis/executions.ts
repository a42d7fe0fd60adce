/**
 * Workflow Executions v1 (https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions).
 * The sandbox records an execution with its argument and the workflow revision it would run; it does
 * not run it (`npm start` runs workflows in the simulator, which may report back through
 * `state.finishExecution`).
 */
import { ApiError, invalid, notFound, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { enumName, listBody, now, paginate, uuid, validateLabels } from '../google-shapes.ts';
import { publicView } from '../state.ts';

const MAX_ARGUMENT_BYTES = 32 * 1024;
/** google.cloud.workflows.executions.v1 enums, by number. */
const CALL_LOG_LEVELS = ['CALL_LOG_LEVEL_UNSPECIFIED', 'LOG_ALL_CALLS', 'LOG_ERRORS_ONLY', 'LOG_NONE'];
const VIEWS = ['EXECUTION_VIEW_UNSPECIFIED', 'BASIC', 'FULL'];

export function executionsRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/workflows/{workflow}/executions';
  const workflowOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}/workflows/${p.workflow}`;
  const mustGet = (name: string) => {
    const execution = state.get('executions', name);
    if (!execution) throw notFound(`Resource '${name}' was not found`);
    return execution;
  };

  return [
    route('POST', base, 'executions.create', (req) => {
      const workflowName = workflowOf(req.params);
      const workflow = state.get('workflows', workflowName);
      if (!workflow) throw notFound(`Resource '${workflowName}' was not found`);
      const body = req.json();
      const argument = body.argument;
      if (argument !== undefined) {
        if (typeof argument !== 'string') throw invalid('argument must be a string holding JSON.');
        if (Buffer.byteLength(argument, 'utf8') > MAX_ARGUMENT_BYTES) throw invalid('argument is larger than 32 KiB.');
        try {
          JSON.parse(argument);
        } catch {
          throw invalid(`argument is not valid JSON: ${argument.slice(0, 80)}`);
        }
      }
      validateLabels(body.labels);
      const name = `${workflowName}/executions/${uuid()}`;
      const execution = {
        name,
        startTime: now(),
        state: 'ACTIVE',
        ...(argument !== undefined ? { argument } : {}),
        workflowRevisionId: workflow.revisionId,
        callLogLevel: enumName(body.callLogLevel, CALL_LOG_LEVELS, 'callLogLevel') ?? 'CALL_LOG_LEVEL_UNSPECIFIED',
        status: { currentSteps: [] },
        ...(body.labels ? { labels: body.labels } : {}),
      };
      state.put('executions', name, execution);
      return { json: execution };
    }),

    route('GET', base, 'executions.list', (req) => {
      const workflowName = workflowOf(req.params);
      // Newest first, as the API lists them.
      const all = state.executions(workflowName);
      const page = paginate(all, req.param('pageSize'), req.param('pageToken'), { defaultSize: 100, maxSize: 1000 });
      const basic = enumName(req.param('view'), VIEWS, 'view') !== 'FULL';
      const items = page.items.map((e) => (basic ? (({ argument: _a, result: _r, ...rest }) => rest)(e) : e));
      return { json: listBody('executions', items, page.nextPageToken) };
    }),

    route('GET', `${base}/{execution}`, 'executions.get', (req) => {
      return { json: publicView(mustGet(`${workflowOf(req.params)}/executions/${req.params.execution}`)) };
    }),

    route('POST', `${base}/{execution}:cancel`, 'executions.cancel', (req) => {
      const name = `${workflowOf(req.params)}/executions/${req.params.execution}`;
      const execution = mustGet(name);
      if (execution.state !== 'ACTIVE' && execution.state !== 'QUEUED') {
        throw new ApiError('FAILED_PRECONDITION', `Execution ${name} has already finished (${execution.state}).`);
      }
      state.finishExecution(name, { state: 'CANCELLED' });
      return { json: publicView(state.get('executions', name)!) };
    }),
  ];
}
