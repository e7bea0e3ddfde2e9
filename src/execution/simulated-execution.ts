/**
 * The fill simulator shared by backtest and paper (dry-run / forward): one model, whatever the
 * candle source. Every rule below is listed for reports by `fillModelAssumptions` and explained in
 * docs/execution.md; tests check each one on hand-computed candles.
 *
 * Per symbol and candle (`onCandle`), in this order:
 *   1. funding instants AT the candle's open are settled on the positions held before the open;
 *   2. pending market orders decided on an earlier candle fill at the open (`next_open` model);
 *   3. funding instants strictly inside the candle are settled on the positions after the open;
 *   4. protective stops / take-profits trigger from open/high/low (gap -> open; both -> stop).
 * The simulator tracks each (strategy, symbol) position from its own fills: it made all of them.
 */
import { CtError } from '../core/errors.ts';
import type { Candle } from '../domain/candle.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { Fill, FillReason, OrderIntent, Side } from '../domain/order.ts';
import type { ExecutionNote } from '../domain/execution-note.ts';
import type { FundingEvent, FundingPayment, FundingSource } from '../domain/funding.ts';
import type { ExecutionAdapter } from './execution-adapter.ts';
import { atrSlippageBps, feeOf, slippageCostOf, slippedPrice } from './fill-pricing.ts';
import { FundingSchedule, type FundingHistory } from './funding-schedule.ts';
import { protectiveTrigger } from './protective-orders.ts';
import { StateReader } from '../core/state-json.ts';
import { newSymbolState, symbolSnapshot, symbolStateOf, type PendingOrder, type PositionState, type SimulatedExecutionState, type SymbolState } from './simulated-state.ts';

export interface FillModelConfig {
  /** `next_open` (default): fill at the next candle's open. `close`: at the decision close (optimistic). */
  readonly fillModel: 'next_open' | 'close';
  readonly takerFeeBps: number;
  /** May be negative (a maker rebate); then the take-profit fill's fee is negative. */
  readonly makerFeeBps: number;
  readonly slippageModel: 'fixed' | 'atr';
  /** Fixed slippage, and the `atr` model's value while ATR is warming up. */
  readonly slippageBps: number;
  readonly atrSlippageMult: number;
  readonly atrPeriod: number;
  readonly market: MarketType;
  readonly fundingFallbackRate: number;
  readonly fundingIntervalHours: number;
  readonly timeframeMs: number;
}

export interface SimulatedExecutionDeps {
  /** Stored funding history of a linear symbol (undefined = none stored). */
  readonly funding?: (symbol: string) => FundingHistory | undefined;
  readonly logger?: { warn(obj: object, msg: string): void };
}

const EMPTY_FILLS: Fill[] = Object.freeze([]) as unknown as Fill[];
const EMPTY_FUNDING: FundingEvent[] = Object.freeze([]) as unknown as FundingEvent[];
const EMPTY_RESULT = Object.freeze({ fills: EMPTY_FILLS, funding: EMPTY_FUNDING });

/** Writes a warning as one JSON line on stderr when no logger is given: never silent. */
const STDERR_LOGGER = {
  warn(obj: object, msg: string): void {
    process.stderr.write(`${JSON.stringify({ level: 'warn', ...obj, msg })}\n`);
  },
};

export class SimulatedExecution implements ExecutionAdapter {
  private readonly cfg: FillModelConfig;
  private readonly fundingOf: ((symbol: string) => FundingHistory | undefined) | undefined;
  private readonly logger: { warn(obj: object, msg: string): void };
  private readonly symbols = new Map<string, SymbolState>();
  private notes: ExecutionNote[] = [];
  private seq = 0;

  constructor(cfg: FillModelConfig, deps: SimulatedExecutionDeps = {}) {
    validateConfig(cfg);
    this.cfg = { ...cfg };
    this.fundingOf = deps.funding;
    this.logger = deps.logger ?? STDERR_LOGGER;
  }

