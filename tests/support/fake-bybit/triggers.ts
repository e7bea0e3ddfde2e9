/**
 * Triggers on the candles the fake serves: position TP/SL (linear) and conditional orders (spot and
 * linear). When the fake clock moves t0 -> t1, every candle of the finest series of a watched
 * (category, symbol) that CLOSED in (t0, t1] is visited in close-time order (across symbols, then by
 * category and symbol for a tie), and on each candle:
 * 1. each open position's stop-loss and take-profit (candle low/high); a hit closes the whole position
 *    at the trigger price (no slippage). Both levels inside one candle: the stop-loss wins (the order
 *    of the moves inside a candle is unknown).
 * 2. each untriggered conditional order of that symbol: direction 2 (fall) fires when low <= trigger,
 *    direction 1 (rise) when high >= trigger; it fills at the trigger price, or at the candle's open
 *    when the open is already beyond it (a gap). Several on one candle: the trigger nearest the open
 *    fires first (a gap counts as distance 0), then the older order.
 * Fills happen at the candle's close time. Closed candles only: the forming candle already carries
 * its final high/low in this fake, so looking at it would fire before the price got there.
 */
import type { AccountBook, FakeAccount, FakeOrder } from './accounts.ts';
import { lowerBound, type FakeCategory, type FakeMarketData } from './market-data.ts';
import { closeTriggered, type EngineContext } from './matching.ts';
import { fireConditional } from './conditional.ts';

interface Watched {
  readonly category: FakeCategory;
  readonly symbol: string;
}

function watched(book: AccountBook): Watched[] {
  const keys = new Map<string, Watched>();
  for (const acct of book.all()) {
    for (const p of acct.positions.values()) {
      if (p.size !== 0 && (p.takeProfit > 0 || p.stopLoss > 0)) keys.set(`linear|${p.symbol}`, { category: 'linear', symbol: p.symbol });
    }
    for (const o of acct.orders) if (o.status === 'Untriggered') keys.set(`${o.category}|${o.symbol}`, { category: o.category, symbol: o.symbol });
  }
  return [...keys.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, w]) => w);
}

interface Candle {
  readonly at: number;
  readonly w: Watched;
  readonly open: number;
  readonly high: number;
  readonly low: number;
}

export function runTriggers(data: FakeMarketData, book: AccountBook, t0: number, t1: number): number {
  if (!(t1 > t0)) return 0;
  const candles: Candle[] = [];
  for (const w of watched(book)) {
    const s = data.finestSeries(w.category, w.symbol);
    if (s === undefined) continue;
    const { cols, intervalMs } = s;
    // Candles with close time ts + interval in (t0, t1].
    for (let i = lowerBound(cols.ts, cols.length, t0 - intervalMs + 1); i < cols.length && cols.ts[i]! + intervalMs <= t1; i++) {
      candles.push({ at: cols.ts[i]! + intervalMs, w, open: cols.open[i]!, high: cols.high[i]!, low: cols.low[i]! });
    }
  }
  // Stable sort: equal close times keep the (category, symbol) order of watched().
  candles.sort((a, b) => a.at - b.at);
  let fired = 0;
  for (const c of candles) {
    const ctx: EngineContext = { data, book, now: c.at };
    if (c.w.category === 'linear') fired += positionTpsl(ctx, c);
    fired += conditionals(ctx, c);
  }
  return fired;
}

function positionTpsl(ctx: EngineContext, c: Candle): number {
  let fired = 0;
  for (const acct of ctx.book.all()) {
    const pos = acct.positions.get(c.w.symbol);
    if (pos === undefined || pos.size === 0 || (pos.takeProfit === 0 && pos.stopLoss === 0)) continue;
    const long = pos.size > 0;
    const slHit = pos.stopLoss > 0 && (long ? c.low <= pos.stopLoss : c.high >= pos.stopLoss);
    const tpHit = pos.takeProfit > 0 && (long ? c.high >= pos.takeProfit : c.low <= pos.takeProfit);
    if (!slHit && !tpHit) continue;
    closeTriggered(ctx, acct, pos.symbol, slHit ? pos.stopLoss : pos.takeProfit, slHit ? 'StopLoss' : 'TakeProfit');
    fired++;
  }
  return fired;
}

function conditionals(ctx: EngineContext, c: Candle): number {
  const hits: { acct: FakeAccount; order: FakeOrder; price: number; dist: number }[] = [];
  for (const acct of ctx.book.all()) {
    for (const o of acct.orders) {
      if (o.status !== 'Untriggered' || o.category !== c.w.category || o.symbol !== c.w.symbol || o.createdTime >= c.at) continue;
      const tp = o.triggerPrice;
      if (o.triggerDirection === 2 && c.low <= tp) hits.push({ acct, order: o, price: c.open < tp ? c.open : tp, dist: Math.max(0, c.open - tp) });
      else if (o.triggerDirection === 1 && c.high >= tp) hits.push({ acct, order: o, price: c.open > tp ? c.open : tp, dist: Math.max(0, tp - c.open) });
    }
  }
  // Nearest the open first; then the older order (ids are a server-wide sequence of equal length).
  hits.sort((a, b) => a.dist - b.dist || a.order.orderId.localeCompare(b.order.orderId));
  for (const h of hits) fireConditional(ctx, h.acct, h.order, h.price);
  return hits.length;
}
