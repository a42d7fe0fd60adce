/**
 * Where a command writes, and what it knows of its terminal: the process by default, a recorder in
 * tests (each command's `run(args, io)` takes one, so tests call commands in-process).
 */
export interface Io {
  /** One line (or block) of the command's output, on stdout. */
  out(text: string): void;
  /** One line (or block) of diagnostics, on stderr. */
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal (colour, progress). */
  readonly stdoutIsTTY: boolean;
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

/** An Io that records what a command printed, for tests. */
export function recordingIo(options: { env?: Record<string, string | undefined>; tty?: boolean } = {}): Io & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), env: options.env ?? {}, stdoutIsTTY: options.tty ?? false };
}
