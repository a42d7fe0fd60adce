/**
 * Ctrl-C during apply: the first stops it gracefully (the calls in flight finish, nothing new
 * starts, the summary is printed), a second one quits at once.
 *
 * One key press can arrive as two SIGINTs. The terminal sends SIGINT to the whole foreground process
 * group (npm, the shell, node), and npm forwards the one it got to the script it runs
 * (@npmcli/run-script lib/signal-manager.js: `forwardedSignals = ['SIGINT', 'SIGTERM']`, each sent on
 * with proc.kill). tsx's CLI, when it runs the script in a child process, relays it once more
 * (dist/cli.mjs `relaySignals`: if the child does not report the signal within 30 ms, it re-sends
 * it, and then SIGKILLs the child) — which is why the npm scripts run `node --import tsx` in one
 * process instead. The relayed copies arrive within milliseconds of the original, so SIGINTs within
 * `sameKeyPressMs` of the first count as that same press; only a later one quits.
 */
export interface SignalSource {
  on(signal: 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGINT', listener: () => void): unknown;
}

export interface InterruptOptions {
  /** Told once, on the first Ctrl-C (say what happens now). */
  readonly onInterrupt: () => void;
  /** The second Ctrl-C: quit now. Default: exit 130 (128 + SIGINT), as a shell reports it. */
  readonly onForceQuit?: () => void;
  readonly source?: SignalSource;
  readonly now?: () => number;
  /** Default 1000 ms: far above a relay's delay, below a person's deliberate second press. */
  readonly sameKeyPressMs?: number;
}

export interface Interruptible {
  /** Aborted on the first Ctrl-C: pass it to execute() (ExecuteOptions.signal). */
  readonly signal: AbortSignal;
  /** Stops listening; call in the command's `finally`. */
  dispose(): void;
}

export function interruptible(options: InterruptOptions): Interruptible {
  const source = options.source ?? process;
  const now = options.now ?? (() => Date.now());
  const window = options.sameKeyPressMs ?? 1000;
  const controller = new AbortController();
  let firstAt: number | undefined;
  const listener = () => {
    const at = now();
    if (firstAt === undefined) {
      firstAt = at;
      controller.abort();
      options.onInterrupt();
      return;
    }
    if (at - firstAt < window) return; // the same key press, relayed by npm (or tsx)
    (options.onForceQuit ?? (() => process.exit(130)))();
  };
  source.on('SIGINT', listener);
  return { signal: controller.signal, dispose: () => source.off('SIGINT', listener) };
}
