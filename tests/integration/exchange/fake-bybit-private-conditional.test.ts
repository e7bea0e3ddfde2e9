import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import WebSocket from 'ws';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const FEE = 0.001;

/**
 * Hours 0-8: open/close 2000, range 1990..2010, except hour 6 which dips to 1900.
 * Hours 9+: a gap up, open/close 2200, range 2190..2210, from hour 10 on dipping to 2100.
 */
function candles(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const base = i < 9 ? 2000 : 2200;
    c.ts[i] = T0 + i * H; c.open[i] = base; c.close[i] = base; c.high[i] = base + 10; c.volume[i] = 1;
    c.low[i] = i === 6 ? 1900 : i >= 10 ? 2100 : base - 10;
  }
  return c;
}

type Frame = Record<string, any>;

/** A private-stream client authenticated as `key`, subscribed to order and execution; every frame it got. */
async function privateStream(server: FakeBybitServer, key: string, secret: string): Promise<{ ws: WebSocket; frames: Frame[]; waitFor: (pred: (f: Frame) => boolean) => Promise<Frame> }> {
  const ws = new WebSocket(`${server.wsUrl}/v5/private`);
  const frames: Frame[] = [];
  const waiters: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as Frame;
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(f); }
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const waitFor = (pred: (f: Frame) => boolean): Promise<Frame> => {
    const seen = frames.find(pred);
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  const expires = Date.now() + 10_000;
  ws.send(JSON.stringify({ op: 'auth', args: [key, String(expires), createHmac('sha256', secret).update(`GET/realtime${expires}`).digest('hex')] }));
  await waitFor((f) => f['op'] === 'auth' && f['success'] === true);
  ws.send(JSON.stringify({ op: 'subscribe', args: ['order', 'execution'] }));
  await waitFor((f) => f['op'] === 'subscribe' && f['success'] === true);
  return { ws, frames, waitFor };
}

/** The `order` push items of one orderLinkId, in arrival order. */
function orderPushes(frames: Frame[], link: string): Frame[] {
  return frames.filter((f) => f['topic'] === 'order').flatMap((f) => f['data'] as Frame[]).filter((d) => d['orderLinkId'] === link);
}

async function openStopOrders(ex: PrivateBybitClient, category: string, filter?: string): Promise<Frame[]> {
  const r = (await ex.privateGetV5OrderRealtime({ category, symbol: 'ETHUSDT', ...(filter === undefined ? {} : { orderFilter: filter }) })) as Frame;
  return r['result']['list'] as Frame[];
}

