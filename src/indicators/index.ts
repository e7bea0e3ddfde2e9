/**
 * Technical indicators, exact to TA-Lib where TA-Lib has them (see docs/indicators.md).
 *
 * Two forms of every indicator, giving the same numbers:
 *  - batch: `sma(x, n)` etc. — inputs ArrayLike<number>, outputs Float64Array of the same length,
 *    NaN while warming up. Each batch function carries `.warmup(...params)`: how many inputs are
 *    needed before the first valid value (TA-Lib lookback + 1); the first valid index is warmup-1.
 *  - stream: `new SmaStream(n)` etc. — `update(...)` is O(1) and allocation-free and returns the
 *    new value (NaN while warming up); `value`, `ready` and `warmup` are exposed, multi-output
 *    streams expose each output as a getter (e.g. `.macd .signal .hist`).
 *
 * Inputs are assumed finite (the data layer validates candles); a NaN input poisons the running
 * state of the indicators that keep sums. Parameters are validated and throw CtError
 * CT_ERR_INDICATOR_PARAM naming the parameter and value.
 */
export { sma, ema, wma, SmaStream, EmaStream, WmaStream } from './moving-averages.ts';
export { rsi, RsiStream } from './rsi.ts';
export { macd, MacdStream, type MacdResult } from './macd.ts';
export { atr, AtrStream, trueRange } from './atr.ts';
export { adx, AdxStream, diWarmup, type AdxResult } from './adx.ts';
export { bollinger, BollingerStream, type BollingerResult } from './bollinger.ts';
export { donchian, DonchianStream, type DonchianResult } from './donchian.ts';
export { stoch, StochStream, type StochResult } from './stoch.ts';
export { roc, RocStream } from './roc.ts';
export { zscore, volumeZscore, ZscoreStream, VolumeZscoreStream } from './zscore.ts';
export { realizedVol, RealizedVolStream } from './realized-vol.ts';
export { RollingExtremum } from './rolling-extremum.ts';
export { RollingMoments } from './rolling-moments.ts';

/** What every stream class provides (update's arity differs per indicator). */
export interface IndicatorStream {
  /** Inputs needed before `value` is valid (= the batch form's warmup). */
  readonly warmup: number;
  /** Latest value, NaN while warming up. */
  readonly value: number;
  /** True once `warmup` inputs have been seen. */
  readonly ready: boolean;
  /** Forget all inputs (no reallocation). */
  reset(): void;
}
