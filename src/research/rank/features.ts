import type { CandleColumns } from '../../domain/candle.ts';
import { atr, bollinger, ema, macd, rsi, sma, volumeZscore } from '../../indicators/index.ts';
import { RANK_FEATURE_NAMES, type RankFeatureName, type RankFeatures } from '../../strategy-sdk/ranking.ts';

/**
 * The ranking evaluation's features, one value per feature candle. Every indicator is the
 * project's batch form, which is causal: the value at candle k depends on candles 0..k only. So
 * computing once over the whole series and reading index k gives exactly what a computation on
 * the candles up to k would give, in O(candles) instead of O(candles x times); the look-ahead test
 * (changing candles after t leaves every feature at t unchanged) holds that promise.
 */

/** Least-squares slope of ln(close) over this many feature candles. */
export const TREND_CANDLES = 20;
const VOLUME_Z_CANDLES = 20;
const VOLUME_SHORT = 6;
const VOLUME_LONG = 24;

/** Feature candles before every feature is defined (MACD's signal line plus one for its slope). */
export const FEATURE_WARMUP = macd.warmup(12, 26, 9) + 1;

export interface FeatureSeries {
  /** Open times of the feature candles. */
  readonly ts: Float64Array;
  /** Close time of each candle (open + timeframe): the first moment its values may be used. */
  readonly closeTs: Float64Array;
  readonly close: Float64Array;
  /** volume x close of each candle. */
  readonly quoteVolume: Float64Array;
  readonly values: Readonly<Record<RankFeatureName, Float64Array>>;
}

function trendSlopePct(close: Float64Array, n: number): Float64Array {
  const len = close.length;
  const out = new Float64Array(len).fill(Number.NaN);
  // x = 0..n-1: sum x and sum (x - mean)^2 are constants of n.
  const xMean = (n - 1) / 2;
  let sxx = 0;
  for (let j = 0; j < n; j++) sxx += (j - xMean) ** 2;
  for (let k = n - 1; k < len; k++) {
    let sxy = 0;
    for (let j = 0; j < n; j++) sxy += (j - xMean) * Math.log(close[k - n + 1 + j]!);
    out[k] = (sxy / sxx) * 100;
  }
  return out;
}

export function computeFeatures(c: CandleColumns, timeframeMs: number): FeatureSeries {
  const len = c.length;
  const close = c.close.subarray(0, len);
  const volume = c.volume.subarray(0, len);
  const m = macd(close, 12, 26, 9);
  const e12 = ema(close, 12);
  const e26 = ema(close, 26);
  const a = atr(c.high.subarray(0, len), c.low.subarray(0, len), close, 14);
  const bb = bollinger(close, 20, 2);
  const vShort = sma(volume, VOLUME_SHORT);
  const vLong = sma(volume, VOLUME_LONG);
  const slope = new Float64Array(len).fill(Number.NaN);
  const emaDist = new Float64Array(len);
  const atrPct = new Float64Array(len);
  const volTrend = new Float64Array(len);
  const closeTs = new Float64Array(len);
  const quoteVolume = new Float64Array(len);
  for (let k = 0; k < len; k++) {
    if (k > 0) slope[k] = m.hist[k]! - m.hist[k - 1]!;
    emaDist[k] = ((e12[k]! - e26[k]!) / e26[k]!) * 100;
    atrPct[k] = (a[k]! / close[k]!) * 100;
    // A run of zero-volume candles has no trend: 0, not NaN, so the symbol stays rankable.
    volTrend[k] = vLong[k]! > 0 ? vShort[k]! / vLong[k]! - 1 : vLong[k] === 0 ? 0 : Number.NaN;
    closeTs[k] = c.ts[k]! + timeframeMs;
    quoteVolume[k] = volume[k]! * close[k]!;
  }
  return {
    ts: c.ts.subarray(0, len), closeTs, close, quoteVolume,
    values: {
      rsi: rsi(close, 14), macd_hist: m.hist, macd_hist_slope: slope, ema_dist_pct: emaDist, trend_slope_pct: trendSlopePct(close, TREND_CANDLES),
      atr_pct: atrPct, bb_bandwidth: bb.bandwidth, volume_z: volumeZscore(volume, VOLUME_Z_CANDLES), volume_trend: volTrend,
    },
  };
}

/** Index of the last feature candle closed at or before t (-1: none yet). */
export function lastClosedAt(s: FeatureSeries, t: number): number {
  let lo = 0, hi = s.closeTs.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.closeTs[mid]! <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** The features of candle k, or undefined while any of them is still warming up (or not finite). */
export function featuresAt(s: FeatureSeries, k: number): RankFeatures | undefined {
  if (k < 0) return undefined;
  const out: Record<string, number> = {};
  for (const name of RANK_FEATURE_NAMES) {
    const v = s.values[name][k]!;
    if (!Number.isFinite(v)) return undefined;
    out[name] = v;
  }
  return out as unknown as RankFeatures;
}
