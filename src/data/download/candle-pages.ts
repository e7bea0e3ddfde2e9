/**
 * Downloads one missing range of one series page by page and stores each page as it arrives.
 *
 * Paging: fixed windows of 1000 grid slots starting at the range start, each requested with
 * `start` and `end` (both inclusive at Bybit), so a window never holds more than the 1000-row
 * limit and the request sequence is a pure function of the range (resumes are reproducible and
 * "never re-fetched" is checkable). An empty window (listing later than `from`, outage) just
 * moves on. A candle not closed at the reply's server time is dropped (fetchClosedKlines), and
 * every page is validated (validateCandles) before it is written.
 */
import { isoUtc } from '../../core/time.ts';
import { bybitInterval, timeframeMs } from '../../core/timeframe.ts';
import type { SeriesKey } from '../../domain/instrument.ts';
import { seriesLabel } from '../store.ts';
import { validateCandles, type RejectedRow } from '../validate.ts';
import { fetchClosedKlines, KLINE_PAGE_LIMIT, type ResolvedMarket } from '../../venues/bybit/rest-klines.ts';
import { withRetry } from '../../venues/bybit/retry.ts';
import type { ResolvedDeps } from './deps.ts';

export interface RangeResult {
  pages: number;
  rowsStored: number;
  droppedForming: number;
  rejected: RejectedRow[];
}

export function pagesInRange(from: number, to: number, tfMs: number): number {
  return to > from ? Math.ceil((to - from) / (tfMs * KLINE_PAGE_LIMIT)) : 0;
}

/**
 * Fetches [fromMs, toMs) (toMs exclusive, open times) into the store.
 * `onPage(pagesDone)` reports progress.
 */
export async function downloadRange(
  deps: ResolvedDeps,
  key: SeriesKey,
  market: ResolvedMarket,
  fromMs: number,
  toMs: number,
  onPage: (result: RangeResult) => void,
): Promise<RangeResult> {
  const tfMs = timeframeMs(key.timeframe);
  const result: RangeResult = { pages: 0, rowsStored: 0, droppedForming: 0, rejected: [] };
  let cursor = Math.ceil(fromMs / tfMs) * tfMs;
  while (cursor < toMs) {
    deps.signal?.throwIfAborted();
    const endIncl = Math.min(toMs - 1, cursor + (KLINE_PAGE_LIMIT - 1) * tfMs);
    const where = `${seriesLabel(key)} (bybit ${market.category} ${market.id} interval ${bybitInterval(key.timeframe)}) page ${isoUtc(cursor)}..${isoUtc(endIncl)}`;
    const page = await withRetry(() => fetchClosedKlines(deps.client, market, key.timeframe, cursor, endIncl), where, deps.retry, deps.logger, deps.signal);
    // afterTs rejects the candle *containing* a mid-candle start, which Bybit includes (§1.3).
    const { valid, rejected } = validateCandles(page.cols, key.timeframe, undefined, { afterTs: cursor - 1, nowMs: page.serverTime });
    for (const r of rejected) {
      deps.logger.warn({ code: 'CT_ERR_CANDLE_INVALID', where, row: r.row, reason: r.reason }, `CT_ERR_CANDLE_INVALID: ${where}: row ${r.row} rejected: ${r.reason}`);
      result.rejected.push(r);
    }
    // Only rows inside the window are stored, whatever the exchange sent.
    let n = 0;
    while (n < valid.length && valid.ts[n]! <= endIncl) n++;
    if (n > 0) {
      await deps.store.write(key, n === valid.length ? valid : {
        length: n, ts: valid.ts.subarray(0, n), open: valid.open.subarray(0, n), high: valid.high.subarray(0, n),
        low: valid.low.subarray(0, n), close: valid.close.subarray(0, n), volume: valid.volume.subarray(0, n),
      });
    }
    result.pages++;
    result.rowsStored += n;
    result.droppedForming += page.droppedForming;
    onPage(result);
    // The exchange clock is inside this window: nothing closed lies beyond it yet.
    if (page.droppedForming > 0 || page.serverTime <= endIncl + tfMs) break;
    cursor = endIncl + 1;
    cursor = Math.ceil(cursor / tfMs) * tfMs;
  }
  return result;
}
