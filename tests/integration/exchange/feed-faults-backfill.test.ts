import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun, livePushes, notPushed, waitUntil } from './forward-fault-run.ts';

/** The feed fault matrix, failing backfills: a forward daemon process, faulted through the fake's admin endpoint. */
describe('a forward run trades every candle the exchange closed, once, when its backfill fails', () => {
  const STEPS = 60;

  it('a backfill that fails three times is retried until it works, with a warning per attempt and the hole on the status line', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'http_5xx', count: 3, path: '/v5/market/kline' });
        // One skipped push opens one hole, of one symbol: all three failures hit its backfill.
        await admin(server, 'POST', '/faults', { kind: 'skip_push' });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    const attempts = r.messages.filter((m) => /^CT_ERR_FEED_GAP: (BTC|ETH)\/USDT 1m backfill of \S+\.\.\S+ failed \(attempt \d: CT_ERR_EXCHANGE_UNAVAILABLE/.test(m));
    expect(attempts.map((m) => /attempt (\d)/.exec(m)![1])).toEqual(['1', '2', '3']);
    expect(r.messages.some((m) => /^status: HOLE (BTC|ETH)\/USDT \S+\.\.\S+ \(\d failed attempts\)/.test(m))).toBe(true);
    expect(r.messages.some((m) => m.includes('after 3 failed attempts; live again from'))).toBe(true);
  }, 60_000);

  it('a disconnect during a failing backfill does not skip it, and it outlasts exchange.max_retries: once REST answers every candle is traded', async () => {
    const r = await faultRun({
      steps: STEPS,
      // A hole is retried until it is filled: max_retries bounds single requests, never a backfill.
      sets: ['exchange.max_retries=3', 'exchange.retry_base_ms=100'],
      async during(server) {
        const failed = async (): Promise<number> => (await admin(server, 'GET', '/faults')).applied['http_5xx'] ?? 0;
        const connections = async (): Promise<number> => (await admin(server, 'GET', '/stats')).connectionsAccepted;
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'http_5xx', count: 'forever', path: '/v5/market/kline' });
        await admin(server, 'POST', '/drop');
        await waitUntil('the backfill after the reconnect failing', async () => (await connections()) >= 2 && (await failed()) >= 2);
        await admin(server, 'POST', '/drop');
        await waitUntil('a third connection, and more failures than max_retries allows', async () => (await connections()) >= 3 && (await failed()) >= 8);
        await admin(server, 'DELETE', '/faults');
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(r.messages.filter((m) => m.includes('disconnected; reconnecting')).length).toBeGreaterThanOrEqual(2);
    expect(notPushed(r).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
