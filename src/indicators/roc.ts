import { nanArray, requirePeriod, withWarmup } from './params.ts';

/**
 * Rate of change in percent, exactly as TA_ROC: ((x / x[i-n]) - 1) * 100, and 0 when x[i-n] is 0.
 * First value at index n.
 */
export const roc = withWarmup(
  function roc(x: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('roc', 'n', n, 1);
    const len = x.length;
    const out = nanArray(len);
    for (let i = n; i < len; i++) {
      const prev = x[i - n]!;
      out[i] = prev !== 0 ? (x[i]! / prev - 1) * 100 : 0;
    }
    return out;
  },
  (n: number): number => n + 1,
);

/** Streaming ROC (ring buffer of the last n inputs). */
export class RocStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('RocStream', 'n', n, 1);
    this.warmup = n + 1;
    this.buf = new Float64Array(n);
  }

  update(v: number): number {
    const prev = this.buf[this.idx]!; // x[i-n] once n values have been seen
    this.buf[this.idx] = v;
    this.idx = this.idx + 1 === this.n ? 0 : this.idx + 1;
    if (this.count++ >= this.n) this.last = prev !== 0 ? (v / prev - 1) * 100 : 0;
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.warmup; }
  reset(): void { this.idx = 0; this.count = 0; this.last = NaN; this.buf.fill(0); }
}
