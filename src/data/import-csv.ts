/**
 * `data import`: CSV -> validation -> store. Bad rows are rejected and reported (line number,
 * reason with the value); every valid row is stored; rows already in the store are merged with,
 * never dropped (on the same ts the imported row wins, see CandleStore.write).
 */
import type { Timeframe } from '../core/timeframe.ts';
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
