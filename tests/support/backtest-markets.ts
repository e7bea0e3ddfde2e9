/**
 * The candles a backtest test runs on, as one choice: the seeded synthetic market (always there)
 * or the real Binance candles of ../shared (only where they are). A test body written once runs
 * on each; the real-data variant is skipped, visibly, on a clone without ../shared.
 */
import { importShared } from './backtest-env.ts';
import { HAS_SHARED_DATA } from './shared-data.ts';
import { SPOT_MARKET, writeSyntheticStore, type SyntheticMarketSpec } from './synthetic-store.ts';

export interface BacktestMarket {
  /** For test names: "the seeded synthetic market", "real Binance candles". */
  readonly name: string;
  /** False when the candles are not on this machine: the tests on them are skipped. */
  readonly available: boolean;
  readonly symbols: readonly string[];
  /** Writes the candles into `dataDir` and returns the overrides that point a backtest at them. */
  prepare(dataDir: string): Promise<string[]>;
}

export function syntheticMarket(spec: SyntheticMarketSpec = SPOT_MARKET): BacktestMarket {
  return {
    name: `the seeded synthetic ${spec.market} market`,
    available: true,
    symbols: spec.symbols,
    prepare: async (dataDir) => (await writeSyntheticStore(dataDir, spec)).sets,
  };
}

/** Real Binance spot 1h candles of the given ccxt symbols (files <BASE><QUOTE>-1h.csv) over [from, to). */
export function realSpotMarket(symbols: readonly string[], from: string, to: string): BacktestMarket {
  return {
    name: 'real Binance candles',
    available: HAS_SHARED_DATA,
    symbols,
    prepare: async (dataDir) => {
      await importShared(dataDir, symbols.map((symbol) => ({ symbol, file: `${symbol.replace('/', '')}-1h.csv` })));
      return ['backtest.data_exchange=binance', 'backtest.auto_download=false', `backtest.from=${from}`, `backtest.to=${to}`, 'exchange.market=spot', 'market.timeframe=1h', `market.symbols=${symbols.join(',')}`];
    },
  };
}
