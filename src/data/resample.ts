/**
 * Resampling a base timeframe into a higher one (any integer multiple, e.g. 1m -> 5m/15m/1h/4h/1d).
 * Buckets are aligned to the Unix epoch (so 1d = 00:00 UTC, 4h = 00/04/08... UTC).
 * Aggregation: open = first open, high = max, low = min, close = last close, volume = sum
 * (summed in time order, so results are reproducible to the bit).
 *
 * Incomplete buckets are SKIPPED: a higher candle is emitted only when every one of its base
 * candles is present. A bucket with a hole (exchange outage) would otherwise look like a normal
 * candle with a wrong open/close/volume; a strategy is better served by the gap, which
 * `data verify` reports. The streaming Resampler counts what it skipped.
 */
import { CtError } from '../core/errors.ts';
import type { Timeframe } from '../core/timeframe.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { Candle, CandleColumns } from '../domain/candle.ts';
import { emptyColumns, sliceColumns } from '../domain/candle.ts';

/** Base candles per higher candle; throws unless toTf is an integer multiple of fromTf. */
export function resampleRatio(fromTf: Timeframe, toTf: Timeframe): number {
  const a = timeframeMs(fromTf), b = timeframeMs(toTf);
  if (b < a || b % a !== 0) {
    throw new CtError('CT_ERR_TIMEFRAME_INVALID', `resample: ${toTf} is not an integer multiple of ${fromTf}`, { details: { from: fromTf, to: toTf } });
  }
  return b / a;
}

/** Batch resampling of ascending base candles; only complete buckets are returned. */
export function resample(cols: CandleColumns, fromTf: Timeframe, toTf: Timeframe): CandleColumns {
  const ratio = resampleRatio(fromTf, toTf);
  const toMs = timeframeMs(toTf);
  const out = emptyColumns(Math.floor(cols.length / ratio) + 1);
  let k = 0;
  let i = 0;
  const n = cols.length;
  while (i < n) {
    const bucket = cols.ts[i]! - (cols.ts[i]! % toMs);
    const end = bucket + toMs;
    let j = i;
    let high = -Infinity, low = Infinity, volume = 0;
    while (j < n && cols.ts[j]! < end) {
      if (cols.high[j]! > high) high = cols.high[j]!;
      if (cols.low[j]! < low) low = cols.low[j]!;
      volume += cols.volume[j]!;
      j++;
    }
    // Ascending unique on-grid input: ratio rows in the bucket means none is missing.
    if (j - i === ratio && cols.ts[i] === bucket) {
      out.ts[k] = bucket;
      out.open[k] = cols.open[i]!;
      out.high[k] = high;
      out.low[k] = low;
      out.close[k] = cols.close[j - 1]!;
      out.volume[k] = volume;
      k++;
    }
    i = j;
  }
  return sliceColumns(out, 0, k);
}

/**
 * Streaming resampler: push closed base candles in time order, get a higher candle back the
 * moment its last base candle closes (never earlier, so nothing looks ahead).
 */
export class Resampler {
  readonly ratio: number;
  private readonly baseMs: number;
  private readonly toMs: number;
  private bucket = NaN;
  private count = 0;
  private open = 0;
  private high = 0;
  private low = 0;
  private volume = 0;
  private lastTs = -Infinity;
  /** Buckets dropped because base candles were missing. */
  skipped = 0;

  constructor(readonly fromTf: Timeframe, readonly toTf: Timeframe) {
    this.ratio = resampleRatio(fromTf, toTf);
    this.baseMs = timeframeMs(fromTf);
    this.toMs = timeframeMs(toTf);
  }

  /** Adds one base candle; returns the completed higher candle when this one closes it. */
  push(c: Candle): Candle | undefined {
    if (c.ts <= this.lastTs || c.ts % this.baseMs !== 0) {
      throw new CtError('CT_ERR_CANDLE_INVALID', `Resampler ${this.fromTf}->${this.toTf}: candle ts ${c.ts} is off-grid or not after ${this.lastTs}`, {
        details: { ts: c.ts, previous: this.lastTs },
      });
    }
    this.lastTs = c.ts;
    const bucket = c.ts - (c.ts % this.toMs);
    if (bucket !== this.bucket) {
      if (this.count !== 0) this.skipped++; // previous bucket never completed (-Infinity = its first candle was missing)
      this.bucket = bucket;
      this.count = 0;
      this.volume = 0;
      this.high = -Infinity;
      this.low = Infinity;
      if (c.ts !== bucket) {
        // First base candle of the bucket is missing: the bucket can never be complete.
        this.count = -Infinity;
      }
      this.open = c.open;
    }
    if (c.high > this.high) this.high = c.high;
    if (c.low < this.low) this.low = c.low;
    this.volume += c.volume;
    this.count++;
    if (c.ts + this.baseMs === bucket + this.toMs) {
      const complete = this.count === this.ratio;
      const out: Candle | undefined = complete
        ? { ts: bucket, open: this.open, high: this.high, low: this.low, close: c.close, volume: this.volume }
        : undefined;
      if (!complete) this.skipped++;
      this.count = 0;
      this.bucket = NaN;
      return out;
    }
    return undefined;
  }
}
