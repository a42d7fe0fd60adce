import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WorkflowsClient } from '@google-cloud/workflows';
import { call, finishedExecution, sandboxWithClient, PROJECT, REGION, SOURCE } from './helpers.ts';

const local = sandboxWithClient(test, 'workflows', WorkflowsClient);
const parent = `projects/${PROJECT}/locations/${REGION}`;

test('the Workflows SDK creates, reads, patches and deletes a workflow through long-running operations', async () => {
  const [createOp] = await local.client.createWorkflow({
    parent,
    workflowId: 'acme-batch-inference',
    workflow: {
      sourceContents: SOURCE,
      labels: { 'managed-by': 'batch-workflows' },
      userEnvVars: { BUCKET: 'b1' },
      serviceAccount: `projects/${PROJECT}/serviceAccounts/acme@${PROJECT}.iam.gserviceaccount.com`,
    },
  });
  const [created] = await createOp.promise();
  assert.is(created.name, `${parent}/workflows/acme-batch-inference`);
  assert.is(created.sourceContents, SOURCE);
  assert.equal(created.userEnvVars, { BUCKET: 'b1' });
  assert.match(created.revisionId!, /^000001-[0-9a-f]{3}$/);

  // Operations are gettable under their name.
  const operation = await call(local.sandbox, 'workflows', 'GET', `/v1/${createOp.name}`);
  assert.is(operation.status, 200);
  assert.is(operation.body.done, true);
  assert.is(operation.body.response.name, created.name);

  // A label change keeps the revision; a source change makes a new one.
  const [labelOp] = await local.client.updateWorkflow({ workflow: { name: created.name, labels: { 'managed-by': 'batch-workflows', team: 'ml' } }, updateMask: { paths: ['labels'] } });
  const [relabelled] = await labelOp.promise();
  assert.equal(relabelled.labels, { 'managed-by': 'batch-workflows', team: 'ml' });
  assert.is(relabelled.revisionId, created.revisionId);
  assert.is(relabelled.sourceContents, SOURCE, 'fields outside the mask are kept');
  const newSource = SOURCE.replace('return: ${args}', 'return: 42');
  const [sourceOp] = await local.client.updateWorkflow({ workflow: { name: created.name, sourceContents: newSource }, updateMask: { paths: ['source_contents'] } });
  const [resourced] = await sourceOp.promise();
  assert.match(resourced.revisionId!, /^000002-/);
  assert.is(resourced.sourceContents, newSource);

  const [got] = await local.client.getWorkflow({ name: created.name });
  assert.is(got.sourceContents, newSource);
  assert.equal(got.labels, { 'managed-by': 'batch-workflows', team: 'ml' });

  const [deleteOp] = await local.client.deleteWorkflow({ name: created.name! });
  await deleteOp.promise();
  const missing = await local.client.getWorkflow({ name: created.name }).then(
    () => undefined,
    (error: any) => error,
  );
  assert.ok(missing, 'a deleted workflow is gone');
  assert.is(missing.code, 404);
  assert.match(String(missing.message), /NOT_FOUND/);
});

test('list pages through workflows with pageSize and nextPageToken, and the SDK follows the pages', async () => {
  const location = `projects/${PROJECT}/locations/us-central1`;
  for (let i = 0; i < 5; i++) {
    const created = await call(local.sandbox, 'workflows', 'POST', `/v1/${location}/workflows?workflowId=wf-${i}`, { sourceContents: SOURCE });
    assert.is(created.status, 200);
  }
  const first = await call(local.sandbox, 'workflows', 'GET', `/v1/${location}/workflows?pageSize=2`);
  assert.equal(
    first.body.workflows.map((w: any) => w.name.split('/').pop()),
    ['wf-0', 'wf-1'],
  );
  assert.type(first.body.nextPageToken, 'string');
  const second = await call(local.sandbox, 'workflows', 'GET', `/v1/${location}/workflows?pageSize=2&pageToken=${first.body.nextPageToken}`);
  assert.equal(
    second.body.workflows.map((w: any) => w.name.split('/').pop()),
    ['wf-2', 'wf-3'],
  );
  const third = await call(local.sandbox, 'workflows', 'GET', `/v1/${location}/workflows?pageSize=2&pageToken=${second.body.nextPageToken}`);
  assert.equal(
    third.body.workflows.map((w: any) => w.name.split('/').pop()),
    ['wf-4'],
  );
  assert.is(third.body.nextPageToken, undefined);

  const all = [];
  for await (const workflow of local.client.listWorkflowsAsync({ parent: location, pageSize: 2 }, { autoPaginate: false })) all.push(workflow);
  assert.equal(
    all.map((w) => w.name!.split('/').pop()),
    ['wf-0', 'wf-1', 'wf-2', 'wf-3', 'wf-4'],
  );
  assert.ok(
    all.every((w) => w.sourceContents === SOURCE),
    'list returns the source',
  );

  const bad = await call(local.sandbox, 'workflows', 'GET', `/v1/${location}/workflows?pageToken=garbage`);
  assert.is(bad.status, 400);
});

