import { describe, expect, it } from 'vitest';
import { compareWithExchange, type BookReading, type ExchangeReading } from '../../../src/execution/bybit/reconcile.ts';
import type { BookPosition, TrackedOrder } from '../../../src/execution/bybit/exchange-book.ts';
import { orderLinkIdOf } from '../../../src/execution/bybit/order-link-id.ts';
import type { ExchangeOrder, ExchangePosition, InstrumentRules, WalletCoin } from '../../../src/venues/bybit/private-types.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';

/** Reconciliation's comparison of the book with one reading of the exchange: plain records in, the differences out. */

const LIN = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
const rulesOf = (symbol: string): InstrumentRules => ({ symbol, id: 'BTCUSDT', base: 'BTC', quote: 'USDT', minQty: 0.001, qtyStep: 0.001, minNotional: 5, tickSize: 0.1 });

function pos(strategyId: string, symbol: string, qty: number): BookPosition {
  return { strategyId, symbol, qty, stop: NaN, takeProfit: NaN, gen: 1, slLink: '', tpLink: '', dirty: false };
}

function tracked(role: 'e' | 's' | 't', orderId: string, state: TrackedOrder['state'], symbol = LIN): TrackedOrder {
  return {
    linkId: orderLinkIdOf('epoch-1', role, orderId), role, orderId, strategyId: 's1', symbol, side: 'sell', qty: 0.1, reduceOnly: role !== 'e', decidedTs: 0, refPrice: 40000,
    trigger: role === 'e' ? undefined : { price: role === 's' ? 39000 : 41000, direction: role === 's' ? 2 : 1 }, stop: NaN, takeProfit: NaN,
    state, exchangeOrderId: 'x', filledQty: 0, reportedQty: 0, exchangeFinal: false, sentAt: 1,
  };
}

function exOrder(orderLinkId: string, extra: Partial<ExchangeOrder> = {}): ExchangeOrder {
  return { market: 'linear', symbol: LIN, orderId: `oid-${orderLinkId || 'manual'}`, orderLinkId, side: 'Sell', qty: 0.1, cumExecQty: 0, status: 'Untriggered', reduceOnly: true, triggerPrice: 39000, createdTime: 0, updatedTime: 0, ...extra };
}

function book(market: MarketType, positions: BookPosition[], opts: { cash?: number; protective?: TrackedOrder[]; known?: TrackedOrder[] } = {}): BookReading {
  const symbol = market === 'linear' ? LIN : SPOT;
  const known = new Map([...(opts.known ?? []), ...(opts.protective ?? [])].map((o) => [o.linkId, o] as const));
  return {
    market, symbols: [symbol], rules: new Map([[symbol, rulesOf(symbol)]]), positions, cash: opts.cash ?? 10_000,
    protective: new Map((opts.protective ?? []).map((o) => [o.linkId, o] as const)), orderOf: (l) => known.get(l),
  };
}

function exchange(positions: ExchangePosition[], opts: { usdt?: number; btc?: number; orders?: ExchangeOrder[] } = {}): ExchangeReading {
  const wallet: WalletCoin[] = [{ coin: 'USDT', walletBalance: opts.usdt ?? 10_000, locked: 0 }];
  if (opts.btc !== undefined) wallet.push({ coin: 'BTC', walletBalance: opts.btc, locked: 0 });
  return { positions, wallet, openOrders: opts.orders ?? [] };
}

const at = (qty: number, markPrice = 40000): ExchangePosition => ({ symbol: LIN, qty, avgPrice: 40000, markPrice, unrealisedPnl: 0 });
const noPrice = (): number | undefined => undefined;

