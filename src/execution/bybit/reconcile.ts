/**
 * Reconciliation's comparison: the daemon's book against one reading of the exchange account
 * (positions, wallet, open orders). Pure: the caller fetched the exchange's side and acts on the
 * result (src/app/exchange-reconcile.ts). The same comparison runs at every exchange-backed start
 * (where the book then adopts the exchange's positions and cash) and every
 * live.reconcile_interval_s while running (where a difference is only raised, loudly).
 *
 * Per symbol the book's position is the sum of its strategies' (Bybit nets one position per
 * symbol; spot "positions" are the base coin's wallet balance):
 *   - exchange holds less, same side  -> `position_short`: the strategies' positions shrink
 *     in proportion (the exchange closed part of them: by hand, a liquidation);
 *   - exchange flat or the other side -> `position_short` for all of ours, and whatever it holds
 *     is `foreign_position`;
 *   - exchange holds more, same side  -> the excess is `foreign_position` (not ours; left alone).
 */
import type { ReconciliationItem, ReconciliationPhase } from '../../domain/reconciliation.ts';
import type { MarketType } from '../../domain/instrument.ts';
import type { ExchangeOrder, ExchangePosition, InstrumentRules, WalletCoin } from '../../venues/bybit/private-types.ts';
import type { BookPosition, TrackedOrder } from './exchange-book.ts';
import { isDaemonLinkId } from './order-link-id.ts';

export interface ExchangeReading {
  readonly positions: readonly ExchangePosition[];
  readonly wallet: readonly WalletCoin[];
  readonly openOrders: readonly ExchangeOrder[];
}

export interface BookReading {
  readonly market: MarketType;
  readonly symbols: readonly string[];
  readonly rules: ReadonlyMap<string, InstrumentRules>;
  readonly positions: ReadonlyArray<Readonly<BookPosition>>;
  readonly cash: number;
  /** The daemon's conditional (protective) orders that should rest on the exchange, by orderLinkId. */
  readonly protective: ReadonlyMap<string, Readonly<TrackedOrder>>;
  /** The daemon's order with this orderLinkId, in any state. */
  readonly orderOf: (linkId: string) => Readonly<TrackedOrder> | undefined;
}

export interface Reduction {
  readonly symbol: string;
  readonly strategyId: string;
  readonly qty: number;
  readonly price: number;
}

export interface Comparison {
  readonly items: ReconciliationItem[];
  /** Per strategy, what the book must give up to hold what the exchange holds. */
  readonly reductions: Reduction[];
  /** Foreign quantity per symbol (signed). */
  readonly foreign: ReadonlyArray<{ symbol: string; qty: number }>;
  readonly cash: { readonly book: number; readonly exchange: number; readonly differs: boolean } | undefined;
  readonly staleOrders: ExchangeOrder[];
  readonly missingProtective: ReadonlyArray<Readonly<TrackedOrder>>;
}

