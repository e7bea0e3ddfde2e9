import { describe, expect, it } from 'vitest';
import { admin, expectEveryClosedCandleTradedOnce, faultRun } from './forward-fault-run.ts';

const INSTRUMENTS = '/v5/market/instruments-info';

/**
 * The feed fault matrix, the start: one transient error on instruments-info must cost one retry
 * with a real new request, not the run (ccxt keeps a rejected loadMarkets promise otherwise).
 * `data download` gets the same test in download-markets.test.ts.
 */
describe('one transient error on instruments-info at the forward start is retried with a new request', () => {
  const STEPS = 20;

  for (const fault of [{ kind: 'http_5xx', code: 'CT_ERR_EXCHANGE_UNAVAILABLE', what: 'a 5xx' }, { kind: 'rate_limit', code: 'CT_ERR_EXCHANGE_RATE_LIMIT', what: 'a 10006 rate limit' }] as const) {
    it(`forward starts after ${fault.what} on instruments-info and trades every closed candle`, async () => {
      const r = await faultRun({
        steps: STEPS,
        async before(server) {
          await admin(server, 'POST', '/faults', { kind: fault.kind, path: INSTRUMENTS });
        },
      });
      expectEveryClosedCandleTradedOnce(r, STEPS);
      expect(r.messages.some((m) => m.startsWith(`${fault.code}: bybit markets`) && m.includes('retrying in'))).toBe(true);
      // ccxt loads the markets with three requests: the retry sent them again instead of reusing the failed load.
      expect(r.requests[INSTRUMENTS]).toBeGreaterThanOrEqual(6);
    }, 60_000);

  }
});
