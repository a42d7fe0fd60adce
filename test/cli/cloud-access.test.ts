/**
 * Failures users fix themselves against Google Cloud (no credentials, an API not enabled, a missing
 * role) are reported as their problem with the command that fixes it, never as an internal error.
 * No test here reaches Google (the CLI without credentials, in a real process: cloud-access.e2e.test.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cloudAccessProblem } from '../../src/cli/cloud-access.ts';
import { toCloudError } from '../../src/gcp/errors.ts';
import { CloudError } from '../../src/gcp/types.ts';

/** A 403 as Google's REST APIs send it for an API that is off (google.rpc.ErrorInfo reason SERVICE_DISABLED). */
const serviceDisabled = {
  response: {
    status: 403,
    data: {
      error: {
        code: 403,
        status: 'PERMISSION_DENIED',
        message:
          'Eventarc API has not been used in project 123456 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/eventarc.googleapis.com/overview?project=123456 then retry.',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED', domain: 'googleapis.com' }],
      },
    },
  },
  message: 'Request failed with status code 403',
};

test('an API that is not enabled: names the service and the gcloud command that enables it', () => {
  const error = toCloudError(serviceDisabled, 'eventarc.list', 'projects/scoring-dev-4821/locations/global');
  assert.is(error.code, 'PERMISSION_DENIED');
  const problem = cloudAccessProblem(error, { project: 'scoring-dev-4821', action: 'plan' });
  assert.ok(problem);
  const [d] = problem.diagnostics;
  assert.match(d!.message, 'eventarc.googleapis.com is not enabled in project scoring-dev-4821');
  assert.is(d!.fix, 'gcloud services enable eventarc.googleapis.com --project=scoring-dev-4821');
});

test('a missing permission: plan asks for read access, apply names the role of that API and the account', () => {
  const denied = new CloudError(
    'PERMISSION_DENIED',
    "workflows.create projects/p/locations/l/workflows/w: PERMISSION_DENIED (HTTP 403): Permission 'workflows.workflows.create' denied",
    403,
    'workflows',
  );
  const forPlan = cloudAccessProblem(denied, { project: 'p', action: 'plan' })!.diagnostics[0]!;
  assert.match(forPlan.fix!, 'roles/viewer');
  const forApply = cloudAccessProblem(denied, { project: 'p', action: 'apply', principal: 'deployer@p.iam.gserviceaccount.com' })!.diagnostics[0]!;
  assert.match(forApply.message, 'permission denied as deployer@p.iam.gserviceaccount.com in project p');
  assert.match(forApply.fix!, 'grant roles/workflows.admin to deployer@p.iam.gserviceaccount.com');
});

test('refused credentials say how to log in; other failures are not dressed up as access problems', () => {
  const refused = new CloudError('UNAUTHENTICATED', 'iam.list projects/p: UNAUTHENTICATED (HTTP 401): invalid_grant', 401, 'iam');
  assert.match(cloudAccessProblem(refused, { project: 'p', action: 'plan' })!.diagnostics[0]!.fix!, 'gcloud auth application-default login');
  assert.is(cloudAccessProblem(new CloudError('UNAVAILABLE', 'x', 503, 'iam'), { project: 'p', action: 'plan' }), undefined);
  assert.is(cloudAccessProblem(new Error('boom'), { project: 'p', action: 'plan' }), undefined);
});

test.run();
