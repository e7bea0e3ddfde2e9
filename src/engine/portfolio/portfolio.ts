/**
 * The one trading account and its per-strategy sub-ledgers. Strategies share the account's cash;
 * each (strategy, symbol) has its own average-price position, and each strategy its own realized
 * PnL, fees, slippage, funding and trade count. Account totals are sums of the sub-ledgers, so a
 * report can decompose the equity change exactly:
 *
 *   equity - initialCash = realizedPnl + unrealizedPnl - fees - funding
 *
 * Slippage is already inside the fill prices (hence inside realized/unrealized PnL); it is kept
 * apart only so a report can say how much of the PnL it cost.
 *
 * Cash model (docs/risk.md "Portfolio"):
 *  - spot: a buy costs qty x price + fee, a sell returns qty x price - fee; equity = cash + sum(qty x mark).
 *    Long-only: a fill that would take a spot position short is a bug upstream (CT_ERR_INTERNAL).
 *  - linear (USDT-margined perpetuals): a simple margin model: cash changes only by realized PnL,
 *    fees and funding; positions carry notional, not cash; equity = cash + sum(qty x (mark - avg)).
 *
 * Determinism: ledgers live in Maps iterated in insertion order; trade ids are a running counter.
 */
import { CtError } from '../../core/errors.ts';
import type { Candle } from '../../domain/candle.ts';
import type { EquitySnapshot } from '../../domain/equity.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { EquityMarks } from './equity-marks.ts';
import { readPortfolioState, type PortfolioState } from './portfolio-state.ts';
import { isResidue, ledgerState, newLedger, openTrip, seePrice, tradeOf, type PositionLedger } from './position-ledger.ts';
import { newStrategyLedger, type StrategyLedger, type StrategyLedgerView } from './strategy-ledger.ts';

export type { StrategyLedgerView } from './strategy-ledger.ts';


export class Portfolio {
  readonly market: MarketType;
  readonly initialCash: number;
  private cashBalance: number;
  private readonly strategies = new Map<string, StrategyLedger>();
  /** strategyId -> symbol -> ledger. */
  private readonly positions = new Map<string, Map<string, PositionLedger>>();
  /** symbol -> ledgers on it (any strategy), for the per-candle excursion update without allocation. */
  private readonly bySymbol = new Map<string, PositionLedger[]>();
  /** Every ledger in the order it was created (what a snapshot lists). */
  private readonly created: PositionLedger[] = [];
  private readonly lastPrices = new Map<string, number>();
  private readonly trades: Trade[] = [];
  private readonly tradeListeners: Array<(t: Trade) => void> = [];
  private tradeSeq = 0;
  private readonly marks: EquityMarks;

  constructor(initialCash: number, strategyIds: string[], market: MarketType) {
    if (!(Number.isFinite(initialCash) && initialCash > 0)) {
      throw new CtError('CT_ERR_CONFIG_INVALID', `portfolio: initial cash ${initialCash} must be a number > 0`, { details: { value: initialCash } });
    }
    if (market !== 'spot' && market !== 'linear') {
      throw new CtError('CT_ERR_CONFIG_INVALID', `portfolio: market "${String(market)}" must be spot or linear`, { details: { value: market } });
    }
    this.market = market;
    this.initialCash = initialCash;
    this.cashBalance = initialCash;
    this.marks = new EquityMarks(initialCash);
    const w = strategyIds.length > 0 ? 1 / strategyIds.length : 0;
    for (const id of strategyIds) {
      this.strategies.set(id, newStrategyLedger(id, w, initialCash));
      this.positions.set(id, new Map());
    }
  }

  // --- configuration ---------------------------------------------------------------------------

  /** Sets each strategy's share of the account (the risk gate passes its configured weights). */
  setWeights(weights: Readonly<Record<string, number>>): void {
    for (const s of this.strategies.values()) {
      s.weight = weights[s.strategyId] ?? 0;
      s.peak = Math.max(this.initialCash * s.weight + s.realizedPnl - s.fees - s.funding, 0);
    }
  }

