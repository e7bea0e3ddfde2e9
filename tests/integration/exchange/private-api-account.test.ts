import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import { linearInstrument, spotInstrument } from '../../support/fake-bybit/wire.ts';
import { createPrivateApi, type PrivateApiOptions } from '../../../src/venues/bybit/private-api.ts';
import type { BybitPrivateApi } from '../../../src/venues/bybit/private-types.ts';
import { SILENT_LOGGER } from '../../../src/venues/bybit/retry.ts';
import { H, flatCandles } from './private-helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const KEY = 'acctkey0001';
const SECRET = 'acctsecret0001';

function options(server: FakeBybitServer, extra: Partial<PrivateApiOptions> = {}): PrivateApiOptions {
  return { restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: { attempts: 2, baseMs: 10, capMs: 20 }, logger: SILENT_LOGGER, ...extra };
}

describe('the private API reads the account as the exchange holds it', () => {
  let server: FakeBybitServer;
  let api: BybitPrivateApi;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 3 * H, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 5000, ETH: 2 } }] });
    for (const c of ['spot', 'linear'] as const) {
      server.addCandles(c, 'ETHUSDT', H, flatCandles(24, T0, 2000));
      server.addCandles(c, 'BTCUSDT', H, flatCandles(24, T0, 40000));
    }
    api = createPrivateApi(options(server));
  });
  afterAll(async () => server.close());

  it('gives the order rules of instruments-info: min qty, lot step, min notional, tick', async () => {
    const spot = await api.instruments('spot', ['ETH/USDT']);
    const s = spotInstrument('ETHUSDT') as { lotSizeFilter: Record<string, string>; priceFilter: Record<string, string> };
    expect(spot.get('ETH/USDT')).toEqual({
      symbol: 'ETH/USDT', id: 'ETHUSDT', base: 'ETH', quote: 'USDT', minQty: Number(s.lotSizeFilter['minOrderQty']), qtyStep: Number(s.lotSizeFilter['basePrecision']),
      minNotional: Number(s.lotSizeFilter['minOrderAmt']), tickSize: Number(s.priceFilter['tickSize']),
    });
    const lin = await api.instruments('linear', ['BTC/USDT:USDT']);
    const l = linearInstrument('BTCUSDT') as { lotSizeFilter: Record<string, string>; priceFilter: Record<string, string> };
    expect(lin.get('BTC/USDT:USDT')).toEqual({
      symbol: 'BTC/USDT:USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', minQty: Number(l.lotSizeFilter['minOrderQty']), qtyStep: Number(l.lotSizeFilter['qtyStep']),
      minNotional: Number(l.lotSizeFilter['minNotionalValue']), tickSize: Number(l.priceFilter['tickSize']),
    });
    await expect(api.instruments('linear', ['ETH/USDT'])).rejects.toMatchObject({ code: 'CT_ERR_SYMBOL_INVALID', message: expect.stringContaining('ETH/USDT is a spot market, not linear') });
    await expect(api.instruments('spot', ['NOPE/USDT'])).rejects.toMatchObject({ code: 'CT_ERR_SYMBOL_INVALID' });
  });

  it('gives wallet balances and signed positions equal to the exchange\'s account', async () => {
    expect((await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Sell', qty: 0.5, orderLinkId: 'acct-short', reduceOnly: false })).kind).toBe('accepted');
    expect((await api.placeOrder({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.01, orderLinkId: 'acct-long', reduceOnly: false })).kind).toBe('accepted');
    const view = server.account(KEY)!;
    const wallet = await api.wallet();
    expect(Object.fromEntries(wallet.map((c) => [c.coin, c.walletBalance]))).toEqual(view.balances);
    expect(wallet.every((c) => c.locked === 0)).toBe(true);
    const positions = await api.positions('linear', ['ETH/USDT:USDT', 'BTC/USDT:USDT']);
    expect(positions.map((p) => [p.symbol, p.qty, p.avgPrice]).sort()).toEqual(view.positions.map((p) => [`${p.symbol.replace('USDT', '')}/USDT:USDT`, p.size, p.avgPrice]).sort());
    expect(await api.positions('linear', ['BTC/USDT:USDT'])).toMatchObject([{ symbol: 'BTC/USDT:USDT', qty: 0.01 }]);
  });

  it('lists the open orders of the symbols asked for, and cancels one by orderLinkId', async () => {
    const raw = privateBybitClient(server.restUrl, KEY, SECRET);
    await raw.loadMarkets();
    await raw.createOrder('ETH/USDT', 'limit', 'buy', 0.01, 1500, { clientOrderId: 'rest-eth-1' });
    await raw.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 30000, { clientOrderId: 'rest-btc-1' });
    await raw.createOrder('ETH/USDT:USDT', 'limit', 'buy', 0.1, 1500, { clientOrderId: 'rest-lin-1' });
    const spot = await api.openOrders('spot', ['ETH/USDT']);
    expect(spot).toMatchObject([{ market: 'spot', symbol: 'ETH/USDT', orderLinkId: 'rest-eth-1', status: 'New', side: 'Buy', qty: 0.01, cumExecQty: 0, triggerPrice: undefined }]);
    expect((await api.openOrders('spot', [])).map((o) => o.orderLinkId).sort()).toEqual(['rest-btc-1', 'rest-eth-1']);
    const open = server.account(KEY)!.orders.filter((o) => o.status === 'New' && o.category === 'linear');
    expect((await api.openOrders('linear', ['ETH/USDT:USDT', 'BTC/USDT:USDT'])).map((o) => o.orderId)).toEqual(open.map((o) => o.orderId));
    expect(await api.findOrder('spot', 'ETH/USDT', 'rest-eth-1')).toMatchObject({ status: 'New' });

    expect(await api.cancelOrder('spot', 'ETH/USDT', 'rest-eth-1')).toBe('cancelled');
    expect(await api.cancelOrder('spot', 'ETH/USDT', 'rest-eth-1')).toBe('not_found');
    expect(await api.findOrder('spot', 'ETH/USDT', 'rest-eth-1')).toMatchObject({ status: 'Cancelled' });
    expect((await api.openOrders('spot', [])).map((o) => o.orderLinkId)).toEqual(['rest-btc-1']);
  });

  it('tells the account kind and the key\'s permissions, without the key', async () => {
    const info = await api.accountInfo();
    expect(info).toEqual({ kind: 'UTA 2.0 Pro', readOnly: false, permissions: ['ContractTrade:Order', 'ContractTrade:Position', 'Spot:SpotTrade', 'Wallet:AccountTransfer'] });
    expect(JSON.stringify(info)).not.toContain(KEY);
  });

  it('refuses a wrong secret as CT_ERR_EXCHANGE_AUTH telling to check the keys, for reads and orders', async () => {
    const bad = createPrivateApi({ ...options(server), secret: 'wrong-secret-0001' });
    await expect(bad.wallet()).rejects.toMatchObject({ code: 'CT_ERR_EXCHANGE_AUTH', message: expect.stringContaining('check the API key, its secret and its permissions') });
    const n = server.account(KEY)!.orders.length;
    await expect(bad.placeOrder({ market: 'spot', symbol: 'ETH/USDT', side: 'Buy', qty: 0.01, orderLinkId: 'bad-auth-1', reduceOnly: false })).rejects.toMatchObject({ code: 'CT_ERR_EXCHANGE_AUTH' });
    expect(server.account(KEY)!.orders).toHaveLength(n);
    const unknown = createPrivateApi({ ...options(server), apiKey: 'nobody-0001' });
    await expect(unknown.wallet()).rejects.toMatchObject({ code: 'CT_ERR_EXCHANGE_AUTH', message: expect.stringContaining('retCode 10003') });
  });
});

