import type { CandleBatch } from '../domain/candle-batch.ts';

/**
 * The loop's most recent candles, kept so a restarted strategy process can be re-warmed (its
 * indicators and intended positions rebuilt) before it decides again. Holds whole batches and
 * drops the oldest once more than `capacity` rows are held; `batch()` concatenates them.
 */
export class RecentCandles {
  private batches: CandleBatch[] = [];
  private rows = 0;
  constructor(private capacity: number) {}

  setCapacity(n: number): void {
    this.capacity = n;
  }

  push(b: CandleBatch): void {
    // Copy: a batch may be a view into a buffer the source reuses.
    this.batches.push({
      symbols: b.symbols, length: b.length, ts: b.ts.slice(), sym: b.sym.slice(), open: b.open.slice(),
      high: b.high.slice(), low: b.low.slice(), close: b.close.slice(), volume: b.volume.slice(),
    });
    this.rows += b.length;
    while (this.batches.length > 1 && this.rows - this.batches[0]!.length >= this.capacity) this.rows -= this.batches.shift()!.length;
  }

  batch(): CandleBatch | undefined {
    if (this.batches.length === 0) return undefined;
    const n = this.rows;
    const first = this.batches[0]!;
    const out = {
      symbols: first.symbols, length: n, ts: new Float64Array(n), sym: new Int32Array(n), open: new Float64Array(n),
      high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n),
    };
    let o = 0;
    for (const b of this.batches) {
      out.ts.set(b.ts, o); out.sym.set(b.sym, o); out.open.set(b.open, o); out.high.set(b.high, o);
      out.low.set(b.low, o); out.close.set(b.close, o); out.volume.set(b.volume, o);
      o += b.length;
    }
    return out;
  }
}

/**
 * The rows of `b` (in time order) whose step time is after `afterTs` and before `beforeTs`: the
 * candles a host prepared on the recent candles up to `afterTs` has not seen when the step
 * `beforeTs` comes (a hot-reloaded strategy's catch-up at the swap). A view, not a copy.
 */
export function rowsBetween(b: CandleBatch, afterTs: number, beforeTs: number): CandleBatch {
  let from = 0;
  while (from < b.length && !(b.ts[from]! > afterTs)) from++;
  let to = from;
  while (to < b.length && b.ts[to]! < beforeTs) to++;
  return {
    symbols: b.symbols, length: to - from, ts: b.ts.subarray(from, to), sym: b.sym.subarray(from, to), open: b.open.subarray(from, to),
    high: b.high.subarray(from, to), low: b.low.subarray(from, to), close: b.close.subarray(from, to), volume: b.volume.subarray(from, to),
  };
}