  /** Calls `fn` with every Trade closed from now on (the risk gate's cooldown and expectancy). */
  onTradeClosed(fn: (t: Trade) => void): void {
    this.tradeListeners.push(fn);
  }

  // --- events ----------------------------------------------------------------------------------

  /** Books a fill; returns the round trips it closed (one, or one for a flip's closing part). */
  applyFill(fill: Fill, meta?: { stop?: number }): Trade[] {
    if (!(fill.qty > 0 && Number.isFinite(fill.qty)) || !(fill.price > 0 && Number.isFinite(fill.price)) || !Number.isFinite(fill.fee) || !Number.isFinite(fill.slippageCost)) {
      throw new CtError('CT_ERR_INTERNAL', `portfolio.applyFill: fill ${fill.id} (${fill.symbol}) has qty ${fill.qty}, price ${fill.price}, fee ${fill.fee}, slippage ${fill.slippageCost}`, {
        details: { fillId: fill.id, symbol: fill.symbol, qty: fill.qty, price: fill.price },
      });
    }
    const s = this.strategy(fill.strategyId, `fill ${fill.id}`);
    const p = this.ledger(fill.strategyId, fill.symbol);
    const sign = fill.side === 'buy' ? 1 : -1;
    const prev = p.qty;
    const closeQty = prev !== 0 && Math.sign(prev) !== sign ? Math.min(fill.qty, Math.abs(prev)) : 0;
    let openQty = fill.qty - closeQty;
    if (openQty <= 1e-12 * fill.qty) openQty = 0; // float residue of an exact close
    if (this.market === 'spot' && sign < 0 && openQty > 0) {
      throw new CtError('CT_ERR_INTERNAL', `portfolio.applyFill: spot fill ${fill.id} sells ${fill.qty} ${fill.symbol} but ${fill.strategyId} holds ${prev}; spot is long-only`, {
        details: { fillId: fill.id, symbol: fill.symbol, qty: fill.qty, position: prev },
      });
    }
    const closeShare = closeQty / fill.qty;
    const out: Trade[] = [];

    s.fees += fill.fee;
    s.slippage += fill.slippageCost;
    this.cashBalance -= fill.fee;
    this.lastPrices.set(fill.symbol, fill.price);

    if (closeQty > 0) {
      const dir = prev > 0 ? 1 : -1;
      const pnl = (fill.price - p.avgPrice) * closeQty * dir;
      s.realizedPnl += pnl;
      p.grossPnl += pnl;
      p.fees += fill.fee * closeShare;
      p.slippage += fill.slippageCost * closeShare;
      p.exitQty += closeQty;
      p.exitNotional += closeQty * fill.price;
      seePrice(p, fill.price, fill.price);
      // spot: the sale proceeds come back; linear: only the PnL settles.
      this.cashBalance += this.market === 'spot' ? closeQty * fill.price : pnl;
      let next = prev - dir * closeQty;
      if (isResidue(next, prev, closeQty)) next = 0;
      p.qty = next;
      if (next === 0) {
        p.avgPrice = 0;
        const t = tradeOf(p, `${fill.strategyId}:${fill.symbol}:t${++this.tradeSeq}`, dir > 0 ? 'long' : 'short', fill.ts, fill.reason);
        s.trades++;
        this.trades.push(t);
        out.push(t);
      }
    }
    if (openQty > 0) {
      if (p.qty === 0) openTrip(p, fill.ts, fill.price, meta?.stop);
      const held = Math.abs(p.qty);
      p.avgPrice = (held * p.avgPrice + openQty * fill.price) / (held + openQty);
      p.qty += sign * openQty;
      p.entryQty += openQty;
      p.entryNotional += openQty * fill.price;
      if (Math.abs(p.qty) > p.maxAbsQty) p.maxAbsQty = Math.abs(p.qty);
      p.fees += fill.fee * (1 - closeShare);
      p.slippage += fill.slippageCost * (1 - closeShare);
      seePrice(p, fill.price, fill.price);
      if (this.market === 'spot') this.cashBalance -= openQty * fill.price;
    }
    for (const t of out) for (const fn of this.tradeListeners) fn(t);
    return out;
  }

