/**
 * THE risk gate. Every Signal passes `evaluate`, which turns intent into sized market OrderIntents
 * (filled at the next candle's open) or a recorded denial with a stable reason code. Denials are
 * decisions, never exceptions. Strategies share one account through this gate: each approved
 * order immediately RESERVES its quantity, cash and position slot (ReservationBook), so a second
 * signal in the same step, from any strategy, is checked against the first one's commitment.
 * Reservations are released by `onOrderFilled` / `onOrderCancelled`.
 *
 * Exits and reductions are never denied by exposure, drawdown or daily-loss limits: a gate that
 * blocks exits is dangerous. Only entries and increases are checked. docs/risk.md is the manual.
 *
 * Commitment of one (strategy, symbol), the unit every exposure limit sums:
 *   |now| x px + max(0, |projected| - |now|) x px x (1 + headroom)
 * where now = booked position, projected = now + pending orders. Pending reductions free nothing
 * until they fill (conservative), while a flip's opening half needs no capacity beyond what the
 * position already holds. The headroom covers the fill at the next open (plus slippage and fees)
 * differing from the decision close.
 */
import { StateReader } from '../../core/state-json.ts';
import type { Signal } from '../../domain/signal.ts';
import type { OrderIntent, Side } from '../../domain/order.ts';
import type { Portfolio } from '../portfolio/portfolio.ts';
import { DEFAULT_FILL_HEADROOM_PCT, validateRiskConfig, type RiskConfig } from './risk-config.ts';
import type { RiskDecision, RiskReasonCode } from '../../domain/risk-decision.ts';
import type { RiskEvent } from '../../domain/risk-event.ts';
import { Breakers, fmtAmount, pairKey, type BreakersState } from './breakers.ts';
import { ReservationBook, type Reservation } from './reservations.ts';
import { floorToStep, sizePosition, type ExchangeRules } from './sizing.ts';

export type { ExchangeRules } from './sizing.ts';

const EPS = 1e-9;

/** The gate's state as plain data (`snapshot`/`restore`); its limits come from the config, not from here. */
export interface RiskGateState {
  readonly v: 1;
  /** Orders approved and not yet filled or cancelled, in approval order. */
  readonly reservations: readonly Reservation[];
  readonly refPrices: ReadonlyArray<{ readonly symbol: string; readonly price: number }>;
  readonly breakers: BreakersState;
}

type Deny = { readonly ok: false; readonly code: RiskReasonCode; readonly reason: string };
type OpenOk = { readonly ok: true; readonly qty: number; readonly resizedBy: RiskReasonCode | undefined; readonly note: string };

export class RiskGate {
  private readonly cfg: RiskConfig;
  private readonly rules: (symbol: string) => ExchangeRules;
  private readonly portfolio: Portfolio;
  private readonly headroom: number;
  private readonly book = new ReservationBook();
  private readonly breakers: Breakers;
  /** Decision prices seen by evaluate: values reservations on symbols the portfolio has no price for yet. */
  private readonly refPrices = new Map<string, number>();

  constructor(cfg: RiskConfig, rules: (symbol: string) => ExchangeRules, portfolio: Portfolio) {
    validateRiskConfig(cfg);
    this.cfg = { ...cfg, strategyWeights: { ...cfg.strategyWeights } };
    this.rules = rules;
    this.portfolio = portfolio;
    this.headroom = (cfg.fillHeadroomPct ?? DEFAULT_FILL_HEADROOM_PCT) / 100;
    this.breakers = new Breakers(this.cfg, portfolio);
    portfolio.setWeights(this.cfg.strategyWeights);
    portfolio.onTradeClosed((t) => this.breakers.onTradeClosed(t));
  }

  // --- COMMANDS ----------------------------------------------------------------------------------

