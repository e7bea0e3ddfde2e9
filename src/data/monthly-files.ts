/**
 * The month-file mechanics shared by the candle and the funding store: a series is a folder of
 * `YYYY-MM.parquet` files, each holding the rows whose ts falls in that UTC month, ascending
 * and unique by ts. Columns are Float64Arrays with column 0 = ts.
 */
import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { CtError } from '../core/errors.ts';
import { firstAtOrAfter } from '../domain/candle.ts';
import { isoUtc } from '../core/time.ts';
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

/** A month file that cannot be read, with what to do about it. */
export interface CorruptMonth {
  readonly file: string;
  /** `YYYY-MM`. */
  readonly month: string;
  /** The UTC range the file held: [from, to). */
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

/** The command that fixes a corrupt month, appended to every CT_ERR_PARQUET_CORRUPT about one. */
export function repairHint(fromMs: number, toMs: number): string {
  return `run "cryptotrader data repair" to move it aside, then re-import or re-download ${isoUtc(fromMs).slice(0, 10)} .. ${isoUtc(toMs).slice(0, 10)}`;
}

function corruptMonth(file: string, month: number, why: string, cause?: unknown, details: Record<string, unknown> = {}): CtError {
  return new CtError('CT_ERR_PARQUET_CORRUPT', `${file}: ${why}; ${repairHint(monthStartMs(month), monthStartMs(month + 1))}`, {
    cause,
    details: { file, month: monthName(month), reason: why, ...details },
  });
}

/** Reads one month file; checks its rows are ascending, unique and inside that month. */
export async function readMonth(dir: string, month: number, specs: readonly ParquetColumnSpec[]): Promise<SeriesColumns> {
  const file = monthPath(dir, month);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw corruptMonth(file, month, `cannot be read (${(e as Error).message})`, e);
  }
  let decoded: SeriesColumns;
  try {
    decoded = await decodeParquet(file, bytes, specs);
  } catch (e) {
    if (!(e instanceof CtError) || e.code !== 'CT_ERR_PARQUET_CORRUPT') throw e;
    throw corruptMonth(file, month, String(e.details.reason ?? e.message), e);
  }
  const ts = decoded.columns[0]!;
  const lo = monthStartMs(month), hi = monthStartMs(month + 1);
  for (let i = 0; i < decoded.length; i++) {
    const t = ts[i]!;
    if (!(t >= lo && t < hi) || (i > 0 && t <= ts[i - 1]!)) {
      throw corruptMonth(file, month, `row ${i} ts ${t} is out of order or outside ${monthName(month)}`, undefined, { row: i, value: t });
    }
  }
  return decoded;
}

/** Reads a month, or says why it is corrupt (any other error still throws). */
export async function readMonthOrCorrupt(dir: string, month: number, specs: readonly ParquetColumnSpec[]): Promise<SeriesColumns | CorruptMonth> {
  try {
    return await readMonth(dir, month, specs);
  } catch (e) {
    if (!(e instanceof CtError) || e.code !== 'CT_ERR_PARQUET_CORRUPT') throw e;
    return { file: monthPath(dir, month), month: monthName(month), from: monthStartMs(month), to: monthStartMs(month + 1), reason: String(e.details.reason ?? e.message) };
  }
}

export function isCorrupt(r: SeriesColumns | CorruptMonth): r is CorruptMonth {
  return 'reason' in r;
}

/**
 * Everything stored in a series, skipping corrupt months (each reported), so one damaged file
 * does not hide the rest of the series from `data list` and `data verify`.
 */
export async function readAllReadable(dir: string, specs: readonly ParquetColumnSpec[]): Promise<{ cols: SeriesColumns; corrupt: CorruptMonth[] }> {
  const parts: SeriesColumns[] = [];
  const corrupt: CorruptMonth[] = [];
  for (const m of listMonths(dir)) {
    const r = await readMonthOrCorrupt(dir, m, specs);
    if (isCorrupt(r)) corrupt.push(r);
    else parts.push(r);
  }
  return { cols: concatRows(specs.length, parts), corrupt };
}

/**
 * Moves a file aside to `<file>.corrupt-<n>` (the first n not taken) and returns the new path.
 * Never deletes: the damaged bytes stay for inspection. The store ignores the renamed file.
 */
export function moveAside(file: string): string {
  for (let n = 1; ; n++) {
    const target = `${file}.corrupt-${n}`;
    if (existsSync(target)) continue;
    renameSync(file, target);
    return target;
  }
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
    const end = firstAtOrAfter(ts, monthStartMs(month + 1), incoming.length);
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
    const i0 = firstAtOrAfter(ts, fromMs, cols.length), i1 = firstAtOrAfter(ts, toMs, cols.length);
    if (i1 > i0) {
      parts.push(sliceRows(cols, i0, i1));
      total += i1 - i0;
    }
  }
  return concatRows(width, parts, total);
}

function concatRows(width: number, parts: readonly SeriesColumns[], total = parts.reduce((n, p) => n + p.length, 0)): SeriesColumns {
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
