import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../src/reporting/metrics/compute-metrics.ts';
import { HOUR, marks, T0 } from './fixtures.ts';

function dd(values: number[], initialCash = 100) {
  return computeMetrics({ equity: marks(values, HOUR), trades: [], fills: [], initialCash, timeframe: '1h', benchmarkCloses: new Map() }).drawdown;
}

/** Mark i is the close of the candle opening at T0 + i h; the initial cash sits at T0. */
const markTs = (i: number): number => (i < 0 ? T0 : T0 + (i + 1) * HOUR);

describe('max drawdown and its duration', () => {
  it('measures depth from the running peak and duration from peak to recovery', () => {
    // peak 110 (mark 0) -> trough 88 (mark 2) -> back above 110 at mark 4; then a smaller dip to the end.
    const d = dd([110, 99, 88, 105, 121, 110]);
    expect(d.maxDrawdown).toBeCloseTo((110 - 88) / 110, 12);
    expect(d.maxDrawdownAbs).toBeCloseTo(22, 12);
    expect(d.maxDrawdownPeakTs).toBe(markTs(0));
    expect(d.maxDrawdownTroughTs).toBe(markTs(2));
    expect(d.maxDrawdownRecoveryTs).toBe(markTs(4));
    expect(d.maxDrawdownRecovered).toBe(true);
    expect(d.maxDrawdownCandles).toBe(4);
    expect(d.maxDrawdownDays).toBeCloseTo(4 / 24, 12);
    expect(d.longestDrawdownCandles).toBe(4);
  });

  it('runs an unrecovered drawdown to the end of the run', () => {
    const d = dd([100, 120, 90, 100, 110]);
    expect(d.maxDrawdown).toBeCloseTo(30 / 120, 12);
    expect(d.maxDrawdownRecovered).toBe(false);
    expect(d.maxDrawdownRecoveryTs).toBeNull();
    expect(d.maxDrawdownCandles).toBe(4 - 1);
    expect(d.maxDrawdownDays).toBeCloseTo(3 / 24, 12);
  });

  it('starts the first peak at the initial cash', () => {
    const d = dd([90, 80, 100], 100);
    expect(d.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(d.maxDrawdownPeakTs).toBe(markTs(-1));
    expect(d.maxDrawdownRecoveryTs).toBe(markTs(2));
    expect(d.maxDrawdownCandles).toBe(3);
  });

  it('reports the deeper later episode, not an earlier recovered one, and the longest time under water apart', () => {
    // Episode A: 100 -> 95 for 6 candles, recovered at mark 6. Episode B: 130 -> 65, not recovered.
    const d = dd([100, 95, 95, 95, 95, 95, 101, 130, 65, 70]);
    expect(d.maxDrawdown).toBeCloseTo(0.5, 12);
    expect(d.maxDrawdownPeakTs).toBe(markTs(7));
    expect(d.maxDrawdownRecovered).toBe(false);
    expect(d.maxDrawdownCandles).toBe(2);
    expect(d.longestDrawdownCandles).toBe(6);
    expect(d.longestDrawdownDays).toBeCloseTo(6 / 24, 12);
  });

  it('reports zero drawdown and no duration when equity never fell', () => {
    const d = dd([100, 101, 101, 105]);
    expect(d.maxDrawdown).toBe(0);
    expect(d.maxDrawdownCandles).toBeNull();
    expect(d.maxDrawdownRecovered).toBeNull();
    expect(d.longestDrawdownCandles).toBe(0);
  });
});
