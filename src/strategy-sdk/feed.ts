import { CtError } from '../core/errors.ts';
import { timeframeMs, type Timeframe } from '../core/timeframe.ts';
import { GrowableCandles } from './growable.ts';

/**
 * A Feed is the closed-candle history of one symbol on one timeframe plus the incremental
 * indicators attached to it. Pushing a candle updates every attached indicator once (O(1) each),
 * so indicator values are always aligned with the candles: output[i] belongs to candle i.
 */
export interface FeedListener {
  update(open: number, high: number, low: number, close: number, volume: number): void;
}

export class Feed {
  readonly candles = new GrowableCandles();
  /** Listeners keyed by indicator identity (see indicator-access.ts); created on first use. */
  readonly cache = new Map<string, unknown>();
  private readonly listeners: FeedListener[] = [];
  /** Higher-timeframe feeds built from this (base) feed. */
  private readonly resamplers: Resampler[] = [];

  constructor(readonly symbol: string, readonly timeframe: Timeframe) {}

  push(ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.candles.push(ts, open, high, low, close, volume);
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!.update(open, high, low, close, volume);
    const rs = this.resamplers;
    for (let i = 0; i < rs.length; i++) rs[i]!.onBase(ts, open, high, low, close, volume);
  }

  /** Attaches a listener and replays the whole history into it, so it is in step with the feed. */
  attach(l: FeedListener): void {
    const c = this.candles;
    const n = c.length;
    const o = c.open.values(), h = c.high.values(), lo = c.low.values(), cl = c.close.values(), v = c.volume.values();
    for (let i = 0; i < n; i++) l.update(o[i]!, h[i]!, lo[i]!, cl[i]!, v[i]!);
    this.listeners.push(l);
  }

  /** Attaches a resampler and replays the base history into it (its target feed catches up). */
  attachResampler(r: Resampler): void {
    const c = this.candles;
    const n = c.length;
    const t = c.ts.values(), o = c.open.values(), h = c.high.values(), lo = c.low.values(), cl = c.close.values(), v = c.volume.values();
    for (let i = 0; i < n; i++) r.onBase(t[i]!, o[i]!, h[i]!, lo[i]!, cl[i]!, v[i]!);
    this.resamplers.push(r);
  }
}

/**
 * Builds higher-timeframe candles from base candles, emitting a bar ONLY when it is closed: when
 * the base candle that ends its period has closed (ts + base = bucket end). Buckets are aligned to
 * UTC epoch multiples (4h bars open at 00/04/08.. UTC, 1d at midnight UTC). If the last base
 * candle of a period is missing (exchange outage), the bar is closed by the first base candle of
 * a later period, before that candle is applied — still only past information, never a forming bar.
 */
export class Resampler {
  private readonly baseMs: number;
  private readonly htfMs: number;
  private bucket = NaN;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private v = 0;

  constructor(base: Timeframe, readonly target: Feed) {
    this.baseMs = timeframeMs(base);
    this.htfMs = timeframeMs(target.timeframe);
    if (this.htfMs <= this.baseMs || this.htfMs % this.baseMs !== 0) {
      throw new CtError(
        'CT_ERR_TIMEFRAME_INVALID',
        `strategy timeframe ${target.timeframe} for ${target.symbol}: must be a whole multiple of, and larger than, the loop's base timeframe ${base}`,
        { details: { value: target.timeframe, base } },
      );
    }
  }

  onBase(ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    const bucket = ts - (((ts % this.htfMs) + this.htfMs) % this.htfMs);
    if (bucket !== this.bucket) {
      if (!Number.isNaN(this.bucket)) this.flush(); // the previous period ended in a gap
      this.bucket = bucket;
      this.o = open;
      this.h = high;
      this.l = low;
      this.c = close;
      this.v = volume;
    } else {
      if (high > this.h) this.h = high;
      if (low < this.l) this.l = low;
      this.c = close;
      this.v += volume;
    }
    if (ts + this.baseMs === bucket + this.htfMs) this.flush();
  }

  private flush(): void {
    this.target.push(this.bucket, this.o, this.h, this.l, this.c, this.v);
    this.bucket = NaN;
  }
}
