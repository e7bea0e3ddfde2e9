/**
 * What the fill simulator holds per symbol, and the same as plain data for an account that
 * continues in another process (a resumed forward run): pending market orders (in submission
 * order, with the slippage decided for them), each strategy's position as the simulator tracks it
 * with its protective stop / take-profit and the order they belong to (protective order ids derive
 * from it, so no id repeats), the slippage ATR, the last candle time and the funding counters.
 */
import { StateReader } from '../core/state-json.ts';
import type { OrderIntent, Side } from '../domain/order.ts';
import { AtrStream, type AtrStreamState } from '../indicators/atr.ts';
import type { FundingSchedule } from './funding-schedule.ts';

export interface PositionState {
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed quantity: > 0 long, < 0 short. */
  qty: number;
  /** Protective levels; NaN = none. */
  stop: number;
  takeProfit: number;
  /** Order whose stop/TP is active: protective order ids derive from it. */
  protectOrderId: string;
}

export interface PendingOrder {
  readonly order: OrderIntent;
  readonly seq: number;
  readonly decisionTs: number;
  readonly slipBps: number;
}

export interface SymbolState {
  readonly symbol: string;
  pending: PendingOrder[];
  readonly positions: Map<string, PositionState>;
  readonly atr: AtrStream;
  lastTs: number;
  /** Built at the first candle that needs it (stored history is looked up again then). */
  funding: FundingSchedule | undefined;
  warned: boolean;
  historyEvents: number;
  fallbackEvents: number;
}

export interface SymbolSnapshot {
  readonly symbol: string;
  readonly pending: readonly PendingOrder[];
  readonly positions: readonly PositionState[];
  readonly atr: AtrStreamState;
  readonly lastTs: number;
  readonly warned: boolean;
  readonly historyEvents: number;
  readonly fallbackEvents: number;
}

export interface SimulatedExecutionState {
  readonly v: 1;
  /** Submission counter: pending orders fill in this order. */
  readonly seq: number;
  readonly symbols: readonly SymbolSnapshot[];
}

export function newSymbolState(symbol: string, atrPeriod: number): SymbolState {
  return {
    symbol, pending: [], positions: new Map(), atr: new AtrStream(atrPeriod), lastTs: -Infinity,
    funding: undefined, warned: false, historyEvents: 0, fallbackEvents: 0,
  };
}

export function symbolSnapshot(st: SymbolState): SymbolSnapshot {
  return {
    symbol: st.symbol, pending: st.pending.map((p) => ({ ...p, order: { ...p.order } })), positions: [...st.positions.values()].map((p) => ({ ...p })),
    atr: st.atr.state(), lastTs: st.lastTs, warned: st.warned, historyEvents: st.historyEvents, fallbackEvents: st.fallbackEvents,
  };
}

const SIDES: ReadonlySet<string> = new Set<Side>(['buy', 'sell']);

function orderOf(r: StateReader): OrderIntent {
  const side = r.str('side');
  if (!SIDES.has(side)) throw StateReader.bad(`${r.path}.side`, 'buy or sell', side);
  const type = r.str('type');
  if (type !== 'market') throw StateReader.bad(`${r.path}.type`, 'market', type);
  const stop = r.raw('stop') === undefined ? undefined : r.finite('stop');
  const takeProfit = r.raw('takeProfit') === undefined ? undefined : r.finite('takeProfit');
  return {
    id: r.str('id'), signalId: r.str('signalId'), strategyId: r.str('strategyId'), symbol: r.str('symbol'), side: side as Side, qty: r.finite('qty'), type,
    decidedTs: r.finite('decidedTs'), reduceOnly: r.bool('reduceOnly'), ...(stop !== undefined ? { stop } : {}), ...(takeProfit !== undefined ? { takeProfit } : {}),
  };
}

/** The symbol state a snapshot describes (every field checked; CT_ERR_ACCOUNT_STATE naming it otherwise). */
export function symbolStateOf(r: StateReader, atrPeriod: number): SymbolState {
  const st = newSymbolState(r.str('symbol'), atrPeriod);
  st.pending = r.list('pending').map((p) => ({ order: orderOf(p.obj('order')), seq: p.int('seq'), decisionTs: p.finite('decisionTs'), slipBps: p.finite('slipBps') }));
  for (const p of r.list('positions')) {
    const pos: PositionState = { strategyId: p.str('strategyId'), symbol: st.symbol, qty: p.finite('qty'), stop: p.num('stop'), takeProfit: p.num('takeProfit'), protectOrderId: p.str('protectOrderId') };
    if (p.str('symbol') !== st.symbol) throw StateReader.bad(`${p.path}.symbol`, st.symbol, p.raw('symbol'));
    st.positions.set(pos.strategyId, pos);
  }
  const atr = r.obj('atr');
  st.atr.setState({ n: atr.int('n'), count: atr.int('count'), prevClose: atr.num('prevClose'), sum: atr.num('sum'), last: atr.num('last') });
  st.lastTs = r.num('lastTs');
  st.warned = r.bool('warned');
  st.historyEvents = r.int('historyEvents');
  st.fallbackEvents = r.int('fallbackEvents');
  return st;
}