  /** Sizes and checks one Signal. Never throws for a business reason; a denial is the result. */
  evaluate(signal: Signal, market: { price: number; atr?: number }): RiskDecision {
    this.breakers.check(signal.ts);
    const sid = signal.strategyId;
    const sym = signal.symbol;
    if (market.price > 0 && Number.isFinite(market.price)) this.refPrices.set(sym, market.price);
    const now = this.portfolio.position(sid, sym).qty;
    const pj = this.book.project(sid, sym, now);
    const projQty = isFlat(pj.proj, now, pj.moved) ? 0 : pj.proj;
    const te = signal.targetExposure;
    const deny = (code: RiskReasonCode, reason: string): RiskDecision => ({ signalId: signal.id, strategyId: sid, symbol: sym, ts: signal.ts, approved: false, reasonCode: code, reason });
    const closeOnly = (note: string, resized: boolean): RiskDecision => this.approve(signal, [this.order(signal, 1, projQty > 0 ? 'sell' : 'buy', Math.abs(projQty), true)], resized, note, market.price);

    if (signal.kind === 'exit' || (signal.kind === 'target' && te === 0)) {
      if (projQty === 0) {
        if (signal.kind === 'target') return this.approve(signal, [], false, 'already flat', market.price);
        return deny('NO_POSITION', `exit ${sym}: ${sid} holds no position (booked ${now}, pending orders included)`);
      }
      return closeOnly(`close ${projQty} ${sym}`, false);
    }

    const dir: 1 | -1 = signal.kind === 'enter_long' ? 1 : signal.kind === 'enter_short' ? -1 : te > 0 ? 1 : -1;
    if (dir < 0 && !this.cfg.allowShort) {
      const why = `spot is long-only: ${signal.kind} ${sym} (targetExposure ${te}) cannot open a short`;
      if (projQty > 0) return closeOnly(`closed the long of ${projQty}; SHORT_NOT_ALLOWED: ${why}`, true);
      return deny('SHORT_NOT_ALLOWED', why);
    }
    if (signal.kind !== 'target' && Math.sign(projQty) === dir) {
      return deny('ALREADY_IN_POSITION', `${signal.kind} ${sym}: ${sid} already holds ${projQty}; send a target signal to resize`);
    }
    const price = market.price;
    if (!(price > 0 && Number.isFinite(price))) {
      // A reversal still closes what is open: the closing half needs no price.
      if (projQty !== 0 && Math.sign(projQty) !== dir) return closeOnly(`closed ${projQty}; NO_PRICE: open part not sized (price ${price})`, true);
      return deny('NO_PRICE', `${sym}: decision price ${price} is not a positive number`);
    }
    const weight = this.cfg.strategyWeights[sid] ?? 0;
    const equity = this.portfolio.equity();
    const allotted = equity * weight;
    const size = sizePosition(this.cfg, { fraction: Math.min(1, Math.abs(te)), direction: dir, price, allotted, stop: signal.stop, atr: market.atr });

    // target: same side or flat -> move to the target; opposite side -> close, then open.
    if (signal.kind === 'target' && projQty !== 0 && Math.sign(projQty) === dir) {
      if (!size.ok) return deny(size.code, size.reason);
      const desired = size.qty;
      const held = Math.abs(projQty);
      if (desired <= held) {
        const cut = desired <= 0 ? held : floorToStep(held - desired, this.rules(sym).qtyStep);
        if (cut <= 0) return this.approve(signal, [], false, `at target (holds ${projQty}, target ${dir * desired})`, price);
        const full = cut >= held - EPS * held;
        const o = this.order(signal, 1, dir > 0 ? 'sell' : 'buy', full ? held : cut, true);
        return this.approve(signal, [o], false, `reduce ${projQty} by ${o.qty} toward target ${dir * desired}`, price);
      }
      const open = this.checkOpen(signal, projQty, desired - held, size.stopDistance, price, equity, allotted, now);
      if (!open.ok) return deny(open.code, open.reason);
      return this.approve(signal, [this.order(signal, 1, dir > 0 ? 'buy' : 'sell', open.qty, false)], open.resizedBy !== undefined, open.note, price);
    }

    // Entry from flat, or a flip (close the opposite position, then open).
    const orders: OrderIntent[] = [];
    if (projQty !== 0) orders.push(this.order(signal, 1, projQty > 0 ? 'sell' : 'buy', Math.abs(projQty), true));
    const refuse = (code: RiskReasonCode, reason: string): RiskDecision =>
      orders.length > 0 ? this.approve(signal, orders, true, `closed ${projQty}; open part denied: ${code}: ${reason}`, price) : deny(code, reason);
    if (!size.ok) return refuse(size.code, size.reason);
    const open = this.checkOpen(signal, 0, size.qty, size.stopDistance, price, equity, allotted, now);
    if (!open.ok) return refuse(open.code, open.reason);
    orders.push(this.order(signal, orders.length + 1, dir > 0 ? 'buy' : 'sell', open.qty, false));
    const note = `${orders.length > 1 ? `flip: close ${projQty}, open ` : 'open '}${dir * open.qty}${open.note ? `; ${open.note}` : ''}`;
    return this.approve(signal, orders, open.resizedBy !== undefined, note, price);
  }

