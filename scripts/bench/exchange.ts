/**
 * Download throughput against the fake Bybit on 127.0.0.1 (no network latency, ccxt throttle off):
 * measures our own per-page cost (ccxt parse + validate + Parquet write). Against real Bybit the
 * throttle (~10 requests/s) and latency dominate: ~10 000 candles/s at best.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSynthetic } from '../../src/data/synthetic.ts';
import { CandleStore } from '../../src/data/store.ts';
import { downloadCandles } from '../../src/data/download/download-candles.ts';
import { NO_PROGRESS } from '../../src/data/download/progress.ts';
import { startFakeBybit } from '../../tests/support/fake-bybit/server.ts';
import type { BenchResult } from './types.ts';

export async function run(): Promise<BenchResult[]> {
  const H = 3_600_000;
  const from = Date.UTC(2022, 0, 1);
  const count = 2 * 365 * 24;
  const cols = generateSynthetic({ seed: 1, symbols: ['BTCUSDT'], timeframe: '1h', from, count }).get('BTCUSDT')!;
  const server = await startFakeBybit({ now: from + count * H - H / 2 });
  server.addCandles('spot', 'BTCUSDT', H, cols);
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-exchange-'));
  try {
    const t0 = performance.now();
    const res = await downloadCandles({ symbols: ['BTC/USDT'], timeframe: '1h', from }, {
      store: new CandleStore(dir), clientOptions: { restUrl: server.restUrl, enableRateLimit: false }, progress: NO_PROGRESS,
    });
    const s = (performance.now() - t0) / 1000;
    const rows = res.series[0]!.rowsStored;
    return [
      { name: `download 2y 1h from fake bybit (${rows} candles, ${res.series[0]!.pages} pages)`, value: rows / s, unit: 'candles/s' },
      { name: 'download 2y 1h wall time', value: s * 1000, unit: 'ms' },
    ];
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