  /**
   * Charges funding of one symbol to every open position on it: amount = qty x markPrice x rate
   * (signed qty, so longs pay when rate > 0 and shorts receive). Returns what each strategy paid.
   */
  applyFunding(symbol: string, rate: number, markPrice: number, ts: number): Array<{ strategyId: string; amount: number }> {
    const out: Array<{ strategyId: string; amount: number }> = [];
    const list = this.bySymbol.get(symbol);
    if (list === undefined) return out;
    for (const p of list) {
      if (p.qty === 0) continue;
      const amount = p.qty * markPrice * rate;
      this.applyFundingPayment(p.strategyId, symbol, amount, ts);
      out.push({ strategyId: p.strategyId, amount });
    }
    return out;
  }

  /** Books one funding payment of one strategy's position (amount > 0 = paid, < 0 = received). */
  applyFundingPayment(strategyId: string, symbol: string, amount: number, ts: number): void {
    if (!Number.isFinite(amount)) {
      throw new CtError('CT_ERR_INTERNAL', `portfolio.applyFundingPayment: ${strategyId} ${symbol} at ${ts}: amount ${amount} is not finite`, {
        details: { strategyId, symbol, ts, amount },
      });
    }
    const s = this.strategy(strategyId, `funding on ${symbol} at ${ts}`);
    s.funding += amount;
    this.cashBalance -= amount;
    const p = this.positions.get(strategyId)!.get(symbol);
    // Funding on a flat position cannot happen with a correct adapter; it still counts in the
    // strategy's totals (above) so the equity identity holds, just not in any trade.
    if (p !== undefined && p.qty !== 0) p.funding += amount;
  }

  /**
   * Sets the cash to what the exchange holds (an exchange-backed account's reconciliation): the
   * difference (funding or interest settled while the daemon was down, a deposit, a withdrawal) is
   * the account's, not any strategy's, so no sub-ledger changes. Returns the difference.
   */
  adoptCash(cash: number): number {
    if (!Number.isFinite(cash)) throw new CtError('CT_ERR_INTERNAL', `portfolio.adoptCash: ${cash} is not finite`, { details: { cash } });
    const diff = cash - this.cashBalance;
    this.cashBalance = cash;
    return diff;
  }

