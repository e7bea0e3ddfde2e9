import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun, livePushes, notPushed } from './forward-fault-run.ts';

/** The feed fault matrix, a stalled connection: a forward daemon process, faulted through the fake's admin endpoint. */
describe('a forward run trades every candle the exchange closed, once, when the WebSocket stalls', () => {
  const STEPS = 60;

  it('a stalled heartbeat: the feed reconnects after the configured stall timeout and backfills what the stall withheld', async () => {
    const r = await faultRun({
      steps: STEPS,
      sets: ['exchange.ws_ping_interval_ms=150', 'exchange.ws_stall_timeout_ms=800'],
      async during(server) {
        await livePushes(server, 5);
        await admin(server, 'POST', '/faults', { kind: 'stall_heartbeat' });
      },
    });
    expectEveryClosedCandleTradedOnce(r, STEPS);
    const stall = r.messages.filter((m) => m.includes('(no pong, no data; stall timeout 800 ms); reconnecting'));
    expect(stall).toHaveLength(1);
    const silentMs = Number(/silent for (\d+) ms/.exec(stall[0]!)![1]);
    expect(silentMs).toBeGreaterThan(800);
    // The stalled connection withheld candles that closed while it hung: they came over REST.
    expect(notPushed(r).length).toBeGreaterThan(0);
    expect(r.messages.at(-1) ?? '').not.toContain('CT_ERR_INTERNAL');
  }, 60_000);
});
