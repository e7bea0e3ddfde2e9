/**
 * `npm run bench`: runs every benchmark module in scripts/bench/ and prints one table.
 * Each module exports `run(): Promise<BenchResult[]>`. Figures go to docs/benchmarks.md by hand,
 * with the machine they were measured on. Targets live here, never in timed tests.
 */
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchResult } from './bench/types.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'types.ts' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
const rows: BenchResult[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run: () => Promise<BenchResult[]> };
  for (const r of await mod.run()) {
    rows.push(r);
    const verdict = r.target === undefined ? '' : r.pass ? 'PASS' : 'MISS';
    console.log(`${f.padEnd(18)} ${r.name.padEnd(58)} ${r.value.toFixed(r.value < 10 ? 3 : 0).padStart(14)} ${r.unit.padEnd(14)} ${(r.target ?? '').padEnd(22)} ${verdict}`);
  }
}
const missed = rows.filter((r) => r.target !== undefined && !r.pass);
console.log(`${rows.length} figures, ${missed.length} below target`);
