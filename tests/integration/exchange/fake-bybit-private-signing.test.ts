import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { bybitSign, verifySigned } from '../../support/fake-bybit/signing.ts';

const KEY = 'fakekey0001';
const SECRET = 'fakesecret0001';

/** Sends a signed request the way Bybit's docs describe (and ccxt does), with overridable parts. */
async function signed(server: FakeBybitServer, method: 'GET' | 'POST', path: string, payload: string, o: { key?: string; secret?: string; ts?: number; recv?: string; omit?: string } = {}): Promise<{ status: number; body: Record<string, any> }> {
  const ts = String(o.ts ?? Date.now());
  const key = o.key ?? KEY;
  const recv = o.recv ?? '5000';
  const headers: Record<string, string> = {
    'Content-Type': 'application/json', 'X-BAPI-API-KEY': key, 'X-BAPI-TIMESTAMP': ts, 'X-BAPI-RECV-WINDOW': recv,
    'X-BAPI-SIGN': bybitSign(o.secret ?? SECRET, ts, key, recv, payload),
  };
  if (o.omit !== undefined) delete headers[o.omit];
  const url = method === 'GET' ? `${server.restUrl}${path}${payload === '' ? '' : `?${payload}`}` : `${server.restUrl}${path}`;
  const res = await fetch(url, { method, headers, ...(method === 'POST' ? { body: payload } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('Bybit v5 request signing (the documented test vectors)', () => {
  it('reproduces the GET and POST signatures of the reference vectors', () => {
    expect(bybitSign('testsecret', '1658384314791', 'XXXXXXXXXX', '5000', 'category=option&symbol=BTC-29JUL22-25000-C'))
      .toBe('d54ef4b8574c386efbbd899379e8a18667712f78f21f2efa7dbf7743094f483c');
    expect(bybitSign('testsecret', '1658385579423', 'XXXXXXXXXX', '5000', '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.001"}'))
      .toBe('a1261b9e9a8ed01c753ada0b561157d4b06887ff2f5cde94a2b8e48d4195f143');
  });

  it('accepts the reference GET vector inside its window and refuses it with one changed byte or outside the window', () => {
    const h = { apiKey: 'XXXXXXXXXX', timestamp: '1658384314791', recvWindow: '5000', sign: 'd54ef4b8574c386efbbd899379e8a18667712f78f21f2efa7dbf7743094f483c' };
    const secretOf = (k: string): string | undefined => (k === 'XXXXXXXXXX' ? 'testsecret' : undefined);
    const q = 'category=option&symbol=BTC-29JUL22-25000-C';
    expect(verifySigned(h, q, secretOf, 1658384314791 + 10)).toEqual({ ok: true, apiKey: 'XXXXXXXXXX' });
    expect(verifySigned(h, q.replace('C', 'P'), secretOf, 1658384314791 + 10)).toMatchObject({ ok: false, retCode: 10004 });
    // server_time - recv_window <= ts < server_time + 1000
    expect(verifySigned(h, q, secretOf, 1658384314791 + 5000)).toMatchObject({ ok: true });
    expect(verifySigned(h, q, secretOf, 1658384314791 + 5001)).toMatchObject({ ok: false, retCode: 10002 });
    expect(verifySigned(h, q, secretOf, 1658384314791 - 999)).toMatchObject({ ok: true });
    expect(verifySigned(h, q, secretOf, 1658384314791 - 1000)).toMatchObject({ ok: false, retCode: 10002 });
    expect(verifySigned({ ...h, apiKey: 'other' }, q, secretOf, 1658384314791)).toMatchObject({ ok: false, retCode: 10003 });
  });
});

describe('fake Bybit private REST: authentication over HTTP', () => {
  let server: FakeBybitServer;
  beforeAll(async () => {
    server = await startFakeBybit({ now: Date.UTC(2024, 0, 1), accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
  });
  afterAll(async () => server.close());

  it('answers a correctly signed GET over the raw query string', async () => {
    const r = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED');
    expect(r.status).toBe(200);
    expect(r.body['retCode']).toBe(0);
    expect(r.body['result'].list[0].coin).toEqual([expect.objectContaining({ coin: 'USDT', walletBalance: '1000' })]);
  });

  it('signs over the query exactly as sent, not re-sorted', async () => {
    // Both orders are valid when signed as sent; a signature of the sorted text on the unsorted URL is not.
    expect((await signed(server, 'GET', '/v5/order/realtime', 'symbol=BTCUSDT&category=linear')).body['retCode']).toBe(0);
    const ts = String(Date.now());
    const res = await fetch(`${server.restUrl}/v5/order/realtime?symbol=BTCUSDT&category=linear`, {
      headers: { 'X-BAPI-API-KEY': KEY, 'X-BAPI-TIMESTAMP': ts, 'X-BAPI-RECV-WINDOW': '5000', 'X-BAPI-SIGN': bybitSign(SECRET, ts, KEY, '5000', 'category=linear&symbol=BTCUSDT') },
    });
    expect(((await res.json()) as Record<string, unknown>)['retCode']).toBe(10004);
  });

  it('refuses an unknown key with 10003, a wrong secret with 10004, a stale timestamp with 10002, a missing signature with 10001', async () => {
    const unknown = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { key: 'nosuchkey' });
    expect([unknown.status, unknown.body['retCode']]).toEqual([401, 10003]);
    const wrong = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { secret: 'not-the-secret' });
    expect(wrong.body['retCode']).toBe(10004);
    const stale = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { ts: Date.now() - 60_000 });
    expect(stale.body['retCode']).toBe(10002);
    const future = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { ts: Date.now() + 5_000 });
    expect(future.body['retCode']).toBe(10002);
    const unsigned = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { omit: 'X-BAPI-SIGN' });
    expect(unsigned.body['retCode']).toBe(10001);
    expect(unsigned.body['retMsg']).toContain('apiSignature');
    for (const r of [unknown, wrong, stale, unsigned]) expect(Object.keys(r.body).sort()).toEqual(['result', 'retCode', 'retExtInfo', 'retMsg', 'time']);
  });

  it('signs a POST over its raw body and refuses a body changed after signing', async () => {
    const body = '{"category":"linear","symbol":"BTCUSDT","orderId":"1"}';
    expect((await signed(server, 'POST', '/v5/order/cancel', body)).body['retCode']).toBe(110001);
    const ts = String(Date.now());
    const res = await fetch(`${server.restUrl}/v5/order/cancel`, {
      method: 'POST', body: body.replace('"1"', '"2"'),
      headers: { 'X-BAPI-API-KEY': KEY, 'X-BAPI-TIMESTAMP': ts, 'X-BAPI-RECV-WINDOW': '5000', 'X-BAPI-SIGN': bybitSign(SECRET, ts, KEY, '5000', body) },
    });
    expect(((await res.json()) as Record<string, unknown>)['retCode']).toBe(10004);
  });

  it('opens accounts over the admin endpoint and never shows their secret', async () => {
    const res = await fetch(`${server.adminUrl}/accounts`, { method: 'POST', body: JSON.stringify({ apiKey: 'adminkey', secret: 'adminsecret', balances: { USDT: 50 } }) });
    expect(res.status).toBe(201);
    const created = await res.text();
    expect(created).not.toContain('adminsecret');
    const r = await signed(server, 'GET', '/v5/account/wallet-balance', 'accountType=UNIFIED', { key: 'adminkey', secret: 'adminsecret' });
    expect(r.body['result'].list[0].coin[0].walletBalance).toBe('50');
    const list = await (await fetch(`${server.adminUrl}/accounts`)).text();
    expect(list).toContain('adminkey');
    expect(list).not.toContain('secret0001');
    expect(list).not.toContain('adminsecret');
    const bad = await fetch(`${server.adminUrl}/accounts`, { method: 'POST', body: JSON.stringify({ apiKey: 'x' }) });
    expect(bad.status).toBe(400);
  });
});
