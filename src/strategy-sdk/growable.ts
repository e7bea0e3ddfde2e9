import type { CandleColumns } from '../domain/candle.ts';
import type { Series } from './contract.ts';

/**
 * Growable typed-array storage with amortised 1.5x growth. Appending is O(1) amortised and allocates
 * only when the capacity grows. Storage is filled strictly in time order and only up to the
 * candle being handled, so even a strategy that reaches past a view into the underlying
 * ArrayBuffer finds zeros, never a future candle (the SDK's structural look-ahead guarantee).
 */

const INITIAL_CAPACITY = 256;

function grow(a: Float64Array, need: number): Float64Array {
  let cap = a.length === 0 ? INITIAL_CAPACITY : a.length;
  // 1.5x growth: at most a third of the capacity is slack (an 8-year 1m history is 4.2M rows per column).
  while (cap < need) cap = Math.ceil(cap * 1.5);
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

/** One growable column of numbers, exposed to strategies as a Series. */
export class GrowableSeries implements Series {
  private buf: Float64Array;
  private n = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buf = new Float64Array(capacity);
  }

  get length(): number {
    return this.n;
  }

  push(v: number): void {
    if (this.n === this.buf.length) this.buf = grow(this.buf, this.n + 1);
    this.buf[this.n++] = v;
  }

  last(back = 0): number {
    const i = this.n - 1 - back;
    return i >= 0 && back >= 0 ? this.buf[i]! : NaN;
  }

  at(i: number): number {
    return i >= 0 && i < this.n ? this.buf[i]! : NaN;
  }

  values(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
}

/** Candle history of one symbol/timeframe: six growable columns plus cached read-only views. */
export class GrowableCandles {
  readonly ts = new GrowableSeries();
  readonly open = new GrowableSeries();
  readonly high = new GrowableSeries();
  readonly low = new GrowableSeries();
  readonly close = new GrowableSeries();
  readonly volume = new GrowableSeries();
  private view: CandleColumns | null = null;

  get length(): number {
    return this.ts.length;
  }

  push(ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.ts.push(ts);
    this.open.push(open);
    this.high.push(high);
    this.low.push(low);
    this.close.push(close);
    this.volume.push(volume);
    this.view = null;
  }

  /** Views up to the newest candle; rebuilt lazily at most once per appended candle. */
  columns(): CandleColumns {
    if (this.view === null) {
      this.view = Object.freeze({
        length: this.ts.length,
        ts: this.ts.values(),
        open: this.open.values(),
        high: this.high.values(),
        low: this.low.values(),
        close: this.close.values(),
        volume: this.volume.values(),
      });
    }
    return this.view;
  }

  field(name: 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume'): GrowableSeries {
    return this[name];
  }
}
