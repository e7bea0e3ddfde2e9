import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import type { BybitPrivateApi } from '../../../src/venues/bybit/private-types.ts';
import { SILENT_LOGGER } from '../../../src/venues/bybit/retry.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'privapikey0001';
const SECRET = 'privapisecret0001';
const RETRY = { attempts: 3, baseMs: 10, capMs: 50 };

/** Hourly candles whose close is 40000 + 10 i. */
function hourly(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * H; c.open[i] = 40000 + 10 * i; c.close[i] = 40000 + 10 * i; c.high[i] = c.close[i]! + 20; c.low[i] = c.open[i]! - 20; c.volume[i] = 1;
  }
  return c;
}

function orderBodies(server: FakeBybitServer): Record<string, unknown>[] {
  return server.requestsTo('/v5/order/create').filter((r) => r.body !== undefined).map((r) => JSON.parse(r.body!) as Record<string, unknown>);
}

describe('the private API places market orders on the fake exchange and reads them back', () => {
  let server: FakeBybitServer;
  let api: BybitPrivateApi;
  beforeAll(async () => {
    // 10:30 on day one: the forming candle is 10:00, close 40100.
    server = await startFakeBybit({ now: T0 + 10 * H + H / 2, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 10000, BTC: 0.5 } }] });
    server.addCandles('spot', 'BTCUSDT', H, hourly(24 * 20));
    server.addCandles('linear', 'BTCUSDT', H, hourly(24 * 20));
    api = createPrivateApi({ restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: RETRY, logger: SILENT_LOGGER });
  });
  afterAll(async () => server.close());

  it('buys spot with the quantity in the base coin (marketUnit baseCoin) and sees the fill in executions()', async () => {
    const out = await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'spot-buy-0001', reduceOnly: false });
    expect(out).toEqual({ kind: 'accepted', orderId: server.account(KEY)!.orders[0]!.orderId });
    expect(orderBodies(server)[0]).toEqual({ category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.01', orderLinkId: 'spot-buy-0001', marketUnit: 'baseCoin' });
    const fills = await api.executions('spot', T0);
    const exchange = server.account(KEY)!.executions[0]!;
    expect(fills).toEqual([{
      market: 'spot', symbol: 'BTC/USDT', execId: exchange.execId, orderId: exchange.orderId, orderLinkId: 'spot-buy-0001', side: 'Buy', qty: 0.01,
      price: 40100, value: 401, fee: exchange.execFee, feeCurrency: 'BTC', execTime: T0 + 10 * H + H / 2, execType: 'Trade', stopOrderType: '',
    }]);
  });

  it('sells spot in the base coin, with float noise in the quantity sent at the lot step', async () => {
    const out = await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Sell', qty: 0.1 + 0.2, orderLinkId: 'spot-sell-0001', reduceOnly: false });
    expect(out.kind).toBe('accepted');
    expect(orderBodies(server).at(-1)).toMatchObject({ side: 'Sell', qty: '0.3', marketUnit: 'baseCoin' });
  });

  it('opens a linear position and closes it reduce-only; positions() gives the signed quantity', async () => {
    expect((await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Sell', qty: 0.05, orderLinkId: 'lin-open-0001', reduceOnly: false })).kind).toBe('accepted');
    expect(await api.positions('linear', ['BTC/USDT:USDT'])).toEqual([{ symbol: 'BTC/USDT:USDT', qty: -0.05, avgPrice: 40100, markPrice: 40100, unrealisedPnl: 0 }]);
    expect(await api.positions('spot', ['BTC/USDT'])).toEqual([]);
    expect((await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.05, orderLinkId: 'lin-close-0001', reduceOnly: true })).kind).toBe('accepted');
    expect(orderBodies(server).at(-1)).toEqual({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.05', orderLinkId: 'lin-close-0001', reduceOnly: true });
    expect(await api.positions('linear', [])).toEqual([]);
    const fills = await api.executions('linear', T0);
    expect(fills.map((f) => [f.orderLinkId, f.side, f.qty, f.price, f.feeCurrency])).toEqual([['lin-open-0001', 'Sell', 0.05, 40100, 'USDT'], ['lin-close-0001', 'Buy', 0.05, 40100, 'USDT']]);
    expect(fills.map((f) => f.execId)).toEqual(server.account(KEY)!.executions.filter((e) => e.category === 'linear').map((e) => e.execId));
  });

  it('answers duplicate to a repeated orderLinkId and rejected with Bybit\'s code to a refused order, placing nothing', async () => {
    const n = server.account(KEY)!.orders.length;
    expect(await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'spot-buy-0001', reduceOnly: false })).toEqual({ kind: 'duplicate' });
    server.faults.next({ kind: 'reject_insufficient_balance' });
    expect(await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.01, orderLinkId: 'rej-0001', reduceOnly: false }))
      .toEqual({ kind: 'rejected', code: 110007, message: 'ab not enough for new order' });
    server.faults.next({ kind: 'reject_qty_step' });
    expect(await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'rej-0002', reduceOnly: false }))
      .toEqual({ kind: 'rejected', code: 170137, message: 'Order volume decimal too long' });
    server.faults.next({ kind: 'reject_qty_min' });
    expect(await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'rej-0003', reduceOnly: false }))
      .toMatchObject({ kind: 'rejected', code: 170136 });
    expect(server.account(KEY)!.orders).toHaveLength(n);
  });

  it('answers unknown when the reply is lost after the exchange accepted, and findOrder then finds the filled order', async () => {
    server.faults.next({ kind: 'reply_lost_after_accept' });
    const out = await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.01, orderLinkId: 'lost-0001', reduceOnly: false });
    expect(out.kind).toBe('unknown');
    expect(server.faults.applied['reply_lost_after_accept']).toBe(1);
    expect(server.requestsTo('/v5/order/create').filter((r) => r.body!.includes('lost-0001'))).toHaveLength(1);
    const found = await api.findOrder('linear', 'BTC/USDT:USDT', 'lost-0001');
    expect(found).toMatchObject({ market: 'linear', symbol: 'BTC/USDT:USDT', orderLinkId: 'lost-0001', status: 'Filled', qty: 0.01, cumExecQty: 0.01, side: 'Buy', reduceOnly: false, triggerPrice: undefined });
    expect(found!.orderId).toBe(server.account(KEY)!.orders.find((o) => o.orderLinkId === 'lost-0001')!.orderId);
    expect(await api.findOrder('linear', 'BTC/USDT:USDT', 'never-placed-0001')).toBeUndefined();
  });

  it('answers unknown to a 5xx on order/create without sending it again', async () => {
    server.faults.next({ kind: 'http_5xx', path: '/v5/order/create' });
    const before = server.requestsTo('/v5/order/create').length;
    expect((await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'fivexx-0001', reduceOnly: false })).kind).toBe('unknown');
    expect(server.requestsTo('/v5/order/create').length).toBe(before + 1);
  });

  it('sends a rate-limited order again after pacing, placing exactly one', async () => {
    server.faults.next({ kind: 'rate_limit', path: '/v5/order/create', count: 2 });
    const before = server.requestsTo('/v5/order/create').length;
    const out = await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'paced-0001', reduceOnly: false });
    expect(out.kind).toBe('accepted');
    expect(server.faults.applied['rate_limit']).toBe(2);
    // Two refused (the fake answers 10006 before reading the body), the third placed.
    expect(server.requestsTo('/v5/order/create').length).toBe(before + 3);
    expect(server.account(KEY)!.orders.filter((o) => o.orderLinkId === 'paced-0001')).toHaveLength(1);
  });

  it('sends a conditional order with trigger price and direction (as far as the fake simulates them)', async () => {
    const out = await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Sell', qty: 0.01, orderLinkId: 'sl-0001', reduceOnly: true, trigger: { price: 39000.123, direction: 2 } });
    expect(orderBodies(server).at(-1)).toEqual({
      category: 'linear', symbol: 'BTCUSDT', side: 'Sell', orderType: 'Market', qty: '0.01', orderLinkId: 'sl-0001', reduceOnly: true,
      triggerPrice: '39000.1', triggerDirection: 2, triggerBy: 'LastPrice', closeOnTrigger: true,
    });
    // This fake refuses conditional orders with 10001 until it simulates them; either way the outcome is not 'unknown'.
    expect(['accepted', 'rejected']).toContain(out.kind);
    await api.placeOrder({ market: 'spot', symbol: 'BTC/USDT', side: 'Sell', qty: 0.01, orderLinkId: 'sl-0002', reduceOnly: true, trigger: { price: 39000, direction: 2 } });
    expect(orderBodies(server).at(-1)).toMatchObject({ category: 'spot', marketUnit: 'baseCoin', triggerPrice: '39000', triggerDirection: 2, orderFilter: 'StopOrder' });
    expect(orderBodies(server).at(-1)!['reduceOnly']).toBeUndefined();
  });

  it('reads every execution across Bybit\'s 7-day windows and pages, oldest first', async () => {
    // 8 fills two days apart span three 7-day windows.
    const start = server.now() + H;
    for (let i = 0; i < 8; i++) {
      server.setNow(start + i * 2 * 24 * H);
      expect((await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: i % 2 === 0 ? 'Buy' : 'Sell', qty: 0.01, orderLinkId: `win-${i}`, reduceOnly: false })).kind).toBe('accepted');
    }
    const fills = await api.executions('linear', start);
    expect(fills.map((f) => f.orderLinkId)).toEqual(Array.from({ length: 8 }, (_, i) => `win-${i}`));
    const windows = server.requestsTo('/v5/execution/list').slice(-3).map((r) => [Number(r.query['startTime']), Number(r.query['endTime'])]);
    for (const [s, e] of windows) expect(e! - s!).toBeLessThan(7 * 24 * H);
  });

  it('follows the cursor through more executions than one page holds', async () => {
    server.setNow(server.now() + 24 * H);
    const since = server.now();
    for (let i = 0; i < 103; i++) {
      expect((await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: i % 2 === 0 ? 'Buy' : 'Sell', qty: 0.001, orderLinkId: `page-${i}`, reduceOnly: false })).kind).toBe('accepted');
    }
    const before = server.requestsTo('/v5/execution/list').length;
    const fills = await api.executions('linear', since);
    expect(fills.map((f) => f.orderLinkId)).toEqual(Array.from({ length: 103 }, (_, i) => `page-${i}`));
    const asked = server.requestsTo('/v5/execution/list').slice(before);
    expect(asked.map((r) => r.query['cursor'] ?? '')).toEqual(['', '100']);
  });
});
