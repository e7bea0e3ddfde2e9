import { nanArray, requireFinite, requirePeriod, withWarmup } from './params.ts';
import { RollingMoments } from './rolling-moments.ts';

/**
 * Annualised realised volatility: the SAMPLE standard deviation (n-1 denominator) of the last n
 * log returns ln(c_i / c_{i-1}), times sqrt(periodsPerYear). Sample rather than population
 * because this estimates a process volatility from a short window (the usual convention in risk
 * sizing); the mean return is subtracted. n returns need n+1 closes, so the first value is at
 * index n. Closes must be > 0 (the data layer guarantees it).
 */
export class RealizedVolStream {
  readonly warmup: number;
  private readonly m: RollingMoments;
  private readonly scale: number;
  private count = 0;
  private prev = 0;
  private last = NaN;

  constructor(n: number, periodsPerYear: number) {
    requirePeriod('RealizedVolStream', 'n', n, 2);
    requireFinite('RealizedVolStream', 'periodsPerYear', periodsPerYear, true);
    this.warmup = n + 1;
    this.m = new RollingMoments(n);
    this.scale = Math.sqrt(periodsPerYear);
  }

  update(close: number): number {
    if (this.count++ > 0) {
      this.m.push(Math.log(close / this.prev));
      if (this.m.full) this.last = Math.sqrt(this.m.sampleVariance) * this.scale;
    }
    this.prev = close;
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.m.full; }
  reset(): void { this.m.reset(); this.count = 0; this.prev = 0; this.last = NaN; }
}

export const realizedVol = withWarmup(
  function realizedVol(close: ArrayLike<number>, n: number, periodsPerYear: number): Float64Array {
    requirePeriod('realizedVol', 'n', n, 2);
    requireFinite('realizedVol', 'periodsPerYear', periodsPerYear, true);
    const s = new RealizedVolStream(n, periodsPerYear);
    const len = close.length;
    const out = nanArray(len);
    for (let i = 0; i < len; i++) out[i] = s.update(close[i]!);
    return out;
  },
  (n: number): number => n + 1,
);
