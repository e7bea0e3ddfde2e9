/**
 * Candle columns for tests that feed strategy hosts directly (no store, no backtest): the seeded
 * synthetic market on every clone, the real Binance 1h candles where ../shared is present.
 */
import type { CandleColumns } from '../../src/domain/candle.ts';
import { readCsvColumns } from './csv-candles.ts';
import { HAS_SHARED_DATA, sharedFile } from './shared-data.ts';
import { SPOT_MARKET, syntheticSeries } from './synthetic-store.ts';

export interface SeriesSource {
  /** For test names. */
  readonly name: string;
  /** False when the candles are not on this machine: the tests on them are skipped. */
  readonly available: boolean;
  /** One spot symbol's 1h candles (BTC/USDT, ETH/USDT, SOL/USDT). */
  series(symbol: string): CandleColumns;
}

export const SYNTHETIC_SERIES: SeriesSource = {
  name: 'the seeded synthetic market',
  available: true,
  series: (symbol) => syntheticSeries(symbol, SPOT_MARKET),
};

const realCache = new Map<string, CandleColumns>();
export const REAL_SERIES: SeriesSource = {
  name: 'real Binance candles',
  available: HAS_SHARED_DATA,
  series: (symbol) => {
    let c = realCache.get(symbol);
    if (c === undefined) {
      c = readCsvColumns(sharedFile(`${symbol.replace('/', '')}-1h.csv`));
      realCache.set(symbol, c);
    }
    return c;
  },
};

/** Synthetic first, then the real candles: the order test files run their variants in. */
export const SERIES_SOURCES: readonly SeriesSource[] = [SYNTHETIC_SERIES, REAL_SERIES];
