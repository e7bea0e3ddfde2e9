import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import type { BybitPrivateApi } from '../../../src/venues/bybit/private-types.ts';
import { SILENT_LOGGER } from '../../../src/venues/bybit/retry.ts';
import { H, flatCandles } from './private-helpers.ts';

const KEY = 'pacekey0001';
const SECRET = 'pacesecret0001';

describe('the private API paces on the exchange\'s X-Bapi-Limit headers', () => {
  let server: FakeBybitServer;
  let api: BybitPrivateApi;
  beforeAll(async () => {
    // The fake's clock at our wall clock, so the reset timestamp of its 10006 reply (its now + 1 s) lies ahead of us.
    const now = Date.now();
    server = await startFakeBybit({ now, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flatCandles(4, Math.floor(now / H) * H - H, 2000));
    // Backoff of 10 ms: any wait near a second can only come from the reset header.
    api = createPrivateApi({ restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: { attempts: 3, baseMs: 10, capMs: 10 }, logger: SILENT_LOGGER });
    await api.instruments('linear', ['ETH/USDT:USDT']);
  });
  afterAll(async () => server.close());

  it('waits for the limit window to reset before sending a refused order again, and places it once', async () => {
    server.setNow(Date.now());
    server.faults.next({ kind: 'rate_limit', path: '/v5/order/create' });
    const t0 = Date.now();
    const out = await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'pace-0001', reduceOnly: false });
    const took = Date.now() - t0;
    expect(out.kind).toBe('accepted');
    expect(server.faults.applied['rate_limit']).toBe(1);
    // The fake's 10006 says the window resets at its clock + 1 s.
    const resetIn = server.now() + 1000 - t0;
    expect(resetIn).toBeGreaterThan(500);
    expect(took).toBeGreaterThanOrEqual(resetIn - 20);
    expect(server.account(KEY)!.orders.filter((o) => o.orderLinkId === 'pace-0001')).toHaveLength(1);
  });

  it('does not slow another path while one is spent', async () => {
    server.setNow(Date.now());
    server.faults.next({ kind: 'rate_limit', path: '/v5/position/list' });
    const slow = api.positions('linear', ['ETH/USDT:USDT']);
    // position/list has been refused and now waits about a second for its window.
    while (server.faults.applied['rate_limit'] !== 2) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    expect((await api.wallet()).length).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(300);
    expect(server.requestsTo('/v5/position/list')).toHaveLength(1);
    expect(await slow).toMatchObject([{ symbol: 'ETH/USDT:USDT', qty: 0.1 }]);
    expect(Date.now() - t0).toBeGreaterThan(500);
  });
});
