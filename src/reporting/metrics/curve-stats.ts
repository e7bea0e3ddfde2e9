/**
 * Statistics of a value curve (the strategy's equity, or the buy-and-hold portfolio): per-candle
 * return ratios and drawdowns. Pure functions over array-likes, one pass each, no per-mark
 * allocation, so a 4.2M-mark 1m curve costs a few tens of ms.
 *
 * Time model: mark i is the value at the CLOSE of the candle opening at ts[i]; the starting value
 * `start` is the value at the OPEN of the first candle (mark index -1). So n marks give n returns,
 * and durations in candles are index differences with the start at -1.
 */
import { METRIC_RULES } from './types.ts';

export interface CurveInput {
  readonly values: ArrayLike<number>;
  /** Candle open time of each mark (epoch ms). */
  readonly ts: ArrayLike<number>;
  readonly length: number;
  /** The value before the first mark (> 0). */
  readonly start: number;
  readonly timeframeMs: number;
}

export interface RatioStats {
  readonly observations: number;
  readonly mean: number | null;
  /** Per-candle sample standard deviation (n - 1), and downside deviation (target 0, over all n). */
  readonly stdev: number | null;
  readonly downsideDeviation: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly best: number | null;
  readonly worst: number | null;
  /** Why a ratio is null, keyed by volatility / sharpe / sortino. */
  readonly reasons: Readonly<Record<string, string>>;
}

/**
 * Per-candle simple returns r_i = v_i / v_(i-1) - 1 (v_(-1) = start), then with N returns:
 *   mean = sum(r) / N;  stdev = sqrt(sum((r - mean)^2) / (N - 1));
 *   downside = sqrt(sum(min(r, 0)^2) / N);
 *   volatility = stdev * sqrt(P);  sharpe = mean / stdev * sqrt(P);  sortino = mean / downside * sqrt(P)
 * where P = candles per year (risk-free rate 0).
 */
export function ratioStats(c: CurveInput, periodsPerYear: number): RatioStats {
  const n = c.length;
  const reasons: Record<string, string> = {};
  let prev = c.start;
  let count = 0, mean = 0, m2 = 0, down2 = 0;
  let best = -Infinity, worst = Infinity;
  let brokenAt = -1;
  for (let i = 0; i < n; i++) {
    const v = c.values[i]!;
    if (!(prev > 0)) {
      // A return off a zero or negative base is undefined: the account was wiped out.
      brokenAt = i;
      break;
    }
    const r = v / prev - 1;
    count++;
    // Welford's update: numerically stable and order-deterministic.
    const d = r - mean;
    mean += d / count;
    m2 += d * (r - mean);
    if (r < 0) down2 += r * r;
    if (r > best) best = r;
    if (r < worst) worst = r;
    prev = v;
  }
  const base = { observations: count, best: count > 0 ? best : null, worst: count > 0 ? worst : null };
  if (brokenAt >= 0) {
    const why = `equity reached zero or below at mark ${brokenAt - 1}; later returns are undefined`;
    return { ...base, mean: null, stdev: null, downsideDeviation: null, volatility: null, sharpe: null, sortino: null, reasons: { volatility: why, sharpe: why, sortino: why } };
  }
  if (count < METRIC_RULES.minReturnObservations) {
    const why = `needs at least ${METRIC_RULES.minReturnObservations} per-candle returns, the run has ${count}`;
    return { ...base, mean: count > 0 ? mean : null, stdev: null, downsideDeviation: null, volatility: null, sharpe: null, sortino: null, reasons: { volatility: why, sharpe: why, sortino: why } };
  }
  const stdev = Math.sqrt(m2 / (count - 1));
  const downside = Math.sqrt(down2 / count);
  const ann = Math.sqrt(periodsPerYear);
  const zero = METRIC_RULES.zeroVolatility;
  let sharpe: number | null = null;
  let sortino: number | null = null;
  if (stdev > zero) sharpe = (mean / stdev) * ann;
  else reasons.sharpe = `per-candle return volatility is zero (stdev ${stdev} <= ${zero}): the ratio is undefined`;
  if (downside > zero) sortino = (mean / downside) * ann;
  else reasons.sortino = `no losing candle (downside deviation ${downside} <= ${zero}): the ratio is undefined`;
  return { ...base, mean, stdev, downsideDeviation: downside, volatility: stdev * ann, sharpe, sortino, reasons };
}

