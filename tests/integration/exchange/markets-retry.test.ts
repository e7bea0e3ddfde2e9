import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBybit, type FakeBybitServer } from '../../support/fake-bybit/server.ts';
import { createBybitClient } from '../../../src/venues/bybit/ccxt-client.ts';
import { resolveMarket } from '../../../src/venues/bybit/rest-klines.ts';
import { withRetry } from '../../../src/venues/bybit/retry.ts';
import { BybitKlineFeed, type FeedItem } from '../../../src/venues/bybit/kline-feed.ts';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { FAST_RETRY, memoryLogger } from './helpers.ts';

const M = 60_000;
const T0 = Date.UTC(2024, 4, 1);
const INSTRUMENTS = '/v5/market/instruments-info';

function series(n: number): CandleColumns {
  const c = { length: n, ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.ts[i] = T0 + i * M; c.open[i] = 100 + i; c.close[i] = 100.5 + i; c.high[i] = 101.5 + i; c.low[i] = 99 + i; c.volume[i] = 10;
  }
  return c;
}

describe('loading the markets after a transient error sends a real new request', () => {
  let server: FakeBybitServer;
  beforeEach(async () => {
    server = await startFakeBybit({ now: T0 + 10 * M + M / 2 });
    server.addCandles('spot', 'BTCUSDT', M, series(60));
  });
  afterEach(async () => server.close());

  for (const kind of ['http_5xx', 'rate_limit'] as const) {
    it(`resolves a symbol on the retry after one ${kind} on instruments-info`, async () => {
      server.faults.next({ kind, path: INSTRUMENTS });
      const logger = memoryLogger();
      const client = createBybitClient({ restUrl: server.restUrl, enableRateLimit: false });
      const market = await withRetry(() => resolveMarket(client, 'BTC/USDT'), 'bybit markets for BTC/USDT', FAST_RETRY, logger);
      expect(market).toEqual({ id: 'BTCUSDT', category: 'spot' });
      expect(server.faults.applied[kind]).toBe(1);
      expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
      // ccxt loads the markets with three requests (spot, linear, linear pre-launch): three for the
      // load that failed, three again for the retry (not zero: the rejected load is not reused).
      expect(server.requestsTo(INSTRUMENTS)).toHaveLength(6);
    });
  }

  it('lets the live feed backfill after its first markets load failed', async () => {
    server.faults.next({ kind: 'http_5xx', path: INSTRUMENTS });
    const feed = new BybitKlineFeed({
      wsUrl: server.wsUrl, restUrl: server.restUrl, market: 'spot', timeframe: '1m', symbols: ['BTC/USDT'], lastClosedTs: { 'BTC/USDT': T0 + 5 * M },
      pingIntervalMs: 40, stallTimeoutMs: 2000, retry: FAST_RETRY, summaryIntervalMs: 0,
    });
    const got: number[] = [];
    try {
      for await (const k of feed as AsyncIterable<FeedItem>) {
        if ('candle' in k) got.push((k.candle.ts - T0) / M);
        if (got.length === 4) break;
      }
    } finally {
      feed.close();
    }
    expect(got).toEqual([6, 7, 8, 9]);
    expect(server.faults.applied['http_5xx']).toBe(1);
  });
});
