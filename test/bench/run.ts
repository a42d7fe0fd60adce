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

if (wants('generate')) {
  console.log('\n## generate: synthetic clients, 3 environments (target: 1,000 clients < 2 s and < 300 MB, linear)\n');
  const rows: Record<string, unknown>[] = [];
  for (const n of [10, 100, 1000, 5000]) {
    const out = execFileSync(process.execPath, [tsx, fileURLToPath(new URL('./generate-once.ts', import.meta.url)), String(n)], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { clients: number; files: number; firstMs: number; noChangeMs: number; rewrittenOnSecondRun: number; peakRssMb: number };
    rows.push({ clients: r.clients, files: r.files, 'first run ms': r.firstMs, 'no-change run ms': r.noChangeMs, 'ms/client': (r.firstMs / r.clients).toFixed(2), 'rewritten 2nd run': r.rewrittenOnSecondRun, 'peak RSS MB': r.peakRssMb });
  }
  table(rows);
  console.log('(peak RSS is the whole process, including Node and the TypeScript loader, ~100 MB of it)');
}

const extra: { section: string; module: string; title: string }[] = [
  { section: 'simulator', module: './simulator.ts', title: 'simulator: batch-inference executions with fake connectors (target: 1,000 in < 2 s)' },
  { section: 'plan', module: './plan.ts', title: 'plan/apply against the sandbox with 50 ms latency (no-change plan: a few list calls plus one policy read per managed folder, topic, service account and secret, 16 in flight)' },
];
for (const { section, module, title } of extra) {
  if (!wants(section)) continue;
  const url = new URL(module, import.meta.url);
  if (!existsSync(fileURLToPath(url))) continue;
  console.log(`\n## ${title}\n`);
  const mod = (await import(url.href)) as { runBenchmark?: () => Promise<Record<string, unknown>[]> };
  if (mod.runBenchmark) table(await mod.runBenchmark());
}
