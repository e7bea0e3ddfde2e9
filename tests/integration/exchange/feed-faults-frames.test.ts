import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun, livePushes } from './forward-fault-run.ts';

/** The feed fault matrix, duplicate and out-of-order frames: a forward daemon process, faulted through the fake's admin endpoint. */
describe('a forward run trades every candle the exchange closed, once, whatever the WebSocket does', () => {
  const STEPS = 60;

  it('duplicate pushes are dropped, counted and reported in the summary lines', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'duplicate_candle', count: 3 });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(r.messages.find((m) => m.startsWith('bybit feed summary at the end:'))).toContain('3 duplicates, 0 out of order');
    expect(r.messages.some((m) => m.startsWith('bybit feed summary:') && m.includes('3 duplicates'))).toBe(true);
  }, 60_000);

  it('out-of-order pushes are dropped, counted and reported in the summary lines', async () => {
    const r = await faultRun({
      steps: STEPS,
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'out_of_order_candle', count: 3 });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    expect(r.messages.find((m) => m.startsWith('bybit feed summary at the end:'))).toContain('0 duplicates, 3 out of order');
    expect(r.messages.some((m) => m.startsWith('bybit feed summary:') && m.includes('3 out of order'))).toBe(true);
  }, 60_000);
});
