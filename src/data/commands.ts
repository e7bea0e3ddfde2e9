/**
 * `data import | verify | list` as plain functions: each returns a JSON-able summary and the
 * human text the CLI prints. The commander wiring lives in the CLI (owned by the lead).
 */
import { CtError } from '../core/errors.ts';
import { isoUtc } from '../core/time.ts';
import { parseTimeframe, timeframeMs } from '../core/timeframe.ts';
import type { Instrument, MarketType, SeriesKey } from '../domain/instrument.ts';
import { FundingStore } from './funding-store.ts';
import type { Gap } from './gaps.ts';
import { findGaps, formatGap, totalMissing } from './gaps.ts';
import type { ImportResult } from './import-csv.ts';
import { importCsv, importFundingCsv } from './import-csv.ts';
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
  const cols = await store.readAll(key);
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
  };
}

async function verifyFunding(store: FundingStore, inst: Instrument): Promise<SeriesVerify> {
  const { ts } = await store.read(inst, -8.64e15, 8.64e15);
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
  };
}

/** Gaps (reported, never filled) and rule violations of every stored series matching the filter. */
export async function dataVerify(opts: { dataDir: string } & SeriesFilter): Promise<CommandOutput<{ series: SeriesVerify[] }>> {
  const candles = new CandleStore(opts.dataDir);
  const funding = new FundingStore(opts.dataDir);
  const series: SeriesVerify[] = [];
  for (const key of await candles.list()) if (matches(key, opts)) series.push(await verifySeries(candles, key));
  for (const inst of funding.list()) if (matches({ ...inst, timeframe: 'funding' }, opts)) series.push(await verifyFunding(funding, inst));
  const lines: string[] = [];
  if (series.length === 0) lines.push(`no stored series in ${opts.dataDir} match`);
  for (const s of series) {
    const range = s.first === undefined ? 'empty' : `${isoUtc(s.first)} .. ${isoUtc(s.last!)}`;
    const status = s.gaps.length === 0 && s.violations.length === 0 ? 'OK' : 'ISSUES';
    lines.push(`${s.series}: ${s.rows} rows, ${range}; ${s.gaps.length} gaps (${s.missing} missing), ${s.violations.length} violations: ${status}`);
    for (const g of s.gaps) lines.push(`  gap ${g.text}`);
    lines.push(...rejectedText(s.violations));
  }
  return { summary: { series }, text: lines.join('\n') };
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

/** What is stored: instrument, timeframe, first, last, rows, gaps. */
export async function dataList(opts: { dataDir: string } & SeriesFilter): Promise<CommandOutput<{ rows: ListRow[] }>> {
  const verified = (await dataVerify(opts)).summary.series;
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
  const text = rows.length === 0 ? `nothing stored in ${opts.dataDir}` : table.map((row) => row.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
  return { summary: { rows }, text };
}
