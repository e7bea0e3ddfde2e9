/**
 * `data import | verify | list` as plain functions: each returns a JSON-able summary and the
 * human text the CLI prints. The commander wiring lives in src/cli/data-commands.ts.
 */
import { CtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import { parseTimeframe, timeframeMs } from '../core/timeframe.ts';
import type { Instrument, MarketType, SeriesKey } from '../domain/instrument.ts';
import { FUNDING_COLUMNS, FundingStore } from './funding-store.ts';
import type { Gap } from './gaps.ts';
import { findGaps, formatGap, totalMissing } from './gaps.ts';
import type { ImportResult } from './import-csv.ts';
import { importCsv, importFundingCsv } from './import-csv.ts';
import type { CorruptMonth } from './monthly-files.ts';
import { moveAside, readAllReadable, repairHint } from './monthly-files.ts';
import { CandleStore, seriesLabel } from './store.ts';
import type { RejectedRow } from '../domain/candle-validation.ts';
import { validateCandles } from '../domain/candle-validation.ts';

export interface CommandOutput<T> {
  readonly summary: T;
  readonly text: string;
}

/** How many rejected rows the text lists before "... and N more" (the summary has them all). */
const MAX_LISTED = 20;

function rejectedText(rejected: readonly RejectedRow[]): string[] {
  const lines = rejected.slice(0, MAX_LISTED).map((r) => `  row ${r.row}: ${r.reason}`);
  if (rejected.length > MAX_LISTED) lines.push(`  ... and ${rejected.length - MAX_LISTED} more`);
  return lines;
}

export interface DataImportOptions {
  readonly dataDir: string;
  /** Candle CSV (`timestamp,open,high,low,close,volume`). */
  readonly csv?: string;
  /** Funding CSV (`timestamp,funding_rate`) of a linear perpetual. */
  readonly funding?: string;
  readonly symbol: string;
  readonly timeframe?: string;
  readonly exchange?: string;
  readonly market?: MarketType;
}

export interface DataImportSummary extends ImportResult {
  readonly kind: 'candles' | 'funding';
  readonly series: string;
  readonly file: string;
}

export async function dataImport(opts: DataImportOptions): Promise<CommandOutput<DataImportSummary>> {
  const exchange = opts.exchange ?? 'binance';
  if ((opts.csv === undefined) === (opts.funding === undefined)) {
    throw new CtError('CT_ERR_USAGE', 'data import: give exactly one of --csv FILE or --funding FILE');
  }
  let summary: DataImportSummary;
  if (opts.funding !== undefined) {
    if (opts.market !== undefined && opts.market !== 'linear') {
      throw new CtError('CT_ERR_USAGE', `data import --funding: --market must be linear (got "${opts.market}")`, { details: { value: opts.market } });
    }
    const r = await importFundingCsv({ dataDir: opts.dataDir, file: opts.funding, symbol: opts.symbol, exchange });
    summary = { ...r, kind: 'funding', series: `${exchange}/linear/${opts.symbol}/funding`, file: opts.funding };
  } else {
    if (opts.timeframe === undefined) throw new CtError('CT_ERR_USAGE', 'data import --csv: --timeframe is required');
    const timeframe = parseTimeframe(opts.timeframe, '--timeframe');
    const market = opts.market ?? 'spot';
    const r = await importCsv({ dataDir: opts.dataDir, file: opts.csv!, symbol: opts.symbol, timeframe, exchange, market });
    summary = { ...r, kind: 'candles', series: seriesLabel({ exchange, market, symbol: opts.symbol, timeframe }), file: opts.csv! };
  }
  const lines = [
    `imported ${summary.file} into ${summary.series}: ${summary.rowsRead} rows read, ${summary.rowsStored} stored, ${summary.rejected.length} rejected`,
  ];
  if (summary.first !== undefined) lines.push(`  range ${isoUtc(summary.first)} .. ${isoUtc(summary.last!)}`);
  lines.push(...rejectedText(summary.rejected));
  return { summary, text: lines.join('\n') };
}

export interface SeriesFilter {
  readonly exchange?: string;
  readonly market?: MarketType;
  readonly symbol?: string;
  readonly timeframe?: string;
}

function matches(k: Instrument & { timeframe?: string }, f: SeriesFilter): boolean {
  return (
    (f.exchange === undefined || f.exchange === k.exchange) &&
    (f.market === undefined || f.market === k.market) &&
    (f.symbol === undefined || f.symbol === k.symbol) &&
    (f.timeframe === undefined || f.timeframe === k.timeframe)
  );
}

export interface GapReport extends Gap {
  /** PROVENANCE.md style: `2018-01-04 03:00->05:00 (1)`. */
  readonly text: string;
}

export interface SeriesVerify {
  readonly series: string;
  readonly key: SeriesKey | (Instrument & { timeframe: 'funding' });
  readonly rows: number;
  readonly first?: number;
  readonly last?: number;
  readonly gaps: GapReport[];
  readonly missing: number;
  readonly violations: RejectedRow[];
  /** Month files that cannot be read; the rows above are those of the readable months. */
  readonly corrupt: CorruptMonth[];
}

/**
 * Funding gaps: the interval is the smallest spacing seen (it changes per symbol over time,
 * e.g. 8h -> 4h); a spacing longer than that is a gap. Jitter of a few ms is tolerated.
 */
function fundingGaps(ts: Float64Array): Gap[] {
  let step = Infinity;
  for (let i = 1; i < ts.length; i++) step = Math.min(step, ts[i]! - ts[i - 1]!);
  if (!Number.isFinite(step)) return [];
  const gaps: Gap[] = [];
  for (let i = 1; i < ts.length; i++) {
    const d = ts[i]! - ts[i - 1]!;
    const missing = Math.round(d / step) - 1;
    if (missing >= 1) gaps.push({ lastPresent: ts[i - 1]!, nextPresent: ts[i]!, missing });
  }
  return gaps;
}

async function verifySeries(store: CandleStore, key: SeriesKey): Promise<SeriesVerify> {
  const { candles: cols, corrupt } = await store.readAllReadable(key);
  const gaps = findGaps(cols.ts, timeframeMs(key.timeframe), cols.length);
  const { rejected } = validateCandles(cols, key.timeframe);
  return {
    series: seriesLabel(key),
    key,
    rows: cols.length,
    first: cols.length > 0 ? cols.ts[0] : undefined,
    last: cols.length > 0 ? cols.ts[cols.length - 1] : undefined,
    gaps: gaps.map((g) => ({ ...g, text: formatGap(g) })),
    missing: totalMissing(gaps),
    violations: rejected,
    corrupt,
  };
}

async function verifyFunding(store: FundingStore, inst: Instrument): Promise<SeriesVerify> {
  const { cols, corrupt } = await readAllReadable(store.dirOf(inst), FUNDING_COLUMNS);
  const ts = cols.columns[0]!;
  const gaps = fundingGaps(ts);
  return {
    series: `${inst.exchange}/${inst.market}/${inst.symbol}/funding`,
    key: { ...inst, timeframe: 'funding' },
    rows: ts.length,
    first: ts.length > 0 ? ts[0] : undefined,
    last: ts.length > 0 ? ts[ts.length - 1] : undefined,
    gaps: gaps.map((g) => ({ ...g, text: formatGap(g) })),
    missing: totalMissing(gaps),
    violations: [],
    corrupt,
  };
}

async function verifyAll(opts: { dataDir: string } & SeriesFilter): Promise<SeriesVerify[]> {
  const candles = new CandleStore(opts.dataDir);
  const funding = new FundingStore(opts.dataDir);
  const series: SeriesVerify[] = [];
  for (const key of await candles.list()) if (matches(key, opts)) series.push(await verifySeries(candles, key));
  for (const inst of funding.list()) if (matches({ ...inst, timeframe: 'funding' }, opts)) series.push(await verifyFunding(funding, inst));
  return series;
}

function corruptText(c: CorruptMonth): string {
  return `  corrupt ${c.month}: ${c.file}: ${c.reason}; ${repairHint(c.from, c.to)}`;
}

export interface VerifySummary {
  readonly series: SeriesVerify[];
  /** Whether the store passed: no violations, no corrupt months, and no gaps unless allowed. */
  readonly ok: boolean;
  readonly gaps: number;
  readonly violations: number;
  readonly corrupt: number;
}

/**
 * Gaps (reported, never filled), rule violations and corrupt month files of every stored series
 * matching the filter. `ok` is false on any violation or corrupt month, and on gaps unless
 * `allowGaps` (exchange outages are real, so a store with gaps can be right).
 */
export async function dataVerify(opts: { dataDir: string; allowGaps?: boolean } & SeriesFilter): Promise<CommandOutput<VerifySummary>> {
  const series = await verifyAll(opts);
  const lines: string[] = [];
  if (series.length === 0) lines.push(`no stored series in ${opts.dataDir} match`);
  let gaps = 0, violations = 0, corrupt = 0;
  for (const s of series) {
    gaps += s.gaps.length;
    violations += s.violations.length;
    corrupt += s.corrupt.length;
    const range = s.first === undefined ? 'empty' : `${isoUtc(s.first)} .. ${isoUtc(s.last!)}`;
    const bad = s.violations.length > 0 || s.corrupt.length > 0;
    const status = bad ? 'ISSUES' : s.gaps.length > 0 ? (opts.allowGaps ? 'OK (gaps allowed)' : 'GAPS') : 'OK';
    const corruptNote = s.corrupt.length > 0 ? `, ${s.corrupt.length} corrupt months` : '';
    lines.push(`${s.series}: ${s.rows} rows, ${range}; ${s.gaps.length} gaps (${s.missing} missing), ${s.violations.length} violations${corruptNote}: ${status}`);
    for (const c of s.corrupt) lines.push(corruptText(c));
    for (const g of s.gaps) lines.push(`  gap ${g.text}`);
    lines.push(...rejectedText(s.violations));
  }
  const ok = violations === 0 && corrupt === 0 && (gaps === 0 || opts.allowGaps === true);
  return { summary: { series, ok, gaps, violations, corrupt }, text: lines.join('\n') };
}

export interface ListRow {
  readonly exchange: string;
  readonly market: MarketType;
  readonly symbol: string;
  /** A timeframe, or `funding` for funding-rate history. */
  readonly timeframe: string;
  readonly first: number;
  readonly last: number;
  readonly rows: number;
  readonly gaps: number;
  readonly missing: number;
}

/** What is stored: instrument, timeframe, first, last, rows, gaps; corrupt month files are named below the table. */
export async function dataList(opts: { dataDir: string } & SeriesFilter): Promise<CommandOutput<{ rows: ListRow[]; corrupt: CorruptMonth[] }>> {
  const verified = await verifyAll(opts);
  const corrupt = verified.flatMap((s) => s.corrupt);
  const rows: ListRow[] = verified
    .filter((s) => s.rows > 0)
    .map((s) => ({
      exchange: s.key.exchange,
      market: s.key.market,
      symbol: s.key.symbol,
      timeframe: s.key.timeframe,
      first: s.first!,
      last: s.last!,
      rows: s.rows,
      gaps: s.gaps.length,
      missing: s.missing,
    }));
  const header = ['exchange', 'market', 'symbol', 'tf', 'first', 'last', 'rows', 'gaps'];
  const table = [header, ...rows.map((r) => [r.exchange, r.market, r.symbol, r.timeframe, isoUtc(r.first), isoUtc(r.last), String(r.rows), `${r.gaps} (${r.missing} missing)`])];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const lines = rows.length === 0 ? [`nothing readable stored in ${opts.dataDir}`] : table.map((row) => row.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd());
  if (corrupt.length > 0) lines.push(`${corrupt.length} corrupt month file(s), not counted above:`, ...corrupt.map(corruptText));
  return { summary: { rows, corrupt }, text: lines.join('\n') };
}

export interface RepairedMonth extends CorruptMonth {
  readonly series: string;
  /** Where the damaged file now is (`<file>.corrupt-<n>`). */
  readonly movedTo: string;
  /** A command that puts the month back. */
  readonly refill: string;
}

/** How to put a month back: re-download what came from Bybit, re-import what came from a CSV. */
function refillCommand(key: SeriesVerify['key'], from: number, to: number): string {
  const d0 = isoUtc(from).slice(0, 10), d1 = isoUtc(to).slice(0, 10);
  const funding = key.timeframe === 'funding';
  if (key.exchange === 'bybit') {
    return funding
      ? `cryptotrader data download --market linear --symbols ${key.symbol} --timeframe TF --from ${d0} --to ${d1} --funding  (TF: the candle timeframe to download with it)`
      : `cryptotrader data download --market ${key.market} --symbols ${key.symbol} --timeframe ${key.timeframe} --from ${d0} --to ${d1}`;
  }
  return funding
    ? `cryptotrader data import --funding-csv FILE --symbol ${key.symbol} --exchange ${key.exchange} --market linear  (FILE covering ${d0} .. ${d1})`
    : `cryptotrader data import --csv FILE --symbol ${key.symbol} --timeframe ${key.timeframe} --exchange ${key.exchange} --market ${key.market}  (FILE covering ${d0} .. ${d1})`;
}

/**
 * `data repair`: moves every corrupt month file of the matching series aside (never deletes it)
 * so the rest of the series is usable again, and says which range to re-import or re-download.
 */
export async function dataRepair(opts: { dataDir: string } & SeriesFilter): Promise<CommandOutput<{ repaired: RepairedMonth[] }>> {
  const repaired: RepairedMonth[] = [];
  for (const s of await verifyAll(opts)) {
    for (const c of s.corrupt) repaired.push({ ...c, series: s.series, movedTo: moveAside(c.file), refill: refillCommand(s.key, c.from, c.to) });
  }
  const lines = repaired.length === 0 ? [`no corrupt month files in ${opts.dataDir}: nothing to repair`] : [];
  for (const r of repaired) {
    lines.push(`${r.series} ${r.month}: ${r.reason}`, `  moved aside to ${r.movedTo}`, `  the month ${isoUtc(r.from).slice(0, 10)} .. ${isoUtc(r.to).slice(0, 10)} is now missing; put it back with:`, `  ${r.refill}`);
  }
  return { summary: { repaired }, text: lines.join('\n') };
}
