import { describe, expect, it } from 'vitest';
import type { RankEvaluation, Slice } from '../../../src/research/rank/evaluate.ts';
import { strategyMetrics } from '../../../src/research/rank/metrics.ts';
import { normalizeValues } from '../../../src/research/rank/normalize.ts';

const H = 3_600_000;
const FEATURES = { rsi: 50, macd_hist: 0, macd_hist_slope: 0, ema_dist_pct: 0, trend_slope_pct: 0, atr_pct: 1, bb_bandwidth: 0, volume_z: 0, volume_trend: 0 };

function slice(t: number, symbol: string, returnPct: number, maxDrawdownPct: number, weight: number): Slice {
  return { strategyId: 's', t, symbol, rank: 1, score: 0, weight, raw: FEATURES, norm: FEATURES, entryTs: t, exitTs: t + 4 * H, entryPrice: 1, exitPrice: 1, returnPct, maxDrawdownPct };
}

describe('rank metrics', () => {
  it('computes win rate, mean, median, profit factor, drawdowns and coverage of a small set of slices worked out by hand', () => {
    // Four evaluation times; the third has no selection.
    const times = [0, 2 * H, 4 * H, 6 * H];
    const slices = [
      slice(0, 'A', 2, 0.5, 0.5), slice(0, 'B', -1, 1.5, 0.5), // time 0: mean +0.5
      slice(2 * H, 'A', -3, 4, 1), // time 2h: -3
      slice(6 * H, 'B', 1, 0.2, 1), // time 6h: +1
    ];
    const ev: RankEvaluation = { times, slices, skipped: { no_features: 0, atr_above_max: 0, volume_below_min: 0 }, skippedBySymbol: {}, perStrategy: new Map([['s', { timesSelected: 3, unmeasured: 0 }]]) };
    const m = strategyMetrics(ev, 's');
    expect(m.trades).toBe(4);
    expect(m.win_rate_pct).toBe(50);
    expect(m.avg_return_pct).toBe(-0.25); // (2 - 1 - 3 + 1) / 4
    expect(m.median_return_pct).toBe(0); // mean of -1 and 1
    expect(m.profit_factor).toBe(0.75); // (2 + 1) / (1 + 3)
    expect(m.max_drawdown_per_trade_pct).toBe(4);
    // Summed curve: 0.5, -2.5, -2.5, -1.5: from the peak 0.5 down to -2.5.
    expect(m.cumulative_return_pct).toBe(-1.5);
    expect(m.max_drawdown_aggregated_pct).toBe(3);
    expect(m.coverage_pct).toBe(75);
  });

  it('normalises across the universe: z-scores with the population sd, percentiles with ties counted half', () => {
    expect(normalizeValues([1, 2, 3], 'zscore').map((x) => x.toFixed(6))).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)].map((x) => x.toFixed(6)));
    expect(normalizeValues([5, 5], 'zscore')).toEqual([0, 0]);
    expect(normalizeValues([10, 30, 20, 20], 'percentile')).toEqual([0, 1, 0.5, 0.5]);
    expect(normalizeValues([7], 'percentile')).toEqual([0.5]);
  });
});
