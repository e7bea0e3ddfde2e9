/**
 * A range of candles the live feed could not deliver to a run: the exchange has no candles there,
 * or the run ended while the hole was still being backfilled. The feed reports it and the state DB
 * keeps it (`feed_gaps`): how a forward/live run explains afterwards why a step was traded without
 * a symbol, or not at all.
 */
export interface FeedGap {
  readonly symbol: string;
  /** First and last missing candle open time (ms, inclusive). */
  readonly fromTs: number;
  readonly toTs: number;
  readonly candles: number;
  /** Backfill attempts that failed before the gap was given up. */
  readonly attempts: number;
  readonly message: string;
}
