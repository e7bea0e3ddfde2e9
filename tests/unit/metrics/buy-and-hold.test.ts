import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../src/reporting/metrics/compute-metrics.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { HOUR, marks, T0, textbook } from './fixtures.ts';

function bench(closes: Record<string, number[]>, ts?: Record<string, number[]>, equity = marks(new Array(10).fill(1000), HOUR)) {
  return computeMetrics({
    equity, trades: [], fills: [], initialCash: 1000, timeframe: '1h',
    benchmarkCloses: new Map(Object.entries(closes).map(([s, c]) => [s, Float64Array.from(c)])),
    benchmarkTs: ts ? new Map(Object.entries(ts).map(([s, t]) => [s, Float64Array.from(t)])) : undefined,
  });
}

describe('buy-and-hold benchmark', () => {
  it('splits the cash equally, buys at the first close and holds to the last close', () => {
    const m = bench({ 'ETH/USDT': [100, 50, 150], 'BTC/USDT': [10, 12, 11] });
    const b = m.benchmark;
    expect(b.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(b.perSymbol['BTC/USDT']).toBeCloseTo(0.1, 12);
    expect(b.perSymbol['ETH/USDT']).toBeCloseTo(0.5, 12);
    expect(b.totalReturn).toBeCloseTo((1.1 + 1.5) / 2 - 1, 12);
    // Portfolio value (start 1): 1, (1.2 + 0.5) / 2 = 0.85, 1.3 -> drawdown 15 % from the start.
    expect(b.maxDrawdown).toBeCloseTo(0.15, 12);
    // The flat strategy (total return 0) trails it by the whole benchmark return.
    expect(b.excessReturn).toBeCloseTo(-0.3, 12);
  });

  it('aligns symbols of different lengths on their candle times (a later listing holds cash until its first close)', () => {
    const h = (i: number): number => T0 + i * HOUR;
    const m = bench({ A: [100, 80, 120, 120], B: [10, 20] }, { A: [h(0), h(1), h(2), h(3)], B: [h(2), h(3)] });
    const b = m.benchmark;
    expect(b.totalReturn).toBeCloseTo((1.2 + 2) / 2 - 1, 12);
    // Curve: h0 (1 + 1)/2 = 1; h1 (0.8 + 1)/2 = 0.9; h2 (1.2 + 1)/2 = 1.1; h3 (1.2 + 2)/2 = 1.6.
    expect(b.maxDrawdown).toBeCloseTo(0.1, 12);
  });

  it('reports the return but no curve metrics when symbols differ in length and no times are given', () => {
    const m = bench({ A: [100, 110], B: [10, 11, 12] });
    expect(m.benchmark.totalReturn).toBeCloseTo((1.1 + 1.2) / 2 - 1, 12);
    expect(m.benchmark.maxDrawdown).toBeNull();
    expect(m.notes['benchmark.maxDrawdown']).toMatch(/different numbers of closes/);
  });

  it('annualises the benchmark Sharpe like the strategy one', () => {
    const closes = Array.from({ length: 60 }, (_, i) => 100 + 10 * Math.sin(i / 3) + i / 2);
    const m = bench({ X: closes });
    const rets = closes.map((c, i) => (i === 0 ? 0 : c / closes[i - 1]! - 1)); // first: buy at the first close -> 0
    const { mean, sd } = textbook(rets);
    expect(m.benchmark.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(8760), 9);
  });

  it('reports the benchmark as not available without symbols, with a reason', () => {
    const m = bench({});
    expect(m.benchmark.totalReturn).toBeNull();
    expect(m.benchmark.excessReturn).toBeNull();
    expect(m.notes['benchmark.totalReturn']).toMatch(/no symbol/);
  });
});

describe.skipIf(!HAS_SHARED_DATA)('buy-and-hold on real Binance candles', () => {
  it('gives last close / first close - 1 over BTCUSDT-1h, and CAGR over the run period', () => {
    const c = readCsvColumns(sharedFile('BTCUSDT-1h.csv'));
    const first = c.close[0]!, last = c.close[c.length - 1]!;
    const equity = Array.from(c.ts, (ts) => ({ ts, cash: 1000, equity: 1000, exposure: 0, drawdown: 0 }));
    const m = computeMetrics({
      equity, trades: [], fills: [], initialCash: 1000, timeframe: '1h',
      benchmarkCloses: new Map([['BTC/USDT', c.close]]), benchmarkTs: new Map([['BTC/USDT', c.ts]]),
    });
    expect(m.benchmark.totalReturn).toBeCloseTo(last / first - 1, 12);
    expect(m.benchmark.perSymbol['BTC/USDT']).toBeCloseTo(last / first - 1, 12);
    const days = (c.ts[c.length - 1]! + HOUR - c.ts[0]!) / 86_400_000;
    expect(m.period.days).toBeCloseTo(days, 9);
    expect(m.benchmark.cagr).toBeCloseTo(Math.pow(last / first, 365 / days) - 1, 12);
    expect(m.benchmark.maxDrawdown).toBeGreaterThan(0.5); // BTC fell > 50 % at least once since 2018
    expect(m.benchmark.maxDrawdown).toBeLessThan(1);
    expect(m.benchmark.excessReturn).toBeCloseTo(0 - (last / first - 1), 12);
  });
});
