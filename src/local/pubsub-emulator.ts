/**
 * Google's Pub/Sub emulator (`gcloud beta emulators pubsub start`), started and stopped by the code
 * that needs it. gcloud's wrapper starts a Java server as its child; stopping the wrapper alone
 * leaves the Java server running, so the emulator runs in its own process group (detached) and
 * `stop()` signals the whole group, then waits until nothing in it is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export interface PubSubEmulator {
  /** `127.0.0.1:PORT`, what PUBSUB_EMULATOR_HOST and @google-cloud/pubsub's apiEndpoint take. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`: the emulator also answers the REST API. */
  readonly restBase: string;
  readonly port: number;
  /** Process group id of gcloud and its Java server. */
  readonly pid: number;
  stop(): Promise<void>;
}

export interface PubSubEmulatorOptions {
  /** 0 or undefined = a free port. */
  port?: number;
  /** How long to wait for the emulator to answer (Java starts in ~10 s). */
  timeoutMs?: number;
  /** Told why the emulator cannot be used, when `startPubSubEmulator` resolves undefined. */
  onUnavailable?: (reason: string) => void;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Why the emulator cannot run here, or undefined when gcloud, its emulator component and Java are present. */
export function pubSubEmulatorUnavailableReason(): string | undefined {
  const gcloud = onPath('gcloud');
  if (!gcloud) return 'gcloud is not on PATH (install the Google Cloud CLI)';
  if (!onPath('java')) return 'java is not on PATH (the Pub/Sub emulator is a Java program)';
  const sdkRoot = dirname(dirname(realpathSync(gcloud)));
  if (!existsSync(join(sdkRoot, 'platform', 'pubsub-emulator'))) {
    return `the Pub/Sub emulator component is not installed in ${sdkRoot} (install google-cloud-cli-pubsub-emulator, or run: gcloud components install pubsub-emulator)`;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function answers(restBase: string): Promise<boolean> {
  try {
    const response = await fetch(`${restBase}/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Start the emulator; resolves undefined (and calls `onUnavailable`) when it cannot run here. */
export async function startPubSubEmulator(options: PubSubEmulatorOptions = {}): Promise<PubSubEmulator | undefined> {
  const unavailable = (reason: string) => {
    options.onUnavailable?.(reason);
    return undefined;
  };
  const missing = pubSubEmulatorUnavailableReason();
  if (missing) return unavailable(missing);

  const port = options.port || (await freePort());
  const host = `127.0.0.1:${port}`;
  const restBase = `http://${host}`;
  if (await answers(restBase)) return unavailable(`port ${port} is already in use`);
  const dataDir = await mkdtemp(join(tmpdir(), 'pubsub-emulator-'));
  const child: ChildProcess = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--data-dir=${dataDir}`, '--quiet'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  const pgid = child.pid!;
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  // If this process dies first, take the emulator with it rather than leave a Java server behind.
  const killOnExit = () => signalGroup(pgid, 'SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', killOnExit);
      signalGroup(pgid, 'SIGTERM');
      for (let waited = 0; groupAlive(pgid) && waited < 5000; waited += 100) await sleep(100);
      if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
      for (let waited = 0; groupAlive(pgid) && waited < 5000; waited += 100) await sleep(100);
      child.stdout!.destroy();
      child.stderr!.destroy();
      await rm(dataDir, { recursive: true, force: true });
    })());

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited) {
      await stop();
      return unavailable(`the emulator exited before answering: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    }
    if (await answers(restBase)) {
      child.stdout!.removeListener('data', collect);
      child.stderr!.removeListener('data', collect);
      // Keep draining the pipes so a chatty emulator never blocks on a full buffer.
      child.stdout!.resume();
      child.stderr!.resume();
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      return { host, restBase, port, pid: pgid, stop };
    }
    await sleep(250);
  }
  await stop();
  return unavailable(`the emulator did not answer on ${host} within ${options.timeoutMs ?? 60_000} ms`);
}
