/**
 * The Bybit execution adapter: the same ExecutionAdapter as the fill simulator, with orders going
 * to Bybit (the demo account, testnet or the real one) through the private-API port.
 *
 * The candle loop stays synchronous and never waits on the network inside a step:
 *  - `submit` only queues the order. It is sent by `sendQueued()`, which the mode calls after the
 *    step that decided it was committed (write-ahead: the account state that commits with the step
 *    holds the order as `queued`, so a restart knows it may exist and asks before sending again);
 *  - executions arrive from the private stream (or REST when it is down) into a buffer, and the
 *    next `onCandle` of their symbol hands them to the loop: fills, then the mark, then decisions,
 *    as in paper trading and backtests;
 *  - protective stop-loss and take-profit are exchange-side conditional market orders, one pair
 *    per strategy and symbol sized to that strategy's position (docs/execution.md says why), placed
 *    and replaced by `sendQueued()` after the fill that changed the position was committed.
 *
 * Every order carries an orderLinkId derived from what it is (order-link-id.ts): a retried,
 * timed-out or restarted submit asks the exchange for that id before anything else and can never
 * place a second order.
 */
import { CtError } from '../../core/errors.ts';
import type { Candle } from '../../domain/candle.ts';
import type { ExecutionNote } from '../../domain/execution-note.ts';
import type { FundingEvent } from '../../domain/funding.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { Fill, OrderIntent, Side } from '../../domain/order.ts';
import type { BybitPrivateApi, ExchangeExecution, ExchangeOrder, InstrumentRules, PlaceOrderRequest } from '../../venues/bybit/private-types.ts';
import type { ExecutionAdapter } from '../execution-adapter.ts';
import { readExchangeBook, type BookPosition, type ExchangeBookState, type TrackedOrder } from './exchange-book.ts';
import { fillOfExecution } from './exchange-fill.ts';
import { orderLinkIdOf, type LinkRole } from './order-link-id.ts';

export interface ExecLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface BybitExecutionDeps {
  readonly api: BybitPrivateApi;
  readonly market: MarketType;
  /** Per unified symbol, the exchange's own lot size, tick and minimums. */
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  /** The account's first run id: part of every orderLinkId (order-link-id.ts). */
  readonly epoch: string;
  readonly logger: ExecLogger;
  /** Wall clock (ms). */
  readonly now: () => number;
  /** A queued order not placed within this long after its decision candle closed is dropped, not sent late. */
  readonly staleAfterMs: number;
}

/** REST polls start this long before the last one did: executions are not always listed at once. */
const POLL_MARGIN_MS = 60_000;
/** An accepted market order with no execution after this long is looked up (the stream may have lost its updates). */
const ASK_AFTER_MS = 15_000;
/** Execution ids kept in the saved state (the fills table has every one). */
const HANDED_KEPT = 2000;
/** Finished orders kept in memory and state this long, so a late execution still finds its order. */
const DONE_KEPT_MS = 24 * 3_600_000;

const EMPTY_FILLS: Fill[] = Object.freeze([]) as unknown as Fill[];
const EMPTY_FUNDING: FundingEvent[] = Object.freeze([]) as unknown as FundingEvent[];
const EMPTY_RESULT = Object.freeze({ fills: EMPTY_FILLS, funding: EMPTY_FUNDING });

export class BybitExecution implements ExecutionAdapter {
  private readonly d: BybitExecutionDeps;
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly positions = new Map<string, BookPosition>();
  private readonly buffered = new Map<string, Fill[]>();
  private readonly bufferedFunding = new Map<string, FundingEvent[]>();
  /** Every execution id ingested by this process or booked before (never booked twice). */
  private readonly seen = new Set<string>();
  private handed: string[] = [];
  private restCursor = 0;
  private notes: ExecutionNote[] = [];
  /** Executions on the account that are not the daemon's (reported by reconciliation). */
  private foreignExecs: ExchangeExecution[] = [];
  private doneAt = new Map<string, number>();
  private readonly fundingIds = new WeakMap<FundingEvent, string>();
  private readonly foreignQty = new Map<string, number>();

  constructor(deps: BybitExecutionDeps) {
    this.d = deps;
    // A new account has no execution before it exists (a restored one continues its own cursor).
    this.restCursor = deps.now();
  }

  // --- the ExecutionAdapter -------------------------------------------------------------------

