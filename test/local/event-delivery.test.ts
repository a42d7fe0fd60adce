/** Which uploads Eventarc sees: Data Access audit-log configuration and trigger filters, as pure functions. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dataWriteLogged, filtersMatch } from '../../src/local/event-delivery.ts';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';

const storage = (logTypes: string[], exemptedMembers?: string[], service = 'storage.googleapis.com') => ({
  auditConfigs: [{ service, auditLogConfigs: logTypes.map((logType) => ({ logType, ...(exemptedMembers ? { exemptedMembers } : {}) })) }],
});

test('DATA_WRITE for storage.googleapis.com or allServices is what makes an object write logged', () => {
  assert.not.ok(dataWriteLogged(undefined, 'storage.googleapis.com', undefined), 'no policy: Data Access logs are off by default');
  assert.not.ok(dataWriteLogged({ bindings: [] }, 'storage.googleapis.com', undefined));
  assert.not.ok(dataWriteLogged(storage(['DATA_READ', 'ADMIN_READ']), 'storage.googleapis.com', undefined), 'reads are not writes');
  assert.not.ok(dataWriteLogged(storage(['DATA_WRITE'], undefined, 'bigquery.googleapis.com'), 'storage.googleapis.com', undefined));
  assert.ok(dataWriteLogged(storage(['DATA_WRITE']), 'storage.googleapis.com', undefined));
  assert.ok(dataWriteLogged(storage(['DATA_WRITE'], undefined, 'allServices'), 'storage.googleapis.com', undefined));
});

test('an exempted principal is not logged, others are', () => {
  const policy = storage(['DATA_WRITE'], ['serviceAccount:loader@p.iam.gserviceaccount.com']);
  assert.not.ok(dataWriteLogged(policy, 'storage.googleapis.com', 'serviceAccount:loader@p.iam.gserviceaccount.com'));
  assert.ok(dataWriteLogged(policy, 'storage.googleapis.com', 'user:someone@example.com'));
});

test('every filter must match: equality on type, serviceName, methodName; the path pattern on resourceName', () => {
  const event = auditLogUploadEvent({ project: 'p', bucket: 'b', object: 'acme/inputs/a.jsonl', time: '2026-01-05T00:00:00Z', insertId: 'x' });
  const filters = [
    { attribute: 'type', value: 'google.cloud.audit.log.v1.written' },
    { attribute: 'serviceName', value: 'storage.googleapis.com' },
    { attribute: 'methodName', value: 'storage.objects.create' },
    { attribute: 'resourceName', value: '/projects/_/buckets/b/objects/acme/inputs/**', operator: 'match-path-pattern' },
  ];
  assert.ok(filtersMatch(filters, event));
  assert.not.ok(
    filtersMatch(
      filters.map((f) => (f.attribute === 'methodName' ? { ...f, value: 'storage.objects.delete' } : f)),
      event,
    ),
  );
  assert.not.ok(
    filtersMatch(
      filters.map((f) => (f.attribute === 'resourceName' ? { ...f, value: '/projects/_/buckets/b/objects/globex/**' } : f)),
      event,
    ),
  );
  assert.not.ok(filtersMatch([...filters, { attribute: 'unknown', value: 'x' }], event), 'an attribute the event lacks never matches');
  assert.not.ok(
    filtersMatch(
      filters.map((f) => (f.attribute === 'resourceName' ? { attribute: 'resourceName', value: '/projects/_/buckets/b/objects/acme/inputs/**' } : f)),
      event,
    ),
    'without the operator the value is compared exactly',
  );
});

test.run();
