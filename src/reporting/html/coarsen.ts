/**
 * Keeps a report page usable for very long runs (years of 1m candles are millions of bars, which
 * no browser charts smoothly and which would make report.html hundreds of MB): above a bar budget,
 * candles are merged k at a time into coarser bars (first open, highest high, lowest low, last
 * close) and line series keep one point per k (the bucket's last value, or its extreme for a
 * drawdown). Fills and trades keep their exact times and prices; a marker sits on the coarse bar
 * that contains its fill. Runs within the budget (8 years of 1h is 73k bars) are drawn as they are.
 */
import type { CandleColumns } from '../../domain/candle.ts';

export const MAX_BARS_PER_SYMBOL = 150_000;

/** Merge factor for a series of `n` points under `max`: 1 when it fits. */
export function mergeFactor(n: number, max = MAX_BARS_PER_SYMBOL): number {
  return n <= max ? 1 : Math.ceil(n / max);
}

export function coarsenCandles(c: CandleColumns, k: number): CandleColumns {
  if (k <= 1) return c;
  const m = Math.ceil(c.length / k);
  const out = { length: m, ts: new Float64Array(m), open: new Float64Array(m), high: new Float64Array(m), low: new Float64Array(m), close: new Float64Array(m), volume: new Float64Array(m) };
  for (let j = 0; j < m; j++) {
    const a = j * k, b = Math.min(c.length, a + k);
    let hi = -Infinity, lo = Infinity, vol = 0;
    for (let i = a; i < b; i++) {
      if (c.high[i]! > hi) hi = c.high[i]!;
      if (c.low[i]! < lo) lo = c.low[i]!;
      vol += c.volume[i]!;
    }
    out.ts[j] = c.ts[a]!;
    out.open[j] = c.open[a]!;
    out.high[j] = hi;
    out.low[j] = lo;
    out.close[j] = c.close[b - 1]!;
    out.volume[j] = vol;
  }
  return out;
}

/** One point per k: the bucket's first time with its last value (`pick: 'last'`) or its largest value (`'max'`). */
export function coarsenSeries(ts: ArrayLike<number>, values: ArrayLike<number>, k: number, pick: 'last' | 'max' = 'last'): { ts: Float64Array; values: Float64Array } {
  const m = k <= 1 ? ts.length : Math.ceil(ts.length / k);
  const t = new Float64Array(m), v = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const a = j * Math.max(1, k), b = Math.min(ts.length, a + Math.max(1, k));
    t[j] = ts[a]!;
    if (pick === 'last') v[j] = values[b - 1]!;
    else {
      let x = -Infinity;
      for (let i = a; i < b; i++) if (values[i]! > x) x = values[i]!;
      v[j] = x;
    }
  }
  return { ts: t, values: v };
}
