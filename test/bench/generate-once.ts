/**
 * One generate run over N synthetic clients, in its own process so its peak memory is its own.
 * Prints one JSON line. Used by test/bench/run.ts; not a test.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from '../../src/cli/generate.ts';
import { projectLayout } from '../../src/cli/project-files.ts';

const count = Number(process.argv[2] ?? '100');
const work = await mkdtemp(join(tmpdir(), 'bw-bench-'));
try {
  const clientsDir = join(work, 'clients');
  await mkdir(clientsDir);
  for (let i = 0; i < count; i++) {
    const name = `client-${String(i).padStart(5, '0')}`;
    const client: Record<string, unknown> = { name, displayName: `Client ${i}` };
    if (i % 3 === 0) client.schedule = { cron: `${i % 60} ${i % 24} * * *`, timeZone: 'Europe/Paris' };
    if (i % 5 === 0) client.environments = ['dev', 'prod'];
    await writeFile(join(clientsDir, `${name}.json`), JSON.stringify(client));
  }
  const layout = projectLayout(process.cwd(), { clientsDir, generatedDir: join(work, 'generated') });
  // CPU time beside wall time: on a shared machine the wall clock also counts other processes' turns.
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const first = await generateProject(layout);
  const firstMs = performance.now() - started;
  const firstCpu = process.cpuUsage(cpuBefore);
  const again = performance.now();
  const second = await generateProject(layout);
  const secondMs = performance.now() - again;
  console.log(
    JSON.stringify({
      clients: count,
      files: first.files,
      firstMs: Math.round(firstMs),
      firstCpuMs: Math.round((firstCpu.user + firstCpu.system) / 1000),
      noChangeMs: Math.round(secondMs),
      rewrittenOnSecondRun: second.written.length,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} finally {
  await rm(work, { recursive: true, force: true });
}
