import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'faultkey0001';
const SECRET = 'faultsecret0001';

function flat(n: number, price: number): CandleColumns {
  const f = (): Float64Array => new Float64Array(n).fill(price);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => T0 + i * H), open: f(), high: f(), low: f(), close: f(), volume: new Float64Array(n).fill(1) };
}

async function admin(server: FakeBybitServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${server.adminUrl}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('fake Bybit private API faults, driven over the admin endpoint', () => {
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 5 * H + 60_000 });
    server.addCandles('spot', 'ETHUSDT', H, flat(24, 2000));
    server.addCandles('linear', 'ETHUSDT', H, flat(24, 2000));
    expect((await admin(server, 'POST', '/accounts', { apiKey: KEY, secret: SECRET, balances: { USDT: 1000 }, takerFee: 0.00055 })).status).toBe(201);
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('loses the reply after accepting an order: exactly one order exists, findable by orderLinkId, and a resend is refused', async () => {
    expect((await admin(server, 'POST', '/faults', { kind: 'reply_lost_after_accept' })).status).toBe(201);
    await expect(ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'lost-reply-0001' })).rejects.toBeInstanceOf(ccxt.NetworkError);
    expect(server.faults.applied['reply_lost_after_accept']).toBe(1);

    const found = await ex.fetchOrder(undefined as unknown as string, 'ETH/USDT:USDT', { orderLinkId: 'lost-reply-0001', acknowledged: true });
    expect(found).toMatchObject({ clientOrderId: 'lost-reply-0001', status: 'closed', filled: 0.1, average: 2000 });
    await expect(ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'lost-reply-0001' })).rejects.toThrow(/OrderLinkedID is duplicate/);

    const view = (await admin(server, 'GET', `/accounts/${KEY}`)).body;
    expect(view['orders'].filter((o: { orderLinkId: string }) => o.orderLinkId === 'lost-reply-0001')).toHaveLength(1);
    expect(view['executions']).toHaveLength(1);
    expect(view['executions'][0]).toMatchObject({ orderLinkId: 'lost-reply-0001', execPrice: 2000, execQty: 0.1, execFee: 0.11, feeCurrency: 'USDT' });
    expect(view['positions']).toMatchObject([{ symbol: 'ETHUSDT', size: 0.1, avgPrice: 2000 }]);
    expect(view['balances']).toEqual({ USDT: 1000 - 0.11 });
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it('rejects orders on demand with Bybit codes ccxt maps to InsufficientFunds and InvalidOrder, placing nothing', async () => {
    const n = server.account(KEY)!.orders.length;
    await admin(server, 'POST', '/faults', { kind: 'reject_insufficient_balance' });
    await expect(ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'forced-1' })).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await admin(server, 'POST', '/faults', { kind: 'reject_qty_min' });
    await expect(ex.createOrder('ETH/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'forced-2' })).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    await admin(server, 'POST', '/faults', { kind: 'reject_qty_step' });
    await expect(ex.createOrder('ETH/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'forced-3' })).rejects.toThrow(/170137/);
    expect(server.account(KEY)!.orders).toHaveLength(n);
    // A rejected orderLinkId was never placed, so it can be used again.
    const ok = await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.1, undefined, { clientOrderId: 'forced-1', reduceOnly: true });
    expect(ok.clientOrderId).toBe('forced-1');
  });

  it('rejects from its own rules too: margin beyond the balance, quantities off the lot-size filter', async () => {
    // 1000 USDT at 10x buys at most ~5 ETH at 2000.
    await expect(ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 6, undefined, { clientOrderId: 'too-big' })).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.0015' })).rejects.toThrow(/Qty invalid/);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.001' })).rejects.toThrow(/110094/);
    await expect(ex.createOrder('ETH/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'no-eth' })).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.0100001', marketUnit: 'baseCoin' })).rejects.toThrow(/170137/);
    await expect(ex.privatePostV5OrderCreate({ category: 'spot', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.001', marketUnit: 'baseCoin' })).rejects.toThrow(/170140/);
    await expect(ex.privatePostV5OrderCreate({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '1', orderLinkId: 'x'.repeat(37) })).rejects.toBeInstanceOf(ccxt.BadRequest);
    expect(server.account(KEY)!.orders.map((o) => o.orderLinkId)).not.toContain('too-big');
  });

  it('rate-limits a private path on demand with 10006 and the X-Bapi-Limit headers, placing nothing', async () => {
    const n = server.account(KEY)!.orders.length;
    await admin(server, 'POST', '/faults', { kind: 'rate_limit', path: '/v5/order/create' });
    await expect(ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'limited-1' })).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
    expect(server.account(KEY)!.orders).toHaveLength(n);
    // Other private paths were not limited; the next order goes through and carries the limit headers.
    await ex.fetchBalance();
    await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'limited-1' });
    const h = ex.last_response_headers ?? {};
    // Bybit's linear order/create limit is 10/s; what is left depends on the orders sent this second.
    expect(h['x-bapi-limit'] ?? h['X-Bapi-Limit']).toBe('10');
    expect(Number(h['x-bapi-limit-status'] ?? h['X-Bapi-Limit-Status'])).toBeLessThan(10);
  });

  it('refuses order faults on the WebSocket and lists them as order faults', async () => {
    expect((await admin(server, 'POST', '/faults', { kind: 'reply_lost_after_accept', where: 'ws' })).status).toBe(400);
    const queued = await admin(server, 'POST', '/faults', { kind: 'reject_qty_min', count: 2 });
    expect(queued.body['queued']).toEqual([{ kind: 'reject_qty_min', where: 'rest', remaining: 2 }]);
    // A public request does not consume an order fault.
    await fetch(`${server.restUrl}/v5/market/time`);
    expect((await admin(server, 'GET', '/faults')).body['queued']).toHaveLength(1);
    await admin(server, 'DELETE', '/faults');
  });
});
