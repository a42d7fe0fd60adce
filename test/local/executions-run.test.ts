/**
 * The sandbox runs what is deployed: executions created through the real Executions SDK client run the
 * stored revision in the interpreter and end SUCCEEDED or FAILED, visible through get and list.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ExecutionsClient, WorkflowsClient } from '@google-cloud/workflows';
import { startSandbox, type Sandbox } from '../../src/local/index.ts';
import { VirtualClock, type Clock } from '../../src/sim/index.ts';
import { finishedExecution, sdkOptions, PROJECT, REGION } from './helpers.ts';

const parent = `projects/${PROJECT}/locations/${REGION}`;
let sandbox: Sandbox;
let workflows: WorkflowsClient;
let executions: ExecutionsClient;
/** Sleeps of executions started while `hold` is set never end by themselves (cancel and stop do end them). */
let hold = false;
const heldClock = (): Clock => {
  const clock = new VirtualClock();
  return hold ? { now: () => clock.now(), sleep: () => new Promise<void>(() => {}) } : clock;
};

async function deploy(id: string, sourceContents: string, extra: Record<string, unknown> = {}): Promise<string> {
  const [operation] = await workflows.createWorkflow({ parent, workflowId: id, workflow: { sourceContents, ...extra } });
  await operation.promise();
  return `${parent}/workflows/${id}`;
}

test.before(async () => {
  sandbox = await startSandbox({ executionClock: heldClock });
  workflows = new WorkflowsClient(sdkOptions(sandbox, 'workflows') as any);
  executions = new ExecutionsClient(sdkOptions(sandbox, 'workflowexecutions') as any);
});
test.after(async () => {
  await workflows.close();
  await executions.close();
  await sandbox.stop();
});

test('an execution runs the deployed source with Google built-ins and userEnvVars, and ends SUCCEEDED with its result', async () => {
  const source = [
    'main:',
    '  params: [args]',
    '  steps:',
    '    - wait:',
    '        call: sys.sleep',
    '        args: {seconds: 3600}',
    '    - done:',
    '        return:',
    '          who: ${args.who}',
    '          project: ${sys.get_env("GOOGLE_CLOUD_PROJECT_ID")}',
    '          location: ${sys.get_env("GOOGLE_CLOUD_LOCATION")}',
    '          workflow: ${sys.get_env("GOOGLE_CLOUD_WORKFLOW_ID")}',
    '          revision: ${sys.get_env("GOOGLE_CLOUD_WORKFLOW_REVISION_ID")}',
    '          execution: ${sys.get_env("GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID")}',
    '          account: ${sys.get_env("GOOGLE_CLOUD_SERVICE_ACCOUNT_NAME")}',
    '          bucket: ${sys.get_env("BATCH_BUCKET")}',
    '',
  ].join('\n');
  const workflow = await deploy('env-echo', source, { userEnvVars: { BATCH_BUCKET: 'the-bucket' }, serviceAccount: `runner@${PROJECT}.iam.gserviceaccount.com` });
  const [created] = await executions.createExecution({ parent: workflow, execution: { argument: '{"who":"acme"}' } });
  assert.is(created.state, 'ACTIVE');
  const finished = await finishedExecution(sandbox, created.name!);
  assert.is(finished.state, 'SUCCEEDED', JSON.stringify(finished.error));
  const result = JSON.parse(finished.result);
  const [deployed] = await workflows.getWorkflow({ name: workflow });
  assert.equal(result, {
    who: 'acme',
    project: PROJECT,
    location: REGION,
    workflow: 'env-echo',
    revision: deployed.revisionId,
    execution: created.name!.split('/').pop(),
    account: deployed.serviceAccount,
    bucket: 'the-bucket',
  });
  assert.ok(finished.endTime && finished.duration, 'endTime and duration are set');

  const [got] = await executions.getExecution({ name: created.name! });
  assert.is(got.state, 'SUCCEEDED');
  assert.is(got.result, finished.result);
  const [listed] = await executions.listExecutions({ parent: workflow }, { autoPaginate: false });
  assert.equal(
    listed.map((e) => [e.name, e.state]),
    [[created.name, 'SUCCEEDED']],
  );
  assert.is(listed[0]!.result, '', 'the BASIC view (the default of list) leaves the result out');
  const [full] = await executions.listExecutions({ parent: workflow, view: 'FULL' }, { autoPaginate: false });
  assert.is(full[0]!.result, finished.result);
});

