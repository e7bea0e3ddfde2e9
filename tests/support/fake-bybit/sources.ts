/**
 * Ways to fill the fake exchange with candles: the candle store, a CSV (the shared Binance files),
 * or the seeded synthetic generator. In-memory CandleColumns go straight to `server.addCandles`.
 */
import { timeframeMs, type Timeframe } from '../../../src/core/timeframe.ts';
import { marketId, type SeriesKey } from '../../../src/domain/instrument.ts';
import { CandleStore } from '../../../src/data/store.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { readCsvColumns } from '../csv-candles.ts';
import type { FakeBybitServer } from './server.ts';
import type { FakeCategory } from './market-data.ts';

/** Serves everything stored for `key` (its market decides spot/linear; its symbol the market id). */
export async function serveFromStore(server: FakeBybitServer, dataDir: string, key: SeriesKey): Promise<number> {
  const cols = await new CandleStore(dataDir).readAll(key);
  server.addCandles(key.market, marketId(key.symbol), timeframeMs(key.timeframe), cols);
  return cols.length;
}

/** Serves a CSV with header timestamp,open,high,low,close,volume (ms open times). */
export function serveFromCsv(server: FakeBybitServer, file: string, category: FakeCategory, id: string, timeframe: Timeframe): { first: number; last: number; rows: number } {
  const cols = readCsvColumns(file);
  server.addCandles(category, id, timeframeMs(timeframe), cols);
  return { first: cols.ts[0] ?? 0, last: cols.ts[cols.length - 1] ?? 0, rows: cols.length };
}

/** Serves `count` seeded synthetic candles per id starting at `from`. */
export function serveSynthetic(server: FakeBybitServer, opts: { seed: number; ids: readonly string[]; category: FakeCategory; timeframe: Timeframe; from: number; count: number }): void {
  const series = generateSynthetic({ seed: opts.seed, symbols: opts.ids, timeframe: opts.timeframe, from: opts.from, count: opts.count });
  for (const [id, cols] of series) server.addCandles(opts.category, id, timeframeMs(opts.timeframe), cols);
}