  /** The order filled (wholly or clamped by execution): its reservation becomes the booked position. */
  onOrderFilled(orderId: string): void {
    this.book.release(orderId);
  }

  /** The order was cancelled or dropped without a fill: its reservation is freed. */
  onOrderCancelled(orderId: string): void {
    this.book.release(orderId);
  }

  /** Called once per loop step before the signals of that step: day roll, cooldown clock. */
  onStep(ts: number): void {
    this.breakers.onStep(ts);
  }

  // --- STATE -------------------------------------------------------------------------------------

  /** True once the drawdown circuit breaker tripped: no new entries for the rest of the run. */
  get halted(): boolean {
    return this.breakers.halted;
  }

  /** Every breaker event so far, in order. */
  events(): readonly RiskEvent[] {
    return this.breakers.events();
  }

  /** Events since the previous call (for the accounting sink / logs). */
  drainEvents(): RiskEvent[] {
    return this.breakers.drainEvents();
  }

  /** Orders approved but not yet filled or cancelled. */
  get pendingOrders(): number {
    return this.book.size;
  }

  /**
   * What the gate counts against its limits right now: open (or reserved) positions, per strategy,
   * and committed gross notional per symbol and in total at the last known prices (tests and
   * reports use this to show limits were honoured).
   */
  commitments(): { positions: number; perStrategy: Map<string, number>; perSymbol: Map<string, number>; total: number; equity: number; reservedCash: number } {
    const perStrategy = new Map<string, number>();
    const perSymbol = new Map<string, number>();
    let positions = 0;
    let total = 0;
    for (const c of this.pairs()) {
      if (c.peak === 0) continue;
      positions++;
      perStrategy.set(c.strategyId, (perStrategy.get(c.strategyId) ?? 0) + 1);
      const px = this.priceOf(c.symbol);
      const n = this.commitment(c.now, c.peak, px);
      perSymbol.set(c.symbol, (perSymbol.get(c.symbol) ?? 0) + n);
      total += n;
    }
    return { positions, perStrategy, perSymbol, total, equity: this.portfolio.equity(), reservedCash: this.book.reservedCash() };
  }

  // --- CONTINUING IN ANOTHER PROCESS -------------------------------------------------------------

  snapshot(): RiskGateState {
    return { v: 1, reservations: this.book.state(), refPrices: [...this.refPrices].map(([symbol, price]) => ({ symbol, price })), breakers: this.breakers.state() };
  }

  /** Continues from a snapshot (every field checked; CT_ERR_ACCOUNT_STATE naming it otherwise). Call on a fresh gate, after its portfolio was restored. */
  restore(state: unknown): void {
    const r = new StateReader(state, 'risk').version(1);
    const reservations = r.list('reservations');
    const prices = r.list('refPrices').map((p) => [p.str('symbol'), p.num('price')] as const);
    this.breakers.setState(r.raw('breakers'));
    this.book.setState(reservations);
    this.refPrices.clear();
    for (const [sym, px] of prices) this.refPrices.set(sym, px);
  }

  // --- PRE-TRADE CHECKS --------------------------------------------------------------------------

