import { isoUtc } from '../../core/time.ts';
import { timeframeMs, type Timeframe } from '../../core/timeframe.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { Choice } from './prompter.ts';
import { fit } from './text-fit.ts';

/**
 * What a backtest could run on: the symbols the store holds for the exchange, market and
 * timeframe, each marked complete for the range or with its gaps and missing parts; and what a
 * forward run could trade: the exchange's instruments of the market.
 */
export interface SymbolCoverage {
  readonly symbol: string;
  readonly stored: boolean;
  /** Stored candles missing inside the range (holes between stored candles). */
  readonly gaps: number;
  readonly gapCandles: number;
  /** Parts of the range without any stored month (before, after or between stored blocks). */
  readonly missing: ReadonlyArray<{ from: number; to: number }>;
}

export interface StoreQuery {
  readonly dataDir: string;
  readonly exchange: string;
  readonly market: MarketType;
  readonly timeframe: Timeframe;
  readonly from: number;
  readonly to: number;
}

/** Coverage of every stored symbol of the query's series, plus `wanted` symbols the store does not hold. */
export async function storeCoverage(q: StoreQuery, wanted: readonly string[]): Promise<SymbolCoverage[]> {
  const [{ CandleStore }, { findGaps, totalMissing }] = await Promise.all([import('../../data/store.ts'), import('../../data/gaps.ts')]);
  const store = new CandleStore(q.dataDir);
  const keys = (await store.list()).filter((k) => k.exchange === q.exchange && k.market === q.market && k.timeframe === q.timeframe);
  const out: SymbolCoverage[] = [];
  for (const key of keys) {
    const candles = await store.read(key, q.from, q.to);
    const gaps = findGaps(candles.ts, timeframeMs(q.timeframe), candles.length);
    out.push({ symbol: key.symbol, stored: true, gaps: gaps.length, gapCandles: totalMissing(gaps), missing: await store.missingRanges(key, q.from, q.to) });
  }
  for (const s of wanted) if (!out.some((c) => c.symbol === s)) out.push({ symbol: s, stored: false, gaps: 0, gapCandles: 0, missing: [{ from: q.from, to: q.to }] });
  return out;
}

const day = (ms: number): string => isoUtc(ms).slice(0, 10);

/** `complete`, `2 gaps (5 candles)`, `missing 2023-01-01..2023-02-01`, or `not stored`. */
export function coverageText(c: SymbolCoverage, autoDownload: boolean): string {
  if (!c.stored) return autoDownload ? 'not stored (auto-download)' : 'not stored';
  const parts: string[] = [];
  if (c.missing.length > 0) {
    const m = c.missing[0]!;
    parts.push(`missing ${day(m.from)}..${day(m.to)}${c.missing.length > 1 ? ` +${c.missing.length - 1}` : ''}${autoDownload ? ' (auto-download)' : ''}`);
  }
  if (c.gaps > 0) parts.push(`${c.gaps} gaps (${c.gapCandles} candles)`);
  return parts.length === 0 ? 'complete' : parts.join(', ');
}

export function coverageChoices(rows: readonly SymbolCoverage[], selected: readonly string[], autoDownload: boolean): Array<Choice<string>> {
  const w = Math.max(12, ...rows.map((r) => r.symbol.length));
  return rows.map((r) => ({ value: r.symbol, name: fit(`${r.symbol.padEnd(w)}  ${coverageText(r, autoDownload)}`, 74), short: r.symbol, checked: selected.includes(r.symbol) }));
}

/**
 * Symbols as plain choices (forward: the exchange's instruments): the configured ones first,
 * checked when the market has them (an empty list of instruments: not known, all checked), then
 * the other instruments.
 */
export function instrumentChoices(instruments: readonly string[], selected: readonly string[]): Array<Choice<string>> {
  const known = (s: string): boolean => instruments.length === 0 || instruments.includes(s);
  const rest = instruments.filter((s) => !selected.includes(s));
  return [
    ...selected.map((s) => ({ value: s, name: known(s) ? s : fit(`${s}  (not an instrument of the market)`, 74), short: s, checked: known(s) })),
    ...rest.map((s) => ({ value: s, name: s })),
  ];
}

/**
 * The exchange's trading instruments of the market (ccxt symbols), over the public REST API
 * (ccxt is loaded only here). On failure the reason, so the console can fall back to the config.
 */
export async function exchangeInstruments(opts: { restUrl: string; market: MarketType; timeoutMs: number }): Promise<{ symbols: string[] } | { error: string }> {
  try {
    const { createBybitClient } = await import('../../venues/bybit/ccxt-client.ts');
    const client = createBybitClient({ restUrl: opts.restUrl, market: opts.market, timeoutMs: opts.timeoutMs });
    const markets = await client.loadMarkets();
    const want = opts.market === 'linear' ? 'swap' : 'spot';
    const symbols = Object.values(markets)
      .filter((m) => m !== undefined && m.type === want && m.active !== false && (opts.market !== 'linear' || m.linear === true))
      .map((m) => m!.symbol)
      .sort();
    return { symbols };
  } catch (e) {
    return { error: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
  }
}
