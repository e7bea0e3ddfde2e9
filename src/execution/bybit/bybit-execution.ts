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
import type { BybitPrivateApi, ExchangeExecution, ExchangeOrder, InstrumentRules } from '../../venues/bybit/private-types.ts';
import type { ExecutionAdapter } from '../execution-adapter.ts';
import { readExchangeBook, type BookPosition, type ExchangeBookState, type TrackedOrder } from './exchange-book.ts';
import { fillOfExecution } from './exchange-fill.ts';
import { orderLinkIdOf } from './order-link-id.ts';
import { OrderSender, type ExecLogger } from './order-sender.ts';
import { syncProtection } from './protective-sync.ts';
import { eps, floorToStep } from './quantities.ts';
import { TrackedOrders } from './tracked-orders.ts';

export type { ExecLogger } from './order-sender.ts';

export interface BybitExecutionDeps {
  readonly api: BybitPrivateApi;
  readonly market: MarketType;
  /** Per unified symbol, the exchange's own lot size, tick and minimums. */
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  /** The account's first run id: part of every orderLinkId (order-link-id.ts). */
  readonly epoch: string;
  readonly logger: ExecLogger;
  /** The exchange's clock (ms): execution times and decision candles are on it. */
  readonly now: () => number;
  /** A Signal's order not sent within this long of its decision candle's open time is dropped, not sent late. */
  readonly staleAfterMs: number;
}

/** REST polls start this long before the last one did: executions are not always listed at once. */
const POLL_MARGIN_MS = 60_000;
/** An accepted market order with no execution after this long is looked up (the stream may have lost its updates). */
const ASK_AFTER_MS = 15_000;
/** Execution ids kept in the saved state (the fills table has every one). */
const HANDED_KEPT = 2000;

const EMPTY_FILLS: Fill[] = Object.freeze([]) as unknown as Fill[];
const EMPTY_FUNDING: FundingEvent[] = Object.freeze([]) as unknown as FundingEvent[];
const EMPTY_RESULT = Object.freeze({ fills: EMPTY_FILLS, funding: EMPTY_FUNDING });

export class BybitExecution implements ExecutionAdapter {
  private readonly d: BybitExecutionDeps;
  private readonly book: TrackedOrders;
  private readonly sender: OrderSender;
  private readonly buffered = new Map<string, Fill[]>();
  private readonly bufferedFunding = new Map<string, FundingEvent[]>();
  /** Every execution id ingested by this process or booked before (never booked twice). */
  private readonly seen = new Set<string>();
  private handed: string[] = [];
  private restCursor = 0;
  /** Executions on the account that are not the daemon's (reported by reconciliation). */
  private foreignExecs: ExchangeExecution[] = [];
  private readonly fundingIds = new WeakMap<FundingEvent, string>();

  constructor(deps: BybitExecutionDeps) {
    this.d = deps;
    this.book = new TrackedOrders(deps.now);
    this.sender = new OrderSender(deps, this.book);
    // A new account has no execution before it exists (a restored one continues its own cursor).
    this.restCursor = deps.now();
  }

  // --- the ExecutionAdapter -------------------------------------------------------------------

