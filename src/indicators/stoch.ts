import { SmaStream } from './moving-averages.ts';
import { nanArray, requirePeriod, requireSameLength, withWarmup } from './params.ts';
import { RollingExtremum } from './rolling-extremum.ts';

/**
 * Slow stochastic exactly as TA_STOCH with SMA smoothing for both slow-%K and slow-%D:
 *  fastK = (close - LL) / ((HH - LL) / 100)   (TA-Lib's exact expression; 0 when HH == LL)
 *  k     = SMA(fastK, kSmooth)
 *  d     = SMA(k, dPeriod)
 * HH/LL are over the last kPeriod bars including the current one. Like TA-Lib, k is reported
 * only from the bar where d is also defined (index kPeriod + kSmooth + dPeriod - 3), so both
 * outputs share one warm-up.
 */
export interface StochResult {
  k: Float64Array;
  d: Float64Array;
}

/** Streaming slow stochastic: `update(high, low, close)` returns %K; `.k .d` hold the latest. */
export class StochStream {
  readonly warmup: number;
  private readonly kPeriod: number;
  private readonly hh: RollingExtremum;
  private readonly ll: RollingExtremum;
  private readonly kSma: SmaStream;
  private readonly dSma: SmaStream;
  private count = 0;
  private kv = NaN;
  private dv = NaN;

  constructor(kPeriod: number, kSmooth: number, dPeriod: number) {
    requirePeriod('StochStream', 'kPeriod', kPeriod, 1);
    requirePeriod('StochStream', 'kSmooth', kSmooth, 1);
    requirePeriod('StochStream', 'dPeriod', dPeriod, 1);
    this.warmup = kPeriod + kSmooth + dPeriod - 2;
    this.hh = new RollingExtremum(kPeriod, 'max');
    this.ll = new RollingExtremum(kPeriod, 'min');
    this.kSma = new SmaStream(kSmooth);
    this.dSma = new SmaStream(dPeriod);
    this.kPeriod = kPeriod;
  }

  update(high: number, low: number, close: number): number {
    const hh = this.hh.push(high);
    const ll = this.ll.push(low);
    if (++this.count < this.kPeriod) return this.kv;
    const diff = (hh - ll) / 100;
    const fastK = diff !== 0 ? (close - ll) / diff : 0;
    const k = this.kSma.update(fastK);
    if (k !== k) return this.kv;
    const d = this.dSma.update(k);
    if (d !== d) return this.kv;
    this.kv = k;
    this.dv = d;
    return k;
  }

  get k(): number { return this.kv; }
  get d(): number { return this.dv; }
  get value(): number { return this.kv; }
  get ready(): boolean { return this.count >= this.warmup; }
  reset(): void {
    this.hh.reset(); this.ll.reset(); this.kSma.reset(); this.dSma.reset();
    this.count = 0; this.kv = NaN; this.dv = NaN;
  }
}

export const stoch = withWarmup(
  function stoch(
    high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>,
    kPeriod: number, kSmooth: number, dPeriod: number,
  ): StochResult {
    const s = new StochStream(kPeriod, kSmooth, dPeriod); // validates the periods
    const len = requireSameLength('stoch', ['high', 'low', 'close'], [high, low, close]);
    const res: StochResult = { k: nanArray(len), d: nanArray(len) };
    // The batch form drives the stream: the work is the same O(1) per bar, and one code path
    // means batch and stream cannot drift apart.
    for (let i = 0; i < len; i++) {
      res.k[i] = s.update(high[i]!, low[i]!, close[i]!);
      res.d[i] = s.d;
    }
    return res;
  },
  (kPeriod: number, kSmooth: number, dPeriod: number): number => kPeriod + kSmooth + dPeriod - 2,
);
