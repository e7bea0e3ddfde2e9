import { nanArray, requireFinite, requirePeriod, withWarmup } from './params.ts';

/**
 * Bollinger Bands exactly as TA_BBANDS with an SMA middle band: the standard deviation is the
 * POPULATION one (divide by n), computed as TA-Lib does from running sums:
 * var = sum(x^2)/n - sma^2, and 0 when that is < 1e-14. We repeat the arithmetic rather than a
 * "better" two-pass variance because the goal is to equal TA-Lib on every bar.
 *
 * Extras TA-Lib lacks: bandwidth = (upper - lower) / middle; percentB = (x - lower) / (upper - lower),
 * defined as 0.5 when the bands collapse (upper == lower: price is at the middle band).
 */
export interface BollingerResult {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
  bandwidth: Float64Array;
  percentB: Float64Array;
}

function stdFromSums(sum2: number, n: number, mid: number): number {
  const v = sum2 / n - mid * mid;
  return v < 1e-14 ? 0 : Math.sqrt(v);
}

export const bollinger = withWarmup(
  function bollinger(x: ArrayLike<number>, n: number, k: number): BollingerResult {
    requirePeriod('bollinger', 'n', n, 2);
    requireFinite('bollinger', 'k', k);
    const len = x.length;
    const res: BollingerResult = {
      upper: nanArray(len), middle: nanArray(len), lower: nanArray(len), bandwidth: nanArray(len), percentB: nanArray(len),
    };
    if (len < n) return res;
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n - 1; i++) {
      const v = x[i]!;
      sum += v;
      sum2 += v * v;
    }
    for (let i = n - 1, t = 0; i < len; i++, t++) {
      const v = x[i]!;
      sum += v;
      const mid = sum / n;
      sum -= x[t]!;
      sum2 += v * v;
      const sd = stdFromSums(sum2, n, mid);
      const old = x[t]!;
      sum2 -= old * old;
      const w = sd * k;
      const up = mid + w;
      const lo = mid - w;
      res.middle[i] = mid;
      res.upper[i] = up;
      res.lower[i] = lo;
      res.bandwidth[i] = (up - lo) / mid;
      res.percentB[i] = up === lo ? 0.5 : (v - lo) / (up - lo);
    }
    return res;
  },
  (n: number): number => n,
);

/** Streaming Bollinger Bands: `update(x)` returns the middle band; fields hold all five outputs. */
export class BollingerStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly k: number;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private sum = 0;
  private sum2 = 0;
  private up = NaN;
  private mid = NaN;
  private lo = NaN;
  private bw = NaN;
  private pb = NaN;

  constructor(n: number, k: number) {
    this.n = requirePeriod('BollingerStream', 'n', n, 2);
    this.k = requireFinite('BollingerStream', 'k', k);
    this.warmup = n;
    this.buf = new Float64Array(n);
  }

  update(v: number): number {
    const n = this.n;
    this.sum += v;
    this.sum2 += v * v;
    this.buf[this.idx] = v;
    this.idx = this.idx + 1 === n ? 0 : this.idx + 1;
    if (++this.count < n) return this.mid;
    const old = this.buf[this.idx]!; // oldest value of the current window
    const mid = this.sum / n;
    this.sum -= old;
    const sd = stdFromSums(this.sum2, n, mid);
    this.sum2 -= old * old;
    const w = sd * this.k;
    this.mid = mid;
    this.up = mid + w;
    this.lo = mid - w;
    this.bw = (this.up - this.lo) / mid;
    this.pb = this.up === this.lo ? 0.5 : (v - this.lo) / (this.up - this.lo);
    return mid;
  }

  get upper(): number { return this.up; }
  get middle(): number { return this.mid; }
  get lower(): number { return this.lo; }
  get bandwidth(): number { return this.bw; }
  get percentB(): number { return this.pb; }
  get value(): number { return this.mid; }
  get ready(): boolean { return this.count >= this.n; }
  reset(): void {
    this.idx = 0; this.count = 0; this.sum = 0; this.sum2 = 0; this.buf.fill(0);
    this.up = NaN; this.mid = NaN; this.lo = NaN; this.bw = NaN; this.pb = NaN;
  }
}
