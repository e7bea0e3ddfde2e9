import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';
import { createBybitClient } from '../../../src/venues/bybit/ccxt-client.ts';
import { fetchClosedKlines, resolveMarket } from '../../../src/venues/bybit/rest-klines.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function hourly(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * H; c.open[i] = 1000 + i; c.close[i] = 1001 + i; c.high[i] = 1002 + i; c.low[i] = 999 + i; c.volume[i] = 1.5 + i;
  }
  return c;
}

async function getJson(server: FakeBybitServer, path: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${server.restUrl}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('fake Bybit v5 server: wire formats', () => {
  let server: FakeBybitServer;
  // Now = 10:30 on day one: candles 00:00..09:00 closed, 10:00 forming, 11:00+ in the future.
  const NOW = T0 + 10 * H + H / 2;
  beforeAll(async () => {
    server = await startFakeBybit({ now: NOW });
    server.addCandles('spot', 'BTCUSDT', H, hourly(48));
    server.addFunding('BTCUSDT', { ts: Float64Array.from([0, 1, 2, 3], (i) => T0 + i * 8 * H), rate: Float64Array.from([0.0001, -0.0002, 0.0003, 0.0001]) });
  });
  afterAll(async () => server.close());

  it('serves klines newest first as strings in the Bybit envelope, never past its clock', async () => {
    const { status, body } = await getJson(server, '/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&limit=3');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['result', 'retCode', 'retExtInfo', 'retMsg', 'time']);
    expect(body['retCode']).toBe(0);
    expect(body['time']).toBe(NOW);
    expect(body['result'].list).toEqual([
      [String(T0 + 10 * H), '1010', '1012', '1009', '1011', '11.5', String(11.5 * 1011)],
      [String(T0 + 9 * H), '1009', '1011', '1008', '1010', '10.5', String(10.5 * 1010)],
      [String(T0 + 8 * H), '1008', '1010', '1007', '1009', '9.5', String(9.5 * 1009)],
    ]);
  });

  it('includes the candle containing a mid-candle start and walks forward from start up to limit', async () => {
    const { body } = await getJson(server, `/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&start=${T0 + 2 * H + 5}&limit=2`);
    expect(body['result'].list.map((r: string[]) => Number(r[0]))).toEqual([T0 + 3 * H, T0 + 2 * H]);
    const ranged = await getJson(server, `/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&start=${T0}&end=${T0 + 2 * H}`);
    expect(ranged.body['result'].list.map((r: string[]) => Number(r[0]))).toEqual([T0 + 2 * H, T0 + H, T0]);
  });

  it('answers errors the way Bybit does', async () => {
    const unknown = await getJson(server, '/v5/market/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body['retCode']).toBe(10017);
    const badSym = await getJson(server, '/v5/market/kline?category=spot&symbol=NOPEUSDT&interval=60');
    expect([badSym.body['retCode'], badSym.body['retMsg']]).toEqual([10001, 'Not supported symbols']);
    const badInt = await getJson(server, '/v5/market/kline?category=spot&symbol=BTCUSDT&interval=7');
    expect(badInt.body['retCode']).toBe(10001);
    const startOnly = await getJson(server, `/v5/market/funding/history?category=linear&symbol=BTCUSDT&startTime=${T0}`);
    expect(startOnly.body['retCode']).toBe(10001);
    server.faults.next({ kind: 'rate_limit', path: '/v5/market/time' });
    expect((await getJson(server, '/v5/market/time')).body['retCode']).toBe(10006);
    server.faults.next({ kind: 'http_403' });
    const r403 = await fetch(`${server.restUrl}/v5/market/time`);
    expect([r403.status, await r403.text()]).toEqual([403, 'access too frequent']);
  });

  it('serves funding newest first up to its clock, and the server time', async () => {
    const { body } = await getJson(server, '/v5/market/funding/history?category=linear&symbol=BTCUSDT');
    expect(body['result'].list).toEqual([
      { symbol: 'BTCUSDT', fundingRate: '-0.0002', fundingRateTimestamp: String(T0 + 8 * H) },
      { symbol: 'BTCUSDT', fundingRate: '0.0001', fundingRateTimestamp: String(T0) },
    ]);
    const t = await getJson(server, '/v5/market/time');
    expect(t.body['result']).toEqual({ timeSecond: String(Math.floor(NOW / 1000)), timeNano: `${NOW}000000` });
  });

  it('lets the REST client drop the still-forming candle by the reply time', async () => {
    const client = createBybitClient({ restUrl: server.restUrl, enableRateLimit: false });
    const market = await resolveMarket(client, 'BTC/USDT');
    const page = await fetchClosedKlines(client, market, '1h', T0 + 8 * H, T0 + 20 * H);
    expect(page.rawCount).toBe(3);
    expect(page.droppedForming).toBe(1);
    expect(Array.from(page.cols.ts)).toEqual([T0 + 8 * H, T0 + 9 * H]);
  });

  it('acks subscriptions, answers pings and refuses unknown topics on the public WebSocket', async () => {
    const ws = new WebSocket(`${server.wsUrl}/v5/public/spot`);
    const frames: Record<string, any>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, any>));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', req_id: 7, args: ['kline.60.BTCUSDT'], callerMethodName: 'x' }));
    ws.send(JSON.stringify({ op: 'subscribe', args: ['kline.60.NOPEUSDT'] }));
    ws.send(JSON.stringify({ op: 'ping', req_id: 'p1' }));
    const until = async (n: number): Promise<void> => {
      while (frames.length < n) await new Promise((r) => setTimeout(r, 5));
    };
    await until(3);
    expect(frames[0]).toMatchObject({ success: true, ret_msg: 'subscribe', req_id: '7', op: 'subscribe' });
    expect(frames[1]).toMatchObject({ success: false, ret_msg: 'Invalid symbol :[kline.60.NOPEUSDT]', op: 'subscribe' });
    expect(frames[2]).toMatchObject({ success: true, ret_msg: 'pong', op: 'ping' });
    server.setNow(NOW + H); // 10:00 closes, 11:00 starts forming
    await until(5);
    expect(frames[3]).toMatchObject({ topic: 'kline.60.BTCUSDT', type: 'snapshot', data: [{ start: T0 + 10 * H, end: T0 + 11 * H - 1, interval: '60', open: '1010', confirm: true }] });
    expect(frames[4]).toMatchObject({ topic: 'kline.60.BTCUSDT', data: [{ start: T0 + 11 * H, confirm: false }] });
    ws.close();
    server.setNow(NOW);
  });
});

