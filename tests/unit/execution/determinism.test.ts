import { describe, expect, it } from 'vitest';
import type { Candle, CandleColumns } from '../../../src/domain/candle.ts';
import type { Fill } from '../../../src/domain/order.ts';
import { HAS_SHARED_DATA, sharedFile } from '../../support/shared-data.ts';
import { readCsvColumns } from '../../support/csv-candles.ts';
import { LINEAR_MARKET, syntheticSeries } from '../../support/synthetic-store.ts';
import { order, sim, SYM } from './sim-helpers.ts';

/** A fixed order script over one month of perpetual candles: alternate long/short every 12 candles
 * with stop and TP (s1), plus a buy-and-hold without protection (s2). */
function runScript(perp: CandleColumns, from: number, to: number): { fills: Fill[]; funding: unknown[]; net: number; simQty: number } {
  const ex = sim({ slippageModel: 'atr', atrPeriod: 14, atrSlippageMult: 0.05 }, { funding: () => undefined });
  const fills: Fill[] = [];
  const funding: unknown[] = [];
  let k = 0;
  let last: Candle | undefined;
  for (let i = 0; i < perp.length; i++) {
    const ts = perp.ts[i]!;
    if (ts < from || ts >= to) continue;
    const c: Candle = { ts, open: perp.open[i]!, high: perp.high[i]!, low: perp.low[i]!, close: perp.close[i]!, volume: perp.volume[i]! };
    const r = ex.onCandle(SYM, c);
    fills.push(...r.fills);
    funding.push(...r.funding);
    // s2 buys once with no stop and holds: it is closed by the end-of-run fill.
    if (k === 0) ex.submit(order('hold', 'buy', 0.05, c, { strategyId: 's2' }), { candle: c });
    if (k % 12 === 0) {
      const long = (k / 12) % 2 === 0;
      const q = ex.position('s1', SYM).qty;
      const target = long ? 0.1 : -0.1;
      const delta = target - q;
      if (delta !== 0) {
        const stop = long ? c.close * 0.985 : c.close * 1.015;
        const takeProfit = long ? c.close * 1.02 : c.close * 0.98;
        ex.submit(order(`o${k}`, delta > 0 ? 'buy' : 'sell', Math.abs(delta), c, { stop, takeProfit }), { candle: c });
      }
    }
    k++;
    last = c;
  }
  fills.push(...ex.closeAll(new Map([[SYM, last!]])));
  const net = fills.reduce((s, f) => s + (f.side === 'buy' ? f.qty : -f.qty), 0);
  return { fills, funding, net, simQty: ex.position('s1', SYM).qty + ex.position('s2', SYM).qty };
}

const CASES = [
  { name: 'the seeded synthetic perpetual', available: true, perp: () => syntheticSeries('BTC/USDT:USDT', LINEAR_MARKET), from: LINEAR_MARKET.from, to: LINEAR_MARKET.from + 31 * 24 * 3_600_000 },
  { name: 'real candles', available: HAS_SHARED_DATA, perp: () => readCsvColumns(sharedFile('BTCUSDT-PERP-1h.csv')), from: Date.UTC(2021, 4, 1), to: Date.UTC(2021, 5, 1) },
];

for (const c of CASES) {
  describe.skipIf(!c.available)(`determinism on ${c.name}`, () => {
    it('produces identical fills and funding from two runs on the same inputs', () => {
      const a = runScript(c.perp(), c.from, c.to);
      const b = runScript(c.perp(), c.from, c.to);
      expect(JSON.stringify(b.fills)).toBe(JSON.stringify(a.fills));
      expect(JSON.stringify(b.funding)).toBe(JSON.stringify(a.funding));
      // The script exercises every path: entries, stops, take-profits, funding, end of run.
      const reasons = new Set(a.fills.map((f) => f.reason));
      expect([...reasons].sort()).toEqual(['end_of_run', 'signal', 'stop', 'take_profit']);
      expect(a.funding.length).toBeGreaterThan(0);
      // Fill ids are unique and the fills net to flat after the end-of-run close.
      expect(new Set(a.fills.map((f) => f.id)).size).toBe(a.fills.length);
      expect(Math.abs(a.net)).toBeLessThan(1e-12);
      expect(a.simQty).toBe(0);
    });
  });
}
