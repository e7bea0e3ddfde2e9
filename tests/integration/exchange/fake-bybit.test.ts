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
      const info = JSON.parse(line) as { port: number; restUrl: string };
      expect(info.port).toBeGreaterThan(0);
      const res = await fetch(`${info.restUrl}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&limit=1000`);
      const body = (await res.json()) as { result: { list: string[][] } };
      // 50 candles, the newest still forming at the default clock, all served.
      expect(body.result.list.length).toBe(50);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