export interface DrawdownStats {
  readonly maxDrawdown: number;
  readonly maxDrawdownAbs: number;
  /** Mark indices (start = -1); -2 when there was no drawdown. */
  readonly peakIndex: number;
  readonly troughIndex: number;
  /** First mark at or above the peak after the trough; -1 when never recovered. */
  readonly recoveryIndex: number;
  readonly maxDrawdownCandles: number | null;
  readonly maxDrawdownDays: number | null;
  readonly longestDrawdownCandles: number;
  readonly longestDrawdownDays: number;
}

const DAY_MS = 86_400_000;

/**
 * Drawdown_i = (peak_i - v_i) / peak_i with peak_i = max(start, v_0..v_i). The max-drawdown
 * episode runs from its peak to the first mark back at or above that peak (recovery), or to the
 * last mark when it never recovered; its duration is counted in candles (index difference) and in
 * days (between the mark times, a mark being at its candle's close).
 */
export function drawdownStats(c: CurveInput): DrawdownStats {
  const n = c.length;
  const tf = c.timeframeMs;
  const markTime = (i: number): number => (i < 0 ? c.ts[0]! : c.ts[i]! + tf);
  let peak = c.start, peakIdx = -1;
  let maxDd = 0, maxAbs = 0, maxPeak = -2, maxTrough = -2, maxRecovery = -1;
  let longestCandles = 0, longestMs = 0;
  let under = false;
  for (let i = 0; i < n; i++) {
    const v = c.values[i]!;
    if (v >= peak) {
      if (under) {
        // Episode [peakIdx, i] closed by a recovery.
        if (peakIdx === maxPeak) maxRecovery = i;
        if (i - peakIdx > longestCandles) {
          longestCandles = i - peakIdx;
          longestMs = markTime(i) - markTime(peakIdx);
        }
        under = false;
      }
      peak = v;
      peakIdx = i;
      continue;
    }
    under = true;
    const dd = (peak - v) / peak;
    if (dd > maxDd) {
      maxDd = dd;
      maxAbs = peak - v;
      maxPeak = peakIdx;
      maxTrough = i;
      maxRecovery = -1; // a deeper episode replaces an earlier, recovered one
    }
  }
  if (under && n > 0 && n - 1 - peakIdx > longestCandles) {
    longestCandles = n - 1 - peakIdx;
    longestMs = markTime(n - 1) - markTime(peakIdx);
  }
  let ddCandles: number | null = null, ddDays: number | null = null;
  if (maxDd > 0) {
    const endIdx = maxRecovery >= 0 ? maxRecovery : n - 1;
    ddCandles = endIdx - maxPeak;
    ddDays = (markTime(endIdx) - markTime(maxPeak)) / DAY_MS;
  }
  return {
    maxDrawdown: maxDd,
    maxDrawdownAbs: maxAbs,
    peakIndex: maxPeak,
    troughIndex: maxTrough,
    recoveryIndex: maxDd > 0 ? maxRecovery : -1,
    maxDrawdownCandles: ddCandles,
    maxDrawdownDays: ddDays,
    longestDrawdownCandles: longestCandles,
    longestDrawdownDays: longestMs / DAY_MS,
  };
}

/** Mark time (epoch ms) of a mark index from drawdownStats (start = -1 is the first candle's open). */
export function markTimeOf(c: CurveInput, index: number): number {
  return index < 0 ? c.ts[0]! : c.ts[index]! + c.timeframeMs;
}

/**
 * CAGR = (final / start)^(1 / years) - 1 with years = days / 365. Null below the minimum period,
 * and for a period under a year when the result exceeds +1000 %/year (a few weeks extrapolated to
 * a year gives the CAGR 1e11 % numbers users learned to distrust), and when the final value is
 * <= 0 (no real root; the total return already says everything was lost).
 */
export function cagrOf(start: number, final: number, days: number): { value: number | null; reason?: string } {
  if (days < METRIC_RULES.minCagrDays) {
    return { value: null, reason: `needs a period of at least ${METRIC_RULES.minCagrDays} days, the run covers ${round2(days)} days` };
  }
  if (!(final > 0)) return { value: null, reason: `final value ${final} is zero or negative: a compound annual rate is undefined` };
  const value = Math.pow(final / start, 365 / days) - 1;
  if (days < 365 && !(value <= METRIC_RULES.maxExtrapolatedCagr)) {
    return {
      value: null,
      reason: `compounding a ${(((final / start) - 1) * 100).toFixed(2)} % return over ${round2(days)} days to a year gives more than ` +
        `+${METRIC_RULES.maxExtrapolatedCagr * 100} %/year: an extrapolation artefact, not a rate (see the total return)`,
    };
  }
  return { value };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
