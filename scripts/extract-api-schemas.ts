/**
 * Regenerates src/local/schemas/<api>.json, the Google message definitions the sandbox validates
 * requests against (src/local/request-schema.ts), from Google's own machine-readable definitions:
 *   - protos.json of the @google-cloud/* packages in node_modules (workflows, scheduler, pubsub,
 *     resource-manager, batch, secret-manager);
 *   - gcloud's apitools modules for the APIs with no npm SDK (Eventarc, IAM admin, Storage JSON,
 *     and Resource Manager v1, which gcloud uses).
 * Only the methods named in src/local/request-contracts.ts and the messages reachable from their
 * requests are kept. Output is deterministic: re-running with the same sources gives the same bytes.
 *
 *   npx tsx scripts/extract-api-schemas.ts            # write the files
 *   npx tsx scripts/extract-api-schemas.ts --check    # exit 1 if a committed file differs
 *
 * gcloud is needed only here (found with `gcloud info`, or $CLOUDSDK_ROOT); the sandbox reads the
 * committed files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REQUEST_CONTRACTS, type Source } from '../src/local/request-contracts.ts';
import { SANDBOX_APIS } from '../src/local/sandbox-apis.ts';
import type { ApiSchema } from '../src/local/schema-model.ts';
import { readApitools, readProtos, type Extracted } from './schema-sources.ts';
import { protoFieldBehaviours } from './proto-behaviours.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT_DIR = join(ROOT, 'src/local/schemas');

let sdkRoot: string | undefined;
function gcloudRoot(): string {
  if (sdkRoot) return sdkRoot;
  sdkRoot = process.env.CLOUDSDK_ROOT || execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], { encoding: 'utf8' }).trim();
  return sdkRoot;
}

function extract(source: Source, methods: readonly string[]): { provenance: string; data: Extracted } {
  if (source.kind === 'proto') {
    const dir = join(ROOT, 'node_modules', source.package);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const root = JSON.parse(readFileSync(join(dir, 'build/protos/protos.json'), 'utf8'));
    const protoFiles = (readdirSync(join(dir, 'build/protos'), { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.proto')).sort();
    const behaviours = protoFieldBehaviours(protoFiles.map((f) => readFileSync(join(dir, 'build/protos', f), 'utf8')));
    return {
      provenance: `${source.package} ${version} build/protos/protos.json (field behaviours from build/protos/**/*.proto)`,
      data: readProtos(root, methods, behaviours),
    };
  }
  const sdk = gcloudRoot();
  const version = readFileSync(join(sdk, 'VERSION'), 'utf8').trim();
  const dir = `lib/googlecloudsdk/generated_clients/apis/${source.api}/${source.version}`;
  const stem = `${source.api}_${source.version}`;
  const messages = readFileSync(join(sdk, dir, `${stem}_messages.py`), 'utf8');
  const client = readFileSync(join(sdk, dir, `${stem}_client.py`), 'utf8');
  return {
    provenance: `gcloud ${version} ${dir}/${stem}_messages.py and ${stem}_client.py`,
    data: readApitools(messages, client, `${source.api}.${source.version}`, methods),
  };
}

const sorted = <T>(map: Map<string, T>): Record<string, T> => Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function schemaFor(api: (typeof SANDBOX_APIS)[number]): ApiSchema {
  const contract = REQUEST_CONTRACTS[api];
  const provenance: string[] = [];
  const methods = new Map();
  const messages = new Map();
  const enums = new Map();
  for (const source of contract.sources) {
    const wanted = [
      ...new Set(
        Object.values(contract.routes)
          .map((r) => ('proto' in r.method ? (source.kind === 'proto' ? r.method.proto : undefined) : source.kind === 'apitools' ? r.method.apitools : undefined))
          .filter((m): m is string => m !== undefined),
      ),
    ];
    if (!wanted.length) continue;
    const { provenance: line, data } = extract(source, wanted);
    provenance.push(line);
    for (const [k, v] of data.methods) methods.set(k, v);
    for (const [k, v] of data.messages) messages.set(k, v);
    for (const [k, v] of data.enums) enums.set(k, v);
  }
  return { provenance, generatedBy: 'scripts/extract-api-schemas.ts', methods: sorted(methods), messages: sorted(messages), enums: sorted(enums) };
}

/** One message or method per line: diffs stay readable, the file stays small. */
function serialise(schema: ApiSchema): string {
  const block = (record: Record<string, unknown>) => {
    const entries = Object.entries(record);
    if (!entries.length) return '{}';
    return `{\n${entries.map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n')}\n  }`;
  };
  return [
    '{',
    `  "provenance": ${JSON.stringify(schema.provenance)},`,
    `  "generatedBy": ${JSON.stringify(schema.generatedBy)},`,
    `  "methods": ${block(schema.methods)},`,
    `  "messages": ${block(schema.messages)},`,
    `  "enums": ${block(schema.enums)}`,
    '}',
    '',
  ].join('\n');
}

function main(): number {
  const check = process.argv.includes('--check');
  mkdirSync(OUT_DIR, { recursive: true });
  let differs = 0;
  for (const api of SANDBOX_APIS) {
    const text = serialise(schemaFor(api));
    const file = join(OUT_DIR, `${api}.json`);
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        // missing: differs
      }
      if (current !== text) {
        console.error(`src/local/schemas/${api}.json differs from what the sources give; run npx tsx scripts/extract-api-schemas.ts`);
        differs++;
      }
    } else {
      writeFileSync(file, text);
      console.log(`src/local/schemas/${api}.json: ${text.length} bytes`);
    }
  }
  return differs ? 1 : 0;
}

process.exitCode = main();
