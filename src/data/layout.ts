/**
 * Where the store keeps things. One Parquet file per series and UTC calendar month:
 *   <dataDir>/<exchange>/<market>/<symbolSlug>/<timeframe>/<YYYY-MM>.parquet   candles
 *   <dataDir>/<exchange>/linear/<symbolSlug>/funding/<YYYY-MM>.parquet          funding rates
 * Months are UTC so a file's rows never depend on the machine's time zone.
 */
import { join } from 'node:path';
import type { Instrument, MarketType, SeriesKey } from '../domain/instrument.ts';
import { symbolSlug } from '../domain/instrument.ts';

export const FUNDING_DIR = 'funding';
const MONTH_FILE_RE = /^(\d{4})-(\d{2})\.parquet$/;

export function instrumentDir(dataDir: string, inst: Instrument): string {
  return join(dataDir, inst.exchange, inst.market, symbolSlug(inst.symbol));
}

export function seriesDir(dataDir: string, key: SeriesKey): string {
  return join(instrumentDir(dataDir, key), key.timeframe);
}

export function fundingDir(dataDir: string, inst: Instrument): string {
  return join(instrumentDir(dataDir, inst), FUNDING_DIR);
}

/** Month index = years*12 + month0; cheap to iterate and to turn back into a name. */
export function monthIndexOf(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export function monthStartMs(monthIndex: number): number {
  return Date.UTC(Math.floor(monthIndex / 12), monthIndex % 12, 1);
}

/** `YYYY-MM` of a month index. */
export function monthName(monthIndex: number): string {
  const y = Math.floor(monthIndex / 12);
  const m = (monthIndex % 12) + 1;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
}

export function monthFileName(monthIndex: number): string {
  return `${monthName(monthIndex)}.parquet`;
}

/** Month index from a store file name, or undefined for anything else in the folder (temp files...). */
export function monthIndexFromFileName(name: string): number | undefined {
  const m = MONTH_FILE_RE.exec(name);
  if (!m) return undefined;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return Number(m[1]) * 12 + month - 1;
}

/**
 * Unified symbol back from its folder name. Unified symbols never contain `_`, so the slug is
 * reversible: BTC_USDT (spot) -> BTC/USDT, BTC_USDT_USDT (linear) -> BTC/USDT:USDT.
 */
export function symbolFromSlug(slug: string, market: MarketType): string | undefined {
  const parts = slug.split('_');
  if (market === 'spot' && parts.length === 2) return `${parts[0]}/${parts[1]}`;
  if (market === 'linear' && parts.length === 3) return `${parts[0]}/${parts[1]}:${parts[2]}`;
  return undefined;
}
