/**
 * Frames the fake exchange never sends (garbage, malformed items, silence, a refused subscribe),
 * from a small WebSocket server on 127.0.0.1 that speaks just enough of Bybit's private protocol.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { openPrivateStream, wsAuthSignature } from '../../../src/venues/bybit/private-stream.ts';
import type { InstrumentRules, PrivateStream, PrivateStreamEvent } from '../../../src/venues/bybit/private-types.ts';
import { until } from './private-helpers.ts';

const KEY = 'frameskey0001';
const SECRET = 'framessecret0001';
const RULES: ReadonlyMap<string, InstrumentRules> = new Map([['BTC/USDT', { symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', minQty: 0.000011, qtyStep: 0.000001, minNotional: 5, tickSize: 0.01 }]]);

interface Script {
  /** Answer pings (false = a silent, dead peer). */
  pong: boolean;
  subscribeOk: boolean;
  /** Frames to send right after the subscribe ack. */
  after: string[];
}

async function peer(script: Script): Promise<{ url: string; conns: WebSocket[]; authArgs: unknown[][]; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conns: WebSocket[] = [];
  const authArgs: unknown[][] = [];
  wss.on('connection', (ws) => {
    conns.push(ws);
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { op: string; args: unknown[]; req_id?: string };
      if (m.op === 'ping' && script.pong) ws.send(JSON.stringify({ op: 'pong', req_id: m.req_id }));
      if (m.op === 'auth') {
        authArgs.push(m.args);
        const [key, expires, sig] = m.args as [string, number, string];
        ws.send(JSON.stringify({ op: 'auth', success: key === KEY && sig === wsAuthSignature(SECRET, expires), ret_msg: '', req_id: m.req_id }));
      }
      if (m.op === 'subscribe') {
        ws.send(JSON.stringify({ op: 'subscribe', success: script.subscribeOk, ret_msg: script.subscribeOk ? '' : 'Invalid topic', req_id: m.req_id }));
        if (script.subscribeOk) for (const f of script.after) ws.send(f);
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v5/private`, conns, authArgs,
    close: () => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }),
  };
}

const EXEC = {
  category: 'spot', symbol: 'BTCUSDT', execId: 'e-1', orderId: 'o-1', orderLinkId: 'l-1', side: 'Buy', execQty: '0.01', execPrice: '40000', execValue: '400',
  execFee: '0.00001', feeCurrency: 'BTC', execTime: '1704067200000', execType: 'Trade', stopOrderType: '',
};

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function start(url: string, stallTimeoutMs = 5000): { stream: PrivateStream; events: PrivateStreamEvent[]; logs: { level: string; obj: Record<string, unknown>; msg: string }[] } {
  const events: PrivateStreamEvent[] = [];
  const logs: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const log = (level: string) => (obj: Record<string, unknown>, msg: string): void => void logs.push({ level, obj, msg });
  const stream = openPrivateStream({
    url, apiKey: KEY, secret: SECRET, market: 'spot', instruments: RULES, pingIntervalMs: 50, stallTimeoutMs, reconnectBaseMs: 20, reconnectCapMs: 100,
    logger: { info: log('info'), warn: log('warn'), error: log('error') }, onEvent: (e) => events.push(e),
  });
  cleanup.push(() => stream.close());
  return { stream, events, logs };
}

describe('the private stream with frames the exchange should not send', () => {
  it('signs auth with HMAC-SHA256 of GET/realtime + expires, about 10 s ahead', async () => {
    const p = await peer({ pong: true, subscribeOk: true, after: [] });
    cleanup.push(p.close);
    const before = Date.now();
    const s = start(p.url);
    await until(() => s.stream.up);
    const [key, expires, sig] = p.authArgs[0] as [string, number, string];
    expect(key).toBe(KEY);
    expect(expires).toBeGreaterThanOrEqual(before + 10_000);
    expect(expires).toBeLessThan(Date.now() + 10_000 + 1);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it('drops garbage and malformed items with CT_ERR_EXCHANGE_REPLY_INVALID and passes the good ones on', async () => {
    const p = await peer({
      pong: true, subscribeOk: true, after: [
        'not json at all',
        JSON.stringify({ topic: 'execution', data: [{ ...EXEC, execQty: 'lots' }] }),
        JSON.stringify({ topic: 'execution', data: 'nope' }),
        JSON.stringify({ topic: 'order', data: [{ category: 'spot', symbol: 'BTCUSDT', orderId: 'o-1', orderStatus: 'Exploded', side: 'Buy', qty: '1', createdTime: '1', updatedTime: '1' }] }),
        JSON.stringify({ topic: 'execution', data: [{ ...EXEC, category: 'linear' }, { ...EXEC, symbol: 'ETHUSDT' }] }),
        JSON.stringify({ topic: 'execution', data: [EXEC] }),
      ],
    });
    cleanup.push(p.close);
    const s = start(p.url);
    await until(() => s.events.some((e) => e.type === 'execution'));
    await new Promise((r) => setTimeout(r, 50));
    expect(s.events.filter((e) => e.type !== 'up')).toEqual([{
      type: 'execution',
      executions: [{ market: 'spot', symbol: 'BTC/USDT', execId: 'e-1', orderId: 'o-1', orderLinkId: 'l-1', side: 'Buy', qty: 0.01, price: 40000, value: 400, fee: 0.00001, feeCurrency: 'BTC', execTime: 1704067200000, execType: 'Trade', stopOrderType: '' }],
    }]);
    const bad = s.logs.filter((l) => l.obj['code'] === 'CT_ERR_EXCHANGE_REPLY_INVALID').map((l) => l.msg);
    expect(bad).toHaveLength(4);
    expect(bad[1]).toMatch(/execQty is "lots", expected a decimal string/);
    expect(bad[3]).toMatch(/orderStatus is "Exploded"/);
    expect(s.stream.up).toBe(true);
  });

  it('declares a silent connection dead after the stall timeout and reconnects', async () => {
    const p = await peer({ pong: false, subscribeOk: true, after: [] });
    cleanup.push(p.close);
    const s = start(p.url, 300);
    await until(() => s.events.filter((e) => e.type === 'up').length >= 2, 5000);
    expect(s.events.map((e) => e.type).slice(0, 3)).toEqual(['up', 'down', 'up']);
    expect(s.logs.some((l) => /silent for 300 ms/.test(l.msg))).toBe(true);
    expect(p.conns.length).toBeGreaterThanOrEqual(2);
  });

  it('stops on a refused subscribe with CT_ERR_EXCHANGE_REJECTED', async () => {
    const p = await peer({ pong: true, subscribeOk: false, after: [] });
    cleanup.push(p.close);
    const s = start(p.url);
    await until(() => s.events.length > 0);
    expect(s.events).toEqual([{ type: 'down', reason: expect.stringMatching(/^CT_ERR_EXCHANGE_REJECTED: .*subscribe .* refused: Invalid topic/) }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(p.conns).toHaveLength(1);
  });
});
