/**
 * Auto-download for backtest/forward runs: fill what the store is missing for one series, or fail
 * with ONE line that names the missing range and the exact command that fixes it.
 */
import { CtError, isCtError } from '../../core/errors.ts';
import { isoUtc } from '../../core/time.ts';
import type { SeriesKey } from '../../domain/instrument.ts';
import { seriesLabel } from '../store.ts';
import { resolveDeps, type DownloadDeps } from './deps.ts';
import { downloadSeries, exchangeNow } from './download-candles.ts';

export interface EnsureResult {
  /** Ranges [from, to) that were missing and were downloaded. */
  readonly downloaded: Array<{ from: number; to: number }>;
  /** Ranges still missing afterwards (the exchange has no candles there, e.g. before listing). */
  readonly stillMissing: Array<{ from: number; to: number }>;
}

/** Codes meaning "could not talk to the exchange" (as opposed to "it said no"). */
const UNREACHABLE = new Set(['CT_ERR_RETRIES_EXHAUSTED', 'CT_ERR_EXCHANGE_UNAVAILABLE', 'CT_ERR_EXCHANGE_RATE_LIMIT']);

/** The commands that would fill [from, to) by hand. */
export function fixCommands(key: SeriesKey, from: number, to: number): string {
  const day = (ms: number): string => isoUtc(ms);
  return (
    `cryptotrader data download --symbols ${key.symbol} --timeframe ${key.timeframe} --from ${day(from)} --to ${day(to)} --market ${key.market}` +
    ` (or: cryptotrader data import --csv FILE --symbol ${key.symbol} --timeframe ${key.timeframe} --exchange ${key.exchange} --market ${key.market})`
  );
}

function missingError(key: SeriesKey, ranges: Array<{ from: number; to: number }>, why: string, cause?: unknown): CtError {
  const from = ranges[0]!.from;
  const to = ranges[ranges.length - 1]!.to;
  const what = ranges.map((r) => `${isoUtc(r.from)}..${isoUtc(r.to)}`).join(', ');
  return new CtError('CT_ERR_DATA_MISSING', `${seriesLabel(key)}: candles ${what} are not in the store and ${why}; fix: ${fixCommands(key, from, to)}`, {
    cause,
    details: { series: seriesLabel(key), missing: ranges },
  });
}

export async function ensureCandles(key: SeriesKey, fromMs: number, toMs: number, deps: DownloadDeps): Promise<EnsureResult> {
  const missing = await deps.store.missingRanges(key, fromMs, toMs);
  if (missing.length === 0) return { downloaded: [], stillMissing: [] };
  if (key.exchange !== 'bybit') {
    throw missingError(key, missing, `exchange "${key.exchange}" has no downloader (only bybit)`);
  }
  const d = resolveDeps(deps);
  d.logger.info({ series: seriesLabel(key), missing }, `${seriesLabel(key)}: auto-downloading missing candles ${missing.map((r) => `${isoUtc(r.from)}..${isoUtc(r.to)}`).join(', ')}`);
  try {
    // First contact uses a short retry policy: offline or unreachable should fail in seconds with
    // the fix, not after minutes of backoff. Once the exchange has answered, the full policy
    // (for rate limits and passing errors mid-download) applies.
    const now = await exchangeNow({ ...d, retry: { ...d.retry, attempts: Math.min(d.retry.attempts, 2), capMs: Math.min(d.retry.capMs, 1000) } });
    for (const r of missing) await downloadSeries(d, key, r.from, r.to, now);
  } catch (e) {
    if (isCtError(e) && UNREACHABLE.has(e.code)) {
      const still = await deps.store.missingRanges(key, fromMs, toMs);
      throw missingError(key, still.length > 0 ? still : missing, `the exchange is unreachable (${e.code})`, e);
    }
    throw e;
  }
  const stillMissing = await deps.store.missingRanges(key, fromMs, toMs);
  if (stillMissing.length > 0) {
    d.logger.warn({ series: seriesLabel(key), stillMissing }, `${seriesLabel(key)}: the exchange has no candles for ${stillMissing.map((r) => `${isoUtc(r.from)}..${isoUtc(r.to)}`).join(', ')}`);
  }
  return { downloaded: missing, stillMissing };
}
