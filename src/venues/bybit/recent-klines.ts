/**
 * Recent CLOSED candles of one symbol with open time in [fromMs, toMs), over REST, for warming
 * strategies up before a forward or live run trades (as freqtrade's startup candles do): without
 * them a 1h strategy on SMA(50) would sit silent for two days after every start.
 *
 * Every page goes through the same row validation as a download (a bad row is logged and
 * skipped, never used). Callers pass one `toMs` for all symbols so their warm-ups end together.
 */
import { isoUtc } from '../../core/time.ts';
import { timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import { columnsFromCandles, candleAt, type Candle, type CandleColumns } from '../../domain/candle.ts';
import { validateCandles } from '../../data/validate.ts';
import type { BybitClient } from './ccxt-client.ts';
import { fetchClosedKlines, KLINE_PAGE_LIMIT, resolveMarket } from './rest-klines.ts';
import { withRetry, type RetryPolicy, type VenueLogger } from './retry.ts';

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
  const tfMs = timeframeMs(timeframe);
  const market = await withRetry(() => resolveMarket(client, symbol), `bybit markets (${symbol})`, retry, logger, signal);
  let cursor = Math.ceil(fromMs / tfMs) * tfMs;
  const out: Candle[] = [];
  while (cursor < toMs) {
    const endIncl = Math.min(toMs - 1, cursor + (KLINE_PAGE_LIMIT - 1) * tfMs);
    const where = `bybit kline ${market.category} ${market.id} ${timeframe} warm-up ${isoUtc(cursor)}..${isoUtc(endIncl)}`;
    const from = cursor;
    const page = await withRetry(() => fetchClosedKlines(client, market, timeframe, from, endIncl), where, retry, logger, signal);
    const { valid, rejected } = validateCandles(page.cols, timeframe, undefined, { afterTs: Math.max(from - 1, out.at(-1)?.ts ?? -Infinity), nowMs: page.serverTime });
    for (const r of rejected) {
      logger.warn({ code: 'CT_ERR_CANDLE_INVALID', where, row: r.row, reason: r.reason }, `CT_ERR_CANDLE_INVALID: ${where}: row ${r.row} skipped: ${r.reason}`);
    }
    for (let i = 0; i < valid.length; i++) if (valid.ts[i]! <= endIncl) out.push(candleAt(valid, i));
    cursor = Math.ceil((endIncl + 1) / tfMs) * tfMs;
  }
  return columnsFromCandles(out);
}
