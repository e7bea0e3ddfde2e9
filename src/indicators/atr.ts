import { CtError } from '../core/errors.ts';
import { nanArray, requirePeriod, requireSameLength, withWarmup } from './params.ts';

/**
 * True range and Wilder's ATR exactly as TA_TRANGE / TA_ATR: TR needs the previous close, so
 * TR starts at index 1; the first ATR is the plain mean of TR[1..n] (at index n), then
 * atr = (atr * (n-1) + tr) / n.
 */

/** True range of one bar given the previous close (TA-Lib's TRUE_RANGE comparison order). */
export function trueRange(high: number, low: number, prevClose: number): number {
  let tr = high - low;
  const a = Math.abs(prevClose - high);
  if (a > tr) tr = a;
  const b = Math.abs(low - prevClose);
  if (b > tr) tr = b;
  return tr;
}

export const atr = withWarmup(
  function atr(high: ArrayLike<number>, low: ArrayLike<number>, close: ArrayLike<number>, n: number): Float64Array {
    requirePeriod('atr', 'n', n, 1);
    const len = requireSameLength('atr', ['high', 'low', 'close'], [high, low, close]);
    const out = nanArray(len);
    if (len <= n) return out;
    let sum = 0;
    for (let i = 1; i <= n; i++) sum += trueRange(high[i]!, low[i]!, close[i - 1]!);
    let prev = sum / n;
    out[n] = prev;
    const m = n - 1;
    for (let i = n + 1; i < len; i++) {
      prev *= m;
      prev += trueRange(high[i]!, low[i]!, close[i - 1]!);
      prev /= n;
      out[i] = prev;
    }
    return out;
  },
  (n: number): number => n + 1,
);

/** Everything an AtrStream holds, to continue it in another process (a resumed forward account). */
export interface AtrStreamState {
  readonly n: number;
  readonly count: number;
  readonly prevClose: number;
  readonly sum: number;
  readonly last: number;
}

/** Streaming ATR: `update(high, low, close)`. */
export class AtrStream {
  readonly warmup: number;
  private readonly n: number;
  private count = 0;
  private prevClose = 0;
  private sum = 0;
  private last = NaN;

  constructor(n: number) {
    this.n = requirePeriod('AtrStream', 'n', n, 1);
    this.warmup = n + 1;
  }

  update(high: number, low: number, close: number): number {
    const c = this.count++;
    const pc = this.prevClose;
    this.prevClose = close;
    if (c === 0) return this.last;
    const tr = trueRange(high, low, pc);
    const n = this.n;
    if (c < n) {
      this.sum += tr;
    } else if (c === n) {
      this.sum += tr;
      this.last = this.sum / n;
    } else {
      let p = this.last * (n - 1);
      p += tr;
      this.last = p / n;
    }
    return this.last;
  }

  get value(): number { return this.last; }
  get ready(): boolean { return this.count >= this.warmup; }
  reset(): void { this.count = 0; this.prevClose = 0; this.sum = 0; this.last = NaN; }

  state(): AtrStreamState {
    return { n: this.n, count: this.count, prevClose: this.prevClose, sum: this.sum, last: this.last };
  }

  /** Continues from `s` exactly (the caller checked its shape); its period must be this stream's. */
  setState(s: AtrStreamState): void {
    if (s.n !== this.n || !(Number.isSafeInteger(s.count) && s.count >= 0)) {
      throw new CtError('CT_ERR_ACCOUNT_STATE', `AtrStream: saved state of period ${s.n} (count ${s.count}) cannot continue a stream of period ${this.n}`, { details: { n: s.n, expected: this.n } });
    }
    this.count = s.count;
    this.prevClose = s.prevClose;
    this.sum = s.sum;
    this.last = s.last;
  }
}
