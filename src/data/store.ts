/**
 * CandleStore: closed candles per {exchange, market, symbol, timeframe}, one Parquet file per UTC
 * month (layout in ./layout.ts). Parquet is the only source of truth; reads decode it directly
 * with hyparquet, which measured fast enough (see docs/data.md) that no derived cache is kept.
 *
 * Writes are atomic per month (temp + fsync + rename) and idempotent: a month that already
 * exists is merged with the new rows, de-duplicated by ts, and on a conflicting ts the NEW row
 * wins. Writes through one store instance are serialised, so two concurrent writes of the same
 * month never lose each other's rows.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CtError } from '../core/errors.ts';
import { isTimeframe, timeframeMs } from '../core/timeframe.ts';
import type { CandleColumns } from '../domain/candle.ts';
import type { MarketType, SeriesKey } from '../domain/instrument.ts';
import { symbolSlug } from '../domain/instrument.ts';
import { monthStartMs, seriesDir, symbolFromSlug } from './layout.ts';
import type { CorruptMonth, SeriesColumns, SeriesRange } from './monthly-files.ts';
import { listMonths, monthPath, readAllReadable, readMonth, readRange, seriesRange, writeMonthsMerged } from './monthly-files.ts';
import type { ParquetColumnSpec } from './parquet-io.ts';
import { candleProblem } from '../domain/candle-validation.ts';

export const CANDLE_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: 'ts', kind: 'timestamp_ms' },
  { name: 'open', kind: 'double' },
  { name: 'high', kind: 'double' },
  { name: 'low', kind: 'double' },
  { name: 'close', kind: 'double' },
  { name: 'volume', kind: 'double' },
];

export function seriesLabel(key: SeriesKey): string {
  return `${key.exchange}/${key.market}/${key.symbol}/${key.timeframe}`;
}

function toSeries(c: CandleColumns): SeriesColumns {
  return { length: c.length, columns: [c.ts, c.open, c.high, c.low, c.close, c.volume] };
}

function toCandles(s: SeriesColumns): CandleColumns {
  const [ts, open, high, low, close, volume] = s.columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { length: s.length, ts, open, high, low, close, volume };
}

const MARKETS: readonly MarketType[] = ['spot', 'linear'];

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

export class CandleStore {
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(readonly dataDir: string) {}

  /** Folder holding the month files of a series. */
  dirOf(key: SeriesKey): string {
    return seriesDir(this.dataDir, key);
  }

  /**
   * Stores candles (ascending, valid, closed). Invalid input is refused as a whole with
   * CT_ERR_CANDLE_INVALID: callers that want "keep the good rows" run validateCandles first.
   */
  async write(key: SeriesKey, candles: CandleColumns): Promise<{ rowsWritten: number; months: string[] }> {
    const tfMs = timeframeMs(key.timeframe);
    for (let i = 0; i < candles.length; i++) {
      let reason = candleProblem(candles.ts[i]!, candles.open[i]!, candles.high[i]!, candles.low[i]!, candles.close[i]!, candles.volume[i]!, tfMs);
      if (reason === undefined && i > 0 && candles.ts[i]! <= candles.ts[i - 1]!) reason = `ts ${candles.ts[i]} is not after ${candles.ts[i - 1]}`;
      if (reason !== undefined) {
        throw new CtError('CT_ERR_CANDLE_INVALID', `${seriesLabel(key)}: candle ${i} refused: ${reason}`, {
          details: { series: seriesLabel(key), index: i, reason },
        });
      }
    }
    const run = async (): Promise<{ rowsWritten: number; months: string[] }> => {
      const months = await writeMonthsMerged(this.dirOf(key), CANDLE_COLUMNS, toSeries(candles));
      return { rowsWritten: candles.length, months };
    };
    const result = this.writeChain.then(run, run);
    this.writeChain = result.catch(() => undefined);
    return await result;
  }

  /** Candles with fromMs <= ts < toMs, ascending, as fresh Float64Array columns. */
  async read(key: SeriesKey, fromMs: number, toMs: number): Promise<CandleColumns> {
    return toCandles(await readRange(this.dirOf(key), CANDLE_COLUMNS, fromMs, toMs));
  }

  /** Everything stored for a series. */
  async readAll(key: SeriesKey): Promise<CandleColumns> {
    return this.read(key, -8.64e15, 8.64e15);
  }

  /** Everything stored for a series except corrupt months, which are reported instead of thrown. */
  async readAllReadable(key: SeriesKey): Promise<{ candles: CandleColumns; corrupt: CorruptMonth[] }> {
    const { cols, corrupt } = await readAllReadable(this.dirOf(key), CANDLE_COLUMNS);
    return { candles: toCandles(cols), corrupt };
  }

  async range(key: SeriesKey): Promise<SeriesRange | undefined> {
    return seriesRange(this.dirOf(key), CANDLE_COLUMNS);
  }

  /** Every series with at least one month file, sorted by exchange, market, symbol, timeframe. */
  async list(): Promise<SeriesKey[]> {
    const out: SeriesKey[] = [];
    for (const exchange of subdirs(this.dataDir)) {
      for (const market of MARKETS) {
        for (const slug of subdirs(join(this.dataDir, exchange, market))) {
          const symbol = symbolFromSlug(slug, market);
          if (symbol === undefined || symbolSlug(symbol) !== slug) continue;
          for (const tf of subdirs(join(this.dataDir, exchange, market, slug))) {
            if (!isTimeframe(tf)) continue;
            const key: SeriesKey = { exchange, market, symbol, timeframe: tf };
            if (listMonths(this.dirOf(key)).length > 0) out.push(key);
          }
        }
      }
    }
    return out;
  }

  /**
   * Parts of [fromMs, toMs) the store does not cover, for auto-download. A run of consecutive
   * month files covers [its first candle, its last candle + 1 timeframe); holes inside stored
   * data (exchange outages) are therefore NOT missing, while a month without a file, or the
   * tail after the last stored candle, is.
   */
  async missingRanges(key: SeriesKey, fromMs: number, toMs: number): Promise<Array<{ from: number; to: number }>> {
    if (!(toMs > fromMs)) return [];
    const tfMs = timeframeMs(key.timeframe);
    const dir = this.dirOf(key);
    const months = listMonths(dir);
    const covered: Array<{ from: number; to: number }> = [];
    let i = 0;
    while (i < months.length) {
      let j = i;
      while (j + 1 < months.length && months[j + 1] === months[j]! + 1) j++;
      // Blocks entirely outside the request need no decoding.
      if (monthStartMs(months[j]! + 1) > fromMs && monthStartMs(months[i]!) < toMs) {
        const first = await readMonth(dir, months[i]!, CANDLE_COLUMNS);
        const last = j === i ? first : await readMonth(dir, months[j]!, CANDLE_COLUMNS);
        if (first.length > 0 && last.length > 0) {
          covered.push({ from: first.columns[0]![0]!, to: last.columns[0]![last.length - 1]! + tfMs });
        }
      }
      i = j + 1;
    }
    const missing: Array<{ from: number; to: number }> = [];
    let cursor = fromMs;
    for (const c of covered) {
      if (c.to <= cursor) continue;
      if (c.from >= toMs) break;
      if (c.from > cursor) missing.push({ from: cursor, to: c.from });
      cursor = Math.max(cursor, c.to);
    }
    if (cursor < toMs) missing.push({ from: cursor, to: toMs });
    return missing;
  }

  /** Bytes on disk for a series (for `data list`). */
  sizeOnDisk(key: SeriesKey): number {
    const dir = this.dirOf(key);
    let total = 0;
    for (const m of listMonths(dir)) total += statSync(monthPath(dir, m)).size;
    return total;
  }
}
