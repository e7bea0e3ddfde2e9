/**
 * Candles the tests make themselves, so that the central promises (determinism, isolation parity,
 * failure containment, risk in the loop, the built-ins end to end) are tested on every clone, with
 * or without the real data in ../shared.
 *
 * The candles come from the project's seeded synthetic market (src/data/synthetic.ts, the same
 * generator --dry-run streams): a seed gives byte-identical candles on every machine. Backtests
 * read them from a temporary Parquet store written through the real CandleStore (and FundingStore
 * for linear perpetuals), under the exchange name `synthetic`, exactly as they would read
 * downloaded or imported candles.
 */
import { isoUtc } from '../../src/core/time.ts';
import { timeframeMs, type Timeframe } from '../../src/core/timeframe.ts';
import { Rng } from '../../src/core/rng.ts';
import type { CandleColumns } from '../../src/domain/candle.ts';
import type { MarketType } from '../../src/domain/instrument.ts';
import { FundingStore, type FundingSeries } from '../../src/data/funding-store.ts';
import { CandleStore } from '../../src/data/store.ts';
import { generateSynthetic, type SyntheticParams } from '../../src/data/synthetic.ts';

/** The store's exchange name for synthetic candles (never a real exchange's name). */
export const SYNTHETIC_EXCHANGE = 'synthetic';

export interface SyntheticMarketSpec {
  readonly seed: number;
  readonly symbols: readonly string[];
  readonly market: MarketType;
  readonly timeframe: Timeframe;
  /** Open time of the first candle: a UTC midnight, so `from` is a plain YYYY-MM-DD. */
  readonly from: number;
  /** Candles per symbol; a whole number of days, so `to` is a plain YYYY-MM-DD too. */
  readonly count: number;
  /** Generator parameters other than the defaults (e.g. a higher volatility). */
  readonly params?: Partial<SyntheticParams>;
}

/**
 * Three spot symbols, 180 days of 1h candles (4,320 per symbol): long enough for every built-in's
 * warm-up and for many trades (each built-in trades on it: the tests assert it), small enough that a backtest of all eight built-ins takes well under a second.
 */
export const SPOT_MARKET: SyntheticMarketSpec = {
  seed: 20240101,
  symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
  market: 'spot',
  timeframe: '1h',
  from: Date.UTC(2023, 0, 1),
  count: 180 * 24,
};

/** Two USDT perpetuals over the same 180 days, with 8-hourly funding (see syntheticFunding). */
export const LINEAR_MARKET: SyntheticMarketSpec = {
  ...SPOT_MARKET,
  symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'],
  market: 'linear',
};

/**
 * One choppy symbol (twice the default volatility) for the strategy-host tests, whose fixture
 * strategy trades on hourly moves of more than 1 %: it emits a signal every few candles.
 */
export const CHOPPY_MARKET: SyntheticMarketSpec = {
  ...SPOT_MARKET,
  seed: 7,
  symbols: ['BTC/USDT'],
  count: 60 * 24,
  params: { annualVol: 1.2 },
};

/**
 * Two years of two symbols at very different price levels (BTC ~30,000, XRP ~0.5), for the checks
 * that want long series with volatility clusters and volume spikes (indicators, simple_ma's rule).
 */
export const LONG_MARKET: SyntheticMarketSpec = { ...SPOT_MARKET, seed: 99, symbols: ['BTC/USDT', 'XRP/USDT'], count: 2 * 365 * 24 };

/** End of the candles (exclusive): the open time after the last candle. */
export function endOf(spec: SyntheticMarketSpec): number {
  return spec.from + spec.count * timeframeMs(spec.timeframe);
}

const candleCache = new Map<string, Map<string, CandleColumns>>();

/** The spec's candles, one column set per symbol (computed once per spec and test file). */
export function syntheticCandles(spec: SyntheticMarketSpec = SPOT_MARKET): Map<string, CandleColumns> {
  const key = JSON.stringify(spec);
  let out = candleCache.get(key);
  if (out === undefined) {
    out = generateSynthetic({ seed: spec.seed, symbols: spec.symbols, timeframe: spec.timeframe, from: spec.from, count: spec.count, ...(spec.params ? { params: spec.params } : {}) });
    candleCache.set(key, out);
  }
  return out;
}

/** One symbol's candles of the spot market (BTC/USDT unless told). */
export function syntheticSeries(symbol = 'BTC/USDT', spec: SyntheticMarketSpec = SPOT_MARKET): CandleColumns {
  const c = syntheticCandles(spec).get(symbol);
  if (c === undefined) throw new Error(`synthetic market has no ${symbol} (symbols: ${spec.symbols.join(', ')})`);
  return c;
}

/**
 * Funding every 8 hours (00:00, 08:00, 16:00 UTC) over the candles: a positive base rate (longs pay shorts, as usual on
 * crypto perpetuals) with seeded noise that turns it negative now and then, so both signs of
 * payment occur. Deterministic per spec.
 */
export function syntheticFunding(spec: SyntheticMarketSpec = LINEAR_MARKET): Map<string, FundingSeries> {
  const out = new Map<string, FundingSeries>();
  const interval = 8 * 3_600_000;
  const n = Math.floor((endOf(spec) - spec.from) / interval);
  spec.symbols.forEach((symbol, k) => {
    const rng = new Rng(spec.seed + 7919 * (k + 1));
    const ts = new Float64Array(n), rate = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ts[i] = spec.from + i * interval;
      rate[i] = Math.round((0.0001 + 0.00015 * rng.normal()) * 1e8) / 1e8;
    }
    out.set(symbol, { ts, rate });
  });
  return out;
}

export interface WrittenMarket {
  readonly spec: SyntheticMarketSpec;
  /** `--set` overrides that point a backtest at these candles and nothing else. */
  readonly sets: string[];
}

/**
 * Writes the spec's candles (and funding, on linear) into `dataDir` through the real stores, and
 * returns the config overrides for a backtest over exactly that range.
 */
export async function writeSyntheticStore(dataDir: string, spec: SyntheticMarketSpec = SPOT_MARKET): Promise<WrittenMarket> {
  const store = new CandleStore(dataDir);
  for (const [symbol, c] of syntheticCandles(spec)) {
    await store.write({ exchange: SYNTHETIC_EXCHANGE, market: spec.market, symbol, timeframe: spec.timeframe }, c);
  }
  if (spec.market === 'linear') {
    const funding = new FundingStore(dataDir);
    for (const [symbol, f] of syntheticFunding(spec)) await funding.write({ exchange: SYNTHETIC_EXCHANGE, market: 'linear', symbol }, f.ts, f.rate);
  }
  return { spec, sets: marketSets(spec) };
}

/** The overrides naming the synthetic series of a spec (store, market, symbols, period). */
export function marketSets(spec: SyntheticMarketSpec): string[] {
  return [
    `backtest.data_exchange=${SYNTHETIC_EXCHANGE}`,
    'backtest.auto_download=false',
    `backtest.from=${isoUtc(spec.from).slice(0, 10)}`,
    `backtest.to=${isoUtc(endOf(spec)).slice(0, 10)}`,
    `exchange.market=${spec.market}`,
    `market.timeframe=${spec.timeframe}`,
    `market.symbols=${spec.symbols.join(',')}`,
  ];
}
