/**
 * Candle validation, run on every import and exported for the downloader. A bad row is
 * rejected with its row number and a reason naming the bad value; the rest is kept.
 *
 * Rules (docs/data.md "Validation"):
 *  - every field is a finite number, ts an integer;
 *  - high >= max(open, close) and low <= min(open, close) (so also high >= low);
 *  - volume >= 0;
 *  - ts on the timeframe's grid (ts % tfMs == 0, grid anchored at the Unix epoch);
 *  - ts strictly increasing versus the previous ACCEPTED row (a duplicate or out-of-order
 *    row is rejected, the earlier one kept);
 *  - optionally (nowMs given) the candle is closed: ts + tfMs <= nowMs.
 */
import type { Timeframe } from '../core/timeframe.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from './candle.ts';
import { emptyColumns, sliceColumns } from './candle.ts';
import { isoUtc } from '../core/time.ts';

export interface RejectedRow {
  /** Row number as the caller numbers rows (line number in the file for CSV imports; 1-based index otherwise). */
  readonly row: number;
  readonly reason: string;
}

export interface ValidateOptions {
  /** Wall/simulated time; candles not yet closed at this time are rejected. */
  readonly nowMs?: number;
  /** Timestamps <= this are rejected as non-increasing (e.g. last stored ts when appending a stream). */
  readonly afterTs?: number;
}

export interface ValidationResult {
  readonly valid: CandleColumns;
  readonly rejected: RejectedRow[];
}

const FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** The reason a single candle is invalid, or undefined when it passes the per-row rules. */
export function candleProblem(ts: number, open: number, high: number, low: number, close: number, volume: number, tfMs: number): string | undefined {
  const values = [ts, open, high, low, close, volume];
  for (let f = 0; f < 6; f++) {
    if (!Number.isFinite(values[f]!)) return `${FIELDS[f]} is not a finite number (${values[f]})`;
  }
  if (!Number.isInteger(ts)) return `ts ${ts} is not an integer epoch ms`;
  if (ts % tfMs !== 0) return `ts ${ts} (${isoUtc(ts)}) is not on the ${tfMs / 60_000}m grid`;
  if (high < open || high < close) return `high ${high} < max(open ${open}, close ${close})`;
  if (low > open || low > close) return `low ${low} > min(open ${open}, close ${close})`;
  if (volume < 0) return `volume ${volume} is negative`;
  return undefined;
}

/**
 * Splits columns into valid rows (a fresh copy, ascending) and rejected rows.
 * `rowNumbers[i]` is how row i is reported; default i + 1.
 */
export function validateCandles(
  cols: CandleColumns,
  timeframe: Timeframe,
  rowNumbers?: ArrayLike<number>,
  opts: ValidateOptions = {},
): ValidationResult {
  const tfMs = timeframeMs(timeframe);
  const n = cols.length;
  const out = emptyColumns(n);
  const rejected: RejectedRow[] = [];
  let k = 0;
  let lastTs = opts.afterTs ?? -Infinity;
  for (let i = 0; i < n; i++) {
    const ts = cols.ts[i]!, o = cols.open[i]!, h = cols.high[i]!, l = cols.low[i]!, c = cols.close[i]!, v = cols.volume[i]!;
    let reason = candleProblem(ts, o, h, l, c, v, tfMs);
    if (reason === undefined && ts <= lastTs) {
      reason = `ts ${ts} (${isoUtc(ts)}) is not after the previous candle ${lastTs} (${isoUtc(lastTs)}): duplicate or out of order`;
    }
    if (reason === undefined && opts.nowMs !== undefined && ts + tfMs > opts.nowMs) {
      reason = `candle ${isoUtc(ts)} is not closed yet at ${isoUtc(opts.nowMs)}`;
    }
    if (reason !== undefined) {
      rejected.push({ row: rowNumbers ? rowNumbers[i]! : i + 1, reason });
      continue;
    }
    out.ts[k] = ts;
    out.open[k] = o;
    out.high[k] = h;
    out.low[k] = l;
    out.close[k] = c;
    out.volume[k] = v;
    lastTs = ts;
    k++;
  }
  return {
    valid: sliceColumns(out, 0, k),
    rejected,
  };
}