  submit(order: OrderIntent, decision: { candle: Candle; atr?: number }): Fill[] {
    const rules = this.rulesOf(order.symbol);
    const qty = floorToStep(order.qty, rules.qtyStep);
    if (!(qty > 0)) {
      throw new CtError('CT_ERR_INTERNAL', `bybit execution: order ${order.id} (${order.symbol}) has qty ${order.qty}, ${qty} on the lot step ${rules.qtyStep}; the risk gate sizes with the exchange's rules`, {
        details: { orderId: order.id, qty: order.qty, qtyStep: rules.qtyStep },
      });
    }
    this.track({
      linkId: orderLinkIdOf(this.d.epoch, 'e', order.id), role: 'e', orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, side: order.side, qty,
      reduceOnly: order.reduceOnly, decidedTs: decision.candle.ts, refPrice: decision.candle.close, trigger: undefined,
      stop: order.stop ?? NaN, takeProfit: order.takeProfit ?? NaN,
      state: 'queued', exchangeOrderId: '', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 0,
    });
    return EMPTY_FILLS;
  }

  onCandle(symbol: string, _candle: Candle): { fills: Fill[]; funding: FundingEvent[] } {
    const fills = this.buffered.get(symbol);
    const funding = this.bufferedFunding.get(symbol);
    if ((fills === undefined || fills.length === 0) && funding === undefined) return EMPTY_RESULT;
    this.buffered.delete(symbol);
    this.bufferedFunding.delete(symbol);
    if (fills !== undefined) this.hand(fills);
    if (funding !== undefined) for (const f of funding) this.handed.push(this.fundingIds.get(f) ?? '');
    return { fills: fills ?? EMPTY_FILLS, funding: funding ?? EMPTY_FUNDING };
  }

  /**
   * Every fill ingested and not yet handed to the loop, all symbols (the start's reconciliation
   * books them before the first decision); funding stays for the loop.
   */
  takeBuffered(): Fill[] {
    const all: Fill[] = [];
    for (const l of this.buffered.values()) all.push(...l);
    this.buffered.clear();
    this.hand(all);
    return all;
  }

  private hand(fills: Fill[]): void {
    fills.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
    for (const f of fills) this.handed.push(f.id);
    if (this.handed.length > HANDED_KEPT * 2) this.handed = this.handed.slice(-HANDED_KEPT);
  }

  cancelAll(strategyId: string, symbol: string): string[] {
    const ids: string[] = [];
    for (const o of this.orders.values()) {
      if (o.role !== 'e' || o.strategyId !== strategyId || o.symbol !== symbol || o.state !== 'queued') continue;
      this.finish(o);
      ids.push(o.orderId);
      this.note(o, 'cancelled', `${o.orderId}: cancelled before it was sent`);
    }
    const p = this.positions.get(key(strategyId, symbol));
    if (p !== undefined && (!Number.isNaN(p.stop) || !Number.isNaN(p.takeProfit))) {
      if (p.slLink !== '') ids.push(`${strategyId}:${symbol}:p${p.gen}:sl`);
      if (p.tpLink !== '') ids.push(`${strategyId}:${symbol}:p${p.gen}:tp`);
      p.stop = NaN;
      p.takeProfit = NaN;
      p.dirty = true;
    }
    return ids;
  }

  /** Queues a reduce-only market exit of every position (sent after the commit like any order); fills come later. */
  closeAll(last: ReadonlyMap<string, Candle>): Fill[] {
    for (const p of this.positions.values()) {
      if (p.qty === 0) continue;
      const c = last.get(p.symbol);
      const side: Side = p.qty > 0 ? 'sell' : 'buy';
      const orderId = `end_of_run:${p.strategyId}:${p.symbol}:${c?.ts ?? 0}`;
      this.track({
        linkId: orderLinkIdOf(this.d.epoch, 'e', orderId), role: 'e', orderId, strategyId: p.strategyId, symbol: p.symbol, side, qty: Math.abs(p.qty),
        reduceOnly: true, decidedTs: c?.ts ?? 0, refPrice: c?.close ?? NaN, trigger: undefined, stop: NaN, takeProfit: NaN,
        state: 'queued', exchangeOrderId: '', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 0,
      });
      p.stop = NaN;
      p.takeProfit = NaN;
      p.dirty = true;
    }
    return EMPTY_FILLS;
  }

