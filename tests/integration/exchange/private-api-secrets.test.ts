/**
 * The API key and secret never reach a log line, an error, an event or a returned record: signed
 * REST (accepted, refused, lost and rate-limited orders, bad keys) and the private stream (its auth
 * frame carries key and signature), all logged through a real pino logger into a buffer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import { openPrivateStream } from '../../../src/venues/bybit/private-stream.ts';
import type { PrivateStreamEvent } from '../../../src/venues/bybit/private-types.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const KEY = 'KEYzq9Distinctive4711';
const SECRET = 'SECRETxw7Distinctive0815';

function flat(n: number, t0: number, price: number): CandleColumns {
  const f = (): Float64Array => new Float64Array(n).fill(price);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => t0 + i * H), open: f(), high: f(), low: f(), close: f(), volume: new Float64Array(n).fill(1) };
}

async function caught(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return '';
  } catch (e) {
    return `${(e as Error).message} ${JSON.stringify((e as { details?: unknown }).details ?? {})} ${String((e as Error).stack)}`;
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('keys stay out of logs, errors and events of the private API and stream', () => {
  let server: FakeBybitServer;
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (s: string) => void lines.push(s) });
  beforeAll(async () => {
    const now = Date.now();
    server = await startFakeBybit({ now, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flat(4, Math.floor(now / H) * H - H, 2000));
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
});
