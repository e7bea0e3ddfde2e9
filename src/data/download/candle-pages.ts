/**
 * Downloads one missing range of one series window by window (closedKlineWindows: fixed 1000-slot
 * windows, forming candle dropped, rows validated) and stores each window as it arrives.
 */
import { timeframeMs } from '../../core/timeframe.ts';
import type { SeriesKey } from '../../domain/instrument.ts';
import { seriesLabel } from '../store.ts';
import type { RejectedRow } from '../../domain/candle-validation.ts';
import { KLINE_PAGE_LIMIT, type ResolvedMarket } from '../../venues/bybit/rest-klines.ts';
import { closedKlineWindows } from '../../venues/bybit/kline-windows.ts';
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
  const windows = closedKlineWindows(deps.client, market, key.timeframe, fromMs, toMs, { label: seriesLabel(key), retry: deps.retry, logger: deps.logger, signal: deps.signal });
  for await (const w of windows) {
    for (const r of w.rejected) {
      deps.logger.warn({ code: 'CT_ERR_CANDLE_INVALID', where: w.where, row: r.row, reason: r.reason }, `CT_ERR_CANDLE_INVALID: ${w.where}: row ${r.row} rejected: ${r.reason}`);
      result.rejected.push(r);
    }
    if (w.valid.length > 0) await deps.store.write(key, w.valid);
    result.pages++;
    result.rowsStored += w.valid.length;
    result.droppedForming += w.page.droppedForming;
    onPage(result);
    // The exchange clock is inside this window: nothing closed lies beyond it yet.
    if (w.page.droppedForming > 0 || w.page.serverTime <= w.endIncl + tfMs) break;
  }
  return result;
}
