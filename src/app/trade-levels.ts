/**
 * The stop and take-profit of each trade, for the dashed lines of report.html: the levels of the
 * order whose fill opened the trade, read back from the run's `orders` rows (the loop result
 * carries fills and trades, not orders). A trade opened by an order without levels has none.
 */
import type { Fill } from '../domain/order.ts';
import type { Trade } from '../domain/trade.ts';
import type { StateDb } from '../persistence/state-db.ts';

export type TradeLevelsById = Map<string, { stop?: number; takeProfit?: number }>;

export function tradeLevels(db: StateDb, runId: string, trades: readonly Trade[], fills: readonly Fill[]): TradeLevelsById {
  const out: TradeLevelsById = new Map();
  if (trades.length === 0) return out;
  const rows = db
    .prepare('SELECT id, stop, take_profit FROM orders WHERE run_id = ? AND (stop IS NOT NULL OR take_profit IS NOT NULL)')
    .all(runId) as { id: string; stop: number | null; take_profit: number | null }[];
  if (rows.length === 0) return out;
  const byOrder = new Map(rows.map((r) => [r.id, r] as const));
  // The first fill of a strategy and symbol on the trade's side at its entry time opened it.
  const entryOrder = new Map<string, string>();
  for (const f of fills) {
    const k = `${f.strategyId}|${f.symbol}|${f.side}|${f.ts}`;
    if (!entryOrder.has(k)) entryOrder.set(k, f.orderId);
  }
  for (const t of trades) {
    const orderId = entryOrder.get(`${t.strategyId}|${t.symbol}|${t.direction === 'long' ? 'buy' : 'sell'}|${t.entryTs}`);
    const o = orderId !== undefined ? byOrder.get(orderId) : undefined;
    if (o === undefined) continue;
    out.set(t.id, { ...(o.stop !== null ? { stop: o.stop } : {}), ...(o.take_profit !== null ? { takeProfit: o.take_profit } : {}) });
  }
  return out;
}
