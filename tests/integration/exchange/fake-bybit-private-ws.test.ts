import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { privateBybitClient, type PrivateBybitClient } from '../../support/fake-bybit/ccxt-private.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const KEY = 'wskey0001';
const SECRET = 'wssecret0001';

function flat(n: number, price: number): CandleColumns {
  const f = (): Float64Array => new Float64Array(n).fill(price);
  return { length: n, ts: Float64Array.from({ length: n }, (_, i) => T0 + i * H), open: f(), high: f(), low: f(), close: f(), volume: new Float64Array(n).fill(1) };
}

/** A raw private-stream client: every frame it got, and a wait for the next frame matching a test. */
async function connect(server: FakeBybitServer): Promise<{ ws: WebSocket; frames: Record<string, any>[]; next: (pred: (f: Record<string, any>) => boolean) => Promise<Record<string, any>> }> {
  const ws = new WebSocket(`${server.wsUrl}/v5/private`);
  const frames: Record<string, any>[] = [];
  const waiters: { pred: (f: Record<string, any>) => boolean; resolve: (f: Record<string, any>) => void }[] = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as Record<string, any>;
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(f); }
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const next = (pred: (f: Record<string, any>) => boolean): Promise<Record<string, any>> => {
    const seen = frames.find(pred);
    return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
  };
  return { ws, frames, next };
}

function authFrame(key: string, secret: string, expires = Date.now() + 10_000): string {
  return JSON.stringify({ op: 'auth', args: [key, String(expires), createHmac('sha256', secret).update(`GET/realtime${expires}`).digest('hex')] });
}

describe('fake Bybit private WebSocket', () => {
  let server: FakeBybitServer;
  let ex: PrivateBybitClient;
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 2 * H, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }, { apiKey: 'other', secret: 'othersecret', balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flat(24, 2000));
    ex = privateBybitClient(server.restUrl, KEY, SECRET);
    await ex.loadMarkets();
  });
  afterAll(async () => server.close());

  it('refuses a bad signature, an expired auth and a subscribe before auth', async () => {
    const c = await connect(server);
    c.ws.send(JSON.stringify({ op: 'subscribe', req_id: 's0', args: ['order'] }));
    expect(await c.next((f) => f['op'] === 'subscribe')).toMatchObject({ success: false, req_id: 's0' });
    c.ws.send(authFrame(KEY, 'wrong'));
    expect(await c.next((f) => f['op'] === 'auth')).toMatchObject({ success: false });
    c.frames.length = 0;
    c.ws.send(authFrame(KEY, SECRET, Date.now() - 1000));
    expect(await c.next((f) => f['op'] === 'auth')).toMatchObject({ success: false });
    c.ws.close();
  });

  it('pushes order, execution, position and wallet of the authenticated account only, and loses an execution on demand', async () => {
    const mine = await connect(server);
    const theirs = await connect(server);
    mine.ws.send(authFrame(KEY, SECRET));
    theirs.ws.send(authFrame('other', 'othersecret'));
    expect(await mine.next((f) => f['op'] === 'auth')).toMatchObject({ success: true });
    expect(await theirs.next((f) => f['op'] === 'auth')).toMatchObject({ success: true });
    for (const c of [mine, theirs]) c.ws.send(JSON.stringify({ op: 'subscribe', req_id: 's1', args: ['order', 'execution', 'position', 'wallet'] }));
    await mine.next((f) => f['op'] === 'subscribe' && f['success'] === true);
    await theirs.next((f) => f['op'] === 'subscribe' && f['success'] === true);
    mine.ws.send(JSON.stringify({ op: 'ping', req_id: 'p1' }));
    expect(await mine.next((f) => f['op'] === 'pong')).toMatchObject({ req_id: 'p1' });

    const placed = await ex.createOrder('ETH/USDT:USDT', 'market', 'buy', 0.1, undefined, { clientOrderId: 'ws-fill-1' });
    const order = await mine.next((f) => f['topic'] === 'order');
    expect(order['data'][0]).toMatchObject({ category: 'linear', orderId: placed.id, orderLinkId: 'ws-fill-1', orderStatus: 'Filled', cumExecQty: '0.1' });
    const exec = await mine.next((f) => f['topic'] === 'execution');
    expect(exec['data'][0]).toMatchObject({ orderLinkId: 'ws-fill-1', execPrice: '2000', execQty: '0.1', execFee: '0.2', execId: server.account(KEY)!.executions[0]!.execId });
    expect((await mine.next((f) => f['topic'] === 'position'))['data'][0]).toMatchObject({ symbol: 'ETHUSDT', side: 'Buy', size: '0.1' });
    expect((await mine.next((f) => f['topic'] === 'wallet'))['data'][0].coin[0]).toMatchObject({ coin: 'USDT', walletBalance: '999.8' });

    server.faults.next({ kind: 'skip_execution' });
    await ex.createOrder('ETH/USDT:USDT', 'market', 'sell', 0.1, undefined, { clientOrderId: 'ws-fill-2', reduceOnly: true });
    await mine.next((f) => f['topic'] === 'wallet' && f['data'][0].coin[0].walletBalance !== '999.8');
    expect(mine.frames.filter((f) => f['topic'] === 'order')).toHaveLength(2);
    expect(mine.frames.filter((f) => f['topic'] === 'execution')).toHaveLength(1);
    // The lost fill is still on REST.
    expect((await ex.fetchMyTrades('ETH/USDT:USDT', T0)).map((t) => t.info['orderLinkId']).sort()).toEqual(['ws-fill-1', 'ws-fill-2']);
    expect(theirs.frames.filter((f) => f['topic'] !== undefined)).toHaveLength(0);
    expect(server.dropWsConnections()).toBeGreaterThanOrEqual(2);
  });
});