test('Workflows validates like the API: id format, source, duplicates, env var limits', async () => {
  const badId = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=9lives`, { sourceContents: SOURCE });
  assert.is(badId.status, 400);
  assert.is(badId.body.error.status, 'INVALID_ARGUMENT');
  assert.match(badId.body.error.message, /start with a letter/);

  const noSource = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=empty`, {});
  assert.is(noSource.status, 400);

  const badYaml = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=bad-yaml`, { sourceContents: 'main: [unclosed' });
  assert.is(badYaml.status, 400);

  const tooManyVars = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`V${i}`, 'x']));
  const vars = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=vars`, { sourceContents: SOURCE, userEnvVars: tooManyVars });
  assert.is(vars.status, 400);

  const huge = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=huge`, { sourceContents: `# ${'x'.repeat(130 * 1024)}\nmain:\n  steps: []\n` });
  assert.is(huge.status, 400);
  assert.match(huge.body.error.message, /128 KB/);

  assert.is((await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=twice`, { sourceContents: SOURCE })).status, 200);
  const twice = await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=twice`, { sourceContents: SOURCE });
  assert.is(twice.status, 409);
  assert.is(twice.body.error.status, 'ALREADY_EXISTS');

  const duplicateViaSdk = await local.client.createWorkflow({ parent, workflowId: 'twice', workflow: { sourceContents: SOURCE } }).then(
    () => undefined,
    (error: any) => error,
  );
  assert.is(duplicateViaSdk?.code, 409);
});

test('executions started in the same millisecond list newest first all the same', async () => {
  const workflow = `${parent}/workflows/same-instant`;
  const startTime = '2025-01-15T08:00:00.000Z';
  for (const [id, sequence] of [
    ['older', 1],
    ['newer', 2],
  ] as const) {
    local.sandbox.state.put('executions', `${workflow}/executions/${id}`, { name: `${workflow}/executions/${id}`, startTime, state: 'SUCCEEDED', _sequence: sequence });
  }
  const list = await call(local.sandbox, 'workflowexecutions', 'GET', `/v1/${workflow}/executions`);
  assert.equal(
    list.body.executions.map((e: any) => e.name.split('/').pop()),
    ['newer', 'older'],
  );
  assert.not.ok('_sequence' in list.body.executions[0], 'the order key is not part of the API');
});

test('Workflow Executions records an execution with its argument and the revision, runs it, and lists newest first', async () => {
  const workflow = `${parent}/workflows/exec-target`;
  await call(local.sandbox, 'workflows', 'POST', `/v1/${parent}/workflows?workflowId=exec-target`, { sourceContents: SOURCE });
  const first = await call(local.sandbox, 'workflowexecutions', 'POST', `/v1/${workflow}/executions`, { argument: '{"client":"acme"}' });
  assert.is(first.status, 200);
  assert.is(first.body.state, 'ACTIVE');
  assert.is(first.body.argument, '{"client":"acme"}');
  assert.match(first.body.workflowRevisionId, /^000001-/);
  const second = await call(local.sandbox, 'workflowexecutions', 'POST', `/v1/${workflow}/executions`, { argument: '{"client":"globex"}' });

  const got = await call(local.sandbox, 'workflowexecutions', 'GET', `/v1/${first.body.name}`);
  assert.is(got.body.argument, '{"client":"acme"}');
  const list = await call(local.sandbox, 'workflowexecutions', 'GET', `/v1/${workflow}/executions?view=FULL`);
  assert.equal(
    list.body.executions.map((e: any) => e.name),
    [second.body.name, first.body.name],
  );

  // The sandbox runs what is deployed: SOURCE returns its argument.
  const finished = await finishedExecution(local.sandbox, first.body.name);
  assert.is(finished.state, 'SUCCEEDED');
  assert.equal(JSON.parse(finished.result), { client: 'acme' });

  const badArgument = await call(local.sandbox, 'workflowexecutions', 'POST', `/v1/${workflow}/executions`, { argument: '{not json' });
  assert.is(badArgument.status, 400);
  const noWorkflow = await call(local.sandbox, 'workflowexecutions', 'POST', `/v1/${parent}/workflows/absent/executions`, { argument: '{}' });
  assert.is(noWorkflow.status, 404);
  assert.is(noWorkflow.body.error.status, 'NOT_FOUND');
});

test.run();
