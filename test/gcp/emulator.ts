/**
 * Starts Google's Pub/Sub emulator for a test and stops it again. gcloud's wrapper starts a Java
 * server as a child; stopping only the wrapper would leave Java running, so the emulator gets its own
 * process group and the whole group is stopped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Emulator {
  /** `127.0.0.1:PORT` */
  readonly hostPort: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Why the emulator cannot run here, or undefined when it can. */
export function emulatorMissing(): string | undefined {
  const gcloud = spawnSync('gcloud', ['--version'], { encoding: 'utf8', env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } });
  if (gcloud.error || gcloud.status !== 0) return 'gcloud is not installed';
  if (!/pubsub-emulator/.test(gcloud.stdout)) return 'the Pub/Sub emulator component (google-cloud-cli-pubsub-emulator) is not installed';
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'java is not installed (the Pub/Sub emulator needs it)';
  return undefined;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startEmulator(timeoutMs = 60_000): Promise<Emulator> {
  const port = await freePort();
  const config = mkdtempSync(join(tmpdir(), 'bw-gcloud-'));
  const data = mkdtempSync(join(tmpdir(), 'bw-pubsub-'));
  const child: ChildProcess = spawn(
    'gcloud',
    ['beta', 'emulators', 'pubsub', 'start', `--host-port=127.0.0.1:${port}`, `--data-dir=${data}`, '--project=batch-workflows-test'],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDSDK_CONFIG: config, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } },
  );
  let output = '';
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Pub/Sub emulator did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/Server started, listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Pub/Sub emulator exited (${code}):\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      // The wrapper is gone; wait for the rest of its group (the Java server) too.
      for (let i = 0; i < 100 && groupAlive(child.pid); i++) await new Promise((r) => setTimeout(r, 50));
      clearTimeout(timer);
      if (groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    rmSync(config, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  };
  try {
    await started;
  } catch (error) {
    await stop();
    throw error;
  }
  return { hostPort: `127.0.0.1:${port}`, stop };
}
