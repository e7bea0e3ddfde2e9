/**
 * `data import`: CSV -> validation -> store. Bad rows are rejected and reported (line number,
 * reason with the value); every valid row is stored; rows already in the store are merged with,
 * never dropped (on the same ts the imported row wins, see CandleStore.write).
 */
import { CtError } from '../core/errors.ts';
import { TIMEFRAME_NAMES, timeframeMs, type Timeframe } from '../core/timeframe.ts';
import type { MarketType } from '../domain/instrument.ts';
import { parseSymbol } from '../domain/instrument.ts';
import { parseNumericCsv } from './csv.ts';
import { FundingStore, fundingProblem } from './funding-store.ts';
import { CandleStore } from './store.ts';
import type { RejectedRow } from '../domain/candle-validation.ts';
import { validateCandles } from '../domain/candle-validation.ts';

export const CANDLE_CSV_HEADER = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;
export const FUNDING_CSV_HEADERS = [
  ['timestamp', 'funding_rate'],
  ['timestamp', 'rate'],
] as const;

export interface ImportResult {
  readonly rowsRead: number;
  readonly rowsStored: number;
  readonly rejected: RejectedRow[];
  readonly first?: number;
  readonly last?: number;
  readonly months?: string[];
}

function byRow(a: RejectedRow, b: RejectedRow): number {
  return a.row - b.row;
}

export async function importCsv(opts: {
  dataDir: string;
  file: string;
  symbol: string;
  timeframe: Timeframe;
  exchange: string;
  market: MarketType;
  /** When given, candles not closed at this time are rejected. */
  nowMs?: number;
}): Promise<ImportResult> {
  const symbol = parseSymbol(opts.symbol, opts.market, '--symbol');
  const parsed = parseNumericCsv(opts.file, [CANDLE_CSV_HEADER]);
  const [ts, open, high, low, close, volume] = parsed.columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  refuseTimeframeMismatch(opts.file, ts, parsed.length, opts.timeframe);
  const { valid, rejected } = validateCandles({ length: parsed.length, ts, open, high, low, close, volume }, opts.timeframe, parsed.rowNumbers, {
    nowMs: opts.nowMs,
  });
  const allRejected = [...parsed.rejected, ...rejected].sort(byRow);
  let months: string[] = [];
  if (valid.length > 0) {
    const store = new CandleStore(opts.dataDir);
    months = (await store.write({ exchange: opts.exchange, market: opts.market, symbol, timeframe: opts.timeframe }, valid)).months;
  }
  return {
    rowsRead: parsed.rowsRead,
    rowsStored: valid.length,
    rejected: allRejected,
    first: valid.length > 0 ? valid.ts[0] : undefined,
    last: valid.length > 0 ? valid.ts[valid.length - 1] : undefined,
    months,
  };
}

/**
 * The typical distance between consecutive rows: the lower median of the positive spacings, so
 * gaps (exchange outages, fewer than half of the intervals in any real file) do not move it.
 * undefined when the file has fewer than 3 rows with a positive spacing between them.
 */
export function medianSpacing(ts: Float64Array, length: number): number | undefined {
  const d: number[] = [];
  for (let i = 1; i < length; i++) {
    const x = ts[i]! - ts[i - 1]!;
    if (x > 0 && Number.isFinite(x)) d.push(x);
  }
  if (d.length < 2) return undefined;
  d.sort((a, b) => a - b);
  return d[(d.length - 1) >> 1];
}

/** `4h`, `1d`, `90m`, `2h30m`, `45s`: a duration as a timeframe name when it is one. */
export function spanText(ms: number): string {
  const tf = TIMEFRAME_NAMES.find((t) => timeframeMs(t) === ms);
  if (tf !== undefined) return tf;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join('');
}

/**
 * Refuses a candle file whose rows are not spaced by the timeframe it is imported as (1h candles
 * given as --timeframe 4h would otherwise store the quarter of them that sit on the 4h grid as
 * mislabeled 4h candles). Gaps do not trip it: the median spacing is used.
 */
function refuseTimeframeMismatch(file: string, ts: Float64Array, length: number, timeframe: Timeframe): void {
  const spacing = medianSpacing(ts, length);
  if (spacing === undefined || spacing === timeframeMs(timeframe)) return;
  const fits = TIMEFRAME_NAMES.find((t) => timeframeMs(t) === spacing);
  const advice = fits !== undefined ? `: import it with --timeframe ${fits}` : '';
  throw new CtError('CT_ERR_TIMEFRAME_MISMATCH', `${file}: rows are ${spanText(spacing)} apart (median spacing), --timeframe is ${timeframe}${advice}`, {
    details: { file, spacingMs: spacing, timeframe },
  });
}

/** Funding CSV (`timestamp,funding_rate`) into the FundingStore of a linear perpetual. */
export async function importFundingCsv(opts: { dataDir: string; file: string; symbol: string; exchange: string }): Promise<ImportResult> {
  const symbol = parseSymbol(opts.symbol, 'linear', '--symbol');
  const parsed = parseNumericCsv(opts.file, FUNDING_CSV_HEADERS);
  const [ts, rate] = parsed.columns as [Float64Array, Float64Array];
  const okTs = new Float64Array(parsed.length), okRate = new Float64Array(parsed.length);
  const rejected: RejectedRow[] = [...parsed.rejected];
  let k = 0, prev = -Infinity;
  for (let i = 0; i < parsed.length; i++) {
    const reason = fundingProblem(ts[i]!, rate[i]!, prev);
    if (reason !== undefined) {
      rejected.push({ row: parsed.rowNumbers[i]!, reason });
      continue;
    }
    okTs[k] = ts[i]!;
    okRate[k] = rate[i]!;
    prev = ts[i]!;
    k++;
  }
  let months: string[] = [];
  if (k > 0) {
    const store = new FundingStore(opts.dataDir);
    months = (await store.write({ exchange: opts.exchange, market: 'linear', symbol }, okTs.subarray(0, k), okRate.subarray(0, k))).months;
  }
  return {
    rowsRead: parsed.rowsRead,
    rowsStored: k,
    rejected: rejected.sort(byRow),
    first: k > 0 ? okTs[0] : undefined,
    last: k > 0 ? okTs[k - 1] : undefined,
    months,
  };
}
