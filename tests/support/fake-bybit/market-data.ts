/**
 * What the fake exchange knows: candle series per (category, symbol, interval), funding series per
 * linear symbol, and the window rules of Bybit v5 `GET /v5/market/kline` (docs/exchange.md).
 * Series hold the WHOLE history, including candles "in the
 * future" of the fake clock; queries only ever reveal what exists at `now`.
 */
import type { CandleColumns } from '../../../src/domain/candle.ts';

export type FakeCategory = 'spot' | 'linear';

/** Bybit v5 interval codes (enum.mdx#interval) and their length; `M` is accepted but never has data. */
export const BYBIT_INTERVAL_MS: Readonly<Record<string, number>> = {
  '1': 60_000, '3': 180_000, '5': 300_000, '15': 900_000, '30': 1_800_000, '60': 3_600_000,
  '120': 7_200_000, '240': 14_400_000, '360': 21_600_000, '720': 43_200_000,
  D: 86_400_000, W: 604_800_000, M: 0,
};

export interface FundingSeries {
  readonly ts: Float64Array;
  readonly rate: Float64Array;
}

/** Binary search: first index with ts[i] >= t. */
export function lowerBound(ts: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function seriesKey(category: string, symbol: string, intervalMs: number): string {
  return `${category}|${symbol}|${intervalMs}`;
}

/** Shortest round-trip decimal text, as Bybit sends prices (never exponent notation for sane values). */
export function num(v: number): string {
  return String(v);
}

export class FakeMarketData {
  private readonly candles = new Map<string, CandleColumns>();
  private readonly funding = new Map<string, FundingSeries>();
  private readonly symbols = new Map<FakeCategory, Set<string>>([['spot', new Set()], ['linear', new Set()]]);

  /** Registers (or replaces) a candle series; `ts` must be ascending open times on the interval grid. */
  addCandles(category: FakeCategory, symbol: string, intervalMs: number, cols: CandleColumns): void {
    this.candles.set(seriesKey(category, symbol, intervalMs), cols);
    this.symbols.get(category)!.add(symbol);
  }

  /** Registers funding history (ascending settlement times) for a linear perpetual. */
  addFunding(symbol: string, series: FundingSeries): void {
    this.funding.set(symbol, series);
    this.symbols.get('linear')!.add(symbol);
  }

  hasSymbol(category: string, symbol: string): boolean {
    return this.symbols.get(category as FakeCategory)?.has(symbol) ?? false;
  }

  listSymbols(category: FakeCategory): string[] {
    return [...this.symbols.get(category)!].sort();
  }

  series(category: string, symbol: string, intervalMs: number): CandleColumns | undefined {
    return this.candles.get(seriesKey(category, symbol, intervalMs));
  }

  /**
   * Row indices (ascending) that a kline request returns at time `now`, following §1.3:
   * with `start`: the candle containing `start` and forward, up to min(end, now), at most `limit`;
   * without `start`: the latest `limit` candles up to min(end, now). A candle is visible once its
   * open time is <= now (so the newest one may still be forming).
   */
  klineWindow(cols: CandleColumns, intervalMs: number, now: number, limit: number, start?: number, end?: number): [number, number] {
    const upper = Math.min(end ?? now, now);
    const hiExclusive = lowerBound(cols.ts, cols.length, Math.floor(upper / intervalMs) * intervalMs + 1);
    if (start !== undefined) {
      const lo = lowerBound(cols.ts, cols.length, Math.floor(start / intervalMs) * intervalMs);
      return [lo, Math.max(lo, Math.min(hiExclusive, lo + limit))];
    }
    return [Math.max(0, hiExclusive - limit), hiExclusive];
  }

  /**
   * The price a market order fills at, `now`: the close of the newest visible candle (open time <= now,
   * so it may be the forming one) of the finest series served for the symbol; undefined without data.
   */
  lastPrice(category: FakeCategory, symbol: string, now: number): number | undefined {
    let best: { intervalMs: number; price: number } | undefined;
    for (const [key, cols] of this.candles) {
      const [c, s, iv] = key.split('|');
      if (c !== category || s !== symbol) continue;
      const intervalMs = Number(iv);
      const i = lowerBound(cols.ts, cols.length, now + 1) - 1;
      if (i < 0) continue;
      if (best === undefined || intervalMs < best.intervalMs) best = { intervalMs, price: cols.close[i]! };
    }
    return best?.price;
  }

  /** The finest served series of a symbol, with its interval (the one fills and triggers use). */
  finestSeries(category: FakeCategory, symbol: string): { intervalMs: number; cols: CandleColumns } | undefined {
    let best: { intervalMs: number; cols: CandleColumns } | undefined;
    for (const [key, cols] of this.candles) {
      const [c, s, iv] = key.split('|');
      if (c === category && s === symbol && (best === undefined || Number(iv) < best.intervalMs)) best = { intervalMs: Number(iv), cols };
    }
    return best;
  }

  /** Funding rows (ascending index range) settled at or before min(endTime, now), newest `limit`, not before startTime. */
  fundingWindow(symbol: string, now: number, limit: number, startTime?: number, endTime?: number): { series: FundingSeries; lo: number; hi: number } | undefined {
    const series = this.funding.get(symbol);
    if (series === undefined) return undefined;
    const upper = Math.min(endTime ?? now, now);
    const hi = lowerBound(series.ts, series.ts.length, upper + 1);
    const floor = startTime === undefined ? 0 : lowerBound(series.ts, series.ts.length, startTime);
    return { series, lo: Math.max(floor, hi - limit), hi: Math.max(floor, hi) };
  }
}
