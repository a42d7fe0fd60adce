/** IAM condition evaluation (src/iam/evaluate.ts): Google's attributes, fed to a real CEL evaluator. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionHolds } from '../../src/iam/evaluate.ts';

const OBJECT = { name: 'projects/_/buckets/b/objects/acme/inputs/x.jsonl', type: 'storage.googleapis.com/Object', service: 'storage.googleapis.com' };
const BUCKET = { name: 'projects/_/buckets/b', type: 'storage.googleapis.com/Bucket', service: 'storage.googleapis.com' };
const at = (iso: string) => new Date(iso);

test('resource.name, resource.type and resource.service are the request resource’s', () => {
  const time = at('2026-01-01T00:00:00Z');
  assert.ok(conditionHolds("resource.name.startsWith('projects/_/buckets/b/objects/acme/')", { resource: OBJECT, time }));
  assert.not.ok(conditionHolds("resource.name.startsWith('projects/_/buckets/b/objects/globex/')", { resource: OBJECT, time }));
  assert.ok(conditionHolds("resource.type == 'storage.googleapis.com/Object' && resource.service == 'storage.googleapis.com'", { resource: OBJECT, time }));
  // The documented pattern for roles that also hold bucket-level permissions.
  const pattern = "resource.type != 'storage.googleapis.com/Object' || resource.name.startsWith('projects/_/buckets/b/objects/acme/')";
  assert.ok(conditionHolds(pattern, { resource: BUCKET, time }));
  assert.ok(conditionHolds(pattern, { resource: OBJECT, time }));
  assert.not.ok(conditionHolds(pattern, { resource: { ...OBJECT, name: 'projects/_/buckets/b/objects/other/x' }, time }));
});

test('request.time with timestamps and the date/time functions, from the injected clock', () => {
  const expiry = "request.time < timestamp('2026-06-01T00:00:00Z')";
  assert.ok(conditionHolds(expiry, { time: at('2026-05-31T23:59:59Z') }));
  assert.not.ok(conditionHolds(expiry, { time: at('2026-06-01T00:00:00Z') }));
  assert.ok(conditionHolds("request.time.getHours('Europe/Berlin') == 9", { time: at('2026-01-15T08:30:00Z') }));
  assert.ok(conditionHolds('request.time.getFullYear() == 2026', { time: at('2026-01-15T08:30:00Z') }));
});

test('an attribute the request does not carry: resource attributes are empty, api.getAttribute gives its default', () => {
  const time = at('2026-01-01T00:00:00Z');
  assert.not.ok(conditionHolds("resource.name.startsWith('projects/p/topics/')", { time }));
  assert.ok(conditionHolds("resource.name == ''", { time }));
  assert.ok(conditionHolds("api.getAttribute('storage.googleapis.com/objectListPrefix', 'none') == 'none'", { time }));
  assert.ok(conditionHolds("api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('acme/')", { time, api: { 'storage.googleapis.com/objectListPrefix': 'acme/in' } }));
});

test('a condition that errs or is not a boolean does not grant', () => {
  const time = at('2026-01-01T00:00:00Z');
  assert.not.ok(conditionHolds('resource.nope == 1', { resource: OBJECT, time }));
  assert.not.ok(conditionHolds("resource.name + 'x'", { resource: OBJECT, time }));
  assert.not.ok(conditionHolds('this is not CEL', { resource: OBJECT, time }));
  assert.not.ok(conditionHolds("resource.matchTag('123/env', 'prod')", { resource: OBJECT, time }));
});

test.run();
