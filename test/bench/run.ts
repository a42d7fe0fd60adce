/**
 * `npm run bench`: prints figures, asserts nothing (these machines are shared and noisy; targets are
 * read by people, not by CI). Every request goes to 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
const only = process.argv.slice(2);
const wants = (section: string) => only.length === 0 || only.includes(section);

function table(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  console.log(line(columns));
  for (const row of rows) console.log(line(columns.map((c) => String(row[c]))));
}

if (wants('startup')) {
  // Each command's --help as a user runs it (node --import tsx src/cli.ts, what the npm scripts run,
  // minus npm's own ~0.3 s), beside what Node and tsx cost before any of our code loads.
  console.log('\n## startup: --help of each command, median of 5 runs (target: <= 300 ms)\n');
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const median = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const times = Array.from({ length: 5 }, () => {
      const started = performance.now();
      execFileSync(process.execPath, args, { env, stdio: 'ignore' });
      return performance.now() - started;
    }).sort((a, b) => a - b);
    return Math.round(times[2]!);
  };
  const rows: Record<string, unknown>[] = [
    { run: 'node -e 0 (Node alone)', ms: median(['-e', '0']) },
    { run: 'node --import tsx -e 0 (Node + tsx)', ms: median(['--import', 'tsx', '-e', '0']) },
  ];
  for (const command of ['generate', 'check', 'plan', 'apply', 'force-unlock', 'start', 'sandbox', 'simulate']) {
    rows.push({ run: `${command} --help`, ms: median(['--import', 'tsx', cli, command, '--help']) });
  }
  // tsx caches what it compiles (in the OS temp folder); without the cache every file is compiled again.
  rows.push({ run: 'plan --help, tsx cache off', ms: median(['--import', 'tsx', cli, 'plan', '--help'], { ...process.env, TSX_DISABLE_CACHE: '1' }) });
  table(rows);
}

if (wants('generate')) {
  console.log('\n## generate: synthetic clients, 3 environments (target: 1,000 clients <= 1 s, 5,000 <= 4 s, < 300 MB at 1,000, linear)\n');
  const rows: Record<string, unknown>[] = [];
  for (const n of [10, 100, 1000, 5000]) {
    const out = execFileSync(process.execPath, [tsx, fileURLToPath(new URL('./generate-once.ts', import.meta.url)), String(n)], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { clients: number; files: number; firstMs: number; firstCpuMs: number; noChangeMs: number; rewrittenOnSecondRun: number; peakRssMb: number };
    rows.push({
      clients: r.clients,
      files: r.files,
      'first run ms': r.firstMs,
      'first run CPU ms': r.firstCpuMs,
      'no-change run ms': r.noChangeMs,
      'ms/client': (r.firstMs / r.clients).toFixed(2),
      'rewritten 2nd run': r.rewrittenOnSecondRun,
      'peak RSS MB': r.peakRssMb,
    });
  }
  table(rows);
  console.log('(peak RSS is the whole process, including Node and the TypeScript loader, ~100 MB of it)');
}

const extra: { section: string; module: string; title: string }[] = [
  { section: 'simulator', module: './simulator.ts', title: 'simulator: batch-inference executions with fake connectors (target: 1,000 in < 2 s)' },
  {
    section: 'plan',
    module: './plan.ts',
    title: 'plan/apply against the sandbox with 50 ms latency (no-change plan: a few list calls plus one policy read per managed folder, topic, service account and secret, 16 in flight)',
  },
];
for (const { section, module, title } of extra) {
  if (!wants(section)) continue;
  const url = new URL(module, import.meta.url);
  if (!existsSync(fileURLToPath(url))) continue;
  console.log(`\n## ${title}\n`);
  const mod = (await import(url.href)) as { runBenchmark?: () => Promise<Record<string, unknown>[]> };
  if (mod.runBenchmark) table(await mod.runBenchmark());
}
