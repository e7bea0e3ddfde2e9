import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import { bybitSign } from '../../support/fake-bybit/signing.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'limitkey0001';
const SECRET = 'limitsecret0001';

function flat(n: number, price: number): CandleColumns {
  const f = (): Float64Array => new Float64Array(n).fill(price);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => T0 + i * H), open: f(), high: f(), low: f(), close: f(), volume: new Float64Array(n).fill(1) };
}

interface Signed {
  readonly status: number;
  readonly body: Record<string, any>;
  readonly limit: string | null;
  readonly remaining: string | null;
  readonly reset: string | null;
}

/** One signed request as Bybit's rule has it (the headers are what this test reads, so no client in between). */
async function signed(server: FakeBybitServer, method: 'GET' | 'POST', path: string, params: Record<string, unknown>, key = KEY, secret = SECRET): Promise<Signed> {
  const ts = String(Date.now());
  const payload = method === 'GET' ? new URLSearchParams(params as Record<string, string>).toString() : JSON.stringify(params);
  const headers = { 'X-BAPI-API-KEY': key, 'X-BAPI-TIMESTAMP': ts, 'X-BAPI-RECV-WINDOW': '5000', 'X-BAPI-SIGN': bybitSign(secret, ts, key, '5000', payload), 'Content-Type': 'application/json' };
  const r = method === 'GET' ? await fetch(`${server.restUrl}${path}?${payload}`, { headers }) : await fetch(`${server.restUrl}${path}`, { method, headers, body: payload });
  return { status: r.status, body: (await r.json()) as Record<string, any>, limit: r.headers.get('x-bapi-limit'), remaining: r.headers.get('x-bapi-limit-status'), reset: r.headers.get('x-bapi-limit-reset-timestamp') };
}

const order = (i: number): Record<string, unknown> => ({ category: 'linear', symbol: 'ETHUSDT', side: 'Buy', orderType: 'Market', qty: '0.01', orderLinkId: `rl-${i}` });

describe("fake Bybit private rate limits, reported in Bybit's X-Bapi-Limit headers", () => {
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 2 * H, rateLimits: { '/v5/order/realtime': 3 }, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 10000 } }, { apiKey: 'other0001', secret: 'othersecret', balances: { USDT: 10000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flat(24, 2000));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('counts down X-Bapi-Limit-Status per key and path in a 1-second window and refuses the request beyond it with 10006', async () => {
    const q = { category: 'linear', symbol: 'ETHUSDT' };
    const seen: Signed[] = [];
    for (let i = 0; i < 4; i++) seen.push(await signed(server, 'GET', '/v5/order/realtime', q));
    expect(seen.map((s) => [s.body['retCode'], s.limit, s.remaining])).toEqual([[0, '3', '2'], [0, '3', '1'], [0, '3', '0'], [10006, '3', '0']]);
    expect(seen[3]!.body['retMsg']).toBe('Too many visits!');
    expect(seen[3]!.status).toBe(200);
    // Refused: the reset time is when the window ends; answered: the current time (Bybit's rule).
    const reset = Number(seen[3]!.reset);
    expect(reset).toBeGreaterThan(Date.now() - 1000);
    expect(reset).toBeLessThanOrEqual(Number(seen[0]!.reset) + 1000);
    // Another key and another path have their own counters.
    expect((await signed(server, 'GET', '/v5/order/realtime', q, 'other0001', 'othersecret')).remaining).toBe('2');
    expect((await signed(server, 'GET', '/v5/position/list', q)).limit).toBe('50');
    // After the window has reset the path answers again.
    await new Promise((r) => setTimeout(r, Math.max(0, reset - Date.now()) + 20));
    const again = await signed(server, 'GET', '/v5/order/realtime', q);
    expect([again.body['retCode'], again.remaining]).toEqual([0, '2']);
  });

  it("refuses the 11th linear order in one second (Bybit's 10/s) with 10006 and places nothing for it", async () => {
    const before = server.account(KEY)!.orders.length;
    const replies = await Promise.all(Array.from({ length: 11 }, (_, i) => signed(server, 'POST', '/v5/order/create', order(i))));
    const codes = replies.map((r) => r.body['retCode'] as number);
    expect(codes.filter((c) => c === 0)).toHaveLength(10);
    const refused = replies.filter((r) => r.body['retCode'] === 10006);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ limit: '10', remaining: '0' });
    expect(replies.filter((r) => r.body['retCode'] === 0).map((r) => Number(r.remaining)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const placed = server.account(KEY)!.orders.slice(before);
    expect(placed).toHaveLength(10);
    const refusedLink = order(replies.indexOf(refused[0]!))['orderLinkId'];
    expect(placed.map((o) => o.orderLinkId)).not.toContain(refusedLink);
  });

  it('applies a limit set over POST /__admin/limits, and ccxt sees RateLimitExceeded', async () => {
    const bad = await fetch(`${server.adminUrl}/limits`, { method: 'POST', body: JSON.stringify({ path: '/v5/order/create', perSecond: 0 }) });
    expect(bad.status).toBe(400);
    const set = await fetch(`${server.adminUrl}/limits`, { method: 'POST', body: JSON.stringify({ path: '/v5/order/create', perSecond: 2 }) });
    expect(set.status).toBe(201);
    expect(((await set.json()) as Record<string, any>)['limits']['/v5/order/create']).toEqual({ linear: 2, spot: 2 });
    const n = server.account(KEY)!.orders.length;
    await ex.privatePostV5OrderCreate(order(100));
    await ex.privatePostV5OrderCreate(order(101));
    await expect(ex.privatePostV5OrderCreate(order(102))).rejects.toBeInstanceOf(ccxt.RateLimitExceeded);
    expect(server.account(KEY)!.orders.map((o) => o.orderLinkId).slice(n)).toEqual(['rl-100', 'rl-101']);
  });
});
