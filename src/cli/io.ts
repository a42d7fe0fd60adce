import { createInterface } from 'node:readline/promises';

/**
 * Where a command writes, where it runs and what it knows of its terminal: the process by default, a
 * recorder in tests (each command's `run(args, io)` takes one, so tests call commands in-process).
 */
export interface Io {
  /** One line (or block) of the command's output, on stdout. */
  out(text: string): void;
  /** One line (or block) of diagnostics, on stderr. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour, progress). */
  readonly stdoutIsTTY: boolean;
  /** The folder the command was started in: the project root (workflows/, clients/, generated/). */
  readonly cwd: string;
  /**
   * Whether there is someone to ask: stdin and stdout both terminals. apply and force-unlock ask for a
   * typed "yes" only then, and otherwise need --yes.
   */
  readonly interactive: boolean;
  /** Asks one question on the terminal and resolves with the line typed (only when `interactive`). */
  ask(question: string): Promise<string>;
}

export const processIo: Io = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  get env() {
    return process.env;
  },
  get stdoutIsTTY() {
    return process.stdout.isTTY === true;
  },
  get cwd() {
    return process.cwd();
  },
  get interactive() {
    return process.stdin.isTTY === true && process.stdout.isTTY === true;
  },
  async ask(question) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/**
 * Colour only on a terminal, and never when NO_COLOR is set to anything but the empty string
 * (https://no-color.org: "when present and not an empty string ... prevents the addition of ANSI
 * color") or `--no-color` was given.
 */
export function useColor(io: Io, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return io.stdoutIsTTY;
}

/** Asks on the terminal for a confirmation that only a typed "yes" gives (apply, force-unlock). */
export async function askTypedYes(io: Io, question: string): Promise<boolean> {
  return (await io.ask(`${question} Only "yes" is accepted: `)).trim() === 'yes';
}

export interface RecordingOptions {
  readonly env?: Record<string, string | undefined>;
  readonly tty?: boolean;
  /** The project folder the command runs in (default: this process's). */
  readonly cwd?: string;
  /** Answers typed at the terminal, in order: given, the Io is interactive; each question asked is recorded. */
  readonly answers?: readonly string[];
}

/** An Io that records what a command printed (and asked), for tests. */
export function recordingIo(options: RecordingOptions = {}): Io & { readonly stdout: string[]; readonly stderr: string[]; readonly asked: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  return {
    stdout,
    stderr,
    asked,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    env: options.env ?? {},
    stdoutIsTTY: options.tty ?? false,
    cwd: options.cwd ?? process.cwd(),
    interactive: options.answers !== undefined,
    ask: async (question) => {
      asked.push(question);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`internal: the test gave no answer for ${JSON.stringify(question)}`);
      return answer;
    },
  };
}

/** The same Io with some environment variables set: `--no-color` for a command run in-process. */
export function withEnv(io: Io, env: Record<string, string>): Io {
  return { out: io.out, err: io.err, env: { ...io.env, ...env }, stdoutIsTTY: io.stdoutIsTTY, cwd: io.cwd, interactive: io.interactive, ask: (question) => io.ask(question) };
}