/** Prices where the exchange gives none (spot): the book's last price per symbol. */
export function compareWithExchange(book: BookReading, ex: ExchangeReading, phase: ReconciliationPhase, lastPrice: (symbol: string) => number | undefined): Comparison {
  const items: ReconciliationItem[] = [];
  const reductions: Reduction[] = [];
  const foreign: Array<{ symbol: string; qty: number }> = [];
  const adopt = phase === 'start';
  const item = (x: Omit<ReconciliationItem, 'phase'>): void => void items.push({ phase, ...x });

  let quote = '';
  for (const symbol of book.symbols) {
    const rules = book.rules.get(symbol);
    if (rules === undefined) continue;
    quote = rules.quote;
    const mine = book.positions.filter((p) => p.symbol === symbol && p.qty !== 0);
    const bookQty = mine.reduce((a, p) => a + p.qty, 0);
    const pos = ex.positions.find((p) => p.symbol === symbol);
    const exQty = book.market === 'linear' ? (pos?.qty ?? 0) : (ex.wallet.find((c) => c.coin === rules.base)?.walletBalance ?? 0);
    const price = pos?.markPrice ?? lastPrice(symbol) ?? NaN;
    const tol = rules.qtyStep / 2;
    if (Math.abs(exQty - bookQty) <= tol) continue;
    const sameSide = bookQty !== 0 && Math.sign(exQty) === Math.sign(bookQty);
    if (bookQty !== 0 && (!sameSide || Math.abs(exQty) < Math.abs(bookQty))) {
      // Ours shrank: what the exchange still holds on our side is ours, in proportion.
      const keep = sameSide ? Math.abs(exQty) / Math.abs(bookQty) : 0;
      for (const p of mine) reductions.push({ symbol, strategyId: p.strategyId, qty: Math.abs(p.qty) * (1 - keep), price });
      item({
        kind: 'position_short', symbol, book: bookQty, exchange: exQty, action: adopt ? 'adopted' : 'reported',
        message: `${symbol}: the book holds ${fmt(bookQty)} (${mine.map((p) => `${p.strategyId} ${fmt(p.qty)}`).join(', ')}), the exchange ${fmt(sameSide ? exQty : 0)} of it` +
          (adopt ? `; the book adopts the exchange's position (reconciliation fill${mine.length > 1 ? 's' : ''} at ${fmt(price)})` : ''),
      });
    }
    const foreignQty = sameSide || bookQty === 0 ? exQty - bookQty : exQty;
    // Spot: coin left over from fees paid in the coin, below the minimum order quantity, is dust that can never be sold.
    const dust = book.market === 'spot' && foreignQty > 0 && foreignQty < Math.max(rules.minQty, rules.qtyStep);
    if (!dust && Math.abs(foreignQty) > tol && (bookQty === 0 || !sameSide || Math.abs(exQty) > Math.abs(bookQty))) {
      foreign.push({ symbol, qty: foreignQty });
      item({
        kind: 'foreign_position', symbol, book: bookQty, exchange: exQty, action: 'reported',
        message: `${symbol}: the exchange holds ${fmt(exQty)}, ${fmt(foreignQty)} of it not placed by this daemon` +
          (book.market === 'spot' ? ` (${rules.base} in the wallet)` : ''),
      });
    }
  }

  let cash: Comparison['cash'];
  const coin = ex.wallet.find((c) => c.coin === quote);
  if (quote !== '') {
    const exchange = coin?.walletBalance ?? 0;
    const tol = adopt ? 1e-6 * Math.max(1, Math.abs(book.cash)) : Math.max(0.01, 1e-6 * Math.abs(book.cash));
    const differs = Math.abs(exchange - book.cash) > tol;
    cash = { book: book.cash, exchange, differs };
    if (differs) {
      item({ kind: 'cash', symbol: quote, book: book.cash, exchange, action: adopt ? 'adopted' : 'reported',
        message: `${quote}: the book has ${fmt(book.cash)}, the exchange ${fmt(exchange)} (${exchange > book.cash ? '+' : ''}${fmt(exchange - book.cash)})${adopt ? '; the book adopts the exchange\'s cash' : ''}` });
    }
  }

  const staleOrders: ExchangeOrder[] = [];
  const seen = new Set<string>();
  for (const o of ex.openOrders) {
    seen.add(o.orderLinkId);
    if (book.protective.has(o.orderLinkId)) continue;
    const ours = o.orderLinkId !== '' && isDaemonLinkId(o.orderLinkId) ? book.orderOf(o.orderLinkId) : undefined;
    if (ours !== undefined) {
      // Market orders of ours still open are not reconciliation's business: the adapter resolves them.
      if (ours.role === 'e' && ours.state !== 'done') continue;
      staleOrders.push(o);
      item({ kind: 'order_stale', symbol: o.symbol, book: undefined, exchange: o.qty, action: adopt ? 'cancelled' : 'reported',
        message: `${o.symbol}: order ${o.orderLinkId} of this daemon (${ours.orderId}) is open on the exchange but no longer wanted${adopt ? '; cancelled' : ''}` });
      continue;
    }
    item({ kind: 'foreign_order', symbol: o.symbol, book: undefined, exchange: o.qty, action: 'ignored',
      message: `${o.symbol}: open order ${o.orderId}${o.orderLinkId === '' ? '' : ` (${o.orderLinkId})`} ${o.side} ${fmt(o.qty)}${o.triggerPrice === undefined ? '' : ` trigger ${fmt(o.triggerPrice)}`} was not placed by this daemon; left alone` });
  }
  const missingProtective: Array<Readonly<TrackedOrder>> = [];
  for (const [link, o] of book.protective) {
    if (seen.has(link)) continue;
    missingProtective.push(o);
  }
  return { items, reductions, foreign, cash, staleOrders, missingProtective };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(10)).toString();
}
