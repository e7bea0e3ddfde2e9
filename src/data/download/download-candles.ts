/**
 * `data download --symbols BTC/USDT,ETH/USDT --timeframe 1h --from 2024-01-01 [--to …] [--market spot|linear]`
 * as a plain async function (the CLI wiring lives elsewhere).
 *
 * Resume: only what `CandleStore.missingRanges` reports is requested, and every page is written as
 * it arrives, so an interrupted download loses at most the in-flight page and a rerun continues
 * after the last stored candle without re-fetching anything stored.
 */
import { CtError } from '../../core/errors.ts';
import { isoUtc, parseDateMs } from '../../core/time.ts';
import { parseTimeframe, timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import { parseSymbol, type MarketType, type SeriesKey } from '../../domain/instrument.ts';
import { seriesLabel } from '../store.ts';
import type { RejectedRow } from '../../domain/candle-validation.ts';
import { resolveMarket } from '../../venues/bybit/rest-klines.ts';
import { withRetry } from '../../venues/bybit/retry.ts';
import { resolveDeps, type DownloadDeps, type ResolvedDeps } from './deps.ts';
import { downloadRange, pagesInRange } from './candle-pages.ts';

export interface DownloadCandlesOptions {
  readonly symbols: readonly string[];
  /** '1h' etc.; anything else is CT_ERR_TIMEFRAME_INVALID before any request. */
  readonly timeframe: string;
  /** YYYY-MM-DD, ISO-8601 or epoch ms (string or number). */
  readonly from: string | number;
  /** Exclusive end (open times); default and cap: the exchange's current time. */
  readonly to?: string | number;
  readonly market?: MarketType;
}

export interface SeriesDownloadSummary {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly market: MarketType;
  /** Ranges that were missing and were requested, [from, to) ms. */
  readonly requested: Array<{ from: number; to: number }>;
  readonly pages: number;
  readonly rowsStored: number;
  readonly rejected: RejectedRow[];
  readonly first?: number;
  readonly last?: number;
  readonly rows?: number;
}

export interface DownloadSummary {
  readonly series: SeriesDownloadSummary[];
  /** Human-readable lines for the CLI. */
  readonly text: string;
}

function toMs(v: string | number, where: string): number {
  return typeof v === 'number' ? v : parseDateMs(v, where);
}

/** Exchange clock now (ms), via GET /v5/market/time. */
export async function exchangeNow(deps: ResolvedDeps): Promise<number> {
  return withRetry(() => deps.client.fetchTime() as Promise<number>, 'bybit GET /v5/market/time', deps.retry, deps.logger, deps.signal);
}

/**
 * Downloads the missing parts of [fromMs, toMs) for one series; returns what it did.
 * toMs is capped at the start of the candle forming at the exchange's current time.
 */
export async function downloadSeries(deps: ResolvedDeps, key: SeriesKey, fromMs: number, toMs: number | undefined, serverNow: number): Promise<SeriesDownloadSummary> {
  const tfMs = timeframeMs(key.timeframe);
  const formingStart = Math.floor(serverNow / tfMs) * tfMs;
  const to = Math.min(toMs ?? formingStart, formingStart);
  const market = await withRetry(() => resolveMarket(deps.client, key.symbol), `bybit markets for ${key.symbol}`, deps.retry, deps.logger, deps.signal);
  if (market.category !== key.market) {
    throw new CtError('CT_ERR_SYMBOL_INVALID', `${seriesLabel(key)}: ${key.symbol} is a ${market.category} market on bybit, not ${key.market}`, {
      details: { symbol: key.symbol, market: key.market },
    });
  }
  const missing = await deps.store.missingRanges(key, fromMs, to);
  const total = missing.reduce((s, r) => s + pagesInRange(r.from, r.to, tfMs), 0);
  const label = seriesLabel(key);
  let pages = 0;
  let rowsStored = 0;
  const rejected: RejectedRow[] = [];
  if (missing.length === 0) {
    deps.logger.info({ series: label }, `${label}: ${isoUtc(fromMs)}..${isoUtc(to)} already stored, nothing to download`);
  } else {
    deps.logger.info({ series: label, missing }, `${label}: downloading ${missing.map((r) => `${isoUtc(r.from)}..${isoUtc(r.to)}`).join(', ')} (~${total} pages)`);
    deps.progress.start(total, label);
    try {
      for (const r of missing) {
        const before = pages;
        const res = await downloadRange(deps, key, market, r.from, r.to, (p) => deps.progress.update(before + p.pages, `${p.rowsStored + rowsStored} candles`));
        pages += res.pages;
        rowsStored += res.rowsStored;
        rejected.push(...res.rejected);
      }
    } finally {
      deps.progress.stop();
    }
  }
  const range = await deps.store.range(key);
  const summary: SeriesDownloadSummary = {
    symbol: key.symbol, timeframe: key.timeframe, market: key.market, requested: missing, pages, rowsStored, rejected,
    ...(range === undefined ? {} : { first: range.first, last: range.last, rows: range.rows }),
  };
  deps.logger.info({ series: label, pages, rowsStored, rejected: rejected.length }, `${label}: ${rowsStored} candles stored from ${pages} pages, ${rejected.length} rejected`);
  return summary;
}

export async function downloadCandles(opts: DownloadCandlesOptions, deps: DownloadDeps): Promise<DownloadSummary> {
  const timeframe = parseTimeframe(opts.timeframe, 'data download --timeframe');
  const market = opts.market ?? 'spot';
  const symbols = opts.symbols.map((s) => parseSymbol(s.trim(), market, 'data download --symbols'));
  const fromMs = toMs(opts.from, 'data download --from');
  const toOpt = opts.to === undefined ? undefined : toMs(opts.to, 'data download --to');
  if (toOpt !== undefined && toOpt <= fromMs) {
    throw new CtError('CT_ERR_USAGE', `data download: --to ${isoUtc(toOpt)} is not after --from ${isoUtc(fromMs)}`, { details: { from: fromMs, to: toOpt } });
  }
  const d = resolveDeps(deps);
  const serverNow = await exchangeNow(d);
  const series: SeriesDownloadSummary[] = [];
  for (const symbol of symbols) {
    series.push(await downloadSeries(d, { exchange: 'bybit', market, symbol, timeframe }, fromMs, toOpt, serverNow));
  }
  const text = series
    .map((s) => `${s.symbol} ${s.timeframe} ${s.market}: +${s.rowsStored} candles (${s.pages} pages, ${s.rejected.length} rejected); stored ${s.rows ?? 0} rows ${s.first === undefined ? '' : `${isoUtc(s.first)} .. ${isoUtc(s.last!)}`}`)
    .join('\n');
  return { series, text };
}
