/**
 * Closed candles of one market over a time range, window by window: the one paging loop behind
 * `data download` (which stores each window as it arrives) and the forward-mode warm-up (which
 * collects the last candles before trading starts).
 *
 * Paging: fixed windows of 1000 grid slots starting at the range start, each requested with
 * `start` and `end` (both inclusive at Bybit), so a window never holds more than the 1000-row
 * limit and the request sequence is a pure function of the range (resumes are reproducible and
 * "never re-fetched" is checkable). Every window is fetched with retry, its still-forming candle
 * dropped (fetchClosedKlines) and its rows validated (validateCandles); only rows inside the
 * window are passed on, whatever the exchange sent.
 */
import { isoUtc } from '../../core/time.ts';
import { bybitInterval, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import { candleAt, columnsFromCandles, sliceColumns, type Candle, type CandleColumns } from '../../domain/candle.ts';
import { validateCandles, type RejectedRow } from '../../domain/candle-validation.ts';
import type { BybitClient } from './ccxt-client.ts';
import { fetchClosedKlines, KLINE_PAGE_LIMIT, resolveMarket, type ClosedKlinePage, type ResolvedMarket } from './rest-klines.ts';
import { withRetry, type RetryPolicy, type VenueLogger } from './retry.ts';

export interface KlineWindow {
  /** Names the request in messages: `<label> (bybit <category> <id> interval <i>) page <from>..<to>`. */
  readonly where: string;
  readonly endIncl: number;
  readonly page: ClosedKlinePage;
  /** Valid closed rows with open time inside the window. */
  readonly valid: CandleColumns;
  readonly rejected: readonly RejectedRow[];
}

export interface WindowOptions {
  /** Leads every `where` (e.g. the series label). */
  readonly label: string;
  readonly retry: RetryPolicy;
  readonly logger: VenueLogger;
  readonly signal?: AbortSignal;
}

/** Windows over open times [fromMs, toMs); stop iterating to stop fetching. */
export async function* closedKlineWindows(
  client: BybitClient,
  market: ResolvedMarket,
  timeframe: Timeframe,
  fromMs: number,
  toMs: number,
  opts: WindowOptions,
): AsyncGenerator<KlineWindow> {
  const tfMs = timeframeMs(timeframe);
  let cursor = Math.ceil(fromMs / tfMs) * tfMs;
  while (cursor < toMs) {
    opts.signal?.throwIfAborted();
    const start = cursor;
    const endIncl = Math.min(toMs - 1, start + (KLINE_PAGE_LIMIT - 1) * tfMs);
    const where = `${opts.label} (bybit ${market.category} ${market.id} interval ${bybitInterval(timeframe)}) page ${isoUtc(start)}..${isoUtc(endIncl)}`;
    const page = await withRetry(() => fetchClosedKlines(client, market, timeframe, start, endIncl), where, opts.retry, opts.logger, opts.signal);
    // afterTs rejects the candle *containing* a mid-candle start, which Bybit includes (bybit-v5.md §1.3).
    const { valid, rejected } = validateCandles(page.cols, timeframe, undefined, { afterTs: start - 1, nowMs: page.serverTime });
    let n = 0;
    while (n < valid.length && valid.ts[n]! <= endIncl) n++;
    yield { where, endIncl, page, valid: n === valid.length ? valid : sliceColumns(valid, 0, n), rejected };
    cursor = Math.ceil((endIncl + 1) / tfMs) * tfMs;
  }
}

/**
 * Recent CLOSED candles of one symbol with open time in [fromMs, toMs), for warming strategies up
 * before a forward or live run trades (as freqtrade's startup candles do): without them a 1h
 * strategy on SMA(50) would sit silent for two days after every start. A bad row is logged and
 * skipped, never used. Callers pass one `toMs` for all symbols so their warm-ups end together.
 */
export async function fetchRecentClosedKlines(
  client: BybitClient,
  symbol: string,
  timeframe: Timeframe,
  fromMs: number,
  toMs: number,
  retry: RetryPolicy,
  logger: VenueLogger,
  signal?: AbortSignal,
): Promise<CandleColumns> {
  const market = await withRetry(() => resolveMarket(client, symbol), `bybit markets (${symbol})`, retry, logger, signal);
  const out: Candle[] = [];
  for await (const w of closedKlineWindows(client, market, timeframe, fromMs, toMs, { label: `${symbol} ${timeframe} warm-up`, retry, logger, signal })) {
    for (const r of w.rejected) {
      logger.warn({ code: 'CT_ERR_CANDLE_INVALID', where: w.where, row: r.row, reason: r.reason }, `CT_ERR_CANDLE_INVALID: ${w.where}: row ${r.row} skipped: ${r.reason}`);
    }
    for (let i = 0; i < w.valid.length; i++) out.push(candleAt(w.valid, i));
  }
  return columnsFromCandles(out);
}