describe('the private API checks the clock against the exchange\'s', () => {
  it('signs with the exchange\'s clock after checkClock when ours runs 2 s ahead', async () => {
    // The exchange (candles, market/time and its signature window) runs 2 s behind our wall clock.
    const server = await startFakeBybit({ now: Date.now() - 2000, signClock: () => Date.now() - 2000, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 100 } }] });
    try {
      const api = createPrivateApi(options(server));
      await expect(api.wallet()).rejects.toMatchObject({ code: 'CT_ERR_CLOCK_SKEW', message: expect.stringContaining('sync the system clock') });
      const { skewMs } = await api.checkClock();
      expect(skewMs).toBeGreaterThanOrEqual(1900);
      expect(skewMs).toBeLessThan(2500);
      expect(await api.wallet()).toEqual([{ coin: 'USDT', walletBalance: 100, locked: 0 }]);
    } finally {
      await server.close();
    }
  });

  it('refuses a skew beyond the limit, naming it', async () => {
    const server = await startFakeBybit({ now: Date.now() - 60_000 });
    try {
      const api = createPrivateApi(options(server, { maxClockSkewMs: 5000 }));
      await expect(api.checkClock()).rejects.toMatchObject({ code: 'CT_ERR_CLOCK_SKEW', message: expect.stringMatching(/^the local clock is 6\d{4} ms ahead of Bybit's \(allowed 5000 ms\)/) });
    } finally {
      await server.close();
    }
  });
});
