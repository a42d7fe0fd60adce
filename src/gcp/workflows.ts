/**
 * Cloud Workflows through @google-cloud/workflows (https://cloud.google.com/workflows/docs/reference/rest/v1/projects.locations.workflows).
 * Create, update and delete are long-running operations: each call resolves only once Google says
 * the operation is done, so apply's next step (a trigger pointing at the workflow) finds it.
 */
import type { WorkflowsClient } from '@google-cloud/workflows';
import type { WorkflowResource } from '../resources/types.ts';
import type { Live } from '../resources/live.ts';
import type { WorkflowsApi } from './types.ts';
import { allPages, call, type CallCounter } from './calls.ts';
import { WORKFLOW_UPDATE_PATHS, workflowFromApi, workflowToApi } from './convert-workflows.ts';

/** The documented maximum; larger values are coerced down. */
const PAGE_SIZE = 1000;

function splitName(name: string): { parent: string; id: string } {
  const match = /^(projects\/[^/]+\/locations\/[^/]+)\/workflows\/([^/]+)$/.exec(name);
  if (!match) throw new Error(`internal: not a workflow name: ${name}`);
  return { parent: match[1]!, id: match[2]! };
}

export class CloudWorkflows implements WorkflowsApi {
  constructor(
    private readonly client: WorkflowsClient,
    private readonly counter: CallCounter,
  ) {}

  async list(project: string, location: string): Promise<Live<WorkflowResource>[]> {
    const parent = `projects/${project}/locations/${location}`;
    const workflows = await allPages(this.counter, 'workflows', parent, PAGE_SIZE, (request) => this.client.listWorkflows(request, { autoPaginate: false }));
    const result: Live<WorkflowResource>[] = [];
    for (const workflow of workflows) {
      // List answers carry the source; should one ever come without it, read that one alone
      // rather than report a source difference that is not there.
      if (!workflow.sourceContents && workflow.name) {
        const name = workflow.name;
        const [full] = await call(this.counter, 'workflows', 'get', name, () => this.client.getWorkflow({ name }));
        result.push(workflowFromApi(full));
      } else {
        result.push(workflowFromApi(workflow));
      }
    }
    return result;
  }

  async create(desired: WorkflowResource): Promise<void> {
    const { parent, id } = splitName(desired.name);
    const workflow = workflowToApi(desired);
    await call(this.counter, 'workflows', 'create', desired.name, async () => {
      const [operation] = await this.client.createWorkflow({ parent, workflowId: id, workflow });
      await operation.promise();
    });
  }

  async update(desired: WorkflowResource): Promise<void> {
    splitName(desired.name);
    const workflow = workflowToApi(desired);
    await call(this.counter, 'workflows', 'update', desired.name, async () => {
      const [operation] = await this.client.updateWorkflow({ workflow, updateMask: { paths: [...WORKFLOW_UPDATE_PATHS] } });
      await operation.promise();
    });
  }

  async delete(name: string): Promise<void> {
    splitName(name);
    await call(this.counter, 'workflows', 'delete', name, async () => {
      const [operation] = await this.client.deleteWorkflow({ name });
      await operation.promise();
    });
  }
}
