import type { CandleColumns } from '../../domain/candle.ts';
import type { CandleBatch } from '../../domain/candle-batch.ts';
import type { CandleSourcePort } from '../ports.ts';

/**
 * Replays stored candles of several symbols as one time-ordered stream. The columns of every
 * symbol are merged ONCE into a single columnar table (rows sorted by ts, then by the configured
 * symbol order — the deterministic order of the loop), and batches are subarray views of it,
 * cut at step boundaries. No per-candle objects are created.
 */
export class ReplaySource implements CandleSourcePort {
  readonly symbols: readonly string[];
  private readonly merged: CandleBatch;
  private readonly batchSize: number;

  readonly stepCount: number;

  constructor(series: ReadonlyMap<string, CandleColumns>, batchSize: number) {
    this.symbols = [...series.keys()];
    this.merged = mergeColumns(this.symbols, series);
    this.batchSize = Math.max(1, batchSize);
    let steps = 0;
    for (let i = 0; i < this.merged.length; i++) if (i === 0 || this.merged.ts[i] !== this.merged.ts[i - 1]) steps++;
    this.stepCount = steps;
  }

  get length(): number {
    return this.merged.length;
  }

  async *batches(): AsyncIterable<CandleBatch> {
    const m = this.merged;
    let start = 0;
    while (start < m.length) {
      let end = Math.min(m.length, start + this.batchSize);
      // Never split a step: extend to the end of the last step's rows.
      while (end < m.length && m.ts[end] === m.ts[end - 1]) end++;
      yield {
        symbols: m.symbols,
        length: end - start,
        ts: m.ts.subarray(start, end),
        sym: m.sym.subarray(start, end),
        open: m.open.subarray(start, end),
        high: m.high.subarray(start, end),
        low: m.low.subarray(start, end),
        close: m.close.subarray(start, end),
        volume: m.volume.subarray(start, end),
      };
      start = end;
    }
  }
}

/** k-way merge by (ts, symbol index); each input is already sorted by ts. */
export function mergeColumns(symbols: readonly string[], series: ReadonlyMap<string, CandleColumns>): CandleBatch {
  const cols = symbols.map((s) => series.get(s)!);
  if (cols.length === 1) {
    // One symbol: the stored columns already are the merged table; share them instead of copying
    // (an 8-year 1m series is 200 MB).
    const c = cols[0]!;
    return { symbols, length: c.length, ts: c.ts.subarray(0, c.length), sym: new Int32Array(c.length), open: c.open.subarray(0, c.length), high: c.high.subarray(0, c.length), low: c.low.subarray(0, c.length), close: c.close.subarray(0, c.length), volume: c.volume.subarray(0, c.length) };
  }
  let n = 0;
  for (const c of cols) n += c.length;
  const out = {
    symbols,
    length: n,
    ts: new Float64Array(n),
    sym: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  const pos = new Int32Array(cols.length);
  for (let k = 0; k < n; k++) {
    let best = -1;
    let bestTs = Infinity;
    for (let s = 0; s < cols.length; s++) {
      const c = cols[s]!;
      if (pos[s]! < c.length) {
        const t = c.ts[pos[s]!]!;
        if (t < bestTs) {
          bestTs = t;
          best = s;
        }
      }
    }
    const c = cols[best]!;
    const p = pos[best]!++;
    out.ts[k] = bestTs;
    out.sym[k] = best;
    out.open[k] = c.open[p]!;
    out.high[k] = c.high[p]!;
    out.low[k] = c.low[p]!;
    out.close[k] = c.close[p]!;
    out.volume[k] = c.volume[p]!;
  }
  return out;
}
