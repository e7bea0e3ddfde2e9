import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { BybitKlineFeed, type FeedEvent, type FeedGap, type FeedItem, type KlineFeedOptions } from '../../../src/venues/bybit/kline-feed.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { FAST_RETRY, memoryLogger, type LogLine } from './helpers.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 4, 1);
const SYMBOL = 'BTC/USDT:USDT';

/** A valid 1m series; `without` leaves candles out (the exchange has none there). */
function series(n: number, without: readonly number[] = []): CandleColumns {
  const keep = [...Array(n).keys()].filter((i) => !without.includes(i));
  const c = { length: keep.length, ts: new Float64Array(keep.length), open: new Float64Array(keep.length), high: new Float64Array(keep.length), low: new Float64Array(keep.length), close: new Float64Array(keep.length), volume: new Float64Array(keep.length) };
  keep.forEach((i, k) => {
    c.ts[k] = T0 + i * M; c.open[k] = 100 + i; c.close[k] = 100.5 + i; c.high[k] = 101.5 + i; c.low[k] = 99 + i; c.volume[k] = 10 + (i % 7);
  });
  return c;
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const idx = (ts: number): number => (ts - T0) / M;

describe('the live kline feed never loses a candle', () => {
  let server: FakeBybitServer;
  let feed: BybitKlineFeed | undefined;
  let events: FeedEvent[];
  let items: FeedItem[];
  let gaps: FeedGap[];
  let logger: ReturnType<typeof memoryLogger>;

  beforeEach(async () => {
    // Half-way through candle 10: candles 0..9 are closed, 10 is forming.
    server = await startFakeBybit({ now: T0 + 10 * M + M / 2 });
    events = [];
    items = [];
    gaps = [];
    logger = memoryLogger();
  });
  afterEach(async () => {
    feed?.close();
    await server.close();
  });

  function start(data: CandleColumns, extra: Partial<KlineFeedOptions> = {}): void {
    server.addCandles('linear', 'BTCUSDT', M, data);
    feed = new BybitKlineFeed({
      wsUrl: server.wsUrl, restUrl: server.restUrl, market: 'linear', timeframe: '1m', symbols: [SYMBOL],
      pingIntervalMs: 40, stallTimeoutMs: 2000, reconnectBaseMs: 5, reconnectCapMs: 50, retry: FAST_RETRY, summaryIntervalMs: 0,
      logger, onEvent: (e) => events.push(e), onGap: (g) => gaps.push(g), ...extra,
    });
    void (async () => {
      for await (const k of feed!) items.push(k);
    })();
  }
  const subscribed = (): boolean => events.some((e) => e.type === 'subscribed');
  const candles = (): number[] => items.flatMap((k) => ('candle' in k ? [idx(k.candle.ts)] : []));
  const closeCandle = (i: number): void => server.setNow(T0 + (i + 1) * M + M / 2);
  const gapWarnings = (): LogLine[] => logger.lines.filter((l) => l.obj['code'] === 'CT_ERR_FEED_GAP');
  const range = (i: number, j: number): number[] => [...Array(j - i + 1).keys()].map((k) => i + k);

  it('backfills a confirmed push that never came, on a connection that stayed up, before the candle after it', async () => {
    start(series(60));
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'skip_push' });
    closeCandle(11);
    closeCandle(12);
    await waitFor('3 candles', () => candles().length >= 3);
    expect(candles()).toEqual([10, 11, 12]);
    expect(server.faults.applied['skip_push']).toBe(1);
    expect(server.ws.connectionsAccepted).toBe(1);
    expect(events.find((e) => e.type === 'hole_opened')).toMatchObject({ symbol: SYMBOL, fromTs: T0 + 11 * M, toTs: T0 + 11 * M });
    expect(gapWarnings()[0]!.msg).toContain(`${SYMBOL} 1m candles 2024-05-01T00:11:00Z..2024-05-01T00:11:00Z missing from the live feed`);
    expect(gaps).toEqual([]);
  });

  it('backfills eight skipped pushes in order', async () => {
    start(series(60));
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'skip_push', count: 8 });
    for (let i = 11; i <= 20; i++) closeCandle(i);
    await waitFor('11 candles', () => candles().length >= 11);
    expect(candles()).toEqual(range(10, 20));
    expect(server.topicCandles()[0]!.pushed.map(idx)).toEqual([10, 19, 20]);
    expect(server.topicCandles()[0]!.closed.map(idx)).toEqual(range(10, 20));
  });

  it('retries a failing backfill with a warning per attempt naming the symbol and range, the hole visible meanwhile', async () => {
    start(series(60), { retry: { baseMs: 20, capMs: 40 } });
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'http_5xx', count: 3, path: '/v5/market/kline' });
    server.faults.next({ kind: 'skip_push', count: 2 });
    closeCandle(11);
    closeCandle(12);
    closeCandle(13);
    await waitFor('first failure', () => events.some((e) => e.type === 'backfill_failed'));
    expect(feed!.openHoles()).toEqual([{ symbol: SYMBOL, fromTs: T0 + 11 * M, toTs: T0 + 12 * M, attempts: 1 }]);
    closeCandle(14); // arrives while the hole is open: it waits behind it
    await waitFor('5 candles', () => candles().length >= 5);
    expect(candles()).toEqual([10, 11, 12, 13, 14]);
    const attempts = gapWarnings().filter((l) => l.obj['attempt'] !== undefined);
    expect(attempts.map((l) => l.obj['attempt'])).toEqual([1, 2, 3]);
    for (const l of attempts) expect(l.msg).toMatch(/BTC\/USDT:USDT 1m backfill of 2024-05-01T00:11:00Z\.\.2024-05-01T00:12:00Z failed \(attempt \d: CT_ERR_EXCHANGE_UNAVAILABLE/);
    expect(feed!.openHoles()).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'info' && l.msg.includes('backfilled 2 candles over REST') && l.msg.includes('after 3 failed attempts'))).toBe(true);
  });

  it('does not skip a backfill when the connection drops again while it runs', async () => {
    start(series(60), { retry: { baseMs: 10, capMs: 20 } });
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    await waitFor('candle 10', () => candles().length >= 1);
    // Every backfill request fails until the faults are cleared.
    server.faults.next({ kind: 'http_5xx', count: Infinity, path: '/v5/market/kline' });
    server.faults.next({ kind: 'drop_connection', where: 'ws' });
    closeCandle(11); // the first cut
    await waitFor('resubscribe', () => events.filter((e) => e.type === 'subscribed').length >= 2);
    await waitFor('backfill failing', () => events.some((e) => e.type === 'backfill_failed'));
    server.dropWsConnections(); // the second cut, during the backfill
    closeCandle(13);
    await waitFor('third connection', () => events.filter((e) => e.type === 'subscribed').length >= 3);
    closeCandle(14);
    server.faults.clear();
    closeCandle(15);
    await waitFor('candles 10..15', () => candles().length >= 6);
    expect(candles()).toEqual(range(10, 15));
    expect(gaps).toEqual([]);
  });

  it('fetches a candle the consumer asks for, before the WebSocket shows the hole', async () => {
    start(series(60));
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'skip_push' });
    closeCandle(11);
    await waitFor('candle 10', () => candles().length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(candles()).toEqual([10]);
    feed!.ensureThrough(SYMBOL, T0 + 11 * M);
    await waitFor('candle 11', () => candles().length >= 2);
    expect(candles()).toEqual([10, 11]);
    closeCandle(12);
    await waitFor('candle 12', () => candles().length >= 3);
    expect(candles()).toEqual([10, 11, 12]);
  });

  it('records a gap the exchange has no candles for, and says the symbol is settled past it', async () => {
    start(series(60, [12, 13]));
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    closeCandle(11);
    closeCandle(14);
    await waitFor('candle 14', () => candles().includes(14));
    expect(candles()).toEqual([10, 11, 14]);
    expect(items.filter((k) => 'settledThrough' in k)).toEqual([{ symbol: SYMBOL, settledThrough: T0 + 13 * M }]);
    expect(gaps).toEqual([{ symbol: SYMBOL, fromTs: T0 + 12 * M, toTs: T0 + 13 * M, candles: 2, attempts: 0, message: expect.stringContaining('the exchange has no candle there') }]);
  });

  it('records the hole still open when the feed is closed', async () => {
    start(series(60), { retry: { baseMs: 10, capMs: 20 } });
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'http_5xx', count: Infinity, path: '/v5/market/kline' });
    server.faults.next({ kind: 'skip_push', count: 3 });
    for (let i = 11; i <= 14; i++) closeCandle(i);
    await waitFor('two failed attempts', () => events.filter((e) => e.type === 'backfill_failed').length >= 2);
    feed!.close();
    expect(candles()).toEqual([10]);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ symbol: SYMBOL, fromTs: T0 + 11 * M, toTs: T0 + 13 * M, candles: 3 });
    expect(gaps[0]!.attempts).toBeGreaterThanOrEqual(2);
    expect(gaps[0]!.message).toContain('the run ended before the hole was filled');
  });

  it('counts duplicate and out-of-order frames in a periodic summary line and in the one at the end', async () => {
    start(series(60), { summaryIntervalMs: 100 });
    await waitFor('subscribe', subscribed);
    closeCandle(10);
    server.faults.next({ kind: 'duplicate_candle' });
    closeCandle(11);
    server.faults.next({ kind: 'out_of_order_candle' });
    closeCandle(12);
    await waitFor('3 candles', () => candles().length >= 3);
    const summaries = (): LogLine[] => logger.lines.filter((l) => l.msg.startsWith('bybit feed summary:'));
    await waitFor('a periodic summary after both faults', () => summaries().some((l) => l.msg.includes('1 duplicate, 1 out of order')));
    feed!.close();
    const end = logger.lines.filter((l) => l.msg.startsWith('bybit feed summary at the end:'));
    expect(end).toHaveLength(1);
    expect(end[0]!.msg).toContain('1m candles 3 (3 live, 0 backfilled); 1 duplicate, 1 out of order, 0 bad frames dropped');
    expect(candles()).toEqual([10, 11, 12]);
  });
});
