/**
 * Rebuilds src/iam/roles-data.json from Google's predefined-roles dataset (a JSON object
 * `{ "roles/NAME": { title, stage, permissions[] } }`, as `gcloud iam roles list` + `describe`
 * return them), with the provenance read from the SOURCE.md that sits beside it.
 *
 *   npx tsx scripts/vendor-roles.ts PATH/TO/gcp-predefined-roles.json
 *
 * Kept: every role's name, title and stage (so the sandbox and `generate` know which roles exist),
 * and, for the roles of the services batch-workflows uses plus the basic roles, their permissions
 * within those same services (a basic role holds thousands of permissions of every service; the
 * project only ever asks about these). The output is deterministic: the same input gives the same
 * bytes, one role per line so a refresh diffs role by role.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Services whose roles keep their permissions, and the only services whose permissions are kept. */
export const PERMISSION_SERVICES = ['batch', 'cloudscheduler', 'eventarc', 'iam', 'logging', 'pubsub', 'resourcemanager', 'secretmanager', 'storage', 'workflows'] as const;
export const BASIC_ROLES = ['roles/browser', 'roles/editor', 'roles/owner', 'roles/viewer'] as const;

interface SourceRole {
  title: string;
  stage: string;
  permissions: string[];
}

export interface Provenance {
  readonly dataset: string;
  readonly commit: string;
  readonly date: string;
}

/** The provenance lines of the dataset's SOURCE.md: repository, commit and the commit's date. */
export function readProvenance(sourceMd: string): Provenance {
  const dataset = /github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+/.exec(sourceMd)?.[0];
  const commit = /commit\s+([0-9a-f]{40})/.exec(sourceMd)?.[1];
  const date = /commit is of (\d{4}-\d{2}-\d{2})/.exec(sourceMd)?.[1];
  if (!dataset || !commit || !date) throw new Error('SOURCE.md must name the dataset (github.com/OWNER/REPO), its commit (40 hex digits) and "this commit is of YYYY-MM-DD"');
  return { dataset, commit, date };
}

const service = (name: string) => name.split('.')[0]!;
const keepsPermissions = (role: string) => (BASIC_ROLES as readonly string[]).includes(role) || (PERMISSION_SERVICES as readonly string[]).includes(service(role.slice('roles/'.length)));

export function buildRolesData(roles: Record<string, SourceRole>, provenance: Provenance): string {
  const names = Object.keys(roles).sort();
  if (names.length === 0 || names.some((n) => !n.startsWith('roles/'))) throw new Error('the dataset must be a non-empty object keyed by roles/NAME');
  const lines = names.map((name) => {
    const { title, stage, permissions } = roles[name]!;
    if (typeof title !== 'string' || typeof stage !== 'string' || !Array.isArray(permissions)) throw new Error(`${name}: expected title, stage and permissions`);
    const entry: Record<string, unknown> = { title, stage };
    if (keepsPermissions(name)) entry.permissions = permissions.filter((p) => (PERMISSION_SERVICES as readonly string[]).includes(service(p))).sort();
    return `    ${JSON.stringify(name)}: ${JSON.stringify(entry)}`;
  });
  const header = {
    provenance:
      `Google Cloud predefined and basic IAM roles as Google's roles.list API returns them, from the public dataset ${provenance.dataset} ` +
      `(folder roles/), commit ${provenance.commit} of ${provenance.date}. Every role keeps its title and stage; the roles of the services in ` +
      `permissionServices and the basic roles keep their permissions, and only the permissions of those services (a basic role's permissions ` +
      `of other services are left out). Rebuilt by scripts/vendor-roles.ts; do not edit by hand.`,
    source: provenance,
    permissionServices: PERMISSION_SERVICES,
    roleCount: names.length,
  };
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  return `${head},\n  "roles": {\n${lines.join(',\n')}\n  }\n}\n`;
}

function main(argv: readonly string[]): number {
  const input = argv[0];
  if (!input || argv.length > 1) {
    process.stderr.write('usage: npx tsx scripts/vendor-roles.ts PATH/TO/gcp-predefined-roles.json\n  (its SOURCE.md, gcp-predefined-roles.SOURCE.md, must sit beside it)\n');
    return 2;
  }
  const sourceMd = join(dirname(input), input.replace(/^.*\//, '').replace(/\.json$/, '.SOURCE.md'));
  const text = buildRolesData(JSON.parse(readFileSync(input, 'utf8')), readProvenance(readFileSync(sourceMd, 'utf8')));
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'iam', 'roles-data.json');
  writeFileSync(out, text);
  process.stdout.write(`wrote src/iam/roles-data.json (${text.length.toLocaleString('en-US')} bytes)\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
