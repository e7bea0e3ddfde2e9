import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun, livePushes, notPushed } from './forward-fault-run.ts';

/** The feed fault matrix, skipped pushes: a forward daemon process, faulted through the fake's admin endpoint. */
describe('a forward run trades every candle the exchange closed, once, when pushes are skipped on a live connection', () => {
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
});
