/** The argument handling of the commands that take none but --help (generate, check). */
import { parseArgs } from 'node:util';
import { UserError } from '../diagnostics.ts';
import type { Io } from './io.ts';
import { HELP_ONLY_OPTIONS } from './usage.ts';

/**
 * True when `args` asked for --help (the usage is printed and the command should exit 0); refuses
 * any positional argument with how to call `npm run <command>`.
 */
export function printedHelpOnly(args: string[], io: Io, command: 'generate' | 'check', usage: string): boolean {
  const { values, positionals } = parseArgs({ args, options: HELP_ONLY_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) {
    io.out(usage);
    return true;
  }
  if (positionals.length > 0) throw new UserError({ message: `${command} takes no arguments (got ${positionals.join(' ')})`, fix: `npm run ${command}` });
  return false;
}
