/**
 * Closed candles over REST (`GET /v5/market/kline` through ccxt's implicit API method).
 *
 * Why the implicit method and not `fetchOHLCV`: we need the server time of the SAME reply to tell
 * the still-forming newest candle from closed ones (a candle is closed iff ts + tf <= server time),
 * and `fetchOHLCV` hides the envelope. The call still goes through ccxt (URLs, throttle, error
 * mapping to ccxt exception classes). Every reply is shape-checked here; row-level candle rules
 * (OHLC order, grid) are checked by the caller with validateCandles.
 */
import { CtError } from '../../core/errors.ts';
import { bybitInterval, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import { emptyColumns, sliceColumns, type CandleColumns } from '../../domain/candle.ts';
import type { BybitClient } from './ccxt-client.ts';
import { toCtError } from './errors.ts';

/** Bybit's maximum kline page. */
export const KLINE_PAGE_LIMIT = 1000;

export interface ResolvedMarket {
  /** Exchange id, e.g. BTCUSDT. */
  readonly id: string;
  readonly category: 'spot' | 'linear';
}

/**
 * `client.loadMarkets()`, with a failure that a retry can recover from. ccxt keeps the promise of
 * the first load and hands it to every later call; when that load failed (one 5xx or one 10006 on
 * instruments-info), every retry would get the same rejection without sending a request. The
 * rejected promise is forgotten here, so the next call loads the markets again.
 */
export async function loadMarkets(client: BybitClient): Promise<void> {
  try {
    await client.loadMarkets();
  } catch (e) {
    if (client.markets === undefined || client.markets === null || Object.keys(client.markets).length === 0) {
      (client as { marketsLoading: unknown }).marketsLoading = undefined;
    }
    throw e;
  }
}

/** Resolves a unified symbol through the loaded markets (BadSymbol -> CT_ERR_SYMBOL_INVALID). */
export async function resolveMarket(client: BybitClient, symbol: string): Promise<ResolvedMarket> {
  await loadMarkets(client);
  let m;
  try {
    m = client.market(symbol);
  } catch (e) {
    throw toCtError(e, `bybit symbol ${symbol}`);
  }
  if (m.spot) return { id: String(m.id), category: 'spot' };
  if (m.linear && m.swap) return { id: String(m.id), category: 'linear' };
  throw new CtError('CT_ERR_SYMBOL_INVALID', `bybit symbol ${symbol}: only spot and linear perpetual markets are supported (got ${m.type})`, {
    details: { symbol, type: m.type },
  });
}

export interface ClosedKlinePage {
  /** Closed candles, ascending by ts, not yet row-validated. */
  readonly cols: CandleColumns;
  /** Envelope `time` of the reply (exchange clock, ms). */
  readonly serverTime: number;
  /** Rows the exchange returned (before dropping the forming candle). */
  readonly rawCount: number;
  /** Newest ts the exchange returned (closed or not), if any. */
  readonly newestRawTs: number | undefined;
  /** 1 if the newest row was still forming and was dropped. */
  readonly droppedForming: number;
}

function replyInvalid(where: string, what: string): CtError {
  return new CtError('CT_ERR_EXCHANGE_REPLY_INVALID', `${where}: ${what}`, { details: { where } });
}

function toNumber(v: unknown): number {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : Number.NaN;
}

/** Envelope time: a number, or a string of digits (ccxt's own fixtures store it as a string). */
export function envelopeTime(body: unknown, where: string): number {
  const t = toNumber((body as Record<string, unknown> | null)?.['time']);
  if (!Number.isFinite(t) || t <= 0) throw replyInvalid(where, `reply has no valid envelope "time" (${JSON.stringify((body as Record<string, unknown> | null)?.['time'])})`);
  return t;
}

/**
 * One kline page: candles with open time in [startMs, endMs] (both inclusive, Bybit semantics),
 * at most `limit`, closed at the reply's server time.
 */
export async function fetchClosedKlines(
  client: BybitClient,
  market: ResolvedMarket,
  timeframe: Timeframe,
  startMs: number,
  endMs: number,
  limit = KLINE_PAGE_LIMIT,
): Promise<ClosedKlinePage> {
  const interval = bybitInterval(timeframe);
  const where = `bybit kline ${market.category} ${market.id} interval ${interval} (${timeframe}) start ${startMs}`;
  // ccxt exceptions propagate with their class intact: callers classify them in withRetry.
  const body: unknown = await client.publicGetV5MarketKline({ category: market.category, symbol: market.id, interval, start: startMs, end: endMs, limit });
  const serverTime = envelopeTime(body, where);
  const list = ((body as Record<string, unknown>)['result'] as Record<string, unknown> | undefined)?.['list'];
  if (!Array.isArray(list)) throw replyInvalid(where, 'reply has no result.list array');
  const tfMs = timeframeMs(timeframe);
  const n = list.length;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r: unknown = list[i];
    if (!Array.isArray(r) || r.length < 6) throw replyInvalid(where, `result.list[${i}] is not a 7-field kline (${JSON.stringify(r)})`);
    const ts = toNumber(r[0]);
    if (!Number.isInteger(ts)) throw replyInvalid(where, `result.list[${i}][0] startTime is not an integer ms (${JSON.stringify(r[0])})`);
    rows.push([ts, toNumber(r[1]), toNumber(r[2]), toNumber(r[3]), toNumber(r[4]), toNumber(r[5])]);
  }
  // Wire order is newest first; sort ascending rather than trust it.
  rows.sort((a, b) => a[0]! - b[0]!);
  const newestRawTs = n > 0 ? rows[n - 1]![0] : undefined;
  const cols = emptyColumns(n);
  let k = 0;
  let dropped = 0;
  for (const r of rows) {
    if (r[0]! + tfMs > serverTime) {
      dropped++;
      continue;
    }
    cols.ts[k] = r[0]!; cols.open[k] = r[1]!; cols.high[k] = r[2]!; cols.low[k] = r[3]!; cols.close[k] = r[4]!; cols.volume[k] = r[5]!;
    k++;
  }
  return { cols: sliceColumns({ ...cols, length: n }, 0, k), serverTime, rawCount: n, newestRawTs, droppedForming: dropped };
}
