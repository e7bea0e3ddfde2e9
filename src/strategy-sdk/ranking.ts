/**
 * The ranking hook of the strategy contract: what `rank` (the 4-hour ranking evaluation) hands a
 * ranking strategy at one evaluation time t, and what it expects back. Everything here is plain
 * data computed from candles that closed at or before t, so a ranking strategy is a pure function
 * of the snapshot and its parameters: it cannot look ahead because nothing after t is in it.
 */

/**
 * Features of one symbol at t, on the evaluation's feature timeframe (rank.feature_timeframe),
 * from the last feature candle that closed at or before t. Units are in the names.
 */
export interface RankFeatures {
  /** RSI(14), 0..100. */
  readonly rsi: number;
  /** MACD(12, 26, 9) histogram, in price units. */
  readonly macd_hist: number;
  /** Histogram now minus one feature candle before (> 0: momentum is rising). */
  readonly macd_hist_slope: number;
  /** (EMA(12) - EMA(26)) / EMA(26), in %. */
  readonly ema_dist_pct: number;
  /** Least-squares slope of ln(close) over the last 20 feature candles, in % per candle. */
  readonly trend_slope_pct: number;
  /** ATR(14) / close, in %. */
  readonly atr_pct: number;
  /** Bollinger(20, 2) bandwidth: (upper - lower) / middle. */
  readonly bb_bandwidth: number;
  /** z-score of the last candle's volume against the last 20 (current included). */
  readonly volume_z: number;
  /** Mean volume of the last 6 candles over the mean of the last 24, minus 1 (> 0: rising). */
  readonly volume_trend: number;
}

export type RankFeatureName = keyof RankFeatures;

/** The features in a fixed order (files, tables and the normalisation use this order). */
export const RANK_FEATURE_NAMES: readonly RankFeatureName[] = Object.freeze([
  'rsi', 'macd_hist', 'macd_hist_slope', 'ema_dist_pct', 'trend_slope_pct', 'atr_pct', 'bb_bandwidth', 'volume_z', 'volume_trend',
]);

/** One symbol that passed the evaluation's own gates (rank.max_atr_pct, rank.min_volume) at t. */
export interface RankCandidate {
  readonly symbol: string;
  /** The raw features. */
  readonly raw: RankFeatures;
  /**
   * Each feature normalised across the whole universe at t (rank.normalize): a z-score (0 when
   * all symbols are equal) or a percentile rank in [0, 1] (0.5 for a lone symbol).
   */
  readonly norm: RankFeatures;
  /** Close of the last feature candle (price units). */
  readonly close: number;
  /** Quote volume (volume x close) of the last feature candle. */
  readonly quoteVolume: number;
}

export interface RankSnapshot {
  /** The evaluation time t (UTC epoch ms, on the hour grid). */
  readonly ts: number;
  /** Universe order (rank.symbols), gated symbols left out. */
  readonly candidates: readonly RankCandidate[];
  /** How normalised features were made. */
  readonly normalize: 'zscore' | 'percentile';
  /** At most this many are selected (rank.max_positions); a strategy may return more or fewer. */
  readonly maxPositions: number;
}

/**
 * A strategy's opinion of one candidate. Symbols left out are not wanted at t (its own gates);
 * the evaluation selects the highest scores (ties: universe order), at most maxPositions.
 */
export interface RankScore {
  readonly symbol: string;
  /** A finite number; higher is better. */
  readonly score: number;
}
