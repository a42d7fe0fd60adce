/** Eventarc's match-path-pattern (https://cloud.google.com/eventarc/docs/path-patterns), as a pure function. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchPathPattern } from '../../src/local/path-pattern.ts';

const object = (bucket: string, name: string) => `projects/_/buckets/${bucket}/objects/${name}`;

test('a pattern without wildcards matches that one resource only', () => {
  assert.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/random.txt', object('eventarc-bucket', 'random.txt')));
  assert.not.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/random.txt', object('eventarc-bucket', 'random.txt2')));
  assert.not.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/random.txt', object('eventarc-bucket', 'dir/random.txt')));
  assert.not.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/Random.txt', object('eventarc-bucket', 'random.txt')), 'case-sensitive');
});

test('* stays inside one segment', () => {
  const pattern = '/projects/_/buckets/eventarc-bucket/objects/*';
  assert.ok(matchPathPattern(pattern, object('eventarc-bucket', 'random.txt')));
  assert.not.ok(matchPathPattern(pattern, object('eventarc-bucket', 'folder/random.txt')), 'not in a folder');
  assert.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/*.txt', object('eventarc-bucket', 'a.txt')));
  assert.not.ok(matchPathPattern('/projects/_/buckets/eventarc-bucket/objects/*.txt', object('eventarc-bucket', 'a.csv')));
  assert.ok(matchPathPattern('/projects/_/buckets/*/objects/a.txt', object('any-bucket', 'a.txt')));
});

test('** spans segments, in the middle too (the gcloud example projects/_/buckets/**/r*.txt)', () => {
  const pattern = 'projects/_/buckets/**/r*.txt';
  assert.ok(matchPathPattern(pattern, object('b', 'random.txt')));
  assert.ok(matchPathPattern(pattern, object('b', 'x/y/report.txt')));
  assert.not.ok(matchPathPattern(pattern, object('b', 'x/y/summary.txt')));
  assert.not.ok(matchPathPattern(pattern, object('b', 'x/random.txt/extra')));
});

test('the pattern batch-workflows generates: a client folder and everything under it', () => {
  const pattern = '/projects/_/buckets/scoring-dev-4821-batch/objects/scoring/acme-corp/inputs/**';
  assert.ok(matchPathPattern(pattern, object('scoring-dev-4821-batch', 'scoring/acme-corp/inputs/sample.jsonl')));
  assert.ok(matchPathPattern(pattern, object('scoring-dev-4821-batch', 'scoring/acme-corp/inputs/2026/12/a.jsonl')));
  assert.not.ok(matchPathPattern(pattern, object('scoring-dev-4821-batch', 'scoring/acme-corp/outputs/sample.jsonl')));
  assert.not.ok(matchPathPattern(pattern, object('scoring-dev-4821-batch', 'scoring/acme-corp-2/inputs/sample.jsonl')), 'a neighbour with the same prefix');
  assert.not.ok(matchPathPattern(pattern, object('other-bucket', 'scoring/acme-corp/inputs/sample.jsonl')));
});

test('a leading slash is not significant; regex characters in names are literal', () => {
  assert.ok(matchPathPattern('projects/_/buckets/b/objects/a.txt', '/projects/_/buckets/b/objects/a.txt'));
  assert.not.ok(matchPathPattern('/projects/_/buckets/b/objects/a.txt', object('b', 'abtxt')), 'the dot is a dot');
  assert.ok(matchPathPattern('/projects/_/buckets/b/objects/(x)+[y].txt', object('b', '(x)+[y].txt')));
});

test('** inside a segment matches across segments', () => {
  assert.ok(matchPathPattern('/projects/_/buckets/b/objects/**.txt', object('b', 'a/b/c.txt')));
  assert.not.ok(matchPathPattern('/projects/_/buckets/b/objects/**.txt', object('b', 'a/b/c.csv')));
});

test.run();