async function admin(server: FakeBybitServer, path: string, body: unknown): Promise<{ status: number; body: Frame }> {
  const r = await fetch(`${server.adminUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Frame };
}

describe('fake Bybit linear conditional market orders', () => {
  const KEY = 'condkey0001';
  const SECRET = 'condsecret0001';
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  let stream: Awaited<ReturnType<typeof privateStream>>;
  beforeAll(async () => {
    // More orders per second than Bybit's 10/s linear order/create limit: this server allows them.
    server = await startFakeBybit({ now: T0 + 5 * H + 60_000, takerFee: FEE, rateLimits: { '/v5/order/create': 100 }, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, candles(24));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
    stream = await privateStream(server, KEY, SECRET);
  });
  afterAll(async () => {
    stream.ws.close();
    await server.close();
  });

  it('rests Untriggered, then fires on the closed candle that crosses it at the trigger price and the candle close time, nearest the open first', async () => {
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'entry-long' });
    const stop = await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.1', triggerPrice: '1950', triggerDirection: 2, reduceOnly: true, closeOnTrigger: true, orderLinkId: 'cond-sl-1' }) as Frame;
    expect(stop['result']['orderLinkId']).toBe('cond-sl-1');
    await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.1', triggerPrice: '1920', triggerDirection: 2, orderLinkId: 'cond-short-1' });

    const resting = await openStopOrders(ex, 'linear', 'StopOrder');
    expect(resting.map((o) => o['orderLinkId']).sort()).toEqual(['cond-short-1', 'cond-sl-1']);
    expect(resting.find((o) => o['orderLinkId'] === 'cond-sl-1')).toMatchObject({ orderStatus: 'Untriggered', stopOrderType: 'Stop', triggerPrice: '1950', triggerDirection: 2, reduceOnly: true, closeOnTrigger: true, orderType: 'Market', lastPriceOnCreated: '2000' });
    expect(await openStopOrders(ex, 'linear', 'Order')).toEqual([]);
    expect((await openStopOrders(ex, 'linear')).length).toBe(2);
    // No margin is held by a conditional order: the wallet only carries the long's margin.
    expect(server.account(KEY)!.positions[0]).toMatchObject({ size: 0.1 });

    server.setNow(T0 + 6 * H + H / 2); // hour 6 (low 1900) is forming, not closed
    expect(server.account(KEY)!.orders.filter((o) => o.status === 'Untriggered')).toHaveLength(2);
    server.setNow(T0 + 7 * H + 60_000); // hour 6 closed at T0 + 7h

    const a = server.account(KEY)!;
    const sl = a.orders.find((o) => o.orderLinkId === 'cond-sl-1')!;
    expect(sl).toMatchObject({ status: 'Filled', orderId: stop['result']['orderId'], avgPrice: 1950, cumExecQty: 0.1, updatedTime: T0 + 7 * H });
    const execs = a.executions.filter((e) => e.orderLinkId.startsWith('cond-'));
    // 1950 is nearer the candle's open (2000) than 1920: the long is closed first, then the short opens.
    expect(execs.map((e) => [e.orderLinkId, e.side, e.execPrice, e.execQty, e.execTime, e.stopOrderType])).toEqual([
      ['cond-sl-1', 'Sell', 1950, 0.1, T0 + 7 * H, 'Stop'],
      ['cond-short-1', 'Sell', 1920, 0.1, T0 + 7 * H, 'Stop'],
    ]);
    expect(execs[0]!.execFee).toBeCloseTo(0.1 * 1950 * FEE, 10);
    expect(a.positions[0]).toMatchObject({ size: -0.1, avgPrice: 1920 });

    // The same fill over REST, by orderLinkId (ccxt-visible through the implicit API) ...
    const list = (await ex.privateGetV5ExecutionList({ category: 'linear', orderLinkId: 'cond-sl-1' }) as Frame)['result']['list'] as Frame[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ orderLinkId: 'cond-sl-1', execPrice: '1950', execQty: '0.1', stopOrderType: 'Stop', createType: 'CreateByStopOrder', execTime: String(T0 + 7 * H) });
    // ... and on the private stream: Triggered then Filled, and the execution with its fee.
    await stream.waitFor((f) => f['topic'] === 'execution' && (f['data'] as Frame[]).some((d) => d['orderLinkId'] === 'cond-sl-1'));
    expect(orderPushes(stream.frames, 'cond-sl-1').map((d) => d['orderStatus'])).toEqual(['Untriggered', 'Triggered', 'Filled']);
    const ex1 = stream.frames.filter((f) => f['topic'] === 'execution').flatMap((f) => f['data'] as Frame[]).find((d) => d['orderLinkId'] === 'cond-sl-1')!;
    expect(ex1).toMatchObject({ category: 'linear', execPrice: '1950', stopOrderType: 'Stop' });
    expect(Number(ex1['execFee'])).toBeCloseTo(0.1 * 1950 * FEE, 10);
  });

  it('refuses a duplicate orderLinkId with 110072 and a trigger on the wrong side of the price with 10001, placing nothing', async () => {
    const n = server.account(KEY)!.orders.length;
    const dup = ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2100', triggerDirection: 1, orderLinkId: 'cond-sl-1' });
    await expect(dup).rejects.toThrow(/110072/);
    await expect(dup).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    // last price 2000: a rise to 1990 or a fall to 2000 cannot be a trigger.
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '1990', triggerDirection: 1, orderLinkId: 'cond-bad-1' })).rejects.toThrow(/expect Rising, but trigger_price\[199000000000\] <= current\[200000000000\]/);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.1', triggerPrice: '2000', triggerDirection: 2, orderLinkId: 'cond-bad-2' })).rejects.toThrow(/expect Falling/);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.0001', triggerPrice: '2100', triggerDirection: 1, orderLinkId: 'cond-bad-3' })).rejects.toThrow(/Qty invalid/);
    expect(server.account(KEY)!.orders).toHaveLength(n);
  });

  it('cancels an untriggered order by orderLinkId and by cancel-all with orderFilter StopOrder; a cancelled order never fires', async () => {
    const a1 = await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2100', triggerDirection: 1, reduceOnly: true, orderLinkId: 'cond-cancel-1' }) as Frame;
    await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2150', triggerDirection: 1, orderLinkId: 'cond-cancel-2' });
    await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2160', triggerDirection: 1, orderLinkId: 'cond-cancel-3' });
    const c1 = await ex.privatePostV5OrderCancel({ category: 'linear', symbol: 'ETHUSDT', orderLinkId: 'cond-cancel-1' }) as Frame;
    expect(c1['result']).toEqual({ orderId: a1['result']['orderId'], orderLinkId: 'cond-cancel-1' });
    await expect(ex.privatePostV5OrderCancel({ category: 'linear', symbol: 'ETHUSDT', orderLinkId: 'cond-cancel-1' })).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await ex.privatePostV5OrderCancel({ category: 'linear', symbol: 'ETHUSDT', orderId: server.account(KEY)!.orders.find((o) => o.orderLinkId === 'cond-cancel-2')!.orderId });
    const all = await ex.privatePostV5OrderCancelAll({ category: 'linear', symbol: 'ETHUSDT', orderFilter: 'StopOrder' }) as Frame;
    expect((all['result']['list'] as Frame[]).map((o) => o['orderLinkId'])).toEqual(['cond-cancel-3']);
    const byLink = (link: string): string => server.account(KEY)!.orders.find((o) => o.orderLinkId === link)!.status;
    expect(['cond-cancel-1', 'cond-cancel-2', 'cond-cancel-3'].map(byLink)).toEqual(['Deactivated', 'Deactivated', 'Deactivated']);
    // ccxt reads Deactivated as canceled.
    const o = await ex.fetchOrder(a1['result']['orderId'], 'ETH/USDT:USDT', { acknowledged: true });
    expect(o.status).toBe('canceled');
    await stream.waitFor(() => orderPushes(stream.frames, 'cond-cancel-3').some((d) => d['orderStatus'] === 'Deactivated'));
    server.setNow(T0 + 8 * H + 60_000);
    expect(server.account(KEY)!.executions.filter((e) => e.orderLinkId.startsWith('cond-cancel'))).toEqual([]);
  });

  it('fills at the candle open when the candle gaps through the trigger', async () => {
    // The short from the first test (0.1 at 1920); hour 9 opens at 2200, above a 2050 buy stop.
    await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.1', triggerPrice: '2050', triggerDirection: 1, reduceOnly: true, closeOnTrigger: true, orderLinkId: 'cond-gap-1' });
    server.setNow(T0 + 10 * H + 60_000);
    const a = server.account(KEY)!;
    expect(a.executions.filter((e) => e.orderLinkId === 'cond-gap-1').map((e) => [e.execPrice, e.execQty, e.execTime])).toEqual([[2200, 0.1, T0 + 10 * H]]);
    expect(a.positions).toEqual([]);
  });

  it('accepts a reduce-only conditional order with no position and cancels it without a fill when it triggers', async () => {
    await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.1', triggerPrice: '2150', triggerDirection: 2, reduceOnly: true, closeOnTrigger: true, orderLinkId: 'cond-nopos-1' });
    server.setNow(T0 + 11 * H + 60_000); // hour 10 (low 2100) closed
    const o = server.account(KEY)!.orders.find((x) => x.orderLinkId === 'cond-nopos-1')!;
    expect(o).toMatchObject({ status: 'Cancelled', cancelType: 'CancelByReduceOnly', cumExecQty: 0 });
    expect(server.account(KEY)!.executions.filter((e) => e.orderLinkId === 'cond-nopos-1')).toEqual([]);
    await stream.waitFor(() => orderPushes(stream.frames, 'cond-nopos-1').some((d) => d['orderStatus'] === 'Cancelled'));
    expect(orderPushes(stream.frames, 'cond-nopos-1').map((d) => d['orderStatus'])).toEqual(['Untriggered', 'Triggered', 'Cancelled']);
  });
});

describe('fake Bybit spot conditional market orders (orderFilter StopOrder)', () => {
  const KEY = 'spotcond0001';
  const SECRET = 'spotcondsecret0001';
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  let stream: Awaited<ReturnType<typeof privateStream>>;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 5 * H + 60_000, takerFee: FEE, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('spot', 'ETHUSDT', H, candles(24));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
    stream = await privateStream(server, KEY, SECRET);
  });
  afterAll(async () => {
    stream.ws.close();
    await server.close();
  });

  it('accepts a stop sell without the base coin (nothing is locked) and cancels it without a fill when it triggers with no coin', async () => {
    await expect(ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.05', triggerPrice: '1950', triggerDirection: 2, orderLinkId: 'spot-nofilter' })).rejects.toThrow(/orderFilter StopOrder/);
    await ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.05', triggerPrice: '1950', orderFilter: 'StopOrder', orderLinkId: 'spot-stop-1' });
    expect((await openStopOrders(ex, 'spot', 'StopOrder'))[0]).toMatchObject({ orderLinkId: 'spot-stop-1', orderStatus: 'Untriggered', triggerDirection: 2, marketUnit: 'baseCoin' });
    expect(server.account(KEY)!.balances).toEqual({ USDT: 1000 });
    server.setNow(T0 + 7 * H + 60_000); // hour 6 (low 1900) closed
    const a = server.account(KEY)!;
    expect(a.orders.find((o) => o.orderLinkId === 'spot-stop-1')).toMatchObject({ status: 'Cancelled', cumExecQty: 0 });
    expect(a.executions).toEqual([]);
    expect(a.balances).toEqual({ USDT: 1000 });
    await stream.waitFor(() => orderPushes(stream.frames, 'spot-stop-1').some((d) => d['orderStatus'] === 'Cancelled'));
  });

  it('cancels a spot stop order only with orderFilter StopOrder, and fills one at the gap open once the coin is there', async () => {
    await ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '100', triggerPrice: '2100', orderFilter: 'StopOrder', orderLinkId: 'spot-buy-1' });
    await expect(ex.privatePostV5OrderCancel({ category: 'spot', symbol: 'ETHUSDT', orderLinkId: 'spot-buy-1' })).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await ex.privatePostV5OrderCancel({ category: 'spot', symbol: 'ETHUSDT', orderLinkId: 'spot-buy-1', orderFilter: 'StopOrder' });
    expect(server.account(KEY)!.orders.find((o) => o.orderLinkId === 'spot-buy-1')!.status).toBe('Deactivated');

    // "The human on the website" deposits 0.1 ETH; a take-profit sell at 2100 then fills at hour 9's open (2200).
    expect((await admin(server, `/accounts/${KEY}/balances`, { coin: 'ETH', amount: 0.1 })).status).toBe(201);
    await ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Sell', orderType: 'Market', qty: '0.05', triggerPrice: '2100', triggerDirection: 1, orderFilter: 'StopOrder', orderLinkId: 'spot-tp-1' });
    server.setNow(T0 + 10 * H + 60_000);
    const a = server.account(KEY)!;
    expect(a.executions.map((e) => [e.orderLinkId, e.execPrice, e.execQty, e.execTime, e.feeCurrency])).toEqual([['spot-tp-1', 2200, 0.05, T0 + 10 * H, 'USDT']]);
    expect(a.balances['ETH']).toBeCloseTo(0.05, 10);
    expect(a.balances['USDT']).toBeCloseTo(1000 + 0.05 * 2200 * (1 - FEE), 8);
  });
});

describe('fake Bybit execution list filters and a foreign position', () => {
  const KEY = 'execkey0001';
  const SECRET = 'execsecret0001';
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    // 120 orders in a second would exceed Bybit's 10/s: this server allows them.
    server = await startFakeBybit({ now: T0 + 5 * H + 60_000, takerFee: FEE, rateLimits: { '/v5/order/create': 1000 }, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 100000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, candles(24));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('pages more than 100 executions with the cursor, filters by orderId, orderLinkId and startTime', async () => {
    for (let i = 0; i < 120; i++) {
      if (i === 60) server.setNow(T0 + 6 * H + 60_000);
      await ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: i % 2 === 0 ? 'Buy' : 'Sell', orderType: 'Market', qty: '0.01', orderLinkId: `page-${i}` });
    }
    const ids: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const r = (await ex.privateGetV5ExecutionList({ category: 'linear', limit: 100, ...(cursor === '' ? {} : { cursor }) }) as Frame)['result'];
      ids.push(...(r['list'] as Frame[]).map((e) => e['orderLinkId'] as string));
      cursor = r['nextPageCursor'] as string;
      pages++;
    } while (cursor !== '');
    expect(pages).toBe(2);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(ids[0]).toBe('page-119'); // newest first

    const o = server.account(KEY)!.orders.find((x) => x.orderLinkId === 'page-7')!;
    const byId = (await ex.privateGetV5ExecutionList({ category: 'linear', symbol: 'ETHUSDT', orderId: o.orderId }) as Frame)['result']['list'] as Frame[];
    expect(byId.map((e) => e['orderLinkId'])).toEqual(['page-7']);
    const byLink = (await ex.privateGetV5ExecutionList({ category: 'linear', orderLinkId: 'page-7' }) as Frame)['result']['list'] as Frame[];
    expect(byLink.map((e) => e['orderId'])).toEqual([o.orderId]);
    const since = (await ex.privateGetV5ExecutionList({ category: 'linear', startTime: T0 + 6 * H + 60_000, limit: 100 }) as Frame)['result']['list'] as Frame[];
    expect(since).toHaveLength(60);
    expect(since.every((e) => Number(e['execTime']) >= T0 + 6 * H + 60_000)).toBe(true);
  });

  it('opens a foreign position over the admin endpoint that position/list shows, without an order or execution', async () => {
    const before = server.account(KEY)!;
    const bad = await admin(server, `/accounts/${KEY}/positions`, { category: 'linear', symbol: 'ETHUSDT', side: 'Up', qty: 0.5 });
    expect(bad.status).toBe(400);
    const r = await admin(server, `/accounts/${KEY}/positions`, { category: 'linear', symbol: 'ETHUSDT', side: 'Buy', qty: 0.5 });
    expect(r.status).toBe(201);
    const [pos] = await ex.fetchPositions(['ETH/USDT:USDT']);
    expect(pos).toMatchObject({ side: 'long', contracts: 0.5, entryPrice: 2000 });
    const after = server.account(KEY)!;
    expect(after.orders).toHaveLength(before.orders.length);
    expect(after.executions).toHaveLength(before.executions.length);
    expect(after.balances).toEqual(before.balances);
  });
});