  submit(order: OrderIntent, decision: { candle: Candle; atr?: number }): Fill[] {
    if (!(order.qty > 0) || !Number.isFinite(order.qty)) {
      throw new CtError('CT_ERR_INTERNAL', `execution.submit: order ${order.id} (${order.symbol}) has qty ${order.qty}; the risk gate must size orders > 0`, {
        details: { orderId: order.id, symbol: order.symbol, qty: order.qty },
      });
    }
    const st = this.state(order.symbol);
    const ref = decision.candle.close;
    const slipBps = this.slippageBps(st, ref, decision.atr);
    if (this.cfg.fillModel === 'close') {
      // Close-to-close: the decision candle's close is also the fill price (optimistic; see docs).
      const f = this.execute(st, order, ref, decision.candle.ts + this.cfg.timeframeMs, slipBps);
      return f === undefined ? EMPTY_FILLS : [f];
    }
    st.pending.push({ order, seq: this.seq++, decisionTs: decision.candle.ts, slipBps });
    return EMPTY_FILLS;
  }

  onCandle(symbol: string, candle: Candle): { fills: Fill[]; funding: FundingEvent[] } {
    const st = this.state(symbol);
    if (!(candle.ts > st.lastTs)) {
      throw new CtError('CT_ERR_INTERNAL', `execution.onCandle: ${symbol} candle ts ${candle.ts} is not after the previous one (${st.lastTs})`, {
        details: { symbol, ts: candle.ts, previousTs: st.lastTs },
      });
    }
    st.lastTs = candle.ts;
    let fills: Fill[] | undefined;
    let funding: FundingEvent[] | undefined;

    const instants = this.cfg.market === 'linear' ? this.fundingInstants(st, candle) : undefined;
    let k = 0;
    // 1. funding AT the open: positions held before this candle's fills.
    for (; instants !== undefined && k < instants.length && instants[k]!.ts <= candle.ts; k++) {
      (funding ??= []).push(this.fundingEvent(st, instants[k]!, candle.open));
    }
    // 2. pending market orders decided on earlier candles fill at the open.
    if (st.pending.length > 0) {
      const keep: PendingOrder[] = [];
      for (const p of st.pending) {
        if (p.decisionTs >= candle.ts) {
          keep.push(p);
          continue;
        }
        const f = this.execute(st, p.order, candle.open, candle.ts, p.slipBps);
        if (f !== undefined) (fills ??= []).push(f);
      }
      st.pending = keep;
    }
    // 3. funding strictly inside the candle: positions after the open, before intrabar stops.
    for (; instants !== undefined && k < instants.length; k++) {
      (funding ??= []).push(this.fundingEvent(st, instants[k]!, candle.open));
    }
    // 4. protective stops / take-profits.
    for (const pos of st.positions.values()) {
      if (pos.qty === 0 || (Number.isNaN(pos.stop) && Number.isNaN(pos.takeProfit))) continue;
      const trig = protectiveTrigger(pos.qty > 0 ? 1 : -1, pos.stop, pos.takeProfit, candle.open, candle.high, candle.low);
      if (trig === undefined) continue;
      const side: Side = pos.qty > 0 ? 'sell' : 'buy';
      const qty = Math.abs(pos.qty);
      const isStop = trig.kind === 'stop';
      const price = isStop ? slippedPrice(side, trig.refPrice, this.slippageBps(st, trig.refPrice, undefined)) : trig.refPrice;
      const orderId = `${pos.protectOrderId}:${isStop ? 'sl' : 'tp'}`;
      const fee = feeOf(qty, price, isStop ? this.cfg.takerFeeBps : this.cfg.makerFeeBps);
      (fills ??= []).push(makeFill(orderId, pos, side, qty, price, fee, slippageCostOf(qty, price, trig.refPrice), candle.ts, trig.kind));
      clearPosition(pos);
    }
    // ATR after the candle: slippage decided on this candle (at submit) sees it; this candle's
    // own stops did not (they happen inside it).
    st.atr.update(candle.high, candle.low, candle.close);
    if (fills === undefined && funding === undefined) return EMPTY_RESULT;
    return { fills: fills ?? EMPTY_FILLS, funding: funding ?? EMPTY_FUNDING };
  }