describe('fake Bybit admin endpoint (faults and candle lists over HTTP, same port)', () => {
  let server: FakeBybitServer;
  const NOW = T0 + 10 * H + H / 2;
  beforeAll(async () => {
    server = await startFakeBybit({ now: NOW });
    server.addCandles('spot', 'BTCUSDT', H, hourly(48));
  });
  afterAll(async () => server.close());

  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> => {
    const res = await fetch(`${server.adminUrl}${route}`, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it('lists its routes and every fault kind it supports', async () => {
    const { status, body } = await call('GET', '');
    expect(status).toBe(200);
    expect(body['faults']).toEqual({
      rest: ['rate_limit', 'http_403', 'http_5xx', 'drop_connection'],
      ws: ['drop_connection', 'stall_heartbeat', 'garbage_frame', 'duplicate_candle', 'out_of_order_candle', 'skip_push', 'skip_execution'],
      order: ['reply_lost_after_accept', 'reply_delayed_after_accept', 'reject_insufficient_balance', 'reject_qty_min', 'reject_qty_step'],
    });
    expect(body['routes'].join('\n')).toContain('POST   /__admin/faults');
  });

  it('queues REST faults that hit the next requests of one path, and is never faulted or logged itself', async () => {
    const before = server.requests.length;
    expect((await call('POST', '/faults', { kind: 'http_5xx', count: 2, path: '/v5/market/instruments-info' })).status).toBe(201);
    expect((await call('POST', '/faults', { kind: 'rate_limit', path: '/v5/market/kline' })).body['queued']).toEqual([
      { kind: 'http_5xx', where: 'rest', path: '/v5/market/instruments-info', remaining: 2 },
      { kind: 'rate_limit', where: 'rest', path: '/v5/market/kline', remaining: 1 },
    ]);
    expect((await fetch(`${server.restUrl}/v5/market/instruments-info?category=spot`)).status).toBe(502);
    expect((await fetch(`${server.restUrl}/v5/market/time`)).status).toBe(200);
    expect((await getJson(server, '/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60')).body['retCode']).toBe(10006);
    expect((await fetch(`${server.restUrl}/v5/market/instruments-info?category=spot`)).status).toBe(502);
    expect((await getJson(server, '/v5/market/instruments-info?category=spot')).body['retCode']).toBe(0);
    const faults = (await call('GET', '/faults')).body;
    expect(faults['queued']).toEqual([]);
    expect(faults['applied']).toMatchObject({ http_5xx: 2, rate_limit: 1 });
    // Five exchange requests were logged; the admin calls were not.
    expect(server.requests.length - before).toBe(5);
    expect((await call('GET', '/stats')).body['requests']['/v5/market/instruments-info']).toBeGreaterThanOrEqual(3);
  });

  it('refuses a fault it does not know, or one on the wrong side, with 400 and the reason', async () => {
    const unknown = await call('POST', '/faults', { kind: 'meteor' });
    expect(unknown.status).toBe(400);
    expect(unknown.body['error']).toContain('unknown fault "meteor"');
    expect((await call('POST', '/faults', { kind: 'skip_push', where: 'rest' })).body['error']).toContain('only applies to the WebSocket');
    expect((await call('POST', '/faults', { kind: 'http_5xx', count: 0 })).body['error']).toContain('count must be an integer >= 1');
    expect((await call('POST', '/faults', 'not json')).status).toBe(400);
    expect((await call('GET', '/nope')).status).toBe(404);
  });

  it('skips confirmed pushes on a live connection without closing it, and lists what closed and what was pushed', async () => {
    const ws = new WebSocket(`${server.wsUrl}/v5/public/spot`);
    const confirmed: number[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as Record<string, any>;
      if (f['topic'] !== undefined && f['data'][0].confirm === true) confirmed.push(f['data'][0].start as number);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ op: 'subscribe', args: ['kline.60.BTCUSDT'] }));
    while (server.ws.log.filter((l) => l.op === 'subscribe').length === 0) await new Promise((r) => setTimeout(r, 5));
    await call('POST', '/faults', { kind: 'skip_push', count: 2 });
    expect((await call('POST', '/clock', { advance_ms: 4 * H })).body).toMatchObject({ now: NOW + 4 * H, speed: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(confirmed).toEqual([T0 + 12 * H, T0 + 13 * H]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const { body } = await call('GET', '/candles?symbol=BTCUSDT');
    expect(body['topics']).toEqual([{ category: 'spot', symbol: 'BTCUSDT', interval: '60', closed: [10, 11, 12, 13].map((i) => T0 + i * H), pushed: [T0 + 12 * H, T0 + 13 * H] }]);
    expect((await call('POST', '/drop')).body).toEqual({ dropped: 1 });
    ws.close();
    await call('POST', '/clock', { now: NOW });
  });
});

describe('npm run fake-bybit (the script, as a child process)', () => {
  it('starts on an ephemeral port, prints it, and serves synthetic candles', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts', 'fake-bybit.ts'), '--synthetic', '--seed', '5', '--count', '50', '--symbols', 'BTCUSDT'], {
      cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fake-bybit exited with ${code}`)));
      });
      const info = JSON.parse(line) as { port: number; restUrl: string; adminUrl: string };
      expect(info.port).toBeGreaterThan(0);
      expect(info.adminUrl).toBe(`http://127.0.0.1:${info.port}/__admin`);
      const queued = await fetch(`${info.adminUrl}/faults`, { method: 'POST', body: JSON.stringify({ kind: 'skip_push', count: 3 }) });
      expect(((await queued.json()) as { queued: unknown[] }).queued).toEqual([{ kind: 'skip_push', where: 'ws', remaining: 3 }]);
      const res = await fetch(`${info.restUrl}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&limit=1000`);
      const body = (await res.json()) as { result: { list: string[][] } };
      // 50 candles, the newest still forming at the default clock, all served.
      expect(body.result.list.length).toBe(50);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