describe('reconciliation compares the book with the exchange', () => {
  it('finds nothing when the exchange holds what the book holds (within half a lot step) and the same cash', () => {
    const c = compareWithExchange(book('linear', [pos('s1', LIN, 0.3), pos('s2', LIN, 0.1)]), exchange([at(0.4004)]), 'start', noPrice);
    expect(c.items).toEqual([]);
    expect(c.reductions).toEqual([]);
    expect(c.foreign).toEqual([]);
    expect(c.cash).toEqual({ book: 10_000, exchange: 10_000, differs: false });
  });

  it('shrinks every strategy in proportion when the exchange holds less on the same side (position_short)', () => {
    const c = compareWithExchange(book('linear', [pos('s1', LIN, 0.3), pos('s2', LIN, 0.1)]), exchange([at(0.2, 41000)]), 'start', noPrice);
    expect(c.reductions.map((r) => [r.strategyId, Number(r.qty.toFixed(12)), r.price])).toEqual([['s1', 0.15, 41000], ['s2', 0.05, 41000]]);
    expect(c.foreign).toEqual([]);
    expect(c.items.map((i) => [i.kind, i.book, i.exchange, i.action])).toEqual([['position_short', 0.4, 0.2, 'adopted']]);
    expect(c.items[0]!.message).toContain('s1 0.3, s2 0.1');
    const periodic = compareWithExchange(book('linear', [pos('s1', LIN, 0.3), pos('s2', LIN, 0.1)]), exchange([at(0.2)]), 'periodic', noPrice);
    expect(periodic.items.map((i) => [i.kind, i.action, i.phase])).toEqual([['position_short', 'reported', 'periodic']]);
  });

  it('gives up all of every strategy\'s position when the exchange is flat, and reports what it holds on the other side as foreign', () => {
    const flat = compareWithExchange(book('linear', [pos('s1', LIN, 0.3), pos('s2', LIN, 0.1)]), exchange([]), 'start', () => 39000);
    expect(flat.reductions.map((r) => [r.strategyId, r.qty, r.price])).toEqual([['s1', 0.3, 39000], ['s2', 0.1, 39000]]);
    expect(flat.foreign).toEqual([]);
    expect(flat.items.map((i) => i.kind)).toEqual(['position_short']);

    const opposite = compareWithExchange(book('linear', [pos('s1', LIN, 0.3), pos('s2', LIN, 0.1)]), exchange([at(-0.25)]), 'start', noPrice);
    expect(opposite.reductions.map((r) => [r.strategyId, r.qty])).toEqual([['s1', 0.3], ['s2', 0.1]]);
    expect(opposite.foreign).toEqual([{ symbol: LIN, qty: -0.25 }]);
    expect(opposite.items.map((i) => [i.kind, i.book, i.exchange, i.action])).toEqual([['position_short', 0.4, -0.25, 'adopted'], ['foreign_position', 0.4, -0.25, 'reported']]);
  });

  it('reports only the excess as foreign when the exchange holds more on the same side, and gives up nothing', () => {
    const c = compareWithExchange(book('linear', [pos('s1', LIN, -0.3)]), exchange([at(-0.5)]), 'start', noPrice);
    expect(c.reductions).toEqual([]);
    expect(c.foreign).toHaveLength(1);
    expect(c.foreign[0]!.qty).toBeCloseTo(-0.2, 12);
    expect(c.items.map((i) => [i.kind, i.action])).toEqual([['foreign_position', 'reported']]);
    const none = compareWithExchange(book('linear', []), exchange([at(0.5)]), 'start', noPrice);
    expect(none.foreign).toEqual([{ symbol: LIN, qty: 0.5 }]);
    expect(none.reductions).toEqual([]);
  });

  it('reads a spot holding from the base coin\'s wallet balance, priced at the book\'s last price', () => {
    // The port lists no positions on spot (positions() is [] there): the wallet's BTC is the holding.
    const short = compareWithExchange(book('spot', [pos('s1', SPOT, 0.1)]), exchange([], { btc: 0.04 }), 'start', () => 42000);
    expect(short.reductions.map((r) => [r.strategyId, Number(r.qty.toFixed(12)), r.price])).toEqual([['s1', 0.06, 42000]]);
    expect(short.items.map((i) => [i.kind, i.exchange])).toEqual([['position_short', 0.04]]);
    const more = compareWithExchange(book('spot', [pos('s1', SPOT, 0.1)]), exchange([], { btc: 0.15 }), 'start', () => 42000);
    expect(more.foreign.map((f) => [f.symbol, Number(f.qty.toFixed(12))])).toEqual([[SPOT, 0.05]]);
    expect(more.items[0]!.message).toContain('(BTC in the wallet)');
    const same = compareWithExchange(book('spot', [pos('s1', SPOT, 0.1)]), exchange([], { btc: 0.1 }), 'start', () => 42000);
    expect(same.items).toEqual([]);
  });

  it('tells spot dust left by fees paid in the coin (less than the minimum order) from a foreign holding', () => {
    // Bybit spot BTCUSDT: lot 0.000001, minimum order 0.000048. 0.00002 BTC beyond the book can never be sold; 0.0001 can.
    const spotRules = { ...rulesOf(SPOT), qtyStep: 0.000001, minQty: 0.000048 };
    const reading = { ...book('spot', [pos('s1', SPOT, 0.1)]), rules: new Map([[SPOT, spotRules]]) };
    const dust = compareWithExchange(reading, exchange([], { btc: 0.10002 }), 'start', () => 42000);
    expect(dust.items).toEqual([]);
    expect(dust.foreign).toEqual([]);
    const sellable = compareWithExchange(reading, exchange([], { btc: 0.1001 }), 'start', () => 42000);
    expect(sellable.foreign.map((f) => [f.symbol, Number(f.qty.toFixed(12))])).toEqual([[SPOT, 0.0001]]);
  });

  it('adopts a cash difference at the start beyond a millionth, and reports one while running only beyond a cent', () => {
    const startSmall = compareWithExchange(book('linear', [], { cash: 100 }), exchange([], { usdt: 100.005 }), 'start', noPrice);
    expect(startSmall.cash).toEqual({ book: 100, exchange: 100.005, differs: true });
    expect(startSmall.items.map((i) => [i.kind, i.symbol, i.book, i.exchange, i.action])).toEqual([['cash', 'USDT', 100, 100.005, 'adopted']]);
    const periodicSmall = compareWithExchange(book('linear', [], { cash: 100 }), exchange([], { usdt: 100.005 }), 'periodic', noPrice);
    expect(periodicSmall.cash?.differs).toBe(false);
    expect(periodicSmall.items).toEqual([]);
    const periodicBig = compareWithExchange(book('linear', [], { cash: 100 }), exchange([], { usdt: 99.9 }), 'periodic', noPrice);
    expect(periodicBig.items.map((i) => [i.kind, i.action])).toEqual([['cash', 'reported']]);
    const withinMillionth = compareWithExchange(book('linear', [], { cash: 10_000 }), exchange([], { usdt: 10_000.005 }), 'start', noPrice);
    expect(withinMillionth.cash?.differs).toBe(false);
  });

  it('marks an open order of ours the book has finished as stale, and every order it did not place (manual, another scheme, an unknown daemon id) as foreign', () => {
    const done = tracked('s', 's1:BTC/USDT:USDT:p1:sl', 'done');
    const working = tracked('e', 'sig-1:o1', 'open');
    const unknownDaemonId = orderLinkIdOf('another-epoch', 's', 'x');
    const c = compareWithExchange(
      book('linear', [], { known: [done, working] }),
      exchange([], { orders: [exOrder(done.linkId), exOrder(working.linkId, { status: 'New', triggerPrice: undefined }), exOrder(''), exOrder('my-manual-1'), exOrder(unknownDaemonId)] }),
      'start', noPrice,
    );
    expect(c.staleOrders.map((o) => o.orderLinkId)).toEqual([done.linkId]);
    expect(c.items.map((i) => [i.kind, i.action])).toEqual([['order_stale', 'cancelled'], ['foreign_order', 'ignored'], ['foreign_order', 'ignored'], ['foreign_order', 'ignored']]);
    expect(c.items.filter((i) => i.kind === 'foreign_order').map((i) => i.message.match(/open order (\S+)/)![1])).toEqual(['oid-manual', `oid-my-manual-1`, `oid-${unknownDaemonId}`]);
    const periodic = compareWithExchange(book('linear', [], { known: [done] }), exchange([], { orders: [exOrder(done.linkId)] }), 'periodic', noPrice);
    expect(periodic.items.map((i) => [i.kind, i.action])).toEqual([['order_stale', 'reported']]);
  });

  it('lists a protective order the book wants that the exchange does not hold as missing, and takes one it holds as ours', () => {
    const sl = tracked('s', 's1:BTC/USDT:USDT:p2:sl', 'open');
    const tp = tracked('t', 's1:BTC/USDT:USDT:p2:tp', 'open');
    const c = compareWithExchange(book('linear', [pos('s1', LIN, 0.1)], { protective: [sl, tp] }), exchange([at(0.1)], { orders: [exOrder(tp.linkId, { triggerPrice: 41000 })] }), 'start', noPrice);
    expect(c.missingProtective.map((o) => o.linkId)).toEqual([sl.linkId]);
    expect(c.staleOrders).toEqual([]);
    expect(c.items).toEqual([]);
  });
});