  pendingOrders(): readonly OrderIntent[] {
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

  drainNotes(): ExecutionNote[] {
    const n = this.notes;
    this.notes = [];
    return n;
  }

  snapshot(): ExchangeBookState {
    const now = this.d.now();
    const orders = [...this.orders.values()].filter((o) => o.state !== 'done' || now - (this.doneAt.get(o.linkId) ?? now) < DONE_KEPT_MS).map((o) => ({ ...o }));
    // Executions still in the buffer were not booked by this step: the next process fetches them again.
    return { v: 1, epoch: this.d.epoch, orders, positions: [...this.positions.values()].map((p) => ({ ...p })), handed: this.handed.slice(-HANDED_KEPT), restCursor: this.restCursor };
  }

  restore(state: unknown): void {
    const st = readExchangeBook(state);
    if (st.epoch !== this.d.epoch) {
      throw new CtError('CT_ERR_ACCOUNT_STATE', `execution.epoch: the saved orders belong to account epoch ${st.epoch}, not ${this.d.epoch}`, { details: { saved: st.epoch, expected: this.d.epoch } });
    }
    this.orders.clear();
    this.positions.clear();
    const now = this.d.now();
    for (const o of st.orders) {
      // Whatever was queued or being sent when the last process stopped may exist on the exchange.
      const state = o.state === 'queued' || o.state === 'sending' ? 'unknown' : o.state;
      this.orders.set(o.linkId, { ...o, state });
      if (state === 'done') this.doneAt.set(o.linkId, now);
    }
    for (const p of st.positions) this.positions.set(key(p.strategyId, p.symbol), { ...p });
    this.handed = [...st.handed];
    for (const id of st.handed) this.seen.add(id);
    this.restCursor = st.restCursor;
  }

  // --- what the mode drives between steps ---------------------------------------------------

  /** Execution ids the account's fills table already holds (a restart's belt to the saved tail's braces). */
  markBooked(execIds: Iterable<string>): void {
    for (const id of execIds) this.seen.add(id);
  }

  /**
   * Sends what the committed steps decided: queued orders, then the protective orders of every
   * position whose size or levels changed. Call after the step's commit. Never throws for an
   * exchange answer: refusals become notes, unknown outcomes are resolved by the next `settle`.
   */
  async sendQueued(): Promise<void> {
    for (const o of [...this.orders.values()]) if (o.state === 'queued') await this.place(o);
    await this.syncProtection();
  }

  /**
   * Before a step: resolves orders whose outcome is unknown (by orderLinkId), and reads executions
   * over REST when the stream may have missed some (it is down, an order has less booked than the
   * exchange reported, or a market order sent has no execution yet), so the step books them.
   */
  async settle(opts: { streamUp: boolean; force?: boolean }): Promise<void> {
    const now = this.d.now();
    for (const o of [...this.orders.values()]) {
      if (o.state === 'unknown') await this.resolve(o);
      // A market order accepted a while ago with nothing booked and no word from the stream: ask.
      else if (o.role === 'e' && o.state === 'open' && !o.exchangeFinal && o.filledQty < o.qty - eps(o.qty) && o.sentAt > 0 && now - o.sentAt > ASK_AFTER_MS) await this.lookup(o);
    }
    const missing = [...this.orders.values()].some((o) => o.reportedQty > o.filledQty + eps(o.qty) || (o.role === 'e' && o.state === 'open' && !o.exchangeFinal && o.filledQty < o.qty - eps(o.qty)));
    if (opts.force === true || !opts.streamUp || missing) await this.poll();
    this.retireFinished();
  }

  /** Reads every execution since the REST cursor (less a margin) and ingests the new ones. */
  async poll(): Promise<void> {
    const startedAt = this.d.now();
    const execs = await this.d.api.executions(this.d.market, Math.max(0, this.restCursor - POLL_MARGIN_MS));
    this.ingest(execs);
    this.restCursor = startedAt;
  }

  /** Executions from the stream or REST: each booked once (by execution id), foreign ones kept for the report. */
  ingest(execs: readonly ExchangeExecution[]): number {
    let n = 0;
    for (const x of execs) {
      if (this.seen.has(x.execId)) continue;
      if (x.execType === 'Funding') {
        this.seen.add(x.execId);
        this.ingestFunding(x);
        continue;
      }
      if (x.execType !== 'Trade') {
        // Other settlements (delivery, ADL, bust) change positions or cash: reconciliation adopts them.
        this.seen.add(x.execId);
        this.foreignExecs.push(x);
        continue;
      }
      const o = this.orders.get(x.orderLinkId);
      if (o === undefined) {
        this.seen.add(x.execId);
        this.foreignExecs.push(x);
        continue;
      }
      this.seen.add(x.execId);
      const { fill, feeProblem } = fillOfExecution(x, o, this.rulesOf(o.symbol));
      if (feeProblem !== undefined) {
        this.d.logger.warn({ code: 'CT_ERR_EXCHANGE_REPLY_INVALID', execId: x.execId, feeCurrency: feeProblem.currency }, `execution ${x.execId} paid its fee in ${feeProblem.currency}, which the account cannot price; booked with fee 0`);
      }
      o.filledQty += x.qty;
      if (o.reportedQty < o.filledQty) o.reportedQty = o.filledQty;
      if (o.filledQty >= o.qty - eps(o.qty)) this.finish(o);
      else if (o.exchangeFinal && o.filledQty >= o.reportedQty - eps(o.qty)) this.endShort(o);
      this.applyToPosition(o, fill);
      let list = this.buffered.get(o.symbol);
      if (list === undefined) this.buffered.set(o.symbol, (list = []));
      list.push(fill);
      n++;
    }
    return n;
  }

  /**
   * A linear funding settlement: Bybit charges the account's net position on the symbol (execFee >
   * 0 = paid); each strategy pays its share of the book's position on it.
   */
  private ingestFunding(x: ExchangeExecution): void {
    const held = [...this.positions.values()].filter((p) => p.symbol === x.symbol && p.qty !== 0);
    const net = held.reduce((a, p) => a + p.qty, 0);
    if (held.length === 0 || net === 0) {
      this.foreignExecs.push(x);
      return;
    }
    const payments = held.map((p) => ({ strategyId: p.strategyId, qty: p.qty, amount: (x.fee * p.qty) / net }));
    const rate = x.value !== 0 ? x.fee / (x.value * Math.sign(net)) : 0;
    const ev: FundingEvent = { ts: x.execTime, symbol: x.symbol, rate, markPrice: x.price, source: 'exchange', payments };
    let list = this.bufferedFunding.get(x.symbol);
    if (list === undefined) this.bufferedFunding.set(x.symbol, (list = []));
    list.push(ev);
    this.fundingIds.set(ev, x.execId);
  }

  /** An order update from the stream: what the exchange reports it executed, and whether it is over. */
  onOrderUpdate(u: ExchangeOrder): void {
    const o = this.orders.get(u.orderLinkId);
    if (o === undefined) return;
    this.adopt(o, u);
  }

  /** Executions seen on the account that the daemon did not place, since the last call. */
  drainForeignExecutions(): ExchangeExecution[] {
    const f = this.foreignExecs;
    this.foreignExecs = [];
    return f;
  }

  /** The adapter's own view of every position (strategy, symbol, signed qty) with fills not yet handed included. */
  bookPositions(): ReadonlyArray<Readonly<BookPosition>> {
    return [...this.positions.values()];
  }

  /** orderLinkIds of the daemon's orders that should be open on the exchange now. */
  expectedOpen(): ReadonlyMap<string, Readonly<TrackedOrder>> {
    const out = new Map<string, TrackedOrder>();
    for (const o of this.orders.values()) if (o.state === 'open' && !o.exchangeFinal) out.set(o.linkId, o);
    return out;
  }

  /** The daemon's protective orders that should rest on the exchange now, by orderLinkId. */
  protectiveOpen(): ReadonlyMap<string, Readonly<TrackedOrder>> {
    const out = new Map<string, TrackedOrder>();
    for (const o of this.orders.values()) if (o.role !== 'e' && (o.state === 'open' || o.state === 'unknown') && !o.exchangeFinal) out.set(o.linkId, o);
    return out;
  }

  /** A protective order the exchange does not hold (and did not execute): placed again after the next commit. */
  protectionMissing(linkId: string): void {
    const o = this.orders.get(linkId);
    if (o === undefined || o.role === 'e') return;
    this.finish(o);
    this.protectiveGone(o);
    const p = this.positions.get(key(o.strategyId, o.symbol));
    if (p !== undefined) p.dirty = true;
  }

  /** The daemon's order with this orderLinkId (any state), if it knows one. */
  orderOf(linkId: string): Readonly<TrackedOrder> | undefined {
    return this.orders.get(linkId);
  }

  /** Orders sent whose outcome is not known yet, and orders waiting to be sent. */
  inFlight(): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.state === 'queued' || o.state === 'sending' || o.state === 'unknown' || (o.role === 'e' && o.state === 'open')) n++;
    return n;
  }

  /** Fills ingested and not yet handed to the loop. */
  bufferedFills(): number {
    let n = 0;
    for (const l of this.buffered.values()) n += l.length;
    return n;
  }

  /**
   * Adopts the exchange's position where the book holds more (closed by hand, liquidated, an
   * execution the exchange no longer lists): one `reconciliation` fill per strategy at `price`,
   * fee 0, handed to the loop with the next candle. Returns the fills made.
   */
  adoptReduction(symbol: string, strategyId: string, qty: number, price: number, ts: number, seq: number): Fill {
    const p = this.positions.get(key(strategyId, symbol));
    const held = p?.qty ?? 0;
    const side: Side = held > 0 ? 'sell' : 'buy';
    const fill: Fill = { id: `reconcile:${strategyId}:${symbol}:${ts}:${seq}`, orderId: `reconcile:${strategyId}:${symbol}:${ts}`, strategyId, symbol, side, qty, price, fee: 0, slippageCost: 0, ts, reason: 'reconciliation' };
    if (p !== undefined) {
      p.qty = residue(held - Math.sign(held) * qty, qty);
      p.dirty = true;
      if (p.qty === 0) {
        p.stop = NaN;
        p.takeProfit = NaN;
      }
    }
    let list = this.buffered.get(symbol);
    if (list === undefined) this.buffered.set(symbol, (list = []));
    list.push(fill);
    return fill;
  }

  // --- internals ------------------------------------------------------------------------------

  private track(o: TrackedOrder): void {
    if (this.orders.has(o.linkId)) {
      throw new CtError('CT_ERR_INTERNAL', `bybit execution: order ${o.orderId} was submitted twice (orderLinkId ${o.linkId})`, { details: { orderId: o.orderId } });
    }
    this.orders.set(o.linkId, o);
  }

  private finish(o: TrackedOrder): void {
    if (o.state === 'done') return;
    o.state = 'done';
    this.doneAt.set(o.linkId, this.d.now());
  }

  private retireFinished(): void {
    const now = this.d.now();
    for (const [link, at] of this.doneAt) {
      if (now - at < DONE_KEPT_MS) continue;
      this.doneAt.delete(link);
      this.orders.delete(link);
    }
  }

  private requestOf(o: TrackedOrder): PlaceOrderRequest {
    return {
      market: this.d.market, symbol: o.symbol, side: o.side === 'buy' ? 'Buy' : 'Sell', qty: o.qty, orderLinkId: o.linkId,
      reduceOnly: this.d.market === 'linear' && (o.role !== 'e' || (o.reduceOnly && this.reducesNet(o))), ...(o.trigger !== undefined ? { trigger: o.trigger } : {}),
    };
  }

  /**
   * Whether Bybit's one net position on the symbol (every strategy's, plus what the daemon did not
   * open) is on the other side of this exit and at least as large: only then is it sent
   * reduce-only. Otherwise Bybit, judging reduce-only against that net position, would clamp or
   * refuse an exit that is right for its strategy, so it goes as a plain order of exactly the
   * quantity the book sized. Protective orders are always reduce-only: they may fire while the
   * daemon is down, after their position is gone, and must never open one.
   */
  private reducesNet(o: TrackedOrder): boolean {
    let net = this.foreignQty.get(o.symbol) ?? 0;
    for (const p of this.positions.values()) if (p.symbol === o.symbol) net += p.qty;
    const sign = o.side === 'buy' ? 1 : -1;
    return Math.sign(net) === -sign && Math.abs(net) >= o.qty - eps(o.qty);
  }

  /** What the exchange holds on a symbol that the daemon did not open (reconciliation's finding). */
  setForeign(symbol: string, qty: number): void {
    this.foreignQty.set(symbol, qty);
  }

  /** One order to the exchange; an unknown outcome is looked up by orderLinkId, and only a proven absence is sent again. */
  private async place(o: TrackedOrder): Promise<void> {
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
  private async resolve(o: TrackedOrder): Promise<void> {
    const found = await this.lookup(o);
    if (found !== 'absent') return;
    // Proven absent: sending it cannot make a second one (a stale decision is dropped instead).
    o.state = 'queued';
    await this.place(o);
  }

  private async lookup(o: TrackedOrder): Promise<'found' | 'absent' | 'error'> {
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

  private adopt(o: TrackedOrder, x: ExchangeOrder): void {
    if (o.state !== 'done') o.state = 'open';
    if (x.orderId !== '') o.exchangeOrderId = x.orderId;
    if (x.cumExecQty > o.reportedQty) o.reportedQty = x.cumExecQty;
    const final = x.status === 'Filled' || x.status === 'Cancelled' || x.status === 'PartiallyFilledCanceled' || x.status === 'Rejected' || x.status === 'Deactivated';
    if (!final) return;
    o.exchangeFinal = true;
    if (x.cumExecQty <= eps(o.qty) && o.state !== 'done') {
      // Over without a fill: nothing to wait for.
      if (o.role === 'e') this.note(o, x.status === 'Rejected' ? 'rejected' : 'cancelled', `${o.orderId}: the exchange ended order ${o.linkId} ${x.status} without a fill`);
      this.finish(o);
      if (o.role !== 'e') this.protectiveGone(o);
    } else if (o.filledQty >= x.cumExecQty - eps(o.qty)) {
      // Over after a part, and every execution of it is booked already (the update came last).
      this.endShort(o);
    }
  }

  /**
   * The exchange ended the order after a part of it (a market order out of liquidity, a clamped
   * reduce-only one) and that part is booked: nothing more will fill, so it is no longer in flight.
   */
  private endShort(o: TrackedOrder): void {
    if (o.state === 'done') return;
    this.finish(o);
    if (o.role === 'e') this.note(o, 'cancelled', `${o.orderId}: the exchange ended order ${o.linkId} after ${o.filledQty} of ${o.qty}; the rest was not filled`);
  }

  private rejected(o: TrackedOrder, why: string): void {
    this.finish(o);
    if (o.role === 'e') {
      this.note(o, 'rejected', `${o.orderId}: refused by the exchange (${why}); nothing was placed`);
      this.d.logger.warn({ orderId: o.orderId, orderLinkId: o.linkId, symbol: o.symbol, reason: why }, `${o.orderId}: ${o.side} ${o.qty} ${o.symbol} refused by the exchange: ${why}`);
      return;
    }
    this.d.logger.error({ orderId: o.orderId, orderLinkId: o.linkId, symbol: o.symbol, reason: why, trigger: o.trigger?.price },
      `${o.orderId}: protective ${o.role === 's' ? 'stop-loss' : 'take-profit'} at ${o.trigger?.price} for ${o.strategyId} ${o.symbol} refused by the exchange (${why})`);
    this.protectiveGone(o);
  }

  /** A protective order that is gone without a fill: the position's protection is placed again after the next commit. */
  private protectiveGone(o: TrackedOrder): void {
    const p = this.positions.get(key(o.strategyId, o.symbol));
    if (p === undefined) return;
    if (p.slLink === o.linkId) p.slLink = '';
    if (p.tpLink === o.linkId) p.tpLink = '';
  }

  private isStale(o: TrackedOrder): boolean {
    if (o.role !== 'e' || o.sentAt !== 0) return false;
    const age = this.d.now() - o.decidedTs;
    if (age <= this.d.staleAfterMs) return false;
    this.finish(o);
    this.note(o, 'cancelled', `${o.orderId}: decided on the candle of ${new Date(o.decidedTs).toISOString()} and not sent before the daemon stopped; not sent ${Math.round(age / 60_000)} min later`);
    this.d.logger.warn({ orderId: o.orderId, orderLinkId: o.linkId, ageMs: age }, `${o.orderId}: not sent: its decision is too old to act on (${Math.round(age / 60_000)} min)`);
    return true;
  }

  private applyToPosition(o: TrackedOrder, fill: Fill): void {
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

  /** Cancels protective orders that no longer fit their position and places the ones it needs. */
  private async syncProtection(): Promise<void> {
    for (const p of this.positions.values()) {
      if (!p.dirty) continue;
      const wantSl = p.qty !== 0 && !Number.isNaN(p.stop);
      const wantTp = p.qty !== 0 && !Number.isNaN(p.takeProfit);
      // The old pair goes first: two pairs at once could close the position twice.
      for (const link of [p.slLink, p.tpLink]) {
        if (link === '') continue;
        const o = this.orders.get(link);
        if (o !== undefined && o.state === 'done') continue;
        try {
          await this.d.api.cancelOrder(this.d.market, p.symbol, link);
          if (o !== undefined && o.filledQty === 0) this.finish(o);
        } catch (e) {
          this.d.logger.warn({ symbol: p.symbol, strategyId: p.strategyId, orderLinkId: link, error: (e as Error).message }, `protective order ${link} of ${p.strategyId} ${p.symbol} could not be cancelled; trying again after the next step`);
          return;
        }
      }
      p.slLink = '';
      p.tpLink = '';
      if (!wantSl && !wantTp) {
        p.dirty = false;
        continue;
      }
      const gen = p.gen + 1;
      const rules = this.rulesOf(p.symbol);
      const qty = floorToStep(Math.abs(p.qty), rules.qtyStep);
      const side: Side = p.qty > 0 ? 'sell' : 'buy';
      const long = p.qty > 0;
      const placed: string[] = [];
      for (const [role, level] of [['s', p.stop], ['t', p.takeProfit]] as Array<[LinkRole, number]>) {
        if (Number.isNaN(level) || !(qty > 0)) continue;
        const price = roundToTick(level, rules.tickSize);
        // A stop of a long triggers when the price falls to it; its take-profit when it rises.
        const direction: 1 | 2 = (role === 's') === long ? 2 : 1;
        const orderId = `${p.strategyId}:${p.symbol}:p${gen}:${role === 's' ? 'sl' : 'tp'}`;
        const linkId = orderLinkIdOf(this.d.epoch, role, orderId);
        const existing = this.orders.get(linkId);
        const o: TrackedOrder = existing ?? {
          linkId, role, orderId, strategyId: p.strategyId, symbol: p.symbol, side, qty, reduceOnly: true, decidedTs: this.d.now(), refPrice: price,
          trigger: { price, direction }, stop: NaN, takeProfit: NaN, state: 'queued', exchangeOrderId: '', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 0,
        };
        if (existing === undefined) this.orders.set(linkId, o);
        if (o.state === 'queued' || o.state === 'unknown') await this.place(o);
        if (o.state === 'open') placed.push(linkId);
        if (o.state === 'open' || o.state === 'unknown') {
          if (role === 's') p.slLink = linkId;
          else p.tpLink = linkId;
        }
      }
      p.gen = gen;
      p.dirty = false;
      if (placed.length > 0) this.d.logger.info({ strategyId: p.strategyId, symbol: p.symbol, qty, stop: p.stop, takeProfit: p.takeProfit }, `protective orders of ${p.strategyId} ${p.symbol} (${qty}) on the exchange: ${Number.isNaN(p.stop) ? '' : `stop ${p.stop} `}${Number.isNaN(p.takeProfit) ? '' : `take-profit ${p.takeProfit}`}`.trim());
    }
  }

  private note(o: TrackedOrder, kind: ExecutionNote['kind'], message: string): void {
    this.notes.push({ ts: o.decidedTs, orderId: o.orderId, strategyId: o.strategyId, symbol: o.symbol, kind, requestedQty: o.qty, filledQty: o.filledQty, message });
  }

  private rulesOf(symbol: string): InstrumentRules {
    const r = this.d.rules.get(symbol);
    if (r === undefined) throw new CtError('CT_ERR_INTERNAL', `bybit execution: no instrument rules loaded for ${symbol}`, { details: { symbol } });
    return r;
  }
}

function key(strategyId: string, symbol: string): string {
  return `${strategyId}\u0000${symbol}`;
}

function eps(qty: number): number {
  return Math.abs(qty) * 1e-9;
}

function residue(next: number, scale: number): number {
  return Math.abs(next) <= 1e-9 * Math.max(Math.abs(scale), 1e-12) ? 0 : next;
}

/** Rounds down to a multiple of `step`, as a number with the step's decimals (no 0.30000000000000004). */
export function floorToStep(qty: number, step: number): number {
  if (!(step > 0)) return qty;
  const n = Math.floor(qty / step + 1e-9);
  return Number((n * step).toFixed(decimalsOf(step)));
}

export function roundToTick(price: number, tick: number): number {
  if (!(tick > 0)) return price;
  return Number((Math.round(price / tick) * tick).toFixed(decimalsOf(tick)));
}

function decimalsOf(step: number): number {
  const s = String(step);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}
