import { CtError } from '../core/errors.ts';
import { nanArray, requirePeriod, withWarmup } from './params.ts';

/**
 * MACD exactly as TA_MACD. The detail that matters: TA-Lib starts BOTH EMAs at index slow-1.
 * The slow EMA is seeded with the SMA of x[0..slow-1]; the fast EMA is seeded with the SMA of
 * the `fast` values ending at slow-1 (x[slow-fast..slow-1]), not of x[0..fast-1]. The signal
 * is an SMA-seeded EMA of the MACD line, so the first complete value is at slow+signal-2.
 */
export interface MacdResult {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

function checkMacd(where: string, fast: number, slow: number, signal: number): void {
  requirePeriod(where, 'fast', fast, 2);
  requirePeriod(where, 'slow', slow, 2);
  requirePeriod(where, 'signal', signal, 1);
  if (fast > slow) {
    throw new CtError('CT_ERR_INDICATOR_PARAM', `${where}: parameter fast (${fast}) must be <= slow (${slow})`, {
      details: { indicator: where, fast, slow },
    });
  }
}

export const macd = withWarmup(
  function macd(x: ArrayLike<number>, fast: number, slow: number, signal: number): MacdResult {
    checkMacd('macd', fast, slow, signal);
    const len = x.length;
    const res: MacdResult = { macd: nanArray(len), signal: nanArray(len), hist: nanArray(len) };
    const first = slow + signal - 2;
    if (len <= first) return res;
    const kf = 2 / (fast + 1);
    const ks = 2 / (slow + 1);
    const kg = 2 / (signal + 1);
    let sumS = 0;
    for (let i = 0; i < slow; i++) sumS += x[i]!;
    let sumF = 0;
    for (let i = slow - fast; i < slow; i++) sumF += x[i]!;
    let emaS = sumS / slow;
    let emaF = sumF / fast;
    let line = emaF - emaS;
    // Signal seed: the plain mean of the first `signal` MACD values.
    let sumG = line;
    let i = slow;
    for (; i <= first; i++) {
      const v = x[i]!;
      emaS = (v - emaS) * ks + emaS;
      emaF = (v - emaF) * kf + emaF;
      line = emaF - emaS;
      sumG += line;
    }
    let sig = sumG / signal;
    res.macd[first] = line;
    res.signal[first] = sig;
    res.hist[first] = line - sig;
    for (; i < len; i++) {
      const v = x[i]!;
      emaS = (v - emaS) * ks + emaS;
      emaF = (v - emaF) * kf + emaF;
      line = emaF - emaS;
      sig = (line - sig) * kg + sig;
      res.macd[i] = line;
      res.signal[i] = sig;
      res.hist[i] = line - sig;
    }
    return res;
  },
  (_fast: number, slow: number, signal: number): number => slow + signal - 1,
);

/** Streaming MACD: `update(x)` returns the MACD line; `.macd .signal .hist` hold the latest. */
export class MacdStream {
  readonly warmup: number;
  private readonly fast: number;
  private readonly slow: number;
  private readonly signalPeriod: number;
  private readonly kf: number;
  private readonly ks: number;
  private readonly kg: number;
  private count = 0;
  private sumS = 0;
  private sumF = 0;
  private sumG = 0;
  private emaS = 0;
  private emaF = 0;
  private sig = 0;
  private m = NaN;
  private s = NaN;
  private h = NaN;

  constructor(fast: number, slow: number, signal: number) {
    checkMacd('MacdStream', fast, slow, signal);
    this.fast = fast;
    this.slow = slow;
    this.signalPeriod = signal;
    this.kf = 2 / (fast + 1);
    this.ks = 2 / (slow + 1);
    this.kg = 2 / (signal + 1);
    this.warmup = slow + signal - 1;
  }

  update(v: number): number {
    const i = this.count++;
    const slow = this.slow;
    if (i < slow) {
      this.sumS += v;
      if (i >= slow - this.fast) this.sumF += v;
      if (i < slow - 1) return this.m;
      this.emaS = this.sumS / slow;
      this.emaF = this.sumF / this.fast;
    } else {
      this.emaS = (v - this.emaS) * this.ks + this.emaS;
      this.emaF = (v - this.emaF) * this.kf + this.emaF;
    }
    const line = this.emaF - this.emaS;
    const first = slow + this.signalPeriod - 2;
    if (i < first) {
      this.sumG += line;
      return this.m;
    }
    if (i === first) {
      this.sumG += line;
      this.sig = this.sumG / this.signalPeriod;
    } else {
      this.sig = (line - this.sig) * this.kg + this.sig;
    }
    this.m = line;
    this.s = this.sig;
    this.h = line - this.sig;
    return line;
  }

  /** MACD line (fast EMA - slow EMA); NaN while warming up. */
  get macd(): number { return this.m; }
  /** Signal line (EMA of the MACD line). */
  get signal(): number { return this.s; }
  /** Histogram = macd - signal. */
  get hist(): number { return this.h; }
  get value(): number { return this.m; }
  get ready(): boolean { return this.count >= this.warmup; }
  reset(): void {
    this.count = 0; this.sumS = 0; this.sumF = 0; this.sumG = 0; this.emaS = 0; this.emaF = 0; this.sig = 0;
    this.m = NaN; this.s = NaN; this.h = NaN;
  }
}
