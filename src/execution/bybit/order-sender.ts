/**
 * Sends the daemon's orders and learns what became of them, so that no decision is ever placed
 * twice: one create request per attempt; an answer that never came (timeout, dropped socket, 5xx)
 * or a duplicate orderLinkId is followed by a lookup of the orderLinkId before anything else, and
 * only a proven absence is sent again, with the same id (Bybit refuses a repeat with 110072).
 */
import type { MarketType } from '../../domain/instrument.ts';
import type { BybitPrivateApi, ExchangeOrder, PlaceOrderRequest } from '../../venues/bybit/private-types.ts';
import type { TrackedOrder } from './exchange-book.ts';
import { eps } from './quantities.ts';
import type { TrackedOrders } from './tracked-orders.ts';

export interface ExecLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class OrderSender {
  constructor(
    private readonly d: { readonly api: BybitPrivateApi; readonly market: MarketType; readonly logger: ExecLogger; readonly now: () => number; readonly staleAfterMs: number },
    private readonly book: TrackedOrders,
  ) {}

  /** One order to the exchange; an unknown outcome is looked up by orderLinkId, and only a proven absence is sent again. */
  async place(o: TrackedOrder): Promise<void> {
    if (this.isStale(o)) return;
    o.state = 'sending';
    if (o.sentAt === 0) o.sentAt = this.d.now();
    for (let attempt = 0; attempt < 3; attempt++) {
      const out = await this.d.api.placeOrder(this.requestOf(o));
      if (out.kind === 'accepted') {
        o.state = 'open';
        o.exchangeOrderId = out.orderId;
        return;
      }
      if (out.kind === 'rejected') {
        this.rejected(o, `${out.code} ${out.message}`);
        return;
      }
      this.d.logger.warn({ orderLinkId: o.linkId, orderId: o.orderId, outcome: out.kind, ...(out.kind === 'unknown' ? { error: out.message } : {}) },
        `${o.orderId}: ${out.kind === 'duplicate' ? 'the exchange already has orderLinkId' : 'no answer to the order for'} ${o.linkId}; asking the exchange for it before anything else`);
      const found = await this.lookup(o);
      if (found === 'error') break;
      if (found === 'found') return;
      if (out.kind === 'duplicate') break; // it exists, yet cannot be listed now: settle() asks again
    }
    o.state = 'unknown';
  }

  /** An order whose outcome is unknown (a restart, a lost reply): found → adopted; absent → sent, unless stale. */
  async resolve(o: TrackedOrder): Promise<void> {
    const found = await this.lookup(o);
    if (found !== 'absent') return;
    // Proven absent: sending it cannot make a second one (a stale decision is dropped instead).
    o.state = 'queued';
    await this.place(o);
  }

  async lookup(o: TrackedOrder): Promise<'found' | 'absent' | 'error'> {
    try {
      const x = await this.d.api.findOrder(this.d.market, o.symbol, o.linkId);
      if (x === undefined) return 'absent';
      this.adopt(o, x);
      return 'found';
    } catch (e) {
      this.d.logger.warn({ orderLinkId: o.linkId, error: (e as Error).message }, `${o.orderId}: could not look up orderLinkId ${o.linkId}; asking again before the next step`);
      return 'error';
    }
  }

  /** What the exchange says of an order (a lookup, an order update on the stream). */
  adopt(o: TrackedOrder, x: ExchangeOrder): void {
    if (o.state !== 'done') o.state = 'open';
    if (x.orderId !== '') o.exchangeOrderId = x.orderId;
    if (x.cumExecQty > o.reportedQty) o.reportedQty = x.cumExecQty;
    const final = x.status === 'Filled' || x.status === 'Cancelled' || x.status === 'PartiallyFilledCanceled' || x.status === 'Rejected' || x.status === 'Deactivated';
    if (!final) return;
    o.exchangeFinal = true;
    if (x.cumExecQty <= eps(o.qty) && o.state !== 'done') {
      // Over without a fill: nothing to wait for.
      if (o.role === 'e') this.book.note(o, x.status === 'Rejected' ? 'rejected' : 'cancelled', `${o.orderId}: the exchange ended order ${o.linkId} ${x.status} without a fill`);
      this.book.finish(o);
      if (o.role !== 'e') this.book.protectiveGone(o);
    } else if (o.filledQty >= x.cumExecQty - eps(o.qty)) {
      // Over after a part, and every execution of it is booked already (the update came last).
      this.book.endShort(o);
    }
  }

  /**
   * A Signal's exit goes reduce-only only when Bybit's net position allows it in full
   * (TrackedOrders.reducesNet); otherwise Bybit, judging reduce-only against the net position that
   * other strategies or a position opened by hand also make up, would clamp or refuse an exit that
   * is right for its strategy, so it goes as a plain order of exactly the quantity the book sized.
   * Protective orders are always reduce-only: they may fire while the daemon is down, after their
   * position is gone, and must never open one.
   */
  private requestOf(o: TrackedOrder): PlaceOrderRequest {
    return {
      market: this.d.market, symbol: o.symbol, side: o.side === 'buy' ? 'Buy' : 'Sell', qty: o.qty, orderLinkId: o.linkId,
      reduceOnly: this.d.market === 'linear' && (o.role !== 'e' || (o.reduceOnly && this.book.reducesNet(o))), ...(o.trigger !== undefined ? { trigger: o.trigger } : {}),
    };
  }

  private rejected(o: TrackedOrder, why: string): void {
    this.book.finish(o);
    if (o.role === 'e') {
      this.book.note(o, 'rejected', `${o.orderId}: refused by the exchange (${why}); nothing was placed`);
      this.d.logger.warn({ orderId: o.orderId, orderLinkId: o.linkId, symbol: o.symbol, reason: why }, `${o.orderId}: ${o.side} ${o.qty} ${o.symbol} refused by the exchange: ${why}`);
      return;
    }
    this.d.logger.error({ orderId: o.orderId, orderLinkId: o.linkId, symbol: o.symbol, reason: why, trigger: o.trigger?.price },
      `${o.orderId}: protective ${o.role === 's' ? 'stop-loss' : 'take-profit'} at ${o.trigger?.price} for ${o.strategyId} ${o.symbol} refused by the exchange (${why})`);
    this.book.protectiveGone(o);
  }

  /** A Signal's order never sent whose decision candle is older than staleAfterMs: dropped with a note, not sent late. */
  private isStale(o: TrackedOrder): boolean {
    if (o.role !== 'e' || o.sentAt !== 0) return false;
    const age = this.d.now() - o.decidedTs;
    if (age <= this.d.staleAfterMs) return false;
    this.book.finish(o);
    this.book.note(o, 'cancelled', `${o.orderId}: decided on the candle of ${new Date(o.decidedTs).toISOString()} and not sent before the daemon stopped; not sent ${Math.round(age / 60_000)} min later`);
    this.d.logger.warn({ orderId: o.orderId, orderLinkId: o.linkId, ageMs: age }, `${o.orderId}: not sent: its decision is too old to act on (${Math.round(age / 60_000)} min)`);
    return true;
  }
}
