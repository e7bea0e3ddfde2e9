import { medianOf } from '../../reporting/metrics/trade-stats.ts';
import type { RankEvaluation, Slice } from './evaluate.ts';

/**
 * Per-strategy metrics of a ranking run (the seed's list): win rate, average and median return,
 * profit factor, max drawdown per trade and aggregated, trade count and coverage.
 *
 * The aggregated curve is the equal-weight portfolio per evaluation time: at each time, the mean
 * return of that time's selections (0 at a time without one), SUMMED over time, not compounded
 * (slices overlap and are independent by design). Its max drawdown is the largest fall from a
 * running peak of that sum, in percentage points.
 */
export interface RankMetrics {
  readonly strategy: string;
  readonly trades: number;
  readonly win_rate_pct: number | null;
  readonly avg_return_pct: number | null;
  readonly median_return_pct: number | null;
  /** Sum of gains / sum of losses; null without a losing slice. */
  readonly profit_factor: number | null;
  /** Deepest drawdown inside one slice's window. */
  readonly max_drawdown_per_trade_pct: number | null;
  /** Deepest fall of the aggregated (summed, equal-weight per time) curve, in percentage points. */
  readonly max_drawdown_aggregated_pct: number;
  /** End of the aggregated curve: the sum over times of each time's mean slice return. */
  readonly cumulative_return_pct: number;
  /** Share of evaluation times with a measured selection, in %. */
  readonly coverage_pct: number | null;
  readonly times_selected: number;
  /** Selected but not measurable (no base candle inside the window). */
  readonly unmeasured: number;
}

/** One point per evaluation time: the strategy's equal-weight mean slice return there. */
export interface CurvePoint {
  readonly t: number;
  readonly return_pct: number;
  readonly cumulative_pct: number;
}

export function aggregatedCurve(times: readonly number[], slices: readonly Slice[]): CurvePoint[] {
  const byTime = new Map<number, number>();
  for (const s of slices) byTime.set(s.t, (byTime.get(s.t) ?? 0) + s.weight * s.returnPct);
  let cum = 0;
  return times.map((t) => {
    const r = byTime.get(t) ?? 0;
    cum += r;
    return { t, return_pct: r, cumulative_pct: cum };
  });
}

export function strategyMetrics(ev: RankEvaluation, strategy: string): RankMetrics {
  const slices = ev.slices.filter((s) => s.strategyId === strategy);
  const rets = slices.map((s) => s.returnPct);
  const n = rets.length;
  let gains = 0, losses = 0, wins = 0, worstTrade = 0;
  for (const s of slices) {
    if (s.returnPct > 0) {
      gains += s.returnPct;
      wins++;
    } else losses -= s.returnPct;
    if (s.maxDrawdownPct > worstTrade) worstTrade = s.maxDrawdownPct;
  }
  const curve = aggregatedCurve(ev.times, slices);
  let peak = 0, mdd = 0;
  for (const p of curve) {
    if (p.cumulative_pct > peak) peak = p.cumulative_pct;
    if (peak - p.cumulative_pct > mdd) mdd = peak - p.cumulative_pct;
  }
  const tally = ev.perStrategy.get(strategy)!;
  return {
    strategy,
    trades: n,
    win_rate_pct: n > 0 ? (wins / n) * 100 : null,
    avg_return_pct: n > 0 ? rets.reduce((a, b) => a + b, 0) / n : null,
    median_return_pct: n > 0 ? medianOf(Float64Array.from(rets)) : null,
    profit_factor: losses > 0 ? gains / losses : null,
    max_drawdown_per_trade_pct: n > 0 ? worstTrade : null,
    max_drawdown_aggregated_pct: mdd,
    cumulative_return_pct: curve.at(-1)?.cumulative_pct ?? 0,
    coverage_pct: ev.times.length > 0 ? (tally.timesSelected / ev.times.length) * 100 : null,
    times_selected: tally.timesSelected,
    unmeasured: tally.unmeasured,
  };
}