  cancelAll(strategyId: string, symbol: string): string[] {
    const st = this.symbols.get(symbol);
    if (st === undefined) return [];
    const ids: string[] = [];
    const keep: PendingOrder[] = [];
    for (const p of st.pending) {
      if (p.order.strategyId !== strategyId) keep.push(p);
      else {
        ids.push(p.order.id);
        this.note(st.lastTs, p.order, 'cancelled', 0, `${p.order.id}: pending order cancelled`);
      }
    }
    st.pending = keep;
    const pos = st.positions.get(strategyId);
    if (pos !== undefined) {
      if (!Number.isNaN(pos.stop)) ids.push(`${pos.protectOrderId}:sl`);
      if (!Number.isNaN(pos.takeProfit)) ids.push(`${pos.protectOrderId}:tp`);
      pos.stop = NaN;
      pos.takeProfit = NaN;
    }
    return ids;
  }

  closeAll(last: ReadonlyMap<string, Candle>): Fill[] {
    const out: Fill[] = [];
    for (const st of this.symbols.values()) {
      for (const p of st.pending) this.note(st.lastTs, p.order, 'cancelled', 0, `${p.order.id}: pending at end of run, cancelled`);
      st.pending = [];
      for (const pos of st.positions.values()) {
        if (pos.qty === 0) continue;
        const c = last.get(st.symbol);
        if (c === undefined) {
          throw new CtError('CT_ERR_INTERNAL', `execution.closeAll: no last candle for ${st.symbol} where ${pos.strategyId} holds ${pos.qty}`, {
            details: { symbol: st.symbol, strategyId: pos.strategyId, qty: pos.qty },
          });
        }
        const side: Side = pos.qty > 0 ? 'sell' : 'buy';
        const qty = Math.abs(pos.qty);
        const price = slippedPrice(side, c.close, this.slippageBps(st, c.close, undefined));
        const orderId = `end_of_run:${pos.strategyId}:${st.symbol}`;
        const fee = feeOf(qty, price, this.cfg.takerFeeBps);
        out.push(makeFill(orderId, pos, side, qty, price, fee, slippageCostOf(qty, price, c.close), c.ts + this.cfg.timeframeMs, 'end_of_run'));
        clearPosition(pos);
      }
    }
    return out;
  }

  pendingOrders(): readonly OrderIntent[] {
    const all: PendingOrder[] = [];
    for (const st of this.symbols.values()) all.push(...st.pending);
    return all.sort((a, b) => a.seq - b.seq).map((p) => p.order);
  }

  drainNotes(): ExecutionNote[] {
    const n = this.notes;
    this.notes = [];
    return n;
  }

  /** The simulator's own view of a position and its protective levels (undefined = none). */
  position(strategyId: string, symbol: string): { qty: number; stop: number | undefined; takeProfit: number | undefined } {
    const pos = this.symbols.get(symbol)?.positions.get(strategyId);
    if (pos === undefined) return { qty: 0, stop: undefined, takeProfit: undefined };
    return { qty: pos.qty, stop: Number.isNaN(pos.stop) ? undefined : pos.stop, takeProfit: Number.isNaN(pos.takeProfit) ? undefined : pos.takeProfit };
  }

  /** Per linear symbol: funding instants settled from history and from the fallback rate. */
  fundingSummary(): Array<{ symbol: string; historyEvents: number; fallbackEvents: number }> {
    const out: Array<{ symbol: string; historyEvents: number; fallbackEvents: number }> = [];
    for (const st of this.symbols.values()) {
      if (st.funding !== undefined) out.push({ symbol: st.symbol, historyEvents: st.historyEvents, fallbackEvents: st.fallbackEvents });
    }
    return out;
  }

  /** Everything the simulator holds, as plain data (notes are drained every step and are not part of it). */
  snapshot(): SimulatedExecutionState {
    return { v: 1, seq: this.seq, symbols: [...this.symbols.values()].map(symbolSnapshot) };
  }

  /** Continues from a snapshot (every field checked; CT_ERR_ACCOUNT_STATE naming it otherwise). Call on a fresh simulator. */
  restore(state: unknown): void {
    const r = new StateReader(state, 'execution').version(1);
    const seq = r.int('seq');
    const symbols = r.list('symbols').map((x) => symbolStateOf(x, this.cfg.atrPeriod));
    this.symbols.clear();
    for (const st of symbols) this.symbols.set(st.symbol, st);
    this.seq = seq;
  }

  // --- internals ------------------------------------------------------------------------------

