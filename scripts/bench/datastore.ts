/**
 * Candle store benchmarks: warm read of all BTC/USDT 1h (target >= 1M candles/s, < 75 ms) and
 * CSV import of a 73k-row file (target >= 200k rows/s). Uses ../shared/data when present,
 * otherwise synthetic candles of the same size written to a temp CSV. Figures are medians of
 * several runs after a warm-up (the machine is shared and noisy).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importCsv } from '../../src/data/import-csv.ts';
import { CandleStore } from '../../src/data/store.ts';
import { generateSynthetic } from '../../src/data/synthetic.ts';
import type { SeriesKey } from '../../src/domain/instrument.ts';
import type { BenchResult } from './types.ts';

const KEY: SeriesKey = { exchange: 'binance', market: 'spot', symbol: 'BTC/USDT', timeframe: '1h' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function sourceCsv(tmp: string): { file: string; label: string } {
  const shared = resolve(process.env.CT_SHARED_DATA ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data'), 'BTCUSDT-1h.csv');
  if (existsSync(shared)) return { file: shared, label: 'BTCUSDT-1h.csv' };
  const c = generateSynthetic({ seed: 1, symbols: ['BTC/USDT'], timeframe: '1h', from: Date.UTC(2018, 0, 1), count: 73_265 }).get('BTC/USDT')!;
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < c.length; i++) lines.push(`${c.ts[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  const file = join(tmp, 'synthetic-1h.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, label: 'synthetic 73k 1h' };
}

export async function run(): Promise<BenchResult[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'ct-bench-datastore-'));
  try {
    const { file, label } = sourceCsv(tmp);
    // Import: fresh data dir per run (a re-import would also merge, which is a different cost).
    const importMs: number[] = [];
    let rows = 0;
    for (let r = 0; r < 6; r++) {
      const dataDir = join(tmp, `import-${r}`);
      const t0 = performance.now();
      const res = await importCsv({ dataDir, file, symbol: 'BTC/USDT', timeframe: '1h', exchange: 'binance', market: 'spot' });
      const dt = performance.now() - t0;
      rows = res.rowsRead;
      if (r > 0) importMs.push(dt); // run 0 = JIT warm-up
    }
    const store = new CandleStore(join(tmp, 'import-0'));
    const readMs: number[] = [];
    let candles = 0;
    for (let r = 0; r < 12; r++) {
      const t0 = performance.now();
      const c = await store.read(KEY, Date.UTC(2017, 0, 1), Date.UTC(2027, 0, 1));
      const dt = performance.now() - t0;
      candles = c.length;
      if (r > 1) readMs.push(dt);
    }
    const imp = median(importMs), rd = median(readMs);
    const readRate = candles / (rd / 1000), importRate = rows / (imp / 1000);
    return [
      { name: `warm read all ${label} (${candles} candles), median ms`, value: rd, unit: 'ms', target: '< 75 ms', pass: rd < 75 },
      { name: `warm read all ${label}`, value: readRate, unit: 'candles/s', target: '>= 1,000,000 candles/s', pass: readRate >= 1_000_000 },
      { name: `warm read all ${label}, best ms`, value: Math.min(...readMs), unit: 'ms' },
      { name: `CSV import ${label} (${rows} rows -> Parquet), median ms`, value: imp, unit: 'ms' },
      { name: `CSV import ${label}`, value: importRate, unit: 'rows/s', target: '>= 200,000 rows/s', pass: importRate >= 200_000 },
      { name: `CSV import ${label}, best`, value: rows / (Math.min(...importMs) / 1000), unit: 'rows/s' },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
