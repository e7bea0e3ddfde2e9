import { firstAtOrAfter, type CandleColumns } from '../../domain/candle.ts';

/**
 * What one selection earned over its window [t, t + window], on the BASE candles:
 *  - entry at the open of the first base candle opening at or after t (the decision used only
 *    candles closed by t, so this is the first price one could trade at), bought at
 *    open x (1 + slippage) and paying the fee on the notional;
 *  - exit at the close of the last base candle that closes by t + window, sold at
 *    close x (1 - slippage), paying the fee again;
 *  - return = cash back / cash spent - 1 = exit x (1 - fee) / (entry x (1 + fee)) - 1;
 *  - max drawdown inside the window: the deepest fall of a base candle's low below the highest
 *    price seen before it (the entry price, then earlier candles' highs), on raw prices; 0 when
 *    price never fell below its running peak. Within one candle the order of high and low is not
 *    known, so a candle's own high never counts as the peak before its own low.
 * Long only, each slice on its own (no compounding).
 */
export interface Costs {
  /** Fee per side, as a fraction (execution.fee_bps / 10,000). */
  readonly fee: number;
  /** Slippage per side, as a fraction (execution.slippage_bps / 10,000). */
  readonly slippage: number;
}

export interface SliceOutcome {
  /** Open time of the entry candle. */
  readonly entryTs: number;
  /** Close time of the exit candle. */
  readonly exitTs: number;
  /** Fill prices (slippage included). */
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** After fees and slippage, in %. */
  readonly returnPct: number;
  /** In % of the running peak (>= 0). */
  readonly maxDrawdownPct: number;
}

/** undefined when no base candle lies wholly inside the window (a gap in the data). */
export function sliceOutcome(c: CandleColumns, baseMs: number, t: number, windowMs: number, costs: Costs): SliceOutcome | undefined {
  const end = t + windowMs;
  const i = firstAtOrAfter(c.ts, t, c.length);
  if (i >= c.length || c.ts[i]! + baseMs > end) return undefined;
  let j = i;
  let peak = c.open[i]!;
  let dd = 0;
  for (let k = i; k < c.length && c.ts[k]! + baseMs <= end; k++) {
    const fall = 1 - c.low[k]! / peak;
    if (fall > dd) dd = fall;
    if (c.high[k]! > peak) peak = c.high[k]!;
    j = k;
  }
  const entryPrice = c.open[i]! * (1 + costs.slippage);
  const exitPrice = c.close[j]! * (1 - costs.slippage);
  const ret = (exitPrice * (1 - costs.fee)) / (entryPrice * (1 + costs.fee)) - 1;
  return { entryTs: c.ts[i]!, exitTs: c.ts[j]! + baseMs, entryPrice, exitPrice, returnPct: ret * 100, maxDrawdownPct: dd * 100 };
}
