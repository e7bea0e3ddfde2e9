import { nanArray, requirePeriod, requireSameLength, withWarmup } from './params.ts';
import { RollingExtremum } from './rolling-extremum.ts';

/**
 * Donchian channel: upper = highest high of the last n bars, lower = lowest low of the last n
 * bars, both INCLUDING the current bar (TA-Lib MAX/MIN convention), middle = (upper + lower) / 2.
 * A breakout rule must therefore compare today's close with yesterday's channel (index i-1).
 */
export interface DonchianResult {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

export const donchian = withWarmup(
  function donchian(high: ArrayLike<number>, low: ArrayLike<number>, n: number): DonchianResult {
    requirePeriod('donchian', 'n', n, 1);
    const len = requireSameLength('donchian', ['high', 'low'], [high, low]);
    const res: DonchianResult = { upper: nanArray(len), lower: nanArray(len), middle: nanArray(len) };
    const hi = new RollingExtremum(n, 'max');
    const lo = new RollingExtremum(n, 'min');
    for (let i = 0; i < len; i++) {
      const u = hi.push(high[i]!);
      const l = lo.push(low[i]!);
      if (i >= n - 1) {
        res.upper[i] = u;
        res.lower[i] = l;
        res.middle[i] = (u + l) / 2;
      }
    }
    return res;
  },
  (n: number): number => n,
);

/** Streaming Donchian channel: `update(high, low)` returns the middle line. */
export class DonchianStream {
  readonly warmup: number;
  private readonly n: number;
  private readonly hi: RollingExtremum;
  private readonly lo: RollingExtremum;
  private count = 0;
  private u = NaN;
  private l = NaN;
  private m = NaN;

  constructor(n: number) {
    this.n = requirePeriod('DonchianStream', 'n', n, 1);
    this.warmup = n;
    this.hi = new RollingExtremum(n, 'max');
    this.lo = new RollingExtremum(n, 'min');
  }

  update(high: number, low: number): number {
    const u = this.hi.push(high);
    const l = this.lo.push(low);
    if (++this.count >= this.n) {
      this.u = u;
      this.l = l;
      this.m = (u + l) / 2;
    }
    return this.m;
  }

  get upper(): number { return this.u; }
  get lower(): number { return this.l; }
  get middle(): number { return this.m; }
  get value(): number { return this.m; }
  get ready(): boolean { return this.count >= this.n; }
  reset(): void { this.hi.reset(); this.lo.reset(); this.count = 0; this.u = NaN; this.l = NaN; this.m = NaN; }
}