  /** Widens the excursion range of open trips on `symbol` and counts a bar held. */
  observeCandle(symbol: string, c: Candle): void {
    this.lastPrices.set(symbol, c.close);
    const list = this.bySymbol.get(symbol);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p.qty === 0) continue;
      seePrice(p, c.low, c.high);
      p.bars++;
    }
  }

  /** Marks every position at `prices` (last known price where missing) and returns the account snapshot. */
  mark(ts: number, prices: ReadonlyMap<string, number>): EquitySnapshot {
    for (const [sym, px] of prices) if (px > 0 && Number.isFinite(px)) this.lastPrices.set(sym, px);
    for (const s of this.strategies.values()) {
      s.unrealizedPnl = 0;
      s.gross = 0;
    }
    let gross = 0;
    let unrealized = 0;
    for (const [sid, bySym] of this.positions) {
      const s = this.strategies.get(sid)!;
      for (const p of bySym.values()) {
        if (p.qty === 0) continue;
        const px = this.lastPrices.get(p.symbol) ?? p.avgPrice;
        const u = p.qty * (px - p.avgPrice);
        const g = Math.abs(p.qty) * px;
        s.unrealizedPnl += u;
        s.gross += g;
        unrealized += u;
        gross += g;
      }
    }
    for (const s of this.strategies.values()) {
      const e = this.initialCash * s.weight + s.realizedPnl + s.unrealizedPnl - s.fees - s.funding;
      if (e > s.peak) s.peak = e;
    }
    const equity = this.equityWith(unrealized, gross);
    this.marks.see(ts, equity);
    const peak = this.marks.peak;
    return { ts, cash: this.cashBalance, equity, exposure: ratio(gross, equity), drawdown: peak > 0 ? Math.max(0, (peak - equity) / peak) : 0 };
  }

  // --- queries ---------------------------------------------------------------------------------

  position(strategyId: string, symbol: string): { qty: number; avgPrice: number } {
    const p = this.positions.get(strategyId)?.get(symbol);
    return p === undefined ? { qty: 0, avgPrice: 0 } : { qty: p.qty, avgPrice: p.avgPrice };
  }

  /** Non-flat positions, in the order they were first opened. */
  openPositions(): Array<{ strategyId: string; symbol: string; qty: number; avgPrice: number }> {
    const out: Array<{ strategyId: string; symbol: string; qty: number; avgPrice: number }> = [];
    for (const bySym of this.positions.values()) {
      for (const p of bySym.values()) if (p.qty !== 0) out.push({ strategyId: p.strategyId, symbol: p.symbol, qty: p.qty, avgPrice: p.avgPrice });
    }
    return out;
  }

  /** Account totals (sums of the sub-ledgers); unrealized PnL at the last known prices. */
  totals(): { realizedPnl: number; fees: number; slippage: number; funding: number; unrealizedPnl: number } {
    let realizedPnl = 0, fees = 0, slippage = 0, funding = 0, unrealizedPnl = 0;
    for (const s of this.strategies.values()) {
      realizedPnl += s.realizedPnl;
      fees += s.fees;
      slippage += s.slippage;
      funding += s.funding;
      unrealizedPnl += this.unrealizedOf(s.strategyId);
    }
    return { realizedPnl, fees, slippage, funding, unrealizedPnl };
  }

  /** A strategy's equity: allotted start (initialCash x weight) + its net PnL, at the last known prices. */
  strategyEquity(strategyId: string): number {
    const s = this.strategy(strategyId, 'strategyEquity');
    return this.initialCash * s.weight + s.realizedPnl + this.unrealizedOf(strategyId) - s.fees - s.funding;
  }

  /** Every strategy's sub-ledger at the last known prices (drawdown/exposure as of the last mark). */
  strategyLedgers(): StrategyLedgerView[] {
    const out: StrategyLedgerView[] = [];
    for (const s of this.strategies.values()) {
      const equity = this.strategyEquity(s.strategyId);
      out.push({
        strategyId: s.strategyId, weight: s.weight, realizedPnl: s.realizedPnl, unrealizedPnl: this.unrealizedOf(s.strategyId),
        fees: s.fees, slippage: s.slippage, funding: s.funding, trades: s.trades, equity,
        drawdown: s.peak > 0 ? Math.max(0, (s.peak - equity) / s.peak) : 0, exposure: ratio(s.gross, equity),
      });
    }
    return out;
  }

  closedTrades(): readonly Trade[] {
    return this.trades;
  }

  get cash(): number {
    return this.cashBalance;
  }

  /** Account equity at the last known prices (fills, candles, marks), not only at the last mark. */
  equity(): number {
    let gross = 0;
    let unrealized = 0;
    for (const bySym of this.positions.values()) {
      for (const p of bySym.values()) {
        if (p.qty === 0) continue;
        const px = this.lastPrices.get(p.symbol) ?? p.avgPrice;
        unrealized += p.qty * (px - p.avgPrice);
        gross += Math.abs(p.qty) * px;
      }
    }
    return this.equityWith(unrealized, gross);
  }

  /** Highest equity of any mark so far (the initial cash before the first mark). */
  get peakEquity(): number {
    return this.marks.peak;
  }

  /** Equity at the first mark of the current UTC day (initial cash before the first mark). */
  get dayStartEquity(): number {
    return this.marks.dayStart;
  }

  /** Account drawdown from the peak, now: (peak - equity()) / peak, >= 0. */
  drawdownNow(): number {
    const peak = this.marks.peak;
    return peak > 0 ? Math.max(0, (peak - this.equity()) / peak) : 0;
  }

  /** Last known price of a symbol (mark, candle close or fill), undefined if never seen. */
  lastPrice(symbol: string): number | undefined {
    return this.lastPrices.get(symbol);
  }

  // --- continuing in another process ----------------------------------------------------------

  /** Everything the account holds, as plain data (copies). Closed trades are not part of it: they are recorded. */
  snapshot(): PortfolioState {
    return {
      v: 1, market: this.market, initialCash: this.initialCash, cash: this.cashBalance, tradeSeq: this.tradeSeq,
      strategies: [...this.strategies.values()].map((s) => ({ ...s })),
      ledgers: this.created.map(ledgerState),
      lastPrices: [...this.lastPrices].map(([symbol, price]) => ({ symbol, price })),
      marks: this.marks.state(),
    };
  }

  /**
   * Continues from a snapshot of a Portfolio built with the same initial cash, strategies (in
   * order) and market: this one then holds and does exactly what that one did. Call it on a fresh
   * Portfolio, before any event. A field that is missing, of the wrong type or that does not fit
   * this Portfolio is a CT_ERR_ACCOUNT_STATE naming its path.
   */
  restore(state: unknown): void {
    if (this.created.length > 0) throw new CtError('CT_ERR_INTERNAL', 'portfolio.restore: called on a portfolio that already booked positions');
    const st = readPortfolioState(state, { market: this.market, initialCash: this.initialCash, strategyIds: [...this.strategies.keys()] });
    st.strategies.forEach((s) => Object.assign(this.strategies.get(s.strategyId)!, s));
    for (const p of st.ledgers) this.addLedger(this.positions.get(p.strategyId)!, { ...p });
    for (const { symbol, price } of st.lastPrices) this.lastPrices.set(symbol, price);
    this.cashBalance = st.cash;
    this.tradeSeq = st.tradeSeq;
    this.marks.setState(st.marks);
  }

  // --- internals -------------------------------------------------------------------------------

  private equityWith(unrealized: number, gross: number): number {
    if (this.market === 'linear') return this.cashBalance + unrealized;
    // spot: cash + market value of the holdings (all long, so gross = sum qty x price).
    return this.cashBalance + gross;
  }

  private unrealizedOf(strategyId: string): number {
    let u = 0;
    const bySym = this.positions.get(strategyId);
    if (bySym === undefined) return 0;
    for (const p of bySym.values()) {
      if (p.qty === 0) continue;
      u += p.qty * ((this.lastPrices.get(p.symbol) ?? p.avgPrice) - p.avgPrice);
    }
    return u;
  }

  private strategy(strategyId: string, where: string): StrategyLedger {
    const s = this.strategies.get(strategyId);
    if (s === undefined) {
      throw new CtError('CT_ERR_INTERNAL', `portfolio (${where}): strategy "${strategyId}" has no sub-ledger (known: ${[...this.strategies.keys()].join(', ')})`, {
        details: { strategyId, where },
      });
    }
    return s;
  }

  private ledger(strategyId: string, symbol: string): PositionLedger {
    const bySym = this.positions.get(strategyId)!;
    return bySym.get(symbol) ?? this.addLedger(bySym, newLedger(strategyId, symbol));
  }

  private addLedger(bySym: Map<string, PositionLedger>, p: PositionLedger): PositionLedger {
    bySym.set(p.symbol, p);
    let list = this.bySymbol.get(p.symbol);
    if (list === undefined) this.bySymbol.set(p.symbol, (list = []));
    list.push(p);
    this.created.push(p);
    return p;
  }
}

function ratio(gross: number, equity: number): number {
  if (gross === 0) return 0;
  return equity > 0 ? gross / equity : Number.POSITIVE_INFINITY;
}