  submit(order: OrderIntent, decision: { candle: Candle; atr?: number }): Fill[] {
    const rules = this.rulesOf(order.symbol);
    const qty = floorToStep(order.qty, rules.qtyStep);
    const tracked = (state: TrackedOrder['state'], q: number): TrackedOrder => ({
      linkId: orderLinkIdOf(this.d.epoch, 'e', order.id), role: 'e', orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, side: order.side, qty: q,
      reduceOnly: order.reduceOnly, decidedTs: decision.candle.ts, refPrice: decision.candle.close, trigger: undefined,
      stop: order.stop ?? NaN, takeProfit: order.takeProfit ?? NaN,
      state, exchangeOrderId: '', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 0,
    });
    if (!(qty > 0)) {
      // Less than one lot (what is left of a position is never more than dust): the exchange would refuse it.
      const o = tracked('queued', order.qty);
      this.book.track(o);
      this.book.finish(o);
      this.book.note(o, 'rejected', `${order.id}: ${order.qty} ${order.symbol} is less than the lot step ${rules.qtyStep}; not sent`);
      return EMPTY_FILLS;
    }
    this.book.track(tracked('queued', qty));
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
    for (const o of this.book.all()) {
      if (o.role !== 'e' || o.strategyId !== strategyId || o.symbol !== symbol || o.state !== 'queued') continue;
      this.book.finish(o);
      ids.push(o.orderId);
      this.book.note(o, 'cancelled', `${o.orderId}: cancelled before it was sent`);
    }
    const p = this.book.position(strategyId, symbol);
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
    for (const p of this.book.allPositions()) {
      if (p.qty === 0) continue;
      const c = last.get(p.symbol);
      const side: Side = p.qty > 0 ? 'sell' : 'buy';
      const orderId = `end_of_run:${p.strategyId}:${p.symbol}:${c?.ts ?? 0}`;
      this.book.track({
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
    return this.book.pendingOrders();
  }

  drainNotes(): ExecutionNote[] {
    return this.book.drainNotes();
  }

  snapshot(): ExchangeBookState {
    // Executions still in the buffer were not booked by this step: the next process fetches them again.
    return { v: 1, epoch: this.d.epoch, orders: this.book.savedOrders(), positions: this.book.savedPositions(), handed: this.handed.slice(-HANDED_KEPT), restCursor: this.restCursor };
  }

  restore(state: unknown): void {
    const st = readExchangeBook(state);
    if (st.epoch !== this.d.epoch) {
      throw new CtError('CT_ERR_ACCOUNT_STATE', `execution.epoch: the saved orders belong to account epoch ${st.epoch}, not ${this.d.epoch}`, { details: { saved: st.epoch, expected: this.d.epoch } });
    }
    this.book.restore(st.orders, st.positions);
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
    for (const o of this.book.all()) if (o.state === 'queued') await this.sender.place(o);
    await syncProtection({ ...this.d, rulesOf: (s) => this.rulesOf(s) }, this.book, this.sender);
  }

  /**
   * Before a step: resolves orders whose outcome is unknown (by orderLinkId), and reads executions
   * over REST when the stream may have missed some (it is down, an order has less booked than the
   * exchange reported, or a market order sent has no execution yet), so the step books them.
   */
  async settle(opts: { streamUp: boolean; force?: boolean }): Promise<void> {
    const now = this.d.now();
    for (const o of this.book.all()) {
      if (o.state === 'unknown') await this.sender.resolve(o);
      // A market order accepted a while ago with nothing booked and no word from the stream: ask.
      else if (o.role === 'e' && o.state === 'open' && !o.exchangeFinal && o.filledQty < o.qty - eps(o.qty) && o.sentAt > 0 && now - o.sentAt > ASK_AFTER_MS) await this.sender.lookup(o);
    }
    const missing = this.book.all().some((o) => o.reportedQty > o.filledQty + eps(o.qty) || (o.role === 'e' && o.state === 'open' && !o.exchangeFinal && o.filledQty < o.qty - eps(o.qty)));
    if (opts.force === true || !opts.streamUp || missing) await this.poll();
    this.book.retireFinished();
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
      const o = this.book.get(x.orderLinkId);
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
      if (o.filledQty >= o.qty - eps(o.qty)) this.book.finish(o);
      else if (o.exchangeFinal && o.filledQty >= o.reportedQty - eps(o.qty)) this.book.endShort(o);
      this.book.applyFill(o, fill);
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
    const held = this.book.allPositions().filter((p) => p.symbol === x.symbol && p.qty !== 0);
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
    const o = this.book.get(u.orderLinkId);
    if (o === undefined) return;
    this.sender.adopt(o, u);
  }

  /** Executions seen on the account that the daemon did not place, since the last call. */
  drainForeignExecutions(): ExchangeExecution[] {
    const f = this.foreignExecs;
    this.foreignExecs = [];
    return f;
  }

  /** The adapter's own view of every position (strategy, symbol, signed qty) with fills not yet handed included. */
  bookPositions(): ReadonlyArray<Readonly<BookPosition>> {
    return this.book.allPositions();
  }

  /** The daemon's protective orders that should rest on the exchange now, by orderLinkId. */
  protectiveOpen(): ReadonlyMap<string, Readonly<TrackedOrder>> {
    return this.book.protectiveOpen();
  }

  /** A protective order the exchange does not hold (and did not execute): placed again after the next commit. */
  protectionMissing(linkId: string): void {
    const o = this.book.get(linkId);
    if (o === undefined || o.role === 'e') return;
    this.book.finish(o);
    this.book.protectiveGone(o);
    const p = this.book.position(o.strategyId, o.symbol);
    if (p !== undefined) p.dirty = true;
  }

  /** The daemon's order with this orderLinkId (any state), if it knows one. */
  orderOf(linkId: string): Readonly<TrackedOrder> | undefined {
    return this.book.get(linkId);
  }

  /** Orders waiting to be sent, sent with no known outcome, and Signals' orders accepted but not filled. */
  inFlight(): number {
    return this.book.inFlight();
  }

  /** What the exchange holds on a symbol that the daemon did not open (reconciliation's finding). */
  setForeign(symbol: string, qty: number): void {
    this.book.setForeign(symbol, qty);
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
    const held = this.book.position(strategyId, symbol)?.qty ?? 0;
    const side: Side = held > 0 ? 'sell' : 'buy';
    const fill: Fill = { id: `reconcile:${strategyId}:${symbol}:${ts}:${seq}`, orderId: `reconcile:${strategyId}:${symbol}:${ts}`, strategyId, symbol, side, qty, price, fee: 0, slippageCost: 0, ts, reason: 'reconciliation' };
    this.book.reduce(strategyId, symbol, qty);
    let list = this.buffered.get(symbol);
    if (list === undefined) this.buffered.set(symbol, (list = []));
    list.push(fill);
    return fill;
  }

  // --- internals ------------------------------------------------------------------------------

  private rulesOf(symbol: string): InstrumentRules {
    const r = this.d.rules.get(symbol);
    if (r === undefined) throw new CtError('CT_ERR_INTERNAL', `bybit execution: no instrument rules loaded for ${symbol}`, { details: { symbol } });
    return r;
  }
}