  private state(symbol: string): SymbolState {
    let st = this.symbols.get(symbol);
    if (st === undefined) {
      st = newSymbolState(symbol, this.cfg.atrPeriod);
      this.symbols.set(symbol, st);
    }
    return st;
  }

  private slippageBps(st: SymbolState, refPrice: number, atr: number | undefined): number {
    if (this.cfg.slippageModel === 'fixed') return this.cfg.slippageBps;
    const a = atr ?? (st.atr.ready ? st.atr.value : undefined);
    return atrSlippageBps(a, refPrice, this.cfg.atrSlippageMult, this.cfg.slippageBps);
  }

  /** Fills one market order at `refPrice` (+ slippage), applying reduce-only and spot clamps. */
  private execute(st: SymbolState, order: OrderIntent, refPrice: number, ts: number, slipBps: number): Fill | undefined {
    let pos = st.positions.get(order.strategyId);
    if (pos === undefined) {
      pos = { strategyId: order.strategyId, symbol: st.symbol, qty: 0, stop: NaN, takeProfit: NaN, protectOrderId: '' };
      st.positions.set(order.strategyId, pos);
    }
    const sign = order.side === 'buy' ? 1 : -1;
    let qty = order.qty;
    if (order.reduceOnly) {
      if (pos.qty === 0 || Math.sign(pos.qty) === sign) {
        this.note(ts, order, 'dropped_nothing_to_reduce', 0, `${order.id}: reduce-only ${order.side} ${order.qty} but position is ${pos.qty}; not filled`);
        return undefined;
      }
      if (qty > Math.abs(pos.qty)) {
        qty = Math.abs(pos.qty);
        this.note(ts, order, 'clamped_reduce_only', qty, `${order.id}: reduce-only ${order.side} ${order.qty} clamped to position ${qty}`);
      }
    }
    if (this.cfg.market === 'spot' && sign < 0 && qty > Math.max(pos.qty, 0)) {
      qty = Math.max(pos.qty, 0);
      this.note(ts, order, qty === 0 ? 'dropped_nothing_to_reduce' : 'clamped_spot_long_only', qty,
        `${order.id}: spot is long-only: sell ${order.qty} with position ${pos.qty} ${qty === 0 ? 'not filled' : `clamped to ${qty}`}`);
      if (qty === 0) return undefined;
    }
    const price = slippedPrice(order.side, refPrice, slipBps);
    const fee = feeOf(qty, price, this.cfg.takerFeeBps);
    const fill = makeFill(order.id, pos, order.side, qty, price, fee, slippageCostOf(qty, price, refPrice), ts, 'signal');

    const prev = pos.qty;
    let next = prev + sign * qty;
    if (Math.abs(next) <= 1e-12 * Math.max(Math.abs(prev), qty)) next = 0; // float residue of a full close
    pos.qty = next;
    if (next === 0) {
      clearPosition(pos);
    } else if (prev === 0 || Math.sign(prev) !== Math.sign(next)) {
      // New position or flip: protection is exactly what this order carries.
      pos.stop = order.stop ?? NaN;
      pos.takeProfit = order.takeProfit ?? NaN;
      pos.protectOrderId = order.id;
    } else if (Math.abs(next) > Math.abs(prev) && (order.stop !== undefined || order.takeProfit !== undefined)) {
      // Adding with new levels moves them; a partial reduction keeps them (sized to the position).
      if (order.stop !== undefined) pos.stop = order.stop;
      if (order.takeProfit !== undefined) pos.takeProfit = order.takeProfit;
      pos.protectOrderId = order.id;
    }
    return fill;
  }

  private fundingInstants(st: SymbolState, candle: Candle): ReturnType<FundingSchedule['instantsIn']> {
    if (st.funding === undefined) {
      st.funding = new FundingSchedule(this.fundingOf?.(st.symbol), this.cfg.fundingIntervalHours * 3_600_000, this.cfg.fundingFallbackRate);
    }
    return st.funding.instantsIn(candle.ts, candle.ts + this.cfg.timeframeMs, (ts, why) => {
      st.fallbackEvents++;
      if (st.warned) return;
      st.warned = true;
      this.logger.warn(
        { code: 'CT_ERR_FUNDING_MISSING', symbol: st.symbol, ts, fallbackRate: this.cfg.fundingFallbackRate, intervalHours: this.cfg.fundingIntervalHours },
        `FUNDING HISTORY MISSING for ${st.symbol} at ${new Date(ts).toISOString()} (${why}): using the configured fallback rate ` +
          `${this.cfg.fundingFallbackRate} every ${this.cfg.fundingIntervalHours}h wherever history is missing; results on this symbol depend on that assumption`,
      );
    });
  }