test('a raised error ends FAILED with payload, context and stack trace, as Google shapes Execution.Error', async () => {
  const workflow = await deploy(
    'raiser',
    ['main:', '  steps:', '    - first:', '        assign:', '          - x: 1', '    - fail:', '        raise:', '          message: no input', '          code: 42', ''].join('\n'),
  );
  const [created] = await executions.createExecution({ parent: workflow, execution: {} });
  await finishedExecution(sandbox, created.name!);
  const [got] = await executions.getExecution({ name: created.name! });
  assert.is(got.state, 'FAILED');
  assert.equal(JSON.parse(got.error!.payload!), { message: 'no input', code: 42 });
  assert.match(got.error!.context!, /no input/);
  assert.match(got.error!.context!, /in step "fail", routine "main"/);
  assert.is(got.error!.stackTrace!.elements![0]!.step, 'fail');
  assert.is(got.error!.stackTrace!.elements![0]!.routine, 'main');
  assert.ok(Number(got.error!.stackTrace!.elements![0]!.position!.line) > 0);
  assert.is(got.result, '');
});

test('a connector the interpreter does not implement fails the execution with the reason, not the sandbox', async () => {
  const workflow = await deploy(
    'unknown-connector',
    ['main:', '  steps:', '    - call_it:', '        call: googleapis.compute.v1.instances.list', '        args: {project: p, zone: z}', ''].join('\n'),
  );
  const [created] = await executions.createExecution({ parent: workflow, execution: {} });
  const finished = await finishedExecution(sandbox, created.name!);
  assert.is(finished.state, 'FAILED');
  assert.match(finished.error.payload, /googleapis\.compute\.v1\.instances\.list/);
});

test('an execution runs the revision deployed when it was created, and a cancel ends a running one', async () => {
  const workflow = await deploy('pinned', ['main:', '  steps:', '    - wait:', '        call: sys.sleep', '        args: {seconds: 10}', '    - done:', '        return: first', ''].join('\n'));
  hold = true;
  const [waiting] = await executions.createExecution({ parent: workflow, execution: {} });
  hold = false;
  const [pinnedRun] = await executions.createExecution({ parent: workflow, execution: {} });
  const [update] = await workflows.updateWorkflow({ workflow: { name: workflow, sourceContents: 'main:\n  steps:\n    - done:\n        return: second\n' } });
  await update.promise();
  assert.is(JSON.parse((await finishedExecution(sandbox, pinnedRun.name!)).result), 'first', 'created before the update: the old revision');
  const [afterUpdate] = await executions.createExecution({ parent: workflow, execution: {} });
  assert.is(JSON.parse((await finishedExecution(sandbox, afterUpdate.name!)).result), 'second');

  assert.is((await executions.getExecution({ name: waiting.name! }))[0].state, 'ACTIVE', 'held in sys.sleep');
  await executions.cancelExecution({ name: waiting.name! });
  const cancelled = await finishedExecution(sandbox, waiting.name!);
  assert.is(cancelled.state, 'CANCELLED');
});

test('stop() ends an execution still running instead of leaving it ACTIVE', async () => {
  const own = await startSandbox({ executionClock: () => ({ now: () => 0, sleep: () => new Promise<void>(() => {}) }) });
  const client = new WorkflowsClient(sdkOptions(own, 'workflows') as any);
  try {
    const [operation] = await client.createWorkflow({
      parent,
      workflowId: 'forever',
      workflow: { sourceContents: 'main:\n  steps:\n    - wait:\n        call: sys.sleep\n        args: {seconds: 1}\n' },
    });
    await operation.promise();
    const response = await fetch(`${own.endpoints.workflowexecutions}/v1/${parent}/workflows/forever/executions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const created = (await response.json()) as { name: string };
    await client.close();
    await own.stop();
    const execution = own.state.get('executions', created.name)!;
    assert.is(execution.state, 'FAILED');
    assert.match(execution.error.payload, /sandbox stopped/);
  } finally {
    await own.stop();
  }
});

test.run();
