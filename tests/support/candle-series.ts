/**
 * Candle columns for tests that feed strategy hosts or indicators directly (no store, no backtest): the seeded
 * synthetic market on every clone, the real Binance 1h candles where ../shared is present.
 */
import type { CandleColumns } from '../../src/domain/candle.ts';
import { readCsvColumns } from './csv-candles.ts';
import { HAS_SHARED_DATA, sharedFile } from './shared-data.ts';
import { LONG_MARKET, SPOT_MARKET, syntheticSeries } from './synthetic-store.ts';

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

export const REAL_SERIES: SeriesSource = {
  name: 'real Binance candles',
  available: HAS_SHARED_DATA,
  series: (symbol) => realFile(`${symbol.replace('/', '')}-1h.csv`),
};

/** Synthetic first, then the real candles: the order test files run their variants in. */
export const SERIES_SOURCES: readonly SeriesSource[] = [SYNTHETIC_SERIES, REAL_SERIES];

/** Names of the long synthetic series, usable wherever a shared file name is (see `candlesNamed`). */
export const SYNTHETIC_SERIES_NAMES = LONG_MARKET.symbols.map((s) => `synthetic ${s} 1h`);

/** A series by name: `synthetic <SYMBOL> 1h` (always there) or a file of ../shared/data. */
export function candlesNamed(name: string): CandleColumns {
  const m = /^synthetic (\S+) 1h$/.exec(name);
  return m ? syntheticSeries(m[1]!, LONG_MARKET) : realFile(name);
}

const fileCache = new Map<string, CandleColumns>();
function realFile(file: string): CandleColumns {
  let c = fileCache.get(file);
  if (c === undefined) {
    c = readCsvColumns(sharedFile(file));
    fileCache.set(file, c);
  }
  return c;
}
