import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'ccxtkey0001';
const SECRET = 'ccxtsecret0001';

/** Hourly candles whose close is 40000 + 10 i, so the price at any hour is known. */
function hourly(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * H; c.open[i] = 40000 + 10 * i - 5; c.close[i] = 40000 + 10 * i; c.high[i] = c.close[i]! + 20; c.low[i] = c.open[i]! - 20; c.volume[i] = 1;
  }
  return c;
}

describe('fake Bybit private API through a real ccxt client with keys', () => {
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    // 10:30 on day one: the forming candle is 10:00, close 40100.
    server = await startFakeBybit({ now: T0 + 10 * H + H / 2, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 10000 } }] });
    server.addCandles('spot', 'BTCUSDT', H, hourly(48));
    server.addCandles('linear', 'BTCUSDT', H, hourly(48));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('loads markets with keys through the signed coin/query-info', () => {
    expect(server.requestsTo('/v5/asset/coin/query-info')).toHaveLength(1);
    expect(ex.currencies['BTC']).toBeDefined();
    expect(ex.markets!['BTC/USDT:USDT']).toBeDefined();
  });

  it('fills a spot market buy by clientOrderId at the served price with the taker fee, and finds it again by that id', async () => {
    const placed = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'sig-spot-0001' });
    expect(placed.clientOrderId).toBe('sig-spot-0001');
    expect(JSON.parse(server.requestsTo('/v5/order/create')[0]!.body!)).toMatchObject({ orderLinkId: 'sig-spot-0001', marketUnit: 'baseCoin', qty: '0.01' });

    const found = await ex.fetchOrder(undefined as unknown as string, 'BTC/USDT', { orderLinkId: 'sig-spot-0001', acknowledged: true });
    expect(found).toMatchObject({ id: placed.id, clientOrderId: 'sig-spot-0001', status: 'closed', side: 'buy', filled: 0.01, average: 40100 });

    const trades = await ex.fetchMyTrades('BTC/USDT', T0);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ order: placed.id, side: 'buy', price: 40100, amount: 0.01, cost: 401, takerOrMaker: 'taker' });
    expect(trades[0]!.fee).toMatchObject({ cost: 0.00001, currency: 'BTC' });
    expect(trades[0]!.id).toBe(server.account(KEY)!.executions[0]!.execId);

    const bal = await ex.fetchBalance();
    expect(bal['USDT']!.total).toBeCloseTo(10000 - 401, 8);
    expect(bal['BTC']!.total).toBeCloseTo(0.01 - 0.00001, 10);
  });

  it('opens and closes a linear position with reduce-only, booking fees and realised PnL in USDT', async () => {
    const before = server.account(KEY)!.balances['USDT']!;
    const open = await ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.05, undefined, { clientOrderId: 'sig-lin-open' });
    let positions = await ex.fetchPositions(['BTC/USDT:USDT']);
    expect(positions).toHaveLength(1);
    expect(positions[0]).toMatchObject({ symbol: 'BTC/USDT:USDT', side: 'long', contracts: 0.05, entryPrice: 40100 });
    expect(server.account(KEY)!.positions).toMatchObject([{ symbol: 'BTCUSDT', size: 0.05, avgPrice: 40100 }]);

    server.advance(2 * H); // 12:30: close 40120
    const close = await ex.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.05, undefined, { clientOrderId: 'sig-lin-close', reduceOnly: true });
    expect(JSON.parse(server.requestsTo('/v5/order/create').at(-1)!.body!)).toMatchObject({ reduceOnly: true, orderLinkId: 'sig-lin-close' });
    positions = await ex.fetchPositions(['BTC/USDT:USDT']);
    expect(positions.filter((p) => (p.contracts ?? 0) > 0)).toHaveLength(0);

    const trades = await ex.fetchMyTrades('BTC/USDT:USDT', T0);
    expect(trades.map((t) => [t.order, t.side, t.price, t.amount, t.fee?.cost, t.fee?.currency]).sort()).toEqual([
      [open.id, 'buy', 40100, 0.05, 2.005, 'USDT'],
      [close.id, 'sell', 40120, 0.05, 2.006, 'USDT'],
    ].sort());
    // +1 USDT PnL (0.05 x 20) minus both fees.
    expect(server.account(KEY)!.balances['USDT']).toBeCloseTo(before + 1 - 2.005 - 2.006, 8);
    const bal = await ex.fetchBalance();
    expect(bal['USDT']!.total).toBeCloseTo(before + 1 - 2.005 - 2.006, 8);
  });

  it('refuses a reduce-only order without a position and a second order with the same orderLinkId', async () => {
    await expect(ex.createOrder('BTC/USDT:USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'sig-lin-ro', reduceOnly: true })).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    const n = server.account(KEY)!.orders.length;
    await expect(ex.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'sig-lin-open' })).rejects.toThrow(/OrderLinkedID is duplicate/);
    expect(server.account(KEY)!.orders).toHaveLength(n);
  });

  it('lists a resting limit order as open and cancels it', async () => {
    const o = await ex.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.01, 30000, { clientOrderId: 'sig-lin-limit' });
    const open = await ex.fetchOpenOrders('BTC/USDT:USDT');
    expect(open.map((x) => x.clientOrderId)).toEqual(['sig-lin-limit']);
    await ex.cancelOrder(o.id!, 'BTC/USDT:USDT');
    expect(await ex.fetchOpenOrders('BTC/USDT:USDT')).toHaveLength(0);
    await expect(ex.cancelOrder(o.id!, 'BTC/USDT:USDT')).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('amends a resting order and cancels all resting orders of a symbol', async () => {
    const a = await ex.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.01, 30000, { clientOrderId: 'sig-lin-amend' });
    await ex.createOrder('BTC/USDT:USDT', 'limit', 'buy', 0.02, 31000, { clientOrderId: 'sig-lin-rest2' });
    await ex.editOrder(a.id!, 'BTC/USDT:USDT', 'limit', 'buy', 0.03, 32000);
    const open = await ex.fetchOpenOrders('BTC/USDT:USDT');
    expect(open.find((o) => o.clientOrderId === 'sig-lin-amend')).toMatchObject({ amount: 0.03, price: 32000 });
    const cancelled = await ex.cancelAllOrders('BTC/USDT:USDT');
    expect(cancelled.map((o) => o.clientOrderId).sort()).toEqual(['sig-lin-amend', 'sig-lin-rest2']);
    expect(await ex.fetchOpenOrders('BTC/USDT:USDT')).toHaveLength(0);
    await expect(ex.editOrder(a.id!, 'BTC/USDT:USDT', 'limit', 'buy', 0.04, 32000)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
  });

  it('gives AuthenticationError to a client with a wrong secret, and places nothing', async () => {
    const n = server.account(KEY)!.orders.length;
    const bad = privateBybitClient(server.restUrl, KEY, 'not-the-secret');
    bad.setMarkets(Object.values(ex.markets!));
    bad.options['enableUnifiedMargin'] = false;
    bad.options['enableUnifiedAccount'] = true;
    await expect(bad.createOrder('BTC/USDT:USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'sig-bad-1' })).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    await expect(bad.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    expect(server.account(KEY)!.orders).toHaveLength(n);
  });
});
