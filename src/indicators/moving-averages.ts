import { nanArray, requirePeriod, withWarmup } from './params.ts';

/**
 * SMA, EMA and WMA with TA-Lib's exact arithmetic (running sums in TA-Lib's order), so outputs
 * equal TA_SMA / TA_EMA / TA_WMA bit for bit on the same inputs. The stream classes repeat the
 * same operations in the same order, so batch and stream agree bit for bit as well.
 */

/** Simple moving average of the last `n` values (n >= 1). First value at index n-1. */
export const sma = withWarmup(
  function sma(x: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('sma', 'n', n, 1);
    const len = x.length;
    const out = nanArray(len);
    if (len < n) return out;
    // TA_INT_SMA: add the new value, emit sum/n, then drop the oldest. The sum is never
    // re-anchored — that is TA-Lib's arithmetic and we match it rather than "improve" it.
    let sum = 0;
    for (let i = 0; i < n - 1; i++) sum += x[i]!;
    for (let i = n - 1, t = 0; i < len; i++, t++) {
      sum += x[i]!;
      out[i] = sum / n;
      sum -= x[t]!;
    }
    return out;
  },
  (n: number): number => n,
);

/** Streaming SMA: O(1) per update, ring buffer allocated once. */
export class SmaStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private sum = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('SmaStream', 'n', n, 1);
    this.warmup = n;
    this.buf = new Float64Array(n);
  }

  update(v: number): number {
    this.sum += v;
    const buf = this.buf;
    buf[this.idx] = v;
    let idx = this.idx + 1;
    if (idx === this.n) idx = 0;
    this.idx = idx;
    if (++this.count >= this.n) {
      this.last = this.sum / this.n;
      this.sum -= buf[idx]!; // buf[idx] is now the oldest value of the window
    }
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.n; }
  reset(): void { this.idx = 0; this.count = 0; this.sum = 0; this.last = NaN; this.buf.fill(0); }
}

/**
 * Exponential moving average, k = 2/(n+1), seeded with the SMA of the first n values
 * (TA-Lib's default compatibility). First value at index n-1.
 */
export const ema = withWarmup(
  function ema(x: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('ema', 'n', n, 1);
    const len = x.length;
    const out = nanArray(len);
    if (len < n) return out;
    const k = 2 / (n + 1);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i]!;
    let prev = sum / n;
    out[n - 1] = prev;
    for (let i = n; i < len; i++) {
      prev = (x[i]! - prev) * k + prev; // TA_INT_EMA's exact expression order
      out[i] = prev;
    }
    return out;
  },
  (n: number): number => n,
);

/** Streaming EMA (same seeding and arithmetic as `ema`). */
export class EmaStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly k: number;
  private count = 0;
  private sum = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('EmaStream', 'n', n, 1);
    this.warmup = n;
    this.k = 2 / (n + 1);
  }

  update(v: number): number {
    const c = ++this.count;
    if (c > this.n) {
      this.last = (v - this.last) * this.k + this.last;
    } else {
      this.sum += v;
      if (c === this.n) this.last = this.sum / this.n;
    }
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.n; }
  reset(): void { this.count = 0; this.sum = 0; this.last = NaN; }
}

/** Linearly weighted moving average (weights 1..n, newest heaviest). First value at index n-1. */
export const wma = withWarmup(
  function wma(x: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('wma', 'n', n, 1);
    const len = x.length;
    const out = nanArray(len);
    if (len < n) return out;
    if (n === 1) {
      // TA-Lib copies the input for n = 1 (the running-sum path would leave rounding residue).
      for (let i = 0; i < len; i++) out[i] = x[i]!;
      return out;
    }
    const divider = (n * (n + 1)) / 2;
    // TA_WMA: periodSum is the weighted sum, periodSub the plain sum; sliding the window
    // subtracts periodSub from periodSum, which lowers every weight by one at once.
    let periodSub = 0;
    let periodSum = 0;
    for (let i = 0; i < n - 1; i++) {
      const t = x[i]!;
      periodSub += t;
      periodSum += t * (i + 1);
    }
    let trailing = 0;
    for (let i = n - 1, t = 0; i < len; i++, t++) {
      const v = x[i]!;
      periodSub += v;
      periodSub -= trailing;
      periodSum += v * n;
      trailing = x[t]!;
      out[i] = periodSum / divider;
      periodSum -= periodSub;
    }
    return out;
  },
  (n: number): number => n,
);

/** Streaming WMA (same arithmetic as `wma`; ring buffer for the trailing value). */
export class WmaStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly divider: number;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private periodSub = 0;
  private periodSum = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('WmaStream', 'n', n, 1);
    this.warmup = n;
    this.divider = (n * (n + 1)) / 2;
    this.buf = new Float64Array(n);
  }

  update(v: number): number {
    const n = this.n;
    const c = this.count++;
    if (n === 1) {
      this.last = v;
      return v;
    }
    // Before storing v, buf[idx] holds x[c - n] (the value TA-Lib calls trailingValue).
    const trailing = c >= n ? this.buf[this.idx]! : 0;
    this.buf[this.idx] = v;
    this.idx = this.idx + 1 === n ? 0 : this.idx + 1;
    if (c < n - 1) {
      this.periodSub += v;
      this.periodSum += v * (c + 1);
      return this.last;
    }
    this.periodSub += v;
    this.periodSub -= trailing;
    this.periodSum += v * n;
    this.last = this.periodSum / this.divider;
    this.periodSum -= this.periodSub;
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.n; }
  reset(): void { this.idx = 0; this.count = 0; this.periodSub = 0; this.periodSum = 0; this.last = NaN; this.buf.fill(0); }
}