  /**
   * Checks the opening part of an order: `base` is the signed position it adds to (0 from flat or
   * after a flip's close), `want` the absolute quantity to add. Deny-only checks first, then the
   * capacity checks that may resize down, then exchange rounding and minimums.
   */
  private checkOpen(signal: Signal, base: number, want: number, stopDistance: number, price: number, equity: number, allotted: number, now: number): Deny | OpenOk {
    const sid = signal.strategyId;
    const sym = signal.symbol;
    const blocked = this.breakers.entryBlock(sid, sym);
    if (blocked) return denyOf(blocked.code, blocked.reason);
    if (!(equity > 0)) return denyOf('INSUFFICIENT_CASH', `account equity ${fmtAmount(equity)} <= 0`);
    if (!(allotted > 0)) return denyOf('NO_ALLOCATION', `${sid}: allotted capital is ${fmtAmount(allotted)} (weight ${this.cfg.strategyWeights[sid] ?? 'none'})`);
    if (!(want > 0)) return denyOf('BELOW_MIN_QTY', `${sym}: sized quantity ${want} is not > 0`);

    // Slots: only an entry on a pair with nothing booked or pending takes a new one.
    let open = 0;
    let openMine = 0;
    let otherSym = 0;
    let otherAll = 0;
    let mine: Pair | undefined;
    for (const c of this.pairs()) {
      if (c.peak === 0) continue;
      open++;
      if (c.strategyId === sid) openMine++;
      if (c.strategyId === sid && c.symbol === sym) {
        mine = c;
        continue;
      }
      const px = c.symbol === sym ? price : this.priceOf(c.symbol);
      const v = this.commitment(c.now, c.peak, px);
      otherAll += v;
      if (c.symbol === sym) otherSym += v;
    }
    if (mine === undefined && this.cfg.maxOpenPositions > 0 && open >= this.cfg.maxOpenPositions) {
      return denyOf('MAX_OPEN_POSITIONS', `${open} positions open or reserved >= max_open_positions ${this.cfg.maxOpenPositions}`);
    }
    if (mine === undefined && this.cfg.maxOpenPositionsPerStrategy > 0 && openMine >= this.cfg.maxOpenPositionsPerStrategy) {
      return denyOf('MAX_OPEN_POSITIONS_STRATEGY', `${sid}: ${openMine} positions open or reserved >= max_open_positions_per_strategy ${this.cfg.maxOpenPositionsPerStrategy}`);
    }

    // Capacity: each limit gives the largest quantity it lets us add. This pair commits
    // |now| px + max(0, peak - |now|) px (1+h) today; after the order its peak is
    // max(peak, held + add), and only the part above max(peak, |now|) costs more.
    const held = Math.abs(base);
    const nowAbs = Math.abs(now);
    const unit = price * (1 + this.headroom);
    const mineNow = mine === undefined ? 0 : this.commitment(mine.now, mine.peak, price);
    const free = Math.max(mine?.peak ?? 0, nowAbs);
    /** Max add so that others + this pair's commitment after the order <= cap. */
    const room = (cap: number, others: number): number => {
      const r = cap - others - mineNow;
      if (r < -EPS * Math.max(1, cap)) return 0;
      return Math.max(0, free - held + Math.max(0, r) / unit);
    };
    const caps: Array<[RiskReasonCode, number, string]> = [];
    if (this.cfg.maxSymbolExposurePct > 0) {
      const cap = (this.cfg.maxSymbolExposurePct / 100) * equity;
      caps.push(['MAX_SYMBOL_EXPOSURE', room(cap, otherSym), `${sym} exposure cap ${this.cfg.maxSymbolExposurePct}% of equity ${fmtAmount(equity)} (others commit ${fmtAmount(otherSym)})`]);
    }
    if (this.cfg.maxTotalExposurePct > 0) {
      const cap = (this.cfg.maxTotalExposurePct / 100) * equity;
      caps.push(['MAX_TOTAL_EXPOSURE', room(cap, otherAll), `total exposure cap ${this.cfg.maxTotalExposurePct}% of equity ${fmtAmount(equity)} (others commit ${fmtAmount(otherAll)})`]);
    }
    caps.push(['MAX_LEVERAGE', room(this.cfg.maxLeverage * equity, otherAll), `max leverage ${this.cfg.maxLeverage}x of equity ${fmtAmount(equity)} (others commit ${fmtAmount(otherAll)})`]);
    if (this.cfg.maxRiskPerTradePct > 0) {
      if (!(stopDistance > 0)) return denyOf('MAX_RISK_PER_TRADE', `${sym}: risk cannot be measured (no stop on the signal and ATR not ready) while max_risk_per_trade_pct is set`);
      const maxQty = ((this.cfg.maxRiskPerTradePct / 100) * allotted) / stopDistance;
      caps.push(['MAX_RISK_PER_TRADE', Math.max(0, maxQty - held), `risk cap ${this.cfg.maxRiskPerTradePct}% of allotted ${fmtAmount(allotted)} at stop distance ${fmtAmount(stopDistance)}`]);
    }
    if (this.portfolio.market === 'spot') {
      const free = this.portfolio.cash - this.book.reservedCash();
      caps.push(['INSUFFICIENT_CASH', Math.max(0, free / unit), `free cash ${fmtAmount(free)} (headroom ${this.headroom * 100}%)`]);
    }
    let qty = want;
    let resizedBy: RiskReasonCode | undefined;
    let why = '';
    for (const [code, max, text] of caps) {
      if (max < qty) {
        qty = max;
        resizedBy = code;
        why = text;
      }
    }
    const r = this.rules(sym);
    const rounded = floorToStep(qty, r.qtyStep);
    const tooSmall = (code: RiskReasonCode, reason: string): Deny =>
      resizedBy !== undefined ? denyOf(resizedBy, `nothing fits: ${why}; ${reason}`) : denyOf(code, reason);
    if (!(rounded > 0) || rounded < r.minQty) return tooSmall('BELOW_MIN_QTY', `${sym}: qty ${qty} rounded down to step ${r.qtyStep} is ${rounded} < min qty ${r.minQty}`);
    if (rounded * price < r.minNotional) return tooSmall('BELOW_MIN_NOTIONAL', `${sym}: notional ${fmtAmount(rounded * price)} (${rounded} x ${price}) < min notional ${r.minNotional}`);
    const note = resizedBy !== undefined ? `resized ${want} -> ${rounded} by ${resizedBy}: ${why}` : '';
    return { ok: true, qty: rounded, resizedBy, note };
  }

