/**
 * Mean and variance of the last `n` values in O(1) per push, numerically safe on long series.
 *
 * Why not TA-Lib's sum / sum-of-squares: var = E[x^2] - E[x]^2 cancels catastrophically when
 * the spread is small next to the level (BTC at 100k moving 0.01 between two 5m closes). Three
 * measures keep the error near 1e-10 relative to the true deviation:
 *  1. Values are shifted by an anchor K (a recent value): we track y = x - K, so rounding is
 *     relative to recent moves, not to the price level (x - K is exact for nearby values).
 *  2. Welford add/replace updates for the mean and M2 of y.
 *  3. Re-anchoring (K moves to the newest value, mean and M2 recomputed exactly by two passes)
 *     every time the ring wraps — O(n) every n pushes — and whenever M2 falls below 1e-6 of its
 *     peak since the last anchor (a spike leaving a quiet window: M2 drops by 1e10 but still
 *     carries the spike's absolute rounding error). A millionfold fall needs a value that
 *     entered up to n pushes earlier, so this stays O(1) amortised on real series.
 * A window whose n values are all identical has variance exactly 0 (tracked by a run length),
 * so a flat window never yields a tiny non-zero deviation from rounding residue.
 */
export class RollingMoments {
  readonly n: number;
  private readonly buf: Float64Array;
  private idx = 0;
  private count = 0;
  private anchor = 0;
  private muY = 0;
  private m2 = 0;
  private peak = 0;
  private run = 0;
  private lastValue = NaN;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
  }

  push(v: number): void {
    const n = this.n;
    if (this.count === 0) this.anchor = v;
    const y = v - this.anchor;
    if (this.count < n) {
      const c = ++this.count;
      const d = y - this.muY;
      this.muY += d / c;
      this.m2 += d * (y - this.muY);
    } else {
      const oldY = this.buf[this.idx]! - this.anchor;
      const d = y - oldY;
      const oldMean = this.muY;
      this.muY = oldMean + d / n;
      this.m2 += d * (y - this.muY + (oldY - oldMean));
    }
    this.buf[this.idx] = v;
    this.run = v === this.lastValue ? this.run + 1 : 1;
    this.lastValue = v;
    const wrapped = ++this.idx === n;
    if (wrapped) this.idx = 0;
    if (this.count === n && (wrapped || this.m2 < this.peak * 1e-6)) this.reanchor(v);
    else if (this.m2 > this.peak) this.peak = this.m2;
    if (this.m2 < 0) this.m2 = 0;
  }

  /** Moves the anchor to `k` and recomputes mean and M2 of the (full) window by two passes. */
  private reanchor(k: number): void {
    const buf = this.buf;
    const n = this.n;
    let s = 0;
    for (let i = 0; i < n; i++) s += buf[i]! - k;
    const mu = s / n;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const d = buf[i]! - k - mu;
      m2 += d * d;
    }
    this.anchor = k;
    this.muY = mu;
    this.m2 = m2;
    this.peak = m2;
  }

  /** True once n values have been pushed. */
  get full(): boolean { return this.count >= this.n; }
  get mean(): number { return this.anchor + this.muY; }
  /** v - mean, computed relative to the anchor (more exact than `v - this.mean`). */
  deviation(v: number): number { return v - this.anchor - this.muY; }
  /** True when the last n values are all equal (variance exactly 0). */
  get flat(): boolean { return this.run >= this.n; }
  /** Population variance (divide by n). */
  get populationVariance(): number { return this.run >= this.n ? 0 : this.m2 / this.n; }
  /** Sample variance (divide by n-1). */
  get sampleVariance(): number { return this.run >= this.n ? 0 : this.m2 / (this.n - 1); }

  reset(): void {
    this.idx = 0; this.count = 0; this.anchor = 0; this.muY = 0; this.m2 = 0; this.peak = 0;
    this.run = 0; this.lastValue = NaN; this.buf.fill(0);
  }
}
