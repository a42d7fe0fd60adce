/**
 * Workflow Executions v1 (https://cloud.google.com/workflows/docs/reference/executions/rest/v1/projects.locations.workflows.executions).
 * An execution runs the revision deployed when it was created, in the project's interpreter, in the
 * background (src/local/run-execution.ts); get and list show it ACTIVE, then SUCCEEDED or FAILED.
 */
import { ApiError, foundOr, route, type Route } from '../http.ts';
import type { ApiContext } from '../context.ts';
import { enumName, listBody, paginate } from '../google-shapes.ts';
import { publicView } from '../state.ts';
import { callerOf } from '../authz/principal.ts';
import { abortExecution, createExecution, finish } from '../run-execution.ts';

/** google.cloud.workflows.executions.v1 enums, by number. */
const BASIC_FIELDS = ['name', 'startTime', 'endTime', 'duration', 'state', 'workflowRevisionId'];
const VIEWS = ['EXECUTION_VIEW_UNSPECIFIED', 'BASIC', 'FULL'];

export function executionsRoutes(context: ApiContext): Route[] {
  const { state } = context;
  const base = '/v1/projects/{project}/locations/{location}/workflows/{workflow}/executions';
  const workflowOf = (p: Readonly<Record<string, string>>) => `projects/${p.project}/locations/${p.location}/workflows/${p.workflow}`;
  const mustGet = (name: string) => foundOr(state.get('executions', name), `Resource '${name}' was not found`);

  return [
    route('POST', base, 'executions.create', (req) => {
      const body = req.json();
      const caller = callerOf(req.headers);
      const execution = createExecution(context, { workflow: workflowOf(req.params), argument: body.argument, callLogLevel: body.callLogLevel, labels: body.labels, caller });
      return { json: publicView(execution) };
    }),

    route('GET', base, 'executions.list', (req) => {
      const workflowName = workflowOf(req.params);
      // Newest first, as the API lists them.
      const all = state.executions(workflowName);
      const page = paginate(all, req.param('pageSize'), req.param('pageToken'), { defaultSize: 100, maxSize: 1000 });
      const basic = enumName(req.param('view'), VIEWS, 'view') !== 'FULL';
      // ExecutionView.BASIC (executions.proto): name, start_time, end_time, duration, state, workflow_revision_id.
      const items = page.items.map((e) => (basic ? Object.fromEntries(BASIC_FIELDS.filter((f) => e[f] !== undefined).map((f) => [f, e[f]])) : e));
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
      finish(context, name, { state: 'CANCELLED' });
      abortExecution(context, name);
      return { json: publicView(state.get('executions', name)!) };
    }),
  ];
}
