import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { BybitKlineFeed, type ClosedKline, type FeedEvent } from '../../../src/venues/bybit/kline-feed.ts';
import { CtError } from '../../../src/core/errors.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { FAST_RETRY, memoryLogger } from './helpers.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 4, 1);

/** A plain, valid 1m series: candle i opens at T0 + i min with prices derived from i. */
function series(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * M;
    c.open[i] = 100 + i;
    c.close[i] = 100.5 + i;
    c.high[i] = 101.5 + i;
    c.low[i] = 99 + i;
    c.volume[i] = 10 + (i % 7);
  }
  return c;
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Bybit live kline feed against the fake exchange', () => {
  let server: FakeBybitServer;
  let feed: BybitKlineFeed | undefined;
  let events: FeedEvent[];
  let got: ClosedKline[];
  let iterError: unknown;
  const data = series(200);

  beforeEach(async () => {
    // Half-way through candle 10: candles 0..9 are closed, 10 is forming.
    server = await startFakeBybit({ now: T0 + 10 * M + M / 2 });
    server.addCandles('linear', 'BTCUSDT', M, data);
    events = [];
    got = [];
    iterError = undefined;
  });
  afterEach(async () => {
    feed?.close();
    await server.close();
  });

  function start(extra: Partial<ConstructorParameters<typeof BybitKlineFeed>[0]> = {}): void {
    feed = new BybitKlineFeed({
      wsUrl: server.wsUrl, restUrl: server.restUrl, market: 'linear', timeframe: '1m', symbols: ['BTC/USDT:USDT'],
      // A generous dead window: a loaded CI machine must not make a healthy connection look dead.
      pingIntervalMs: 40, stallTimeoutMs: 2000, reconnectBaseMs: 5, reconnectCapMs: 50, retry: FAST_RETRY,
      onEvent: (e) => events.push(e), ...extra,
    });
    void (async () => {
      try {
        for await (const k of feed!) if ('candle' in k) got.push(k);
      } catch (e) {
        iterError = e;
      }
    })();
  }
  const subscribed = (n: number) => () => events.filter((e) => e.type === 'subscribed').length >= n;
  const tsGot = (): number[] => got.map((k) => k.candle.ts);
  /** Closes candle i (moves the fake clock to the middle of candle i + 1). */
  const closeCandle = (i: number): void => server.setNow(T0 + (i + 1) * M + M / 2);

  it('emits only confirmed candles, with the exchange values, once each', async () => {
    start();
    await waitFor('subscribe', subscribed(1));
    closeCandle(10);
    closeCandle(11);
    closeCandle(13); // 12 and 13 close in one clock step
    await waitFor('4 candles', () => got.length >= 4);
    expect(tsGot()).toEqual([10, 11, 12, 13].map((i) => T0 + i * M));
    expect(got[0]!.symbol).toBe('BTC/USDT:USDT');
    expect(got[0]!.candle).toEqual({ ts: data.ts[10], open: data.open[10], high: data.high[10], low: data.low[10], close: data.close[10], volume: data.volume[10] });
    // The forming candle's confirm:false updates were pushed too, and none of them came out.
    expect(got.every((k) => k.candle.ts + M <= server.now())).toBe(true);
  });

  it('answers with pongs it asked for: pings are sent on the configured interval', async () => {
    start();
    await waitFor('pings', () => server.ws.log.filter((l) => l.op === 'ping').length >= 2);
    expect(events.some((e) => e.type === 'dead')).toBe(false);
  });

  it('survives a dropped connection: reconnects, resubscribes and backfills the missed candle over REST', async () => {
    start();
    await waitFor('subscribe', subscribed(1));
    closeCandle(10);
    await waitFor('candle 10', () => got.length >= 1);
    server.faults.next({ kind: 'drop_connection', where: 'ws' });
    closeCandle(11); // the push of candle 11 is replaced by a cut connection
    await waitFor('resubscribe', subscribed(2));
    await waitFor('backfill of 11', () => got.length >= 2);
    closeCandle(12);
    await waitFor('candle 12', () => got.length >= 3);
    expect(tsGot()).toEqual([10, 11, 12].map((i) => T0 + i * M));
    expect(server.ws.connectionsAccepted).toBe(2);
    expect(server.ws.log.filter((l) => l.op === 'subscribe').map((l) => l.args)).toEqual([['kline.1.BTCUSDT'], ['kline.1.BTCUSDT']]);
    expect(server.requestsTo('/v5/market/kline').length).toBeGreaterThan(0);
    expect(events.find((e) => e.type === 'backfilled')).toMatchObject({ candles: 1 });
  });

  it('logs and drops garbage frames without crashing', async () => {
    const logger = memoryLogger();
    start({ logger });
    await waitFor('subscribe', subscribed(1));
    server.faults.next({ kind: 'garbage_frame' });
    closeCandle(10);
    closeCandle(11);
    await waitFor('2 candles', () => got.length >= 2);
    expect(tsGot()).toEqual([T0 + 10 * M, T0 + 11 * M]);
    expect(events.filter((e) => e.type === 'dropped_frame').length).toBe(2);
    expect(logger.lines.filter((l) => l.obj['code'] === 'CT_ERR_EXCHANGE_REPLY_INVALID').length).toBe(2);
    expect(iterError).toBeUndefined();
  });

  it('drops duplicate and out-of-order candles', async () => {
    start();
    await waitFor('subscribe', subscribed(1));
    closeCandle(10);
    server.faults.next({ kind: 'duplicate_candle' });
    closeCandle(11);
    server.faults.next({ kind: 'out_of_order_candle' });
    closeCandle(12); // candle 12, then candle 11 again
    closeCandle(13);
    await waitFor('4 candles', () => got.length >= 4);
    await waitFor('dedup events', () => events.some((e) => e.type === 'duplicate') && events.some((e) => e.type === 'out_of_order'));
    expect(tsGot()).toEqual([10, 11, 12, 13].map((i) => T0 + i * M));
    expect(server.faults.applied['duplicate_candle']).toBe(1);
    expect(server.faults.applied['out_of_order_candle']).toBe(1);
  });

  it('detects a stalled heartbeat, reconnects and backfills what the stalled connection withheld', async () => {
    start({ stallTimeoutMs: 300 });
    await waitFor('subscribe', subscribed(1));
    closeCandle(10);
    await waitFor('candle 10', () => got.length >= 1);
    server.faults.next({ kind: 'stall_heartbeat' });
    closeCandle(11); // the connection hangs instead of pushing 11 and stops answering pings
    await waitFor('dead connection', () => events.some((e) => e.type === 'dead'));
    await waitFor('resubscribe', subscribed(2));
    await waitFor('backfill of 11', () => got.length >= 2);
    closeCandle(12);
    await waitFor('candle 12', () => got.length >= 3);
    expect(tsGot()).toEqual([10, 11, 12].map((i) => T0 + i * M));
    expect(server.ws.connectionsAccepted).toBe(2);
  });

  it('backfills from lastClosedTs on first connect, then continues live without a gap', async () => {
    start({ lastClosedTs: { 'BTC/USDT:USDT': T0 + 5 * M } });
    await waitFor('backfill 6..9', () => got.length >= 4);
    closeCandle(10);
    await waitFor('candle 10', () => got.length >= 5);
    expect(tsGot()).toEqual([6, 7, 8, 9, 10].map((i) => T0 + i * M));
  });

  it('ends the iteration with CT_ERR_EXCHANGE_REJECTED when the exchange refuses the subscription', async () => {
    start({ symbols: ['DOGE/USDT:USDT'] });
    await waitFor('failure', () => iterError !== undefined);
    expect(iterError).toBeInstanceOf(CtError);
    expect((iterError as CtError).code).toBe('CT_ERR_EXCHANGE_REJECTED');
    expect((iterError as CtError).message).toContain('kline.1.DOGEUSDT');
  });
});