  private fundingEvent(st: SymbolState, inst: { ts: number; rate: number; source: FundingSource }, markPrice: number): FundingEvent {
    if (inst.source === 'history') st.historyEvents++;
    const payments: FundingPayment[] = [];
    for (const pos of st.positions.values()) {
      if (pos.qty !== 0) payments.push({ strategyId: pos.strategyId, qty: pos.qty, amount: pos.qty * markPrice * inst.rate });
    }
    return { ts: inst.ts, symbol: st.symbol, rate: inst.rate, markPrice, source: inst.source, payments };
  }

  private note(ts: number, order: OrderIntent, kind: ExecutionNote['kind'], filledQty: number, message: string): void {
    this.notes.push({ ts, orderId: order.id, strategyId: order.strategyId, symbol: order.symbol, kind, requestedQty: order.qty, filledQty, message });
  }
}

function makeFill(orderId: string, pos: PositionState, side: Side, qty: number, price: number, fee: number, slippageCost: number, ts: number, reason: FillReason): Fill {
  return { id: `${orderId}:f1`, orderId, strategyId: pos.strategyId, symbol: pos.symbol, side, qty, price, fee, slippageCost, ts, reason };
}

function clearPosition(pos: PositionState): void {
  pos.qty = 0;
  pos.stop = NaN;
  pos.takeProfit = NaN;
  pos.protectOrderId = '';
}

/**
 * Asserts the invariants the simulator relies on. Config values were validated (once, naming
 * their [execution] keys) before they became a FillModelConfig, so a failure here is a programming
 * error in whoever built the object; it names the FillModelConfig field, not a config key.
 */
function validateConfig(c: FillModelConfig): void {
  const bad = (field: string, value: unknown, allowed: string): never => {
    throw new CtError('CT_ERR_INTERNAL', `FillModelConfig.${field} = ${String(value)}: expected ${allowed}`, { details: { field, value, allowed } });
  };
  if (c.fillModel !== 'next_open' && c.fillModel !== 'close') bad('fillModel', c.fillModel, 'next_open or close');
  if (c.slippageModel !== 'fixed' && c.slippageModel !== 'atr') bad('slippageModel', c.slippageModel, 'fixed or atr');
  if (c.market !== 'spot' && c.market !== 'linear') bad('market', c.market, 'spot or linear');
  if (!(Number.isFinite(c.takerFeeBps) && c.takerFeeBps >= 0)) bad('takerFeeBps', c.takerFeeBps, 'a number >= 0');
  if (!Number.isFinite(c.makerFeeBps)) bad('makerFeeBps', c.makerFeeBps, 'a finite number');
  if (!(Number.isFinite(c.slippageBps) && c.slippageBps >= 0)) bad('slippageBps', c.slippageBps, 'a number >= 0');
  if (!(Number.isFinite(c.atrSlippageMult) && c.atrSlippageMult >= 0)) bad('atrSlippageMult', c.atrSlippageMult, 'a number >= 0');
  if (!(Number.isInteger(c.atrPeriod) && c.atrPeriod >= 1)) bad('atrPeriod', c.atrPeriod, 'an integer >= 1');
  if (!(Number.isFinite(c.fundingFallbackRate) && Math.abs(c.fundingFallbackRate) < 1)) bad('fundingFallbackRate', c.fundingFallbackRate, 'a fraction with |rate| < 1');
  if (!(Number.isInteger(c.fundingIntervalHours) && c.fundingIntervalHours >= 1)) bad('fundingIntervalHours', c.fundingIntervalHours, 'an integer >= 1');
  if (!(Number.isInteger(c.timeframeMs) && c.timeframeMs > 0)) bad('timeframeMs', c.timeframeMs, 'a positive number of ms');
}
