import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Candle } from '../../../src/domain/candle.ts';
import type { FundingEvent } from '../../../src/domain/funding.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { candle, H, order, sim, SYM } from './sim-helpers.ts';

const D = 24 * H;

function hist(ts: number[], rate: number[]) {
  return { ts: Float64Array.from(ts), rate: Float64Array.from(rate) };
}

/** Runs 1h candles [from, from + n h) through the simulator, collecting funding events. */
function runHours(ex: ReturnType<typeof sim>, from: number, n: number, price = 100): FundingEvent[] {
  const out: FundingEvent[] = [];
  for (let i = 0; i < n; i++) {
    const c: Candle = { ts: from + i * H, open: price, high: price, low: price, close: price, volume: 1 };
    out.push(...ex.onCandle(SYM, c).funding);
  }
  return out;
}

function openPositions(ex: ReturnType<typeof sim>, decided: Candle): void {
  ex.submit(order('L', 'buy', 2, decided), { candle: decided });
  ex.submit(order('S', 'sell', 1, decided, { strategyId: 's2' }), { candle: decided });
}

describe('funding on linear perpetuals (crafted history)', () => {
  it('charges longs and credits shorts when the rate is positive, at the funding candles only', () => {
    const T = Date.UTC(2024, 0, 1);
    const ex = sim({}, { funding: () => hist([T, T + 8 * H, T + 16 * H, T + 24 * H], [0.001, -0.002, 0.001, 0.001]) });
    const c = { ts: T - 2 * H, open: 100, high: 100, low: 100, close: 100, volume: 1 };
    ex.onCandle(SYM, c);
    openPositions(ex, c); // fill at the open of T - 1h
    const ev = runHours(ex, T - H, 18);
    expect(ev.map((e) => e.ts)).toEqual([T, T + 8 * H, T + 16 * H]);
    expect(ev.map((e) => e.source)).toEqual(['history', 'history', 'history']);
    // long 2 x 100 x 0.001 = 0.2 paid; short -1 x 100 x 0.001 = -0.1 (received)
    expect(ev[0]!.payments.map((p) => [p.strategyId, p.amount])).toEqual([['s1', 0.2], ['s2', -0.1]]);
    expect(ev[1]!.payments.map((p) => [p.strategyId, p.amount])).toEqual([['s1', -0.4], ['s2', 0.2]]);
    expect(ev[0]!.markPrice).toBe(100);
  });

  it('does not charge a position opened by the fill at the funding candle’s open for that instant', () => {
    const T = Date.UTC(2024, 0, 1);
    const ex = sim({ timeframeMs: D }, { funding: () => hist([T, T + 8 * H, T + 16 * H], [0.001, 0.001, 0.001]) });
    const c = { ts: T - D, open: 100, high: 100, low: 100, close: 100, volume: 1 };
    ex.onCandle(SYM, c);
    ex.submit(order('L', 'buy', 1, c), { candle: c });
    const { funding } = ex.onCandle(SYM, { ts: T, open: 50, high: 60, low: 40, close: 55, volume: 1 });
    // A daily candle holds all three instants; 00:00 is its open (position not yet held).
    expect(funding.map((e) => [e.ts, e.payments.length])).toEqual([[T, 0], [T + 8 * H, 1], [T + 16 * H, 1]]);
    expect(funding[1]!.payments[0]!.amount).toBeCloseTo(0.05, 12); // 1 x open 50 x 0.001
  });

  it('follows history on a shorter interval than configured without calling it missing', () => {
    const T = Date.UTC(2024, 0, 1);
    const ts = Array.from({ length: 48 }, (_, i) => T + i * H);
    const warns: string[] = [];
    const ex = sim({}, { funding: () => hist(ts, ts.map(() => 0.00001)), logger: { warn: (_o, m) => warns.push(m) } });
    const ev = runHours(ex, T, 24);
    expect(ev).toHaveLength(24);
    expect(ev.every((e) => e.source === 'history')).toBe(true);
    expect(warns).toEqual([]);
  });

  it('reports no funding at all on spot', () => {
    const ex = sim({ market: 'spot' });
    expect(runHours(ex, Date.UTC(2024, 0, 1), 24)).toEqual([]);
  });
});

