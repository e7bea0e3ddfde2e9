/**
 * Funding-rate history of linear perpetuals (`fetchFundingRateHistory`, 200 per call) into the
 * FundingStore, resumable like candles: it continues after the last stored funding time.
 *
 * Windows: Bybit returns the NEWEST `limit` records of [startTime, endTime], so a plain forward walk
 * could silently skip records whenever a window holds more than 200 (e.g. after a symbol moved from
 * 8h to 1h funding). Each forward window of 199 funding intervals is therefore read backwards from
 * its end until a short page proves it complete, then written ascending in one go.
 */
import { CtError } from '../../core/errors.ts';
import { isoUtc, parseDateMs } from '../../core/time.ts';
import { parseSymbol, type Instrument } from '../../domain/instrument.ts';
import { withRetry } from '../../venues/bybit/retry.ts';
import { resolveMarket } from '../../venues/bybit/rest-klines.ts';
import { resolveDeps, type DownloadDeps } from './deps.ts';
import { exchangeNow } from './download-candles.ts';

export const FUNDING_PAGE_LIMIT = 200;
const DEFAULT_FUNDING_INTERVAL_MS = 8 * 3_600_000;

export interface DownloadFundingOptions {
  /** Linear perpetuals, e.g. BTC/USDT:USDT. */
  readonly symbols: readonly string[];
  readonly from: string | number;
  /** Inclusive end (settlement times); default and cap: the exchange's current time. */
  readonly to?: string | number;
}

export interface FundingDownloadSummary {
  readonly symbol: string;
  readonly requests: number;
  readonly rowsStored: number;
  readonly first?: number;
  readonly last?: number;
  readonly rows?: number;
}

export async function downloadFunding(opts: DownloadFundingOptions, deps: DownloadDeps): Promise<{ series: FundingDownloadSummary[]; text: string }> {
  const d = resolveDeps(deps);
  const fundingStore = d.fundingStore;
  if (fundingStore === undefined) throw new CtError('CT_ERR_INTERNAL', 'downloadFunding: deps.fundingStore is required');
  const symbols = opts.symbols.map((s) => parseSymbol(s.trim(), 'linear', 'data download --symbols (funding)'));
  const fromMs = typeof opts.from === 'number' ? opts.from : parseDateMs(opts.from, 'data download --from');
  const now = await exchangeNow(d);
  const toMs = Math.min(opts.to === undefined ? now : typeof opts.to === 'number' ? opts.to : parseDateMs(opts.to, 'data download --to'), now);
  const out: FundingDownloadSummary[] = [];
  for (const symbol of symbols) {
    const inst: Instrument = { exchange: 'bybit', market: 'linear', symbol };
    const label = `bybit/linear/${symbol}/funding`;
    const market = await withRetry(() => resolveMarket(d.client, symbol), `bybit markets for ${symbol}`, d.retry, d.logger, d.signal);
    if (market.category !== 'linear') throw new CtError('CT_ERR_SYMBOL_INVALID', `${label}: ${symbol} is not a linear perpetual on bybit`, { details: { symbol } });
    const info = (d.client.market(symbol).info ?? {}) as Record<string, unknown>;
    const minutes = Number(info['fundingInterval']);
    const intervalMs = Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_FUNDING_INTERVAL_MS;
    const stored = await fundingStore.range(inst);
    let since = stored !== undefined && stored.last >= fromMs ? stored.last + 1 : fromMs;
    let requests = 0;
    let rowsStored = 0;
    d.logger.info({ series: label, since }, `${label}: downloading funding ${isoUtc(since)}..${isoUtc(toMs)}`);
    while (since <= toMs) {
      d.signal?.throwIfAborted();
      const windowEnd = Math.min(toMs, since + (FUNDING_PAGE_LIMIT - 1) * intervalMs);
      const byTs = new Map<number, number>();
      let end = windowEnd;
      for (;;) {
        const where = `${label} ${isoUtc(since)}..${isoUtc(end)}`;
        const page = await withRetry(
          () => d.client.fetchFundingRateHistory(symbol, since, FUNDING_PAGE_LIMIT, { endTime: end }),
          where, d.retry, d.logger, d.signal,
        );
        requests++;
        let oldest = Infinity;
        for (const r of page) {
          const ts = r.timestamp;
          const rate = r.fundingRate;
          if (typeof ts !== 'number' || !Number.isInteger(ts) || typeof rate !== 'number' || !Number.isFinite(rate)) {
            throw new CtError('CT_ERR_EXCHANGE_REPLY_INVALID', `${where}: funding record without a valid timestamp/rate (${JSON.stringify(r.info)})`, { details: { where } });
          }
          if (ts >= since && ts <= end) byTs.set(ts, rate);
          oldest = Math.min(oldest, ts);
        }
        if (page.length < FUNDING_PAGE_LIMIT || oldest <= since) break;
        end = oldest - 1;
      }
      if (byTs.size > 0) {
        const tsSorted = [...byTs.keys()].sort((a, b) => a - b);
        const ts = Float64Array.from(tsSorted);
        const rate = Float64Array.from(tsSorted, (t) => byTs.get(t)!);
        await fundingStore.write(inst, ts, rate);
        rowsStored += ts.length;
      }
      since = windowEnd + 1;
    }
    const range = await fundingStore.range(inst);
    out.push({ symbol, requests, rowsStored, ...(range === undefined ? {} : { first: range.first, last: range.last, rows: range.rows }) });
    d.logger.info({ series: label, requests, rowsStored }, `${label}: ${rowsStored} funding records stored from ${requests} requests`);
  }
  const text = out.map((s) => `${s.symbol} funding: +${s.rowsStored} records (${s.requests} requests); stored ${s.rows ?? 0} ${s.first === undefined ? '' : `${isoUtc(s.first)} .. ${isoUtc(s.last!)}`}`).join('\n');
  return { series: out, text };
}
