/**
 * Simulator benchmark: batch-inference executions of generated/workflows/batch-inference.yaml with
 * fake connectors on virtual clocks (each job runs 10 virtual minutes, so the Batch wait polls
 * several times). Parsing happens once, as in a test suite. Target: 1,000 executions in < 2 s.
 * Run alone with `npx tsx test/bench/simulator.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditLogUploadEvent } from '../../src/local/audit-log-event.ts';
import { fakeConnectors } from '../../src/sim/connectors/fake.ts';
import { VirtualClock, parseWorkflow, runWorkflow } from '../../src/sim/index.ts';

const WORKFLOW = fileURLToPath(new URL('../../generated/workflows/batch-inference.yaml', import.meta.url));

export interface SimulatorBench {
  readonly executions: number;
  readonly wallMs: number;
  readonly peakRssMb: number;
  /** Executions run at the same time (1 = one after another). */
  readonly concurrency: number;
  readonly succeeded: number;
}

export async function benchSimulator(executions = 1000, concurrency = 1): Promise<SimulatorBench> {
  if (!existsSync(WORKFLOW)) throw new Error('generated/workflows/batch-inference.yaml is missing: run npm run generate');
  const workflow = parseWorkflow(readFileSync(WORKFLOW, 'utf8'), 'generated/workflows/batch-inference.yaml');
  const env = {
    builtins: { GOOGLE_CLOUD_PROJECT_ID: 'bench-project', GOOGLE_CLOUD_LOCATION: 'europe-west1' },
    user: { BATCH_BUCKET: 'bench-bucket', BATCH_IMAGE: 'example/image:1', BATCH_SERVICE_ACCOUNT: 'scoring@bench-project.iam.gserviceaccount.com' },
  };
  const fakes = fakeConnectors({ batch: () => ({ runSeconds: 600 }) });
  let succeeded = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < executions) {
      const i = next++;
      const event = auditLogUploadEvent({
        project: 'bench-project',
        bucket: 'bench-bucket',
        object: `scoring/client-${String(i % 50).padStart(3, '0')}/inputs/file-${i}.jsonl`,
        time: '2025-01-15T08:00:00Z',
        insertId: `e${i}`,
      });
      const run = await runWorkflow(workflow, { argument: event, env, connectors: fakes.registry, clock: new VirtualClock() });
      if (run.state === 'SUCCEEDED') succeeded++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = Math.round(performance.now() - start);
  return { executions, wallMs, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), concurrency, succeeded };
}

/** Rows for `npm run bench` (test/bench/run.ts). */
export async function runBenchmark(): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const concurrency of [1, 50]) {
    const r = await benchSimulator(1000, concurrency);
    rows.push({
      executions: r.executions,
      concurrency: r.concurrency,
      succeeded: r.succeeded,
      'wall ms': r.wallMs,
      'executions/s': Math.round((r.executions / r.wallMs) * 1000),
      'peak RSS MB': r.peakRssMb,
    });
  }
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchSimulator()));
}
