/** The pure condition checker the sandbox and generate share (src/iam/conditions.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionProblems, expressionProblems } from '../../src/iam/conditions.ts';
import { listUnderPrefix, objectsUnder } from '../../src/resources/conditions.ts';

test("the project's own condition builders produce conditions IAM accepts", () => {
  assert.equal(expressionProblems(objectsUnder('scoring-dev-4821-batch', 'scoring/acme-corp/inputs/')), []);
  assert.equal(expressionProblems(listUnderPrefix('scoring-dev-4821-batch', 'scoring/acme-corp/')), []);
});

test('every problem is reported, once each', () => {
  const problems = conditionProblems({ title: '', expression: "resource.name.contains('a') && resource.name.contains('b')" }, 'roles/editor', ['allUsers']);
  assert.equal(problems, [
    'condition.title is required.',
    'Conditions are not allowed on the basic role roles/editor; grant a predefined role instead.',
    'Conditions are not allowed on role bindings to allUsers.',
    'function "contains" is not supported in IAM Conditions.',
  ]);
});

test("syntax errors carry the CEL parser's position", () => {
  const [problem] = expressionProblems("resource.name.startsWith('x'");
  assert.match(problem!, /^condition\.expression is not valid CEL: .*1:\d+/);
});

test('has() and literals that are not booleans', () => {
  assert.match(expressionProblems('has(resource.name)')[0]!, 'function "has"');
  assert.match(expressionProblems('"yes"')[0]!, 'must evaluate to true or false');
  assert.equal(expressionProblems("{'a': 1}['a'] == 1"), ['operator "[]" is not supported in IAM Conditions.', 'map and message literals are not supported in IAM Conditions.']);
});

test.run();
