/**
 * The API key and secret never reach a log line, an error, an event or a returned record: signed
 * REST (accepted, refused, lost and rate-limited orders, bad keys) and the private stream (its auth
 * frame carries key and signature), all logged through a real pino logger into a buffer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import { openPrivateStream } from '../../../src/venues/bybit/private-stream.ts';
import type { PrivateStreamEvent } from '../../../src/venues/bybit/private-types.ts';
import { H, flatCandles, until, caught } from './private-helpers.ts';

const KEY = 'KEYzq9Distinctive4711';
const SECRET = 'SECRETxw7Distinctive0815';

describe('keys stay out of logs, errors and events of the private API and stream', () => {
  let server: FakeBybitServer;
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (s: string) => void lines.push(s) });
  beforeAll(async () => {
    const now = Date.now();
    server = await startFakeBybit({ now, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flatCandles(4, Math.floor(now / H) * H - H, 2000));
  });
  afterAll(async () => server.close());

  it('leaks neither in a full scenario with good and bad keys', async () => {
    const texts: string[] = [];
    const events: PrivateStreamEvent[] = [];
    const opts = { restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: { attempts: 2, baseMs: 10, capMs: 10 }, logger };
    const api = createPrivateApi(opts);
    texts.push(JSON.stringify(await api.checkClock()), JSON.stringify(await api.accountInfo()), JSON.stringify(await api.wallet()));
    const instruments = await api.instruments('linear', ['ETH/USDT:USDT']);
    const stream = openPrivateStream({ url: `${server.wsUrl}/v5/private`, apiKey: KEY, secret: SECRET, market: 'linear', instruments, pingIntervalMs: 100, stallTimeoutMs: 2000, reconnectBaseMs: 20, logger, onEvent: (e) => events.push(e) });
    try {
      await until(() => stream.up);
      texts.push(JSON.stringify(await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'sec-1', reduceOnly: false })));
      server.faults.next({ kind: 'reply_lost_after_accept' });
      texts.push(JSON.stringify(await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'sec-2', reduceOnly: false })));
      server.faults.next({ kind: 'rate_limit', path: '/v5/order/create', count: 5 });
      texts.push(JSON.stringify(await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'sec-3', reduceOnly: false })));
      server.faults.clear();
      server.faults.next({ kind: 'http_5xx', count: 5 });
      texts.push(await caught(api.wallet()));
      server.faults.clear();
      texts.push(JSON.stringify(await api.executions('linear', Date.now() - 2 * 24 * H)), JSON.stringify(await api.findOrder('linear', 'ETH/USDT:USDT', 'sec-2')));
      await until(() => events.some((e) => e.type === 'execution'));
      server.dropWsConnections();
      await until(() => events.filter((e) => e.type === 'up').length >= 2);
    } finally {
      stream.close();
    }
    for (const [key, secret] of [[KEY, 'wrong-secret'], ['wrong-key', SECRET], [KEY, `${SECRET}x`]] as const) {
      const bad = createPrivateApi({ ...opts, apiKey: key, secret });
      texts.push(await caught(bad.wallet()));
      texts.push(await caught(bad.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'sec-bad', reduceOnly: false })));
      const refused = openPrivateStream({ url: `${server.wsUrl}/v5/private`, apiKey: key, secret, market: 'linear', instruments, pingIntervalMs: 100, stallTimeoutMs: 2000, logger, onEvent: (e) => events.push(e) });
      const downs = events.filter((e) => e.type === 'down').length;
      await until(() => events.filter((e) => e.type === 'down').length > downs);
      refused.close();
    }
    const everything = [...lines, ...texts, JSON.stringify(events)].join('\n');
    // The scenario really ran: orders, refusals and stream drops are in what we search.
    expect(everything).toContain('CT_ERR_EXCHANGE_AUTH');
    expect(everything).toContain('CT_ERR_EXCHANGE_RATE_LIMIT');
    expect(everything).toContain('sec-2');
    expect(lines.length).toBeGreaterThan(5);
    for (const needle of [KEY, SECRET, 'Distinctive']) expect(everything).not.toContain(needle);
    // No signature either (hex HMAC-SHA256: 64 hex digits).
    expect(everything).not.toMatch(/[0-9a-f]{64}/);
  });

  it('keeps them out of errors when Bybit echoes the signed string (10004) or the key in a refusal', async () => {
    // Real Bybit answers a bad signature with origin_string = timestamp + key + recvWindow + payload.
    let answer: Record<string, unknown> = {};
    const stub = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ...answer, result: {}, retExtInfo: {}, time: Date.now() }));
      });
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
      const api = createPrivateApi({ restUrl: url, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: { attempts: 1, baseMs: 10, capMs: 10 }, logger });
      answer = { retCode: 10004, retMsg: `error sign! origin_string[1700000000000${KEY}5000accountType=UNIFIED] secret ${SECRET}` };
      const auth = await caught(api.wallet());
      expect(auth).toContain('CT_ERR_EXCHANGE_AUTH');
      answer = { retCode: 10001, retMsg: `params error: apiKey ${KEY} secret ${SECRET}` };
      const other = await caught(api.wallet());
      expect(other).toContain('params error');
      for (const needle of [KEY, SECRET, 'Distinctive']) expect(`${auth}\n${other}\n${lines.join('\n')}`).not.toContain(needle);
    } finally {
      await new Promise<void>((r) => stub.close(() => r()));
    }
  });
});
