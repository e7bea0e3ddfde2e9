import { describe, expect, it } from 'vitest';
import { RatePacer, limitFromHeaders, type PacerClock } from '../../../src/venues/bybit/rate-pacer.ts';

/** A clock that only moves when slept on, recording every sleep. */
function fakeClock(start: number): PacerClock & { t: number; slept: number[] } {
  const c = {
    t: start,
    slept: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.slept.push(ms);
      c.t += ms;
    },
  };
  return c;
}

const spent = (resetAt: number): Record<string, string> => ({ 'X-Bapi-Limit': '10', 'X-Bapi-Limit-Status': '0', 'X-Bapi-Limit-Reset-Timestamp': String(resetAt) });

describe('rate pacer on Bybit limit headers', () => {
  it('reads the three X-Bapi-Limit headers, and nothing from a reply without them', () => {
    expect(limitFromHeaders({ 'X-Bapi-Limit': '20', 'X-Bapi-Limit-Status': '19', 'X-Bapi-Limit-Reset-Timestamp': '1700000000000' })).toEqual({ limit: 20, remaining: 19, resetAt: 1700000000000 });
    expect(limitFromHeaders({ 'x-bapi-limit-status': '3', 'x-bapi-limit-reset-timestamp': '5' })).toEqual({ limit: 0, remaining: 3, resetAt: 5 });
    expect(limitFromHeaders({ 'Content-Type': 'application/json' })).toBeUndefined();
    expect(limitFromHeaders(undefined)).toBeUndefined();
  });

  it('waits until the reset when a path has no requests left, then goes at once', async () => {
    const clock = fakeClock(1000);
    const p = new RatePacer(clock);
    p.note('/v5/order/create', spent(1750));
    expect(await p.wait('/v5/order/create')).toBe(750);
    expect(clock.t).toBe(1750);
    expect(await p.wait('/v5/order/create')).toBe(0);
    expect(clock.slept).toEqual([750]);
  });

  it('does not wait while requests are left, and paces each path on its own', async () => {
    const clock = fakeClock(0);
    const p = new RatePacer(clock);
    p.note('/v5/order/create', { 'X-Bapi-Limit-Status': '1', 'X-Bapi-Limit-Reset-Timestamp': '500' });
    p.note('/v5/position/list', spent(300));
    expect(await p.wait('/v5/order/create')).toBe(0);
    expect(await p.wait('/v5/execution/list')).toBe(0);
    expect(await p.wait('/v5/position/list')).toBe(300);
    expect(clock.slept).toEqual([300]);
  });

  it('does not wait for a reset already past, and caps a wait for a reset far away', async () => {
    const clock = fakeClock(10_000);
    const p = new RatePacer(clock, 2000);
    p.note('/a', spent(9_000));
    expect(await p.wait('/a')).toBe(0);
    p.note('/a', spent(10_000 + 3_600_000));
    expect(await p.wait('/a')).toBe(2000);
  });

  it('reads the reset in the exchange clock: with ours 400 ms ahead, the wait ends 400 ms later on ours', async () => {
    const clock = fakeClock(1400);
    const p = new RatePacer(clock);
    p.skewMs = 400;
    p.note('/a', spent(1500)); // exchange time 1500 = our 1900
    expect(await p.wait('/a')).toBe(500);
  });

  it('ignores a reply without limit headers, keeping the last state', () => {
    const p = new RatePacer(fakeClock(0));
    p.note('/a', spent(100));
    p.note('/a', {});
    expect(p.delayFor('/a')).toBe(100);
  });
});
