import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun, livePushes, notPushed, waitUntil } from './forward-fault-run.ts';

/** The feed fault matrix, holes: a forward daemon process, faulted through the fake's admin endpoint. */
describe('a forward run trades every candle the exchange closed, once, through holes in the live feed', () => {
  const STEPS = 60;

  it('skip 1 push on a live connection: the hole is backfilled before the step is traded, and warned about', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'skip_push' });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(notPushed(r)).toHaveLength(1);
    expect(r.messages.filter((m) => /^CT_ERR_FEED_GAP: (BTC|ETH)\/USDT 1m candles \S+\.\.\S+ missing from the live feed/.test(m))).toHaveLength(1);
  }, 60_000);

  it('skip 8 pushes on a live connection: all eight are backfilled, none is lost', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'skip_push', count: 8 });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(notPushed(r)).toHaveLength(8);
    expect(r.messages.some((m) => m.startsWith('CT_ERR_FEED_GAP:') && m.includes('missing from the live feed'))).toBe(true);
  }, 60_000);

  it('a backfill that fails three times is retried until it works, with a warning per attempt and the hole on the status line', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'http_5xx', count: 3, path: '/v5/market/kline' });
        await admin(server, 'POST', '/faults', { kind: 'skip_push', count: 2 });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    const attempts = r.messages.filter((m) => /^CT_ERR_FEED_GAP: (BTC|ETH)\/USDT 1m backfill of \S+\.\.\S+ failed \(attempt \d: CT_ERR_EXCHANGE_UNAVAILABLE/.test(m));
    expect(attempts.map((m) => /attempt (\d)/.exec(m)![1])).toEqual(['1', '2', '3']);
    expect(r.messages.some((m) => /^status: HOLE (BTC|ETH)\/USDT \S+\.\.\S+ \(\d failed attempts\)/.test(m))).toBe(true);
    expect(r.messages.some((m) => m.includes('after 3 failed attempts; live again from'))).toBe(true);
  }, 60_000);

  it('a disconnect during a failing backfill does not skip it: once REST answers again every candle is traded', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'http_5xx', count: 'forever', path: '/v5/market/kline' });
        await admin(server, 'POST', '/faults', { kind: 'skip_push' });
        await waitUntil('the backfill failing', async () => ((await admin(server, 'GET', '/faults')).applied['http_5xx'] ?? 0) >= 2);
        await admin(server, 'POST', '/drop');
        await waitUntil('a new connection', async () => (await admin(server, 'GET', '/stats')).connectionsAccepted >= 2);
        await waitUntil('more failed backfills', async () => ((await admin(server, 'GET', '/faults')).applied['http_5xx'] ?? 0) >= 5);
        await admin(server, 'DELETE', '/faults');
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(r.messages.some((m) => m.includes('disconnected; reconnecting'))).toBe(true);
    expect(notPushed(r).length).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
