/**
 * The month-file mechanics shared by the candle and the funding store: a series is a folder of
 * `YYYY-MM.parquet` files, each holding the rows whose ts falls in that UTC month, ascending
 * and unique by ts. Columns are Float64Arrays with column 0 = ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CtError } from '../core/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { monthFileName, monthIndexFromFileName, monthIndexOf, monthName, monthStartMs } from './layout.ts';
import type { ParquetColumnSpec } from './parquet-io.ts';
import { decodeParquet, encodeParquet } from './parquet-io.ts';

export interface SeriesColumns {
  readonly length: number;
  /** columns[0] is ts (epoch ms), the rest follow the spec order. */
  readonly columns: Float64Array[];
}

/** Month indexes that have a file in `dir`, ascending; [] when the folder does not exist. */
export function listMonths(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const months: number[] = [];
  for (const n of names) {
    const m = monthIndexFromFileName(n);
    if (m !== undefined) months.push(m);
  }
  return months.sort((a, b) => a - b);
}

export function monthPath(dir: string, month: number): string {
  return join(dir, monthFileName(month));
}

/** Reads one month file; checks its rows are ascending, unique and inside that month. */
export async function readMonth(dir: string, month: number, specs: readonly ParquetColumnSpec[]): Promise<SeriesColumns> {
  const file = monthPath(dir, month);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new CtError('CT_ERR_PARQUET_CORRUPT', `${file}: cannot be read (${(e as Error).message})`, { cause: e, details: { file } });
  }
  const decoded = await decodeParquet(file, bytes, specs);
  const ts = decoded.columns[0]!;
  const lo = monthStartMs(month), hi = monthStartMs(month + 1);
  for (let i = 0; i < decoded.length; i++) {
    const t = ts[i]!;
    if (!(t >= lo && t < hi) || (i > 0 && t <= ts[i - 1]!)) {
      throw new CtError('CT_ERR_PARQUET_CORRUPT', `${file}: row ${i} ts ${t} is out of order or outside ${monthName(month)}`, {
        details: { file, row: i, value: t },
      });
    }
  }
  return decoded;
}

/** First index with ts >= t. */
export function lowerBound(ts: Float64Array, length: number, t: number): number {
  let lo = 0, hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Merges two ascending, unique-by-ts column sets. On the same ts the INCOMING row wins: a re-import
 * or re-download is a correction of what was there (exchanges do revise candles), and it makes
 * re-writing the same data a no-op.
 */
export function mergeByTs(old: SeriesColumns, incoming: SeriesColumns): SeriesColumns {
  const width = old.columns.length;
  const cap = old.length + incoming.length;
  const out = Array.from({ length: width }, () => new Float64Array(cap));
  const a = old.columns[0]!, b = incoming.columns[0]!;
  let i = 0, j = 0, k = 0;
  while (i < old.length || j < incoming.length) {
    let src: Float64Array[], r: number;
    if (j >= incoming.length || (i < old.length && a[i]! < b[j]!)) {
      src = old.columns; r = i++;
    } else {
      if (i < old.length && a[i]! === b[j]!) i++; // same ts: drop the old row
      src = incoming.columns; r = j++;
    }
    for (let c = 0; c < width; c++) out[c]![k] = src[c]![r]!;
    k++;
  }
  return { length: k, columns: out.map((col) => col.subarray(0, k)) };
}

function sliceRows(cols: SeriesColumns, from: number, to: number): SeriesColumns {
  return { length: to - from, columns: cols.columns.map((c) => c.subarray(from, to)) };
}

/**
 * Writes ascending, unique rows into their month files, merging with what each file holds.
 * Each month is replaced atomically; a failure leaves that month's previous file intact (months
 * written before the failure keep their new content — each is complete on its own).
 */
export async function writeMonthsMerged(dir: string, specs: readonly ParquetColumnSpec[], incoming: SeriesColumns): Promise<string[]> {
  const ts = incoming.columns[0]!;
  const existing = new Set(listMonths(dir));
  const written: string[] = [];
  let start = 0;
  while (start < incoming.length) {
    const month = monthIndexOf(ts[start]!);
    const end = lowerBound(ts, incoming.length, monthStartMs(month + 1));
    let rows = sliceRows(incoming, start, end);
    if (existing.has(month)) rows = mergeByTs(await readMonth(dir, month, specs), rows);
    const bytes = await encodeParquet(specs, rows.columns, rows.length);
    writeFileAtomic(monthPath(dir, month), bytes);
    written.push(monthName(month));
    start = end;
  }
  return written;
}

/** Rows with from <= ts < to across the month files, concatenated into fresh arrays. */
export async function readRange(dir: string, specs: readonly ParquetColumnSpec[], fromMs: number, toMs: number): Promise<SeriesColumns> {
  const width = specs.length;
  if (!(toMs > fromMs)) return { length: 0, columns: specs.map(() => new Float64Array(0)) };
  const m0 = monthIndexOf(fromMs), m1 = monthIndexOf(toMs - 1);
  const parts: SeriesColumns[] = [];
  let total = 0;
  for (const m of listMonths(dir)) {
    if (m < m0 || m > m1) continue;
    const cols = await readMonth(dir, m, specs);
    const ts = cols.columns[0]!;
    const i0 = lowerBound(ts, cols.length, fromMs), i1 = lowerBound(ts, cols.length, toMs);
    if (i1 > i0) {
      parts.push(sliceRows(cols, i0, i1));
      total += i1 - i0;
    }
  }
  const out = Array.from({ length: width }, () => new Float64Array(total));
  let k = 0;
  for (const p of parts) {
    for (let c = 0; c < width; c++) out[c]!.set(p.columns[c]!, k);
    k += p.length;
  }
  return { length: total, columns: out };
}

export interface SeriesRange {
  readonly first: number;
  readonly last: number;
  readonly rows: number;
}

/** First/last ts and row count of a series; undefined when nothing is stored. */
export async function seriesRange(dir: string, specs: readonly ParquetColumnSpec[]): Promise<SeriesRange | undefined> {
  const months = listMonths(dir);
  let rows = 0, first = NaN, last = NaN;
  for (const m of months) {
    const cols = await readMonth(dir, m, specs);
    if (cols.length === 0) continue;
    if (Number.isNaN(first)) first = cols.columns[0]![0]!;
    last = cols.columns[0]![cols.length - 1]!;
    rows += cols.length;
  }
  return rows === 0 ? undefined : { first, last, rows };
}