  // --- EGRESS ------------------------------------------------------------------------------------

  private approve(signal: Signal, orders: OrderIntent[], resized: boolean, note: string, price: number): RiskDecision {
    for (const o of orders) {
      const signed = o.side === 'buy' ? o.qty : -o.qty;
      const cash = this.portfolio.market === 'spot' && o.side === 'buy' && price > 0 ? o.qty * price * (1 + this.headroom) : 0;
      this.book.add({ orderId: o.id, strategyId: o.strategyId, symbol: o.symbol, signedQty: signed, reduceOnly: o.reduceOnly, cash });
    }
    return { signalId: signal.id, strategyId: signal.strategyId, symbol: signal.symbol, ts: signal.ts, approved: true, orders, resized, note };
  }

  private order(signal: Signal, n: number, side: Side, qty: number, reduceOnly: boolean): OrderIntent {
    const o: OrderIntent = {
      id: `${signal.id}:o${n}`, signalId: signal.id, strategyId: signal.strategyId, symbol: signal.symbol, side, qty, type: 'market',
      decidedTs: signal.ts, reduceOnly,
      ...(!reduceOnly && signal.stop !== undefined ? { stop: signal.stop } : {}),
      ...(!reduceOnly && signal.takeProfit !== undefined ? { takeProfit: signal.takeProfit } : {}),
    };
    return o;
  }

  // --- internals ---------------------------------------------------------------------------------

  /** Last known price of a symbol: the portfolio's (marks, fills), else the last decision price. */
  private priceOf(symbol: string): number {
    return this.portfolio.lastPrice(symbol) ?? this.refPrices.get(symbol) ?? 0;
  }

  /** Notional one pair commits: booked at the price, anything pending beyond it with headroom. */
  private commitment(now: number, peak: number, px: number): number {
    const a = Math.abs(now);
    return a * px + Math.max(0, peak - a) * px * (1 + this.headroom);
  }

  /**
   * Every (strategy, symbol) with a booked position or a reservation, in a deterministic order.
   * `peak` is the largest |position| the pending orders pass through when they fill in order (an
   * open then a close in the same step still holds a position for a moment).
   */
  private pairs(): Pair[] {
    const out = new Map<string, Pair>();
    for (const p of this.portfolio.openPositions()) {
      out.set(pairKey(p.strategyId, p.symbol), { strategyId: p.strategyId, symbol: p.symbol, now: p.qty, proj: p.qty, peak: Math.abs(p.qty) });
    }
    for (const r of this.book.values()) {
      const k = pairKey(r.strategyId, r.symbol);
      if (!out.has(k)) out.set(k, { strategyId: r.strategyId, symbol: r.symbol, now: this.portfolio.position(r.strategyId, r.symbol).qty, proj: 0, peak: 0 });
    }
    for (const c of out.values()) {
      const pj = this.book.project(c.strategyId, c.symbol, c.now);
      c.proj = isFlat(pj.proj, c.now, pj.moved) ? 0 : pj.proj;
      c.peak = pj.peak;
    }
    return [...out.values()];
  }
}

interface Pair {
  readonly strategyId: string;
  readonly symbol: string;
  /** Booked signed position. */
  readonly now: number;
  /** Booked + pending signed quantity. */
  proj: number;
  /** Largest |position| along the pending orders. */
  peak: number;
}

/** Float residue of pending orders that exactly offset the position. */
function isFlat(proj: number, now: number, moved: number): boolean {
  return Math.abs(proj) <= 1e-12 * (Math.abs(now) + moved);
}

function denyOf(code: RiskReasonCode, reason: string): Deny {
  return { ok: false, code, reason };
}
