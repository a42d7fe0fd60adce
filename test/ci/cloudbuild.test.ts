/**
 * cloudbuild/*.yaml checked against Cloud Build's build config schema
 * (https://cloud.google.com/build/docs/build-config-file-schema): only the documented top-level and
 * step keys, every step has a builder image, waitFor names earlier step ids, allowExitCodes are
 * integers; user-defined substitutions start with `_` and use uppercase letters, digits and `_`, and
 * every `$_NAME` used is declared, as Cloud Build refuses a build otherwise
 * (https://cloud.google.com/build/docs/configuring-builds/substitute-variable-values); a step's
 * secretEnv is provided by availableSecrets. The checker is first shown to catch a broken config.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';

// "A build config file has the following structure" (build-config-file-schema).
const TOP_LEVEL = new Set(['steps', 'timeout', 'queueTtl', 'logsBucket', 'options', 'substitutions', 'tags', 'serviceAccount', 'secrets', 'availableSecrets', 'artifacts', 'images']);
const STEP = new Set(['name', 'args', 'env', 'allowFailure', 'allowExitCodes', 'dir', 'id', 'waitFor', 'entrypoint', 'secretEnv', 'volumes', 'timeout', 'script', 'automapSubstitutions', 'results']);
const OPTIONS = new Set([
  'env',
  'secretEnv',
  'volumes',
  'sourceProvenanceHash',
  'machineType',
  'diskSizeGb',
  'substitutionOption',
  'dynamicSubstitutions',
  'automapSubstitutions',
  'logStreamingOption',
  'logging',
  'defaultLogsBucketBehavior',
  'pool',
  'pubsubTopic',
  'requestedVerifyOption',
]);
// Default substitutions for all builds and for builds invoked by triggers (substitute-variable-values).
const BUILT_IN = new Set([
  'PROJECT_ID',
  'BUILD_ID',
  'PROJECT_NUMBER',
  'LOCATION',
  'TRIGGER_NAME',
  'COMMIT_SHA',
  'REVISION_ID',
  'SHORT_SHA',
  'REPO_NAME',
  'REPO_FULL_NAME',
  'BRANCH_NAME',
  'TAG_NAME',
  'REF_NAME',
  'TRIGGER_BUILD_CONFIG_PATH',
  'SERVICE_ACCOUNT_EMAIL',
  'SERVICE_ACCOUNT',
]);
const DURATION = /^\d+(\.\d+)?s$/;

const strings = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

function cloudBuildProblems(text: string): string[] {
  const problems: string[] = [];
  let config: Record<string, any>;
  try {
    config = load(text) as Record<string, any>;
  } catch (error) {
    return [`not YAML: ${(error as Error).message}`];
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return ['not a mapping'];
  for (const key of Object.keys(config)) if (!TOP_LEVEL.has(key)) problems.push(`unknown top-level key "${key}"`);
  if (!Array.isArray(config.steps) || config.steps.length === 0) problems.push('steps: a non-empty list is required');
  if (config.timeout !== undefined && !DURATION.test(String(config.timeout))) problems.push(`timeout "${config.timeout}" is not a duration like 600s`);
  for (const key of Object.keys(config.options ?? {})) if (!OPTIONS.has(key)) problems.push(`unknown options key "${key}"`);
  const substitutions = Object.keys(config.substitutions ?? {});
  for (const key of substitutions) if (!/^_[A-Z0-9_]+$/.test(key)) problems.push(`substitution "${key}" must start with _ and use only uppercase letters, digits and _`);
  const secretEnvs = new Set<string>((config.availableSecrets?.secretManager ?? []).map((s: { env: string }) => s.env));
  const ids: string[] = [];
  (Array.isArray(config.steps) ? config.steps : []).forEach((step: Record<string, any>, i: number) => {
    const where = `steps[${i}]${step?.id ? ` (${step.id})` : ''}`;
    for (const key of Object.keys(step ?? {})) if (!STEP.has(key)) problems.push(`${where}: unknown key "${key}"`);
    if (typeof step?.name !== 'string' || step.name === '') problems.push(`${where}: name (the builder image) is required`);
    for (const code of step?.allowExitCodes ?? []) if (!Number.isInteger(code)) problems.push(`${where}: allowExitCodes holds "${code}", not an integer`);
    for (const dep of step?.waitFor ?? []) if (dep !== '-' && !ids.includes(dep)) problems.push(`${where}: waitFor "${dep}" is not an earlier step id`);
    for (const env of step?.secretEnv ?? []) if (!secretEnvs.has(env)) problems.push(`${where}: secretEnv ${env} is not in availableSecrets`);
    if (step?.args !== undefined && (!Array.isArray(step.args) || step.args.some((a: unknown) => typeof a !== 'string' && typeof a !== 'number')))
      problems.push(`${where}: args must be a list of strings`);
    if (typeof step?.id === 'string') ids.push(step.id);
  });
  // $NAME or ${NAME} in any value (not in comments), outside $$ escapes: a user-defined one must be
  // declared, any other must be built in.
  const used = [
    ...strings(config)
      .join('\n')
      .replace(/\$\$/g, '')
      .matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g),
  ].map((m) => m[1]!);
  for (const name of new Set(used)) {
    if (name.startsWith('_') ? !substitutions.includes(name) : !BUILT_IN.has(name)) problems.push(`$${name} is neither declared in substitutions nor a default substitution`);
  }
  return problems;
}

const repo = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(repo, 'cloudbuild');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

test('the checker finds the mistakes of a broken config', () => {
  const broken = [
    'step:', // misspelt steps
    '  - name: node:20',
    'steps:',
    '  - id: a',
    '    image: node:20', // not a step key, and no name
    '    waitFor: [b]',
    '    args: [run, $_UNDECLARED, $NOT_BUILT_IN]',
    '    allowExitCodes: [two]',
    '    secretEnv: [TOKEN]',
    'substitutions:',
    '  lower: x',
    'timeout: 1h',
  ].join('\n');
  const found = cloudBuildProblems(broken);
  for (const expected of [
    'unknown top-level key "step"',
    'unknown key "image"',
    'name (the builder image) is required',
    'waitFor "b"',
    '$_UNDECLARED',
    '$NOT_BUILT_IN',
    'allowExitCodes',
    'secretEnv TOKEN',
    'substitution "lower"',
    'timeout "1h"',
  ]) {
    assert.ok(
      found.some((p) => p.includes(expected)),
      `expected a problem with ${expected}; got:\n${found.join('\n')}`,
    );
  }
});

test('the Cloud Build configs are all there', () => {
  assert.equal(files, ['deploy.yaml', 'pull-request.yaml']);
});

for (const file of files) {
  test(`cloudbuild/${file} follows the build config schema`, () => {
    assert.equal(cloudBuildProblems(readFileSync(join(dir, file), 'utf8')), []);
  });
}

test('the scripts the configs call exist', () => {
  for (const file of files) {
    const config = load(readFileSync(join(dir, file), 'utf8')) as { steps: { args?: string[] }[] };
    for (const arg of config.steps.flatMap((s) => s.args ?? [])) {
      if (!/^scripts\/ci\//.test(arg)) continue;
      assert.ok(readdirSync(join(repo, 'scripts', 'ci')).includes(arg.slice('scripts/ci/'.length)), `${file}: ${arg}`);
    }
  }
});

test.run();