describe('missing funding history', () => {
  it('uses the fallback rate at 00/08/16 UTC and warns loudly once per symbol', () => {
    const T = Date.UTC(2024, 0, 1);
    const warns: Array<{ obj: object; msg: string }> = [];
    const ex = sim({ fundingFallbackRate: 0.0003 }, { funding: () => undefined, logger: { warn: (obj, msg) => warns.push({ obj, msg }) } });
    const c = { ts: T - 2 * H, open: 100, high: 100, low: 100, close: 100, volume: 1 };
    ex.onCandle(SYM, c);
    ex.submit(order('L', 'buy', 1, c), { candle: c });
    const ev = runHours(ex, T - H, 50); // candles T-1h .. T+48h
    expect(ev.map((e) => new Date(e.ts).toISOString().slice(11, 16))).toEqual(['00:00', '08:00', '16:00', '00:00', '08:00', '16:00', '00:00']);
    expect(ev.every((e) => e.source === 'fallback' && e.rate === 0.0003)).toBe(true);
    expect(ev[0]!.payments[0]!.amount).toBeCloseTo(0.03, 12); // 1 x 100 x 0.0003: not zero
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg).toMatch(/FUNDING HISTORY MISSING for BTC\/USDT:USDT/);
    expect(warns[0]!.obj).toMatchObject({ symbol: SYM, fallbackRate: 0.0003 });
    expect(ex.fundingSummary()).toEqual([{ symbol: SYM, historyEvents: 0, fallbackEvents: 7 }]);
  });

  it('falls back after the stored history ends and inside a hole, with one warning', () => {
    const T = Date.UTC(2024, 0, 1);
    const warns: string[] = [];
    // 08:00 of day 1 is missing (a hole); history ends at 00:00 of day 2.
    const ex = sim({}, { funding: () => hist([T, T + 16 * H, T + 24 * H], [0.0005, 0.0005, 0.0005]), logger: { warn: (_o, m) => warns.push(m) } });
    const ev = runHours(ex, T, 48);
    expect(ev.map((e) => [(e.ts - T) / H, e.source])).toEqual([
      [0, 'history'], [8, 'fallback'], [16, 'history'], [24, 'history'], [32, 'fallback'], [40, 'fallback'],
    ]);
    expect(warns).toHaveLength(1);
  });
});

describe.skipIf(!HAS_SHARED_DATA)('funding on real BTCUSDT perpetual data', () => {
  it('settles the stored Binance rates at 00/08/16 UTC on 1h candles, longs and shorts opposite', () => {
    const text = readFileSync(sharedFile('BTCUSDT-funding-8h.csv'), 'utf8').trim().split('\n').slice(1);
    const fts = new Float64Array(text.length), frate = new Float64Array(text.length);
    const rateAt = new Map<number, number>();
    text.forEach((line, i) => {
      const [t, r] = line.split(',');
      fts[i] = Number(t); frate[i] = Number(r);
      rateAt.set(Number(t), Number(r));
    });
    const perp = readCsvColumns(sharedFile('BTCUSDT-PERP-1h.csv'));
    const from = Date.UTC(2019, 11, 31, 20), to = Date.UTC(2020, 0, 3, 0);
    const warns: string[] = [];
    const ex = sim({ slippageBps: 0 }, { funding: () => ({ ts: fts, rate: frate }), logger: { warn: (_o, m) => warns.push(m) } });
    const events: FundingEvent[] = [];
    const opens = new Map<number, number>();
    let first = true;
    for (let i = 0; i < perp.length; i++) {
      const ts = perp.ts[i]!;
      if (ts < from || ts > to) continue;
      const c: Candle = { ts, open: perp.open[i]!, high: perp.high[i]!, low: perp.low[i]!, close: perp.close[i]!, volume: perp.volume[i]! };
      opens.set(ts, c.open);
      events.push(...ex.onCandle(SYM, c).funding);
      if (first) {
        ex.submit(order('L', 'buy', 0.5, c), { candle: c });
        ex.submit(order('S', 'sell', 0.5, c, { strategyId: 's2' }), { candle: c });
        first = false;
      }
    }
    const day1 = Date.UTC(2020, 0, 1);
    expect(events.map((e) => (e.ts - day1) / H)).toEqual([0, 8, 16, 24, 32, 40, 48]);
    // Independent spot check (PROVENANCE.md, raw Binance API dump): 2020-01-01 00/08/16 UTC.
    expect(events.slice(0, 3).map((e) => e.rate)).toEqual([-0.00012359, -0.00012383, -0.00009664]);
    for (const e of events) {
      expect(e.source).toBe('history');
      expect(e.rate).toBe(rateAt.get(e.ts));
      expect(e.markPrice).toBe(opens.get(e.ts));
      const [long, short] = e.payments;
      expect(long!.amount).toBeCloseTo(0.5 * e.markPrice * e.rate, 12);
      expect(short!.amount).toBeCloseTo(-0.5 * e.markPrice * e.rate, 12);
      expect(Math.sign(long!.amount)).toBe(Math.sign(e.rate));
    }
    expect(warns).toEqual([]);
  });
});
