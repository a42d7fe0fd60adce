/**
 * What every command accepts: its usage text and its options (the node:util parseArgs tables), kept
 * apart from the commands so that `--help` prints without loading one (src/cli.ts checks here
 * first). A command's module graph (zod, the planner, the simulator, the sandbox) costs several
 * times what Node and tsx do at start-up, and its usage text needs none of it. So this module
 * imports nothing of ours but the list of sandbox APIs, which imports nothing: keep it that way
 * (test/cli/lazy-sdks.e2e.test.ts checks what `--help` loads).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SANDBOX_APIS } from '../local/sandbox-apis.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options of the commands that take none but --help (generate, check). */
export const HELP_ONLY_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

export const GENERATE_USAGE = `usage: npm run generate

Writes generated/ from workflows/*.ts and clients/*.json (atomically: all of it or nothing), or
reports every problem with its file, line and column and writes nothing. Takes no options.`;

export const CHECK_USAGE = `usage: npm run check

Exits 1 and names every source that changed since \`npm run generate\` and every file of generated/
edited by hand; exits 0 when generated/ is exactly what its sources produce. CI runs it.`;

/** The options plan, apply and force-unlock share (parseCommonArgs in plan.ts reads them). */
export const COMMON_OPTIONS = {
  env: { type: 'string' },
  client: { type: 'string' },
  json: { type: 'boolean', default: false },
  format: { type: 'string' },
  prune: { type: 'boolean', default: false },
  adopt: { type: 'boolean', default: false },
  target: { type: 'string' },
  'sandbox-url': { type: 'string' },
  'no-color': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const COMMON_USAGE = `  --env NAME           environment of workflows/product.ts (required)
  --client NAME        only this client's resources
  --format FORMAT      text (default), json (stable shape, formatVersion 1) or markdown (one
                       GitHub pull-request comment, at most 65,536 characters); --json is --format json
  --prune              delete owned resources that are no longer in generated/
  --adopt              take over unmanaged resources whose names collide instead of reporting a conflict
  --target gcp|sandbox where to plan against (default gcp; sandbox: the local control plane over .sandbox/)
  --sandbox-url URL    a sandbox already running (npm run sandbox); implies --target sandbox
  --no-color           no ANSI colours (also when NO_COLOR is set; colour only ever on a terminal)
  -h, --help           this text`;

export const PLAN_OPTIONS = { out: { type: 'string' }, 'text-out': { type: 'string' } } as const;

export const PLAN_USAGE = `usage: npm run plan -- --env NAME [options]

Compares generated/<env>/ with what is live and prints what apply would change.
Exit code: 0 nothing to do, 2 changes (deletions only --prune makes, and legacy access, included),
1 errors (a stale generated/, a failing precondition, a quota the apply would exceed, a conflict).
Owned resources no longer in generated/, and grants our client accounts hold that generated/ does
not ask for (legacy access), are listed; only --prune deletes or revokes them.

${COMMON_USAGE}
  --out FILE           also save the plan to FILE (written atomically; exit codes unchanged; not
                       written when the plan has errors): npm run apply -- FILE applies exactly it
  --text-out FILE      also write the text plan, without colour, to FILE (atomically): with
                       --format markdown or json, one read of live gives the comment and the full text`;

/** apply's options beside COMMON_OPTIONS. */
export const APPLY_OPTIONS = {
  yes: { type: 'boolean', short: 'y', default: false },
  'dry-run': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  'lock-timeout': { type: 'string' },
} as const;

export const APPLY_USAGE = `usage: npm run apply -- --env NAME [options]
       npm run apply -- FILE [options]      (a plan saved by npm run plan -- --out FILE: npm run apply -- FILE --help)

Makes what is live match generated/<env>/: shows the plan, asks, applies.
Exit code: 0 everything applied (or nothing to do), 1 anything failed, was skipped or refused
(a stale generated/ included), 130 quit with a second Ctrl-C. One Ctrl-C lets the calls in flight
finish, starts nothing more and prints the summary (exit 1).

${COMMON_USAGE}
  --yes                apply without asking (needed when not on a terminal)
  --dry-run            show the plan and stop (exit codes as plan; a stale generated/ is refused, exit 1)
  --concurrency N      operations at once within a step (default 8)
  --lock-timeout DUR   wait up to DUR (e.g. 30s, 10m) for another apply's lock (default 0: fail at once)`;

/** `apply FILE` (apply-saved.ts). */
export const SAVED_PLAN_OPTIONS = {
  env: { type: 'string' },
  target: { type: 'string' },
  'sandbox-url': { type: 'string' },
  json: { type: 'boolean', default: false },
  'no-color': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  'lock-timeout': { type: 'string' },
  yes: { type: 'boolean', short: 'y', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  // Refused with a reason: the plan file fixes them, or (--dry-run) plan is the command for that.
  prune: { type: 'boolean' },
  adopt: { type: 'boolean' },
  client: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export const SAVED_PLAN_USAGE = `usage: npm run apply -- FILE [options]

Applies exactly the plan that \`npm run plan -- --env NAME --out FILE\` saved, without asking (the plan
was the review). Refuses (exit 1, nothing applied) when a file of generated/<env>/ or anything
live the plan read (an IAM policy's etag, a workflow's revision, a topic's labels…) changed since.
--prune, --adopt and --client come from the file.

  --env NAME           optional: must be the environment of the plan
  --sandbox-url URL    the running sandbox to apply to (default: the one the plan was made against)
  --target gcp|sandbox optional: must be where the plan was made
  --json               print the plan as JSON on stdout (progress goes to stderr)
  --concurrency N      operations at once within a step (default 8)
  --lock-timeout DUR   wait up to DUR (e.g. 30s, 10m) for another apply's lock (default 0: fail at once)
  --yes                accepted, changes nothing: a saved plan is applied without asking`;

export const FORCE_UNLOCK_OPTIONS = {
  env: { type: 'string' },
  target: { type: 'string' },
  'sandbox-url': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const FORCE_UNLOCK_USAGE = `usage: npm run force-unlock -- --env NAME LOCK_ID [options]

Removes the apply lock of an environment (gs://BUCKET/PRODUCT/_locks/ENV.lock) left by an apply that
died. LOCK_ID is the ID that a refused apply or \`npm run plan\` prints; a lock with another ID is not
removed. Make sure the apply that holds the lock is no longer running first. On a terminal it shows
the lock and asks for a typed "yes"; without one it refuses unless --yes is given.

  --env NAME           environment of workflows/product.ts (required)
  --target gcp|sandbox where the lock is (default gcp; sandbox: the local control plane over .sandbox/)
  --sandbox-url URL    a sandbox already running (npm run sandbox); implies --target sandbox
  --yes                remove it without asking (needed when not on a terminal)`;

export const SANDBOX_OPTIONS = {
  port: { type: 'string' },
  state: { type: 'string' },
  project: { type: 'string' },
  'latency-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  seed: { type: 'string' },
  'pubsub-emulator': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SANDBOX_USAGE = `usage: npm run sandbox -- [--port N] [--state DIR] [--project P] [--latency-ms N] [--error-rate R] [--seed N] [--pubsub-emulator]

  --port N            first port; APIs listen on N, N+1, ... (${SANDBOX_APIS.join(', ')}); default: random ports
  --state DIR         folder the sandbox state persists in (default: .sandbox/ in the repository)
  --project P         the project the printed gcloud set-up selects (default: the dev project of workflows/product.ts);
                      the sandbox itself serves every project
  --latency-ms N      add N ms to every request
  --error-rate R      answer a share R (0..1) of requests with 503 UNAVAILABLE or 429 RESOURCE_EXHAUSTED
  --seed N            seed of the error injection
  --pubsub-emulator   serve Pub/Sub with Google's emulator (gcloud beta emulators pubsub) when installed
  -h, --help          this text

Only one sandbox at a time uses a state folder: a second one (or plan/apply --target sandbox)
refuses and names the running one's URL, for --sandbox-url.`;

export const SIMULATE_OPTIONS = {
  workflow: { type: 'string' },
  'event-file': { type: 'string' },
  uploaded: { type: 'string' },
  args: { type: 'string' },
  env: { type: 'string', default: 'dev' },
  json: { type: 'boolean', default: false },
  'sandbox-url': { type: 'string' },
  fakes: { type: 'boolean', default: false },
  input: { type: 'string' },
  'no-input': { type: 'boolean', default: false },
  'pubsub-emulator': { type: 'boolean', default: false },
  'job-outcome': { type: 'string' },
  'job-seconds': { type: 'string' },
  'show-args': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SIMULATE_USAGE = `usage: npm run simulate -- --workflow FILE (--event-file FILE | --uploaded gs://B/O | --args JSON) [options]

  --workflow FILE        workflow YAML to run, e.g. generated/workflows/batch-inference.yaml
  --event-file FILE      JSON file with the execution argument (e.g. the Eventarc CloudEvent)
  --uploaded gs://B/O    the audit-log CloudEvent Eventarc would deliver for an upload of that object, made now
  --args JSON            the execution argument inline, e.g. '{"client": "acme-corp"}'
  --env NAME             environment in generated/ for project, region and user env vars (default dev)
  --json                 print only {"state", "result"?, "error"?}
  --show-args            show call arguments in the trace

Where the connectors go (default: a throw-away local sandbox with generated/<env> applied to it):
  --input FILE           throw-away sandbox: upload FILE as the input the run reads (default: a small sample)
  --no-input             throw-away sandbox: upload nothing, so the Batch job fails for want of input
  --pubsub-emulator      throw-away sandbox: topics in Google's Pub/Sub emulator (~10 s to start) instead of the sandbox's
  --sandbox-url URL      call a sandbox that is already running (npm run sandbox), as it is
  --fakes                scripted fakes on a virtual clock instead of a sandbox
  --job-outcome STATE    with --fakes: SUCCEEDED (default) or FAILED
  --job-seconds N        with --fakes: how long each Batch job runs, in virtual seconds (default 120)`;

export const START_OPTIONS = {
  env: { type: 'string', default: 'dev' },
  client: { type: 'string' },
  'sandbox-pubsub': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export const START_USAGE =
  "usage: npm start [-- --env dev] [--client NAME] [--sandbox-pubsub]\n\nRuns generate and apply on a throw-away local sandbox, then uploads a client file: the trigger runs batch-inference.\n--sandbox-pubsub  serve Pub/Sub from the sandbox instead of Google's emulator (which takes ~10 s to start)";

/**
 * Whether `args` ask for help: they parse as the command parses them, and --help (or -h) is among
 * them. Arguments that do not parse are the command's to report, with its own message.
 */
function parsedWithHelp(args: readonly string[], options: Options, allowPositionals: boolean): boolean {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true }).values.help === true;
  } catch {
    return false;
  }
}

/** Whether `args` parse with the options given, whatever they ask (apply's choice between its two forms). */
function positionalsOf(args: readonly string[], options: Options): string[] | undefined {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true }).positionals;
  } catch {
    return undefined;
  }
}

/**
 * Whether apply's arguments name a plan file (`apply FILE`): a positional argument among valid
 * options; when they do not parse, an argument ending in .json (the command then reports them).
 */
export function namesPlanFile(args: readonly string[]): boolean {
  const positionals = positionalsOf(args, { ...COMMON_OPTIONS, ...APPLY_OPTIONS });
  return positionals ? positionals.length > 0 : args.some((a) => !a.startsWith('-') && /\.json$/i.test(a));
}

const HELP: Record<string, (args: readonly string[]) => string | undefined> = {
  generate: (args) => (parsedWithHelp(args, HELP_ONLY_OPTIONS, true) ? GENERATE_USAGE : undefined),
  check: (args) => (parsedWithHelp(args, HELP_ONLY_OPTIONS, true) ? CHECK_USAGE : undefined),
  plan: (args) => (parsedWithHelp(args, { ...COMMON_OPTIONS, ...PLAN_OPTIONS }, false) ? PLAN_USAGE : undefined),
  // As apply.ts decides: a positional argument names a plan file (apply-saved.ts and its own usage).
  apply: (args) => {
    if (positionalsOf(args, { ...COMMON_OPTIONS, ...APPLY_OPTIONS }) === undefined) return undefined;
    if (namesPlanFile(args)) return parsedWithHelp(args, SAVED_PLAN_OPTIONS, true) ? SAVED_PLAN_USAGE : undefined;
    return parsedWithHelp(args, { ...COMMON_OPTIONS, ...APPLY_OPTIONS }, false) ? APPLY_USAGE : undefined;
  },
  'force-unlock': (args) => (parsedWithHelp(args, FORCE_UNLOCK_OPTIONS, true) ? FORCE_UNLOCK_USAGE : undefined),
  sandbox: (args) => (parsedWithHelp(args, SANDBOX_OPTIONS, false) ? SANDBOX_USAGE : undefined),
  simulate: (args) => (parsedWithHelp(args, SIMULATE_OPTIONS, false) ? SIMULATE_USAGE : undefined),
  start: (args) => (parsedWithHelp(args, START_OPTIONS, false) ? START_USAGE : undefined),
};

/**
 * The usage text `command` prints for `args` when they ask for help, as the command itself would
 * print it; undefined when they do not (or do not parse: the command then says why).
 */
export function helpText(command: string, args: readonly string[]): string | undefined {
  return Object.hasOwn(HELP, command) ? HELP[command]!(args) : undefined;
}
