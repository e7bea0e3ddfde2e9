import type { EquitySnapshot } from '../../../src/domain/equity.ts';
import type { Fill } from '../../../src/domain/order.ts';
import type { Trade } from '../../../src/domain/trade.ts';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

/** Equity marks at consecutive candles from T0 (exposure 0 unless given; drawdown not used by metrics). */
export function marks(values: readonly number[], stepMs: number, exposure: readonly number[] = []): EquitySnapshot[] {
  return values.map((v, i) => ({ ts: T0 + i * stepMs, cash: v, equity: v, exposure: exposure[i] ?? 0, drawdown: 0 }));
}

export function trade(over: Partial<Trade> & { netPnl: number }): Trade {
  return {
    id: over.id ?? 't',
    strategyId: 'strat',
    symbol: 'BTC/USDT',
    direction: 'long',
    entryTs: T0,
    exitTs: T0 + HOUR,
    entryPrice: 100,
    exitPrice: 100,
    qty: 1,
    grossPnl: over.netPnl,
    fees: 0,
    slippage: 0,
    funding: 0,
    rMultiple: null,
    mae: 0,
    mfe: 0,
    bars: 1,
    exitReason: 'signal',
    ...over,
  };
}

export function fill(over: Partial<Fill>): Fill {
  return {
    id: 'f1', orderId: 'o1', strategyId: 'strat', symbol: 'BTC/USDT', side: 'buy', qty: 1, price: 100,
    fee: 0, slippageCost: 0, ts: T0, reason: 'signal', ...over,
  };
}

/** Plain two-pass statistics written from the textbook formulas (independent of the code under test). */
export function textbook(returns: readonly number[]): { mean: number; sd: number; downside: number } {
  const n = returns.length;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (n - 1));
  const downside = Math.sqrt(returns.reduce((a, r) => a + Math.min(r, 0) ** 2, 0) / n);
  return { mean, sd, downside };
}

/** Equity values produced by compounding the given per-candle returns from `start`. */
export function compound(start: number, returns: readonly number[]): number[] {
  const out: number[] = [];
  let v = start;
  for (const r of returns) out.push((v = v * (1 + r)));
  return out;
}
