import { nanArray, requirePeriod, requireSameLength, taIsZero, withWarmup } from './params.ts';

/**
 * Wilder's directional movement exactly as TA_ADX / TA_PLUS_DI / TA_MINUS_DI:
 *  - +DM/-DM/TR are summed over bars 1..n-1, then Wilder-smoothed from bar n:
 *    s = s - s/n + new  (this sum-form is TA-Lib's; it equals n x the usual Wilder average).
 *  - +DI/-DI = 100 * DM/TR from bar n (0 when TR is ~0, as TA-Lib).
 *  - DX = 100 * |-DI - +DI| / (-DI + +DI); the first ADX (bar 2n-1) is the mean of the n DX of
 *    bars n..2n-1, then adx = (adx*(n-1) + dx)/n. A bar whose DX is undefined (TR or DI sum ~0)
 *    leaves ADX unchanged, exactly like TA-Lib.
 */
export interface AdxResult {
  adx: Float64Array;
  plusDi: Float64Array;
  minusDi: Float64Array;
}

/**
 * The shared Wilder DM/TR state machine. Batch and stream both drive this, so they agree bit for
 * bit. Per-bar outputs are left in plusDi/minusDi/adx (NaN until defined).
 */
class DirectionalCore {
  readonly n: number;
  private count = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;
  private pDM = 0;
  private mDM = 0;
  private tr = 0;
  private sumDX = 0;
  plusDi = NaN;
  minusDi = NaN;
  adx = NaN;

  constructor(n: number) {
    this.n = n;
  }

  step(high: number, low: number, close: number): void {
    const c = this.count++;
    const n = this.n;
    if (c === 0) {
      this.prevHigh = high;
      this.prevLow = low;
      this.prevClose = close;
      return;
    }
    const diffP = high - this.prevHigh;
    const diffM = this.prevLow - low;
    this.prevHigh = high;
    this.prevLow = low;
    let tr = high - low;
    const a = Math.abs(high - this.prevClose);
    if (a > tr) tr = a;
    const b = Math.abs(low - this.prevClose);
    if (b > tr) tr = b;
    this.prevClose = close;
    if (c < n) {
      if (diffM > 0 && diffP < diffM) this.mDM += diffM;
      else if (diffP > 0 && diffP > diffM) this.pDM += diffP;
      this.tr += tr;
      return;
    }
    this.mDM -= this.mDM / n;
    this.pDM -= this.pDM / n;
    if (diffM > 0 && diffP < diffM) this.mDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.pDM += diffP;
    this.tr = this.tr - this.tr / n + tr;
    let dx = NaN;
    if (!taIsZero(this.tr)) {
      const mDI = 100 * (this.mDM / this.tr);
      const pDI = 100 * (this.pDM / this.tr);
      this.minusDi = mDI;
      this.plusDi = pDI;
      const s = mDI + pDI;
      if (!taIsZero(s)) dx = 100 * (Math.abs(mDI - pDI) / s);
    } else {
      this.minusDi = 0;
      this.plusDi = 0;
    }
    if (c < 2 * n - 1) {
      if (dx === dx) this.sumDX += dx;
    } else if (c === 2 * n - 1) {
      if (dx === dx) this.sumDX += dx;
      this.adx = this.sumDX / n;
    } else if (dx === dx) {
      this.adx = (this.adx * (n - 1) + dx) / n;
    }
  }

  reset(): void {
    this.count = 0; this.prevHigh = 0; this.prevLow = 0; this.prevClose = 0;
    this.pDM = 0; this.mDM = 0; this.tr = 0; this.sumDX = 0;
    this.plusDi = NaN; this.minusDi = NaN; this.adx = NaN;
  }

  get seen(): number { return this.count; }
}

/** ADX with +DI/-DI. adx is valid from index 2n-1; plusDi/minusDi from index n. */
export const adx = withWarmup(
  function adx(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, n: number): AdxResult {
    requirePeriod('adx', 'n', n, 2);
    const len = requireSameLength('adx', ['high', 'low', 'close'], [high, low, close]);
    const res: AdxResult = { adx: nanArray(len), plusDi: nanArray(len), minusDi: nanArray(len) };
    const core = new DirectionalCore(n);
    for (let i = 0; i < len; i++) {
      core.step(high[i]!, low[i]!, close[i]!);
      res.adx[i] = core.adx;
      res.plusDi[i] = core.plusDi;
      res.minusDi[i] = core.minusDi;
    }
    return res;
  },
  (n: number): number => 2 * n,
);

/** Inputs needed before +DI/-DI are valid (TA-Lib PLUS_DI/MINUS_DI lookback + 1). */
export function diWarmup(n: number): number {
  return n + 1;
}

/** Streaming ADX: `update(high, low, close)` returns ADX; `.plusDi .minusDi` are valid earlier. */
export class AdxStream {
  readonly warmup: number;
  private readonly core: DirectionalCore;

  constructor(n: number) {
    requirePeriod('AdxStream', 'n', n, 2);
    this.core = new DirectionalCore(n);
    this.warmup = 2 * n;
  }

  update(high: number, low: number, close: number): number {
    this.core.step(high, low, close);
    return this.core.adx;
  }

  get adx(): number { return this.core.adx; }
  get plusDi(): number { return this.core.plusDi; }
  get minusDi(): number { return this.core.minusDi; }
  get value(): number { return this.core.adx; }
  get ready(): boolean { return this.core.seen >= this.warmup; }
  reset(): void { this.core.reset(); }
}
