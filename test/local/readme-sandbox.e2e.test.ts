/**
 * The README's sandbox walk-through works as written. The sandbox CLI is started as a user starts it,
 * its printed gcloud set-up lines are run in a fresh gcloud configuration, then every command of the
 * `sh` blocks in README.md's "## The local sandbox" section, in order; each must exit 0. The commands
 * are read from the README, so the README cannot drift from what works. Only the port differs: the
 * README's 127.0.0.1:4100 becomes the sandbox's random one, and `npm run` runs in the repository
 * while the other commands run in a scratch folder holding the `input.jsonl` they upload.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshGcloud, gcloudPath, skipWithoutGcloud, type Gcloud } from '../support/gcloud.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README_URL = 'http://127.0.0.1:4100';

/** The command lines of the `sh` blocks in one README section: continuations joined, comment lines dropped. */
function sectionCommands(readme: string, heading: string): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README.md has a "${heading}" section`);
  const end = readme.indexOf('\n## ', start + heading.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const text = block[1]!.replace(/\\\n\s*/g, '');
    for (const line of text.split('\n').map((l) => l.trim())) if (line && !line.startsWith('#')) commands.push(line);
  }
  return commands;
}

interface RunningCli {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm run sandbox` as a user runs it (random ports, scratch state), until it has printed its set-up. */
async function startSandboxCli(stateDir: string): Promise<RunningCli> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'sandbox', '--state', stateDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('Ctrl-C stops it.')) resolve();
      else if (child.exitCode !== null) reject(new Error(`the sandbox exited ${child.exitCode}:\n${out}`));
    };
    child.stdout!.on('data', check);
    child.on('exit', check);
  });
  return { child, output: () => out, exited };
}

let cli: RunningCli | undefined;
let gcloud: Gcloud | undefined;
let scratch: string | undefined;

test.after(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  await gcloud?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

test('sectionCommands reads sh blocks only, joins continuations and drops comments', () => {
  const readme = '# T\n\n## The local sandbox\n\ntext\n\n```sh\na one\n# note\nb two \\\n  three   # trailing\n```\n\n```ts\nnot this\n```\n\n## Next\n\n```sh\nnor this\n```\n';
  assert.equal(sectionCommands(readme, '## The local sandbox'), ['a one', 'b two three   # trailing']);
});

test('in a fresh gcloud configuration, the set-up lines the sandbox prints and then every command the README documents for it exit 0', async () => {
  if (skipWithoutGcloud(gcloudPath)) return;
  scratch = await mkdtemp(join(tmpdir(), 'readme-sandbox-'));
  cli = await startSandboxCli(join(scratch, 'state'));
  const printed = cli.output();
  const setup = printed
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('gcloud config set '));
  assert.ok(setup.includes('gcloud config set auth/disable_credentials true'), printed);
  assert.ok(
    setup.some((l) => /^gcloud config set project [a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(l)),
    `the set-up sets core/project:\n${printed}`,
  );
  const sandboxUrl = /--sandbox-url (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1];
  assert.ok(sandboxUrl, printed);

  const commands = sectionCommands(await readFile(join(REPO, 'README.md'), 'utf8'), '## The local sandbox').map((c) => c.split(README_URL).join(sandboxUrl));
  const [configLines, documented] = [commands.filter((c) => c.startsWith('gcloud config set ')), commands.filter((c) => !c.startsWith('gcloud config set '))];
  // The README's set-up lines are a sample of the printed ones, so the README shows what is printed.
  for (const line of configLines) assert.ok(setup.includes(line), `README line "${line}" is among the printed set-up lines:\n${setup.join('\n')}`);
  assert.ok(
    configLines.some((l) => l.startsWith('gcloud config set project ')),
    'the README shows the project line',
  );
  assert.ok(documented.filter((c) => /(^|\| )gcloud /.test(c)).length >= 5, `the README documents gcloud commands: ${documented.join('\n')}`);

  gcloud = await freshGcloud();
  const failures: string[] = [];
  for (const line of setup) {
    const outcome = await gcloud.shell(line, scratch);
    if (outcome.code !== 0) failures.push(`${line}\n  exit ${outcome.code}: ${outcome.stderr}`);
  }
  assert.equal(failures, [], 'every set-up line exits 0');

  await writeFile(join(scratch, 'input.jsonl'), '{"text": "from the readme"}\n');
  for (const line of documented) {
    const inRepo = line.startsWith('npm run ');
    const command = inRepo ? line.replace(/^npm run /, `npm --prefix '${REPO}' run `) : line;
    // An upload starts the pipeline in the background: a read of what it writes is retried until the
    // object exists (polling the sandbox's state, bounded), as a user would look again.
    const readsPipelineOutput = /^gcloud storage cat .*\/outputs\//.test(line);
    let outcome = await gcloud.shell(command, scratch);
    for (let attempt = 0; readsPipelineOutput && outcome.code !== 0 && attempt < 120; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      outcome = await gcloud.shell(command, scratch);
    }
    if (outcome.code !== 0) failures.push(`${line}\n  exit ${outcome.code}: ${outcome.stderr.slice(-2000)}${outcome.stdout.slice(-2000)}`);
  }
  assert.equal(failures, [], 'every documented command exits 0');
});

test.run();
