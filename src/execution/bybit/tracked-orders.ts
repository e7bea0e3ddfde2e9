/**
 * The Bybit adapter's book: every order the daemon placed or will place (by orderLinkId) and each
 * strategy's position as the adapter's own fills made it, with its protective levels; the notes
 * for orders that ended without a fill. The adapter, its order sender and its protective-order
 * sync all work on this one book.
 */
import { CtError } from '../../core/errors.ts';
import type { ExecutionNote } from '../../domain/execution-note.ts';
import type { Fill, OrderIntent } from '../../domain/order.ts';
import type { BookPosition, TrackedOrder } from './exchange-book.ts';
import { eps, residue } from './quantities.ts';

/** Finished orders kept in memory and state this long, so a late execution still finds its order. */
export const DONE_KEPT_MS = 24 * 3_600_000;

export class TrackedOrders {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly positions = new Map<string, BookPosition>();
  private readonly doneAt = new Map<string, number>();
  private readonly foreignQty = new Map<string, number>();
  private notes: ExecutionNote[] = [];

  constructor(private readonly now: () => number) {}

  get(linkId: string): TrackedOrder | undefined {
    return this.orders.get(linkId);
  }

  /** A copy of the list: callers may add or finish orders while they walk it. */
  all(): TrackedOrder[] {
    return [...this.orders.values()];
  }

  track(o: TrackedOrder): void {
    if (this.orders.has(o.linkId)) {
      throw new CtError('CT_ERR_INTERNAL', `bybit execution: order ${o.orderId} was submitted twice (orderLinkId ${o.linkId})`, { details: { orderId: o.orderId } });
    }
    this.orders.set(o.linkId, o);
  }

  finish(o: TrackedOrder): void {
    if (o.state === 'done') return;
    o.state = 'done';
    this.doneAt.set(o.linkId, this.now());
  }

  /**
   * The exchange ended the order after a part of it (a market order out of liquidity, a clamped
   * reduce-only one) and that part is booked: nothing more will fill, so it is no longer in flight.
   */
  endShort(o: TrackedOrder): void {
    if (o.state === 'done') return;
    this.finish(o);
    if (o.role === 'e') this.note(o, 'cancelled', `${o.orderId}: the exchange ended order ${o.linkId} after ${o.filledQty} of ${o.qty}; the rest was not filled`);
  }

  retireFinished(): void {
    const now = this.now();
    for (const [link, at] of this.doneAt) {
      if (now - at < DONE_KEPT_MS) continue;
      this.doneAt.delete(link);
      this.orders.delete(link);
    }
  }

  note(o: TrackedOrder, kind: ExecutionNote['kind'], message: string): void {
    this.notes.push({ ts: o.decidedTs, orderId: o.orderId, strategyId: o.strategyId, symbol: o.symbol, kind, requestedQty: o.qty, filledQty: o.filledQty, message });
  }

  drainNotes(): ExecutionNote[] {
    const n = this.notes;
    this.notes = [];
    return n;
  }

  position(strategyId: string, symbol: string): BookPosition | undefined {
    return this.positions.get(key(strategyId, symbol));
  }

  allPositions(): BookPosition[] {
    return [...this.positions.values()];
  }

  /** The position a fill of `o` changes, with the protective levels an entry carries (as the simulator does). */
  applyFill(o: TrackedOrder, fill: Fill): void {
    const k = key(o.strategyId, o.symbol);
    let p = this.positions.get(k);
    if (p === undefined) {
      p = { strategyId: o.strategyId, symbol: o.symbol, qty: 0, stop: NaN, takeProfit: NaN, gen: 0, slLink: '', tpLink: '', dirty: false };
      this.positions.set(k, p);
    }
    const sign = fill.side === 'buy' ? 1 : -1;
    const prev = p.qty;
    const next = residue(prev + sign * fill.qty, fill.qty);
    p.qty = next;
    if (next === 0) {
      p.stop = NaN;
      p.takeProfit = NaN;
    } else if (o.role === 'e' && (prev === 0 || Math.sign(prev) !== Math.sign(next))) {
      p.stop = o.stop;
      p.takeProfit = o.takeProfit;
    } else if (o.role === 'e' && Math.abs(next) > Math.abs(prev)) {
      if (!Number.isNaN(o.stop)) p.stop = o.stop;
      if (!Number.isNaN(o.takeProfit)) p.takeProfit = o.takeProfit;
    }
    p.dirty = true;
  }

