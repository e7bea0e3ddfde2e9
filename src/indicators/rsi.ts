import { nanArray, requirePeriod, taIsZero, withWarmup } from './params.ts';

/**
 * Wilder's RSI exactly as TA_RSI (default compatibility, no unstable period): the first average
 * gain/loss is the plain mean of the first n changes, then each step is
 * avg = (avg * (n-1) + change) / n. If avgGain + avgLoss is (near) zero TA-Lib emits 0, so do we.
 * First value at index n (n changes need n+1 prices).
 */
export const rsi = withWarmup(
  function rsi(x: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('rsi', 'n', n, 2);
    const len = x.length;
    const out = nanArray(len);
    if (len <= n) return out;
    let prev = x[0]!;
    let gain = 0;
    let loss = 0;
    for (let i = 1; i <= n; i++) {
      const v = x[i]!;
      const d = v - prev;
      prev = v;
      if (d < 0) loss -= d;
      else gain += d;
    }
    loss /= n;
    gain /= n;
    let s = gain + loss;
    out[n] = taIsZero(s) ? 0 : 100 * (gain / s);
    const m = n - 1;
    for (let i = n + 1; i < len; i++) {
      const v = x[i]!;
      const d = v - prev;
      prev = v;
      loss *= m;
      gain *= m;
      if (d < 0) loss -= d;
      else gain += d;
      loss /= n;
      gain /= n;
      s = gain + loss;
      out[i] = taIsZero(s) ? 0 : 100 * (gain / s);
    }
    return out;
  },
  (n: number): number => n + 1,
);

/** Streaming RSI (same arithmetic as `rsi`). */
export class RsiStream {
  readonly warmup: number;
  private readonly n: number;
  private count = 0;
  private prev = 0;
  private gain = 0;
  private loss = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('RsiStream', 'n', n, 2);
    this.warmup = n + 1;
  }

  update(v: number): number {
    const c = this.count++;
    if (c === 0) {
      this.prev = v;
      return this.last;
    }
    const d = v - this.prev;
    this.prev = v;
    const n = this.n;
    if (c <= n) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (c < n) return this.last;
    } else {
      this.loss *= n - 1;
      this.gain *= n - 1;
      if (d < 0) this.loss -= d;
      else this.gain += d;
    }
    this.loss /= n;
    this.gain /= n;
    const s = this.gain + this.loss;
    this.last = taIsZero(s) ? 0 : 100 * (this.gain / s);
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.warmup; }
  reset(): void { this.count = 0; this.prev = 0; this.gain = 0; this.loss = 0; this.last = NaN; }
}
