/**
 * A closed candle: `ts` is the candle's OPEN time in UTC epoch ms. Only closed candles ever
 * enter the store or the candle loop; a still-forming candle is never a Candle.
 */
export interface Candle {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/**
 * Columnar candles: one typed array per field, all of `length` rows. This is how the store hands
 * candles out and how strategies read history (no arrays of objects on the hot path).
 */
export interface CandleColumns {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function emptyColumns(capacity = 0): CandleColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    open: new Float64Array(capacity),
    high: new Float64Array(capacity),
    low: new Float64Array(capacity),
    close: new Float64Array(capacity),
    volume: new Float64Array(capacity),
  };
}

export function columnsFromCandles(candles: readonly Candle[]): CandleColumns {
  const n = candles.length;
  const c = emptyColumns(n);
  for (let i = 0; i < n; i++) {
    const k = candles[i]!;
    c.ts[i] = k.ts;
    c.open[i] = k.open;
    c.high[i] = k.high;
    c.low[i] = k.low;
    c.close[i] = k.close;
    c.volume[i] = k.volume;
  }
  return { ...c, length: n };
}

export function candleAt(c: CandleColumns, i: number): Candle {
  return { ts: c.ts[i]!, open: c.open[i]!, high: c.high[i]!, low: c.low[i]!, close: c.close[i]!, volume: c.volume[i]! };
}

/**
 * First index i < length with ts[i] >= t (ts ascending); length when there is none. The one
 * binary search over candle times (store months, funding history, research windows).
 */
export function firstAtOrAfter(ts: ArrayLike<number>, t: number, length = ts.length): number {
  let lo = 0, hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [from, to) as a view (no copy). */
export function sliceColumns(c: CandleColumns, from: number, to: number): CandleColumns {
  return {
    length: Math.max(0, to - from),
    ts: c.ts.subarray(from, to),
    open: c.open.subarray(from, to),
    high: c.high.subarray(from, to),
    low: c.low.subarray(from, to),
    close: c.close.subarray(from, to),
    volume: c.volume.subarray(from, to),
  };
}
