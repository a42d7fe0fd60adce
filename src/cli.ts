/**
 * Entry point of every npm script. Each command lives in src/cli/<command>.ts and exports
 * `run(args, io): Promise<number>` (the exit code); this file only dispatches and turns errors into
 * messages: a UserError is the user's to fix, anything else is a bug of ours. `main(argv, io)` is the
 * whole CLI as a function, so tests run it in-process; the process wiring at the bottom runs only when
 * this file is the script node was started with.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError, formatDiagnostic } from './diagnostics.ts';
import { processIo, withEnv, type Io } from './cli/io.ts';
import { helpText } from './cli/usage.ts';

type Command = {
  /** What a user types: the npm script (see package.json), with its one required option. */
  readonly typed: string;
  readonly summary: string;
  readonly load: () => Promise<{ run(args: string[], io?: Io): Promise<number> }>;
};

const commands: Record<string, Command> = {
  generate: { typed: 'npm run generate', summary: 'write generated/ from workflows/*.ts and clients/*.json', load: () => import('./cli/generate.ts') },
  check: { typed: 'npm run check', summary: 'fail when generated/ does not match its sources', load: () => import('./cli/check.ts') },
  plan: { typed: 'npm run plan -- --env dev', summary: 'show what apply would change (exit 0 none, 2 changes, 1 errors or a stale generated/)', load: () => import('./cli/plan.ts') },
  apply: { typed: 'npm run apply -- --env dev', summary: 'make what is live match generated/<env>/ (plan, confirm, apply)', load: () => import('./cli/apply.ts') },
  'force-unlock': {
    typed: 'npm run force-unlock -- --env dev LOCK_ID',
    summary: 'remove an apply lock left by an apply that died (only if its ID matches)',
    load: () => import('./cli/force-unlock.ts'),
  },
  start: { typed: 'npm start', summary: 'generate, apply to a throw-away local sandbox, and run one batch-inference execution end to end', load: () => import('./cli/start.ts') },
  sandbox: { typed: 'npm run sandbox', summary: 'run the local sandbox control plane in the foreground (prints endpoints and gcloud lines)', load: () => import('./cli/sandbox.ts') },
  simulate: { typed: 'npm run simulate -- --workflow F', summary: 'run a workflow file in the simulator and print its trace', load: () => import('./cli/simulate.ts') },
};

/** How to ask a command for its help, as typed: `npm run plan -- --help`, `npm start -- --help`. */
export function helpCommand(name: string): string {
  return name === 'start' ? 'npm start -- --help' : `npm run ${name} -- --help`;
}

function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.typed.length));
  return ['usage: npm run <command> -- [options]   (npm start -- [options] for start)', '', 'commands:']
    .concat(Object.values(commands).map((c) => `  ${c.typed.padEnd(width)}  ${c.summary}`))
    .concat(['', 'Every command takes --help (e.g. npm run plan -- --help). Colour only on a terminal; NO_COLOR or --no-color turns it off.'])
    .join('\n');
}

/** Set once a command has failed and said why (see the unhandledRejection handler below). */
let commandFailed = false;

/**
 * The CLI: runs the command `argv` names and returns the exit code (0 ok, 1 the user's to fix, 2 plan
 * has changes, 70 a bug of ours). Errors are reported on `io`, never thrown.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    commandFailed = true;
    if (error instanceof UserError) {
      const n = error.diagnostics.length;
      io.err(error.diagnostics.map(formatDiagnostic).join('\n'));
      io.err(`\n${n} problem${n === 1 ? '' : 's'} found; nothing was written.`);
      return 1;
    }
    io.err('internal error in batch-workflows (a bug; please report it with this output):');
    io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 70;
  }
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? 0 : 1;
  }
  const command = commands[name];
  // --no-color is accepted by every command and means what NO_COLOR=1 means (https://no-color.org).
  // The process's environment too, for the process's commands: some read it there.
  const noColor = args.includes('--no-color');
  if (noColor && io === processIo) process.env.NO_COLOR = '1';
  const commandIo: Io = noColor && io !== processIo ? withEnv(io, { NO_COLOR: '1' }) : io;
  const rest = args.filter((a) => a !== '--no-color');
  if (!command) {
    io.err(`unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  // --help is answered here, without loading the command: its module graph (zod, the planner, the
  // simulator, the sandbox) costs more than Node and tsx together, and its usage text needs none of it.
  const help = helpText(name, rest);
  if (help !== undefined) {
    commandIo.out(help);
    return 0;
  }
  try {
    return await (await command.load()).run(rest, commandIo);
  } catch (error) {
    // node:util parseArgs rejects unknown or malformed options: the user's to fix, not a bug.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UserError({ message: `${name}: ${(error as Error).message}`, fix: `see ${helpCommand(name)}` });
    }
    throw error;
  }
}

/** Is this module the script node runs (not imported by a test)? Symlinked checkouts compare by real path. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // Some SDK clients start work on construction whose failure nobody awaits (google-gax resolving
  // credentials, for one). Once the command has failed and said why, such echoes are noise; before
  // that, one is a bug of ours to report, not a reason to die with Node's default dump.
  let strayReported = false;
  process.on('unhandledRejection', (reason) => {
    if (commandFailed || strayReported) return;
    strayReported = true;
    console.error('internal error in batch-workflows (a bug; please report it with this output):');
    console.error(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
    process.exitCode = 70;
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