  /** The book gives up `qty` of a strategy's position (reconciliation adopting the exchange's). */
  reduce(strategyId: string, symbol: string, qty: number): void {
    const p = this.positions.get(key(strategyId, symbol));
    if (p === undefined) return;
    p.qty = residue(p.qty - Math.sign(p.qty) * qty, qty);
    p.dirty = true;
    if (p.qty === 0) {
      p.stop = NaN;
      p.takeProfit = NaN;
    }
  }

  /** A protective order that is gone without a fill: the position's protection is placed again after the next commit. */
  protectiveGone(o: TrackedOrder): void {
    const p = this.positions.get(key(o.strategyId, o.symbol));
    if (p === undefined) return;
    if (p.slLink === o.linkId) p.slLink = '';
    if (p.tpLink === o.linkId) p.tpLink = '';
  }

  /** What the exchange holds on a symbol that the daemon did not open (reconciliation's finding). */
  setForeign(symbol: string, qty: number): void {
    this.foreignQty.set(symbol, qty);
  }

  /**
   * Whether Bybit's one net position on the symbol (every strategy's, plus what the daemon did not
   * open) is on the other side of this order and at least as large: then it may go reduce-only.
   */
  reducesNet(o: TrackedOrder): boolean {
    let net = this.foreignQty.get(o.symbol) ?? 0;
    for (const p of this.positions.values()) if (p.symbol === o.symbol) net += p.qty;
    const sign = o.side === 'buy' ? 1 : -1;
    return Math.sign(net) === -sign && Math.abs(net) >= o.qty - eps(o.qty);
  }

  /** Orders of Signals not finished yet, as the risk gate sees pending orders. */
  pendingOrders(): OrderIntent[] {
    const out: OrderIntent[] = [];
    for (const o of this.orders.values()) {
      if (o.role !== 'e' || o.state === 'done') continue;
      out.push({
        id: o.orderId, signalId: o.orderId.replace(/:o\d+$/, ''), strategyId: o.strategyId, symbol: o.symbol, side: o.side, qty: o.qty - o.filledQty, type: 'market',
        decidedTs: o.decidedTs, ...(Number.isNaN(o.stop) ? {} : { stop: o.stop }), ...(Number.isNaN(o.takeProfit) ? {} : { takeProfit: o.takeProfit }), reduceOnly: o.reduceOnly,
      });
    }
    return out;
  }

  /** Orders waiting to be sent, sent with no known outcome, and Signals' orders accepted but not filled. */
  inFlight(): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.state === 'queued' || o.state === 'sending' || o.state === 'unknown' || (o.role === 'e' && o.state === 'open')) n++;
    return n;
  }

  /** The protective orders that should rest on the exchange now, by orderLinkId. */
  protectiveOpen(): Map<string, TrackedOrder> {
    const out = new Map<string, TrackedOrder>();
    for (const o of this.orders.values()) if (o.role !== 'e' && (o.state === 'open' || o.state === 'unknown') && !o.exchangeFinal) out.set(o.linkId, o);
    return out;
  }

  /** What the saved state holds: orders not done, or done within DONE_KEPT_MS; every position. */
  savedOrders(): TrackedOrder[] {
    const now = this.now();
    return [...this.orders.values()].filter((o) => o.state !== 'done' || now - (this.doneAt.get(o.linkId) ?? now) < DONE_KEPT_MS).map((o) => ({ ...o }));
  }

  savedPositions(): BookPosition[] {
    return [...this.positions.values()].map((p) => ({ ...p }));
  }

  /** Continues from saved orders and positions; whatever was queued or being sent may exist on the exchange: `unknown`. */
  restore(orders: readonly TrackedOrder[], positions: readonly BookPosition[]): void {
    this.orders.clear();
    this.positions.clear();
    const now = this.now();
    for (const o of orders) {
      const state = o.state === 'queued' || o.state === 'sending' ? 'unknown' : o.state;
      this.orders.set(o.linkId, { ...o, state });
      if (state === 'done') this.doneAt.set(o.linkId, now);
    }
    for (const p of positions) this.positions.set(key(p.strategyId, p.symbol), { ...p });
  }
}

function key(strategyId: string, symbol: string): string {
  return `${strategyId}\u0000${symbol}`;
}
