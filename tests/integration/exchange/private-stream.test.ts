import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createPrivateApi } from '../../../src/venues/bybit/private-api.ts';
import { openPrivateStream } from '../../../src/venues/bybit/private-stream.ts';
import type { BybitPrivateApi, InstrumentRules, PrivateStream, PrivateStreamEvent } from '../../../src/venues/bybit/private-types.ts';
import { SILENT_LOGGER, type VenueLogger } from '../../../src/venues/bybit/retry.ts';
import { H, flatCandles } from './private-helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const KEY = 'streamkey0001';
const SECRET = 'streamsecret0001';

/** Records a stream's events and log lines; `until` waits for an event matching a test. */
function recorder(): { events: PrivateStreamEvent[]; logs: { level: string; obj: Record<string, unknown>; msg: string }[]; logger: VenueLogger; onEvent: (e: PrivateStreamEvent) => void; until: (pred: (e: PrivateStreamEvent) => boolean, ms?: number) => Promise<PrivateStreamEvent> } {
  const events: PrivateStreamEvent[] = [];
  const logs: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const waiters: { pred: (e: PrivateStreamEvent) => boolean; resolve: (e: PrivateStreamEvent) => void }[] = [];
  const log = (level: string) => (obj: Record<string, unknown>, msg: string): void => void logs.push({ level, obj, msg });
  return {
    events, logs,
    logger: { info: log('info'), warn: log('warn'), error: log('error') },
    onEvent: (e) => {
      events.push(e);
      for (const w of [...waiters]) if (w.pred(e)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(e); }
    },
    until: (pred, ms = 5000) => new Promise((resolve, reject) => {
      const seen = events.find(pred);
      if (seen !== undefined) return resolve(seen);
      const t = setTimeout(() => reject(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events.map((e) => e.type))}`)), ms);
      waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
    }),
  };
}

describe('the private stream against the fake exchange', () => {
  let server: FakeBybitServer;
  let api: BybitPrivateApi;
  let instruments: ReadonlyMap<string, InstrumentRules>;
  const streams: PrivateStream[] = [];
  const open = (rec: ReturnType<typeof recorder>, key = KEY, secret = SECRET): PrivateStream => {
    const s = openPrivateStream({ url: `${server.wsUrl}/v5/private`, apiKey: key, secret, market: 'linear', instruments, pingIntervalMs: 200, stallTimeoutMs: 2000, reconnectBaseMs: 50, reconnectCapMs: 200, logger: rec.logger, onEvent: rec.onEvent });
    streams.push(s);
    return s;
  };
  beforeAll(async () => {
    server = await startFakeBybit({ now: T0 + 2 * H, accounts: [{ apiKey: KEY, secret: SECRET, balances: { USDT: 1000 } }] });
    server.addCandles('linear', 'ETHUSDT', H, flatCandles(24, T0, 2000));
    api = createPrivateApi({ restUrl: server.restUrl, apiKey: KEY, secret: SECRET, timeoutMs: 5000, retry: { attempts: 3, baseMs: 10, capMs: 50 }, logger: SILENT_LOGGER });
    instruments = await api.instruments('linear', ['ETH/USDT:USDT']);
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => server.close());

  it('authenticates, subscribes, and delivers the order, execution, position and wallet of an order placed over REST', async () => {
    const rec = recorder();
    const stream = open(rec);
    await rec.until((e) => e.type === 'up');
    expect(stream.up).toBe(true);
    expect((await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Buy', qty: 0.1, orderLinkId: 'ws-buy-0001', reduceOnly: false })).kind).toBe('accepted');
    const ex = await rec.until((e) => e.type === 'execution');
    const rest = await api.executions('linear', T0);
    expect(ex).toEqual({ type: 'execution', executions: rest.filter((x) => x.orderLinkId === 'ws-buy-0001') });
    expect(await rec.until((e) => e.type === 'order')).toMatchObject({ orders: [{ orderLinkId: 'ws-buy-0001', status: 'Filled', symbol: 'ETH/USDT:USDT', market: 'linear' }] });
    expect(await rec.until((e) => e.type === 'position')).toEqual({ type: 'position', positions: [{ symbol: 'ETH/USDT:USDT', qty: 0.1, avgPrice: 2000, markPrice: 2000, unrealisedPnl: 0 }] });
    const wallet = await rec.until((e) => e.type === 'wallet');
    expect(wallet).toEqual({ type: 'wallet', coins: await api.wallet() });
  });

  it('reports down when the connection drops, and up again after reconnecting', async () => {
    const rec = recorder();
    const stream = open(rec);
    await rec.until((e) => e.type === 'up');
    expect(server.dropWsConnections()).toBeGreaterThanOrEqual(1);
    await rec.until((e) => e.type === 'down');
    expect(stream.up).toBe(false);
    rec.events.length = 0;
    await rec.until((e) => e.type === 'up');
    expect(stream.up).toBe(true);
    expect(server.privateWsLog.filter((l) => l.op === 'auth').length).toBeGreaterThanOrEqual(2);
  });

  it('loses an execution push under skip_execution, which executions() over REST still returns', async () => {
    const rec = recorder();
    open(rec);
    await rec.until((e) => e.type === 'up');
    server.faults.next({ kind: 'skip_execution' });
    expect((await api.placeOrder({ market: 'linear', symbol: 'ETH/USDT:USDT', side: 'Sell', qty: 0.1, orderLinkId: 'ws-skip-0001', reduceOnly: true })).kind).toBe('accepted');
    await rec.until((e) => e.type === 'wallet');
    expect(server.faults.applied['skip_execution']).toBe(1);
    expect(rec.events.filter((e) => e.type === 'execution')).toEqual([]);
    expect(rec.events.filter((e) => e.type === 'order')).toMatchObject([{ orders: [{ orderLinkId: 'ws-skip-0001', status: 'Filled' }] }]);
    expect((await api.executions('linear', T0)).map((e) => e.orderLinkId)).toContain('ws-skip-0001');
  });

  it('stops on a refused auth: down with CT_ERR_EXCHANGE_AUTH, an error log, and no reconnect', async () => {
    const rec = recorder();
    const stream = open(rec, KEY, 'not-the-secret');
    const down = await rec.until((e) => e.type === 'down');
    expect(down).toMatchObject({ reason: expect.stringMatching(/^CT_ERR_EXCHANGE_AUTH: .*auth refused/) });
    expect(rec.logs.filter((l) => l.level === 'error').map((l) => l.obj['code'])).toEqual(['CT_ERR_EXCHANGE_AUTH']);
    const auths = server.privateWsLog.filter((l) => l.op === 'auth').length;
    await new Promise((r) => setTimeout(r, 400));
    expect(server.privateWsLog.filter((l) => l.op === 'auth').length).toBe(auths);
    expect(stream.up).toBe(false);
    expect(rec.events.some((e) => e.type === 'up')).toBe(false);
  });
});
