import { describe, expect, it } from 'vitest';
import { MC_PERCENTILES, monteCarlo, percentile, tradeReturns } from '../../../src/reporting/monte-carlo.ts';

// 40 trades with a losing streak in the middle: the actual order has a deep drawdown that most
// reshuffles spread out.
const PNLS = Array.from({ length: 40 }, (_, i) => (i >= 15 && i < 22 ? -300 : i % 3 === 0 ? -120 : 180));

describe('Monte Carlo of the trades', () => {
  it('is deterministic for a seed and changes with the seed', () => {
    const a = monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 500, seed: 7 });
    const b = monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 500, seed: 7 });
    const c = monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 500, seed: 8 });
    expect(b).toEqual(a);
    expect(c!.bootstrap.finalEquity).not.toEqual(a!.bootstrap.finalEquity);
    expect(c!.reshuffle.maxDrawdown).not.toEqual(a!.reshuffle.maxDrawdown);
  });

  it('keeps the final equity of every reshuffle equal to the actual one, and only moves the drawdown', () => {
    const r = monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 400, seed: 1 })!;
    const actual = 10_000 + PNLS.reduce((s, x) => s + x, 0);
    expect(r.observedFinalEquity).toBeCloseTo(actual, 6);
    for (const q of r.reshuffle.finalEquity) expect(q).toBeCloseTo(actual, 6);
    // The clustered losses of the actual order are worse than most random orders.
    expect(r.reshuffle.maxDrawdown[2]!).toBeLessThan(r.observedMaxDrawdown);
    expect(r.reshuffle.probDrawdownAboveObserved).toBeGreaterThanOrEqual(0);
    expect(r.reshuffle.probDrawdownAboveObserved).toBeLessThan(0.5);
    // The bootstrap draws other sets of trades: its final equity spreads around the actual one.
    expect(r.bootstrap.finalEquity[0]!).toBeLessThan(actual);
    expect(r.bootstrap.finalEquity[4]!).toBeGreaterThan(actual);
  });

  it('gives ordered percentiles 5/25/50/75/95 and the observed closed-trade drawdown', () => {
    const r = monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 300, seed: 3 })!;
    expect(MC_PERCENTILES).toEqual([5, 25, 50, 75, 95]);
    for (const d of [r.reshuffle, r.bootstrap]) {
      for (const xs of [d.finalEquity, d.maxDrawdown]) {
        expect(xs).toHaveLength(5);
        for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
      }
    }
    // Peak after trade 14, trough after the 7 losses of -300 (and the trades between).
    let eq = 10_000, peak = 10_000, dd = 0;
    for (const p of PNLS) {
      eq += p;
      peak = Math.max(peak, eq);
      dd = Math.max(dd, (peak - eq) / peak);
    }
    expect(r.observedMaxDrawdown).toBeCloseTo(dd, 9);
  });

  it('has nothing to simulate without trades or runs', () => {
    expect(monteCarlo({ initialCash: 10_000, tradePnls: [], runs: 100, seed: 1 })).toBeNull();
    expect(monteCarlo({ initialCash: 10_000, tradePnls: PNLS, runs: 0, seed: 1 })).toBeNull();
  });

  it('turns PnLs into returns on the closed-trade equity before each trade', () => {
    expect([...tradeReturns(1000, [100, -550, 55])]).toEqual([0.1, -0.5, 0.1]);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([0, 10], 25)).toBe(2.5);
  });
});
