/**
 * One (strategy, symbol) position and the round trip it is in: average-price accounting and the
 * facts a closed Trade reports (entry/exit averages, costs, excursions, bars). Pure bookkeeping on
 * mutable state; the Portfolio owns the cash and the account totals.
 *
 * Average-price rules (docs/risk.md "Portfolio"):
 *  - increase: avg = (|q| x avg + qty x price) / (|q| + qty);
 *  - reduce:   realized = (price - avg) x closedQty x sign(q); avg unchanged;
 *  - flip:     close |q| as above, then open the rest at the fill price (a new round trip).
 */
import { StateReader } from '../../core/state-json.ts';
import type { Trade } from '../../domain/trade.ts';

export interface PositionLedger {
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed quantity: > 0 long, < 0 short, exactly 0 flat. */
  qty: number;
  /** Average entry price of the open quantity (0 when flat). */
  avgPrice: number;
  // --- the open round trip (meaningless while flat) ---
  entryTs: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  maxAbsQty: number;
  grossPnl: number;
  fees: number;
  slippage: number;
  funding: number;
  /** |entry price - stop| of the fill that opened the trip; NaN = no stop. */
  riskPerUnit: number;
  lowSeen: number;
  highSeen: number;
  bars: number;
}

export function newLedger(strategyId: string, symbol: string): PositionLedger {
  return {
    strategyId, symbol, qty: 0, avgPrice: 0, entryTs: 0, entryQty: 0, entryNotional: 0, exitQty: 0, exitNotional: 0,
    maxAbsQty: 0, grossPnl: 0, fees: 0, slippage: 0, funding: 0, riskPerUnit: NaN, lowSeen: 0, highSeen: 0, bars: 0,
  };
}

/** The numeric fields of a ledger, in the order a saved state lists them. */
const LEDGER_NUMBERS = [
  'qty', 'avgPrice', 'entryTs', 'entryQty', 'entryNotional', 'exitQty', 'exitNotional', 'maxAbsQty', 'grossPnl', 'fees', 'slippage', 'funding',
  'riskPerUnit', 'lowSeen', 'highSeen', 'bars',
] as const satisfies ReadonlyArray<keyof PositionLedger>;

/** A ledger as plain data (a copy), open round trip included: a trip resumed later closes exactly. */
export function ledgerState(p: PositionLedger): PositionLedger {
  return { ...p };
}

/** The ledger a saved state describes; every field is checked. */
export function ledgerFromState(r: StateReader): PositionLedger {
  const p = newLedger(r.str('strategyId'), r.str('symbol'));
  for (const k of LEDGER_NUMBERS) p[k] = r.num(k);
  return p;
}

/** Float residue of a full close (mirrors the fill simulator, so both agree on "flat"). */
export function isResidue(next: number, prev: number, qty: number): boolean {
  return Math.abs(next) <= 1e-12 * Math.max(Math.abs(prev), qty);
}

/** Starts a round trip at the fill that opens it. */
export function openTrip(p: PositionLedger, ts: number, price: number, stop: number | undefined): void {
  p.entryTs = ts;
  p.entryQty = 0;
  p.entryNotional = 0;
  p.exitQty = 0;
  p.exitNotional = 0;
  p.maxAbsQty = 0;
  p.grossPnl = 0;
  p.fees = 0;
  p.slippage = 0;
  p.funding = 0;
  p.riskPerUnit = stop !== undefined && Number.isFinite(stop) && stop > 0 ? Math.abs(price - stop) : NaN;
  p.lowSeen = price;
  p.highSeen = price;
  p.bars = 0;
}

/** Widens the trip's excursion range with a price seen while open. */
export function seePrice(p: PositionLedger, low: number, high: number): void {
  if (low < p.lowSeen) p.lowSeen = low;
  if (high > p.highSeen) p.highSeen = high;
}

/** The closed round trip as a Trade (called when the position just went flat). */
export function tradeOf(p: PositionLedger, id: string, direction: 'long' | 'short', exitTs: number, exitReason: string): Trade {
  const entryPrice = p.entryQty > 0 ? p.entryNotional / p.entryQty : 0;
  const exitPrice = p.exitQty > 0 ? p.exitNotional / p.exitQty : 0;
  const netPnl = p.grossPnl - p.fees - p.funding;
  const risk = p.riskPerUnit * p.maxAbsQty;
  let mae = 0;
  let mfe = 0;
  if (entryPrice > 0) {
    if (direction === 'long') {
      mae = (p.lowSeen - entryPrice) / entryPrice;
      mfe = (p.highSeen - entryPrice) / entryPrice;
    } else {
      mae = (entryPrice - p.highSeen) / entryPrice;
      mfe = (entryPrice - p.lowSeen) / entryPrice;
    }
  }
  return {
    id, strategyId: p.strategyId, symbol: p.symbol, direction, entryTs: p.entryTs, exitTs, entryPrice, exitPrice,
    qty: p.maxAbsQty, grossPnl: p.grossPnl, fees: p.fees, slippage: p.slippage, funding: p.funding, netPnl,
    rMultiple: Number.isFinite(risk) && risk > 0 ? netPnl / risk : null,
    mae: Math.min(0, mae), mfe: Math.max(0, mfe), bars: p.bars, exitReason,
  };
}
