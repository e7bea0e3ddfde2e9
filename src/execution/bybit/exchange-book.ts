/**
 * What the Bybit execution adapter keeps about the orders it placed and the positions they made,
 * and the same as plain data for the account's next process (the account snapshot commits it with
 * every step, so a restart knows every order it may have sent and every execution it booked).
 *
 * An order moves queued -> sending -> open -> done. `queued` orders were decided in a step that is
 * committed before they are sent (write-ahead): a restart finds them `queued` or `sending` and asks
 * the exchange for their orderLinkId before anything else.
 */
import { StateReader } from '../../core/state-json.ts';
import type { Side } from '../../domain/order.ts';
import type { LinkRole } from './order-link-id.ts';

export type TrackedState = 'queued' | 'sending' | 'unknown' | 'open' | 'done';

export interface TrackedOrder {
  readonly linkId: string;
  readonly role: LinkRole;
  /** Our order id: the OrderIntent id for entries/exits, `<strategy>:<symbol>:p<n>:sl|tp` for protective ones. */
  readonly orderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly reduceOnly: boolean;
  /** Candle the decision was made on (entries/exits); the step that placed it (protective). */
  readonly decidedTs: number;
  /** Price slippage is measured against: the decision candle's close, or the trigger price. */
  readonly refPrice: number;
  /** Conditional orders only. */
  readonly trigger: { readonly price: number; readonly direction: 1 | 2 } | undefined;
  /** Protective levels an entry carries (NaN = none). */
  readonly stop: number;
  readonly takeProfit: number;
  state: TrackedState;
  exchangeOrderId: string;
  /** Quantity booked from executions. */
  filledQty: number;
  /** cumExecQty the exchange last reported (order stream / lookup): above filledQty = executions still to fetch. */
  reportedQty: number;
  /** The exchange says the order is over (filled, cancelled, rejected, deactivated). */
  exchangeFinal: boolean;
  /** Local wall time of the first send (0 = never sent). */
  sentAt: number;
}

/** A strategy's position on one symbol as the adapter's own fills made it, with its protection. */
export interface BookPosition {
  readonly strategyId: string;
  readonly symbol: string;
  qty: number;
  /** Protective levels wanted on the exchange (NaN = none). */
  stop: number;
  takeProfit: number;
  /** Placement generation of the protective orders: their orderLinkIds derive from it. */
  gen: number;
  /** orderLinkIds of the protective orders of generation `gen` ('' = none placed). */
  slLink: string;
  tpLink: string;
  /** The exchange's protective orders no longer match qty/levels: re-placed after the next commit. */
  dirty: boolean;
}

export interface ExchangeBookState {
  readonly v: 1;
  readonly epoch: string;
  readonly orders: readonly TrackedOrder[];
  readonly positions: readonly BookPosition[];
  /** Execution ids booked by the loop most recently (a bounded tail; the fills table has them all). */
  readonly handed: readonly string[];
  /** Exchange executions up to this time were read over REST (the next poll starts a margin before it). */
  readonly restCursor: number;
}

const STATES: readonly TrackedState[] = ['queued', 'sending', 'unknown', 'open', 'done'];

export function readExchangeBook(state: unknown): ExchangeBookState {
  const r = new StateReader(state, 'execution').version(1);
  const orders = r.list('orders').map((o): TrackedOrder => {
    const role = o.str('role');
    if (role !== 'e' && role !== 's' && role !== 't') throw StateReader.bad(`${o.path}.role`, 'e, s or t', role);
    const side = o.str('side');
    if (side !== 'buy' && side !== 'sell') throw StateReader.bad(`${o.path}.side`, 'buy or sell', side);
    const st = o.str('state') as TrackedState;
    if (!STATES.includes(st)) throw StateReader.bad(`${o.path}.state`, STATES.join(', '), st);
    const trig = o.raw('trigger');
    let trigger: TrackedOrder['trigger'];
    if (trig !== undefined && trig !== null) {
      const t = o.obj('trigger');
      const direction = t.int('direction');
      if (direction !== 1 && direction !== 2) throw StateReader.bad(`${t.path}.direction`, '1 or 2', direction);
      trigger = { price: t.finite('price'), direction };
    }
    return {
      linkId: o.str('linkId'), role, orderId: o.str('orderId'), strategyId: o.str('strategyId'), symbol: o.str('symbol'), side,
      qty: o.finite('qty'), reduceOnly: o.bool('reduceOnly'), decidedTs: o.int('decidedTs'), refPrice: o.num('refPrice'), trigger,
      stop: o.num('stop'), takeProfit: o.num('takeProfit'), state: st, exchangeOrderId: o.str('exchangeOrderId'),
      filledQty: o.finite('filledQty'), reportedQty: o.finite('reportedQty'), exchangeFinal: o.bool('exchangeFinal'), sentAt: o.num('sentAt'),
    };
  });
  const positions = r.list('positions').map((p): BookPosition => ({
    strategyId: p.str('strategyId'), symbol: p.str('symbol'), qty: p.finite('qty'), stop: p.num('stop'), takeProfit: p.num('takeProfit'),
    gen: p.int('gen'), slLink: p.str('slLink'), tpLink: p.str('tpLink'), dirty: p.bool('dirty'),
  }));
  const handed = r.array('handed').map((x, i) => {
    if (typeof x !== 'string') throw StateReader.bad(`${r.path}.handed[${i}]`, 'an execution id', x);
    return x;
  });
  return { v: 1, epoch: r.str('epoch'), orders, positions, handed, restCursor: r.num('restCursor') };
}
