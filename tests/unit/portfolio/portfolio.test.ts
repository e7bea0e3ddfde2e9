import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.ts';
import { CtError } from '../../../src/core/errors.ts';
import type { Fill, Side } from '../../../src/domain/order.ts';
import { Portfolio } from '../../../src/engine/portfolio/portfolio.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
let n = 0;

function fill(strategyId: string, symbol: string, side: Side, qty: number, price: number, fee = 0, slippageCost = 0, ts = T0, reason: Fill['reason'] = 'signal'): Fill {
  const id = `o${n++}`;
  return { id: `${id}:f1`, orderId: id, strategyId, symbol, side, qty, price, fee, slippageCost, ts, reason };
}

describe('average-price accounting (linear)', () => {
  it('increase averages, partial reduce realizes against the average, full close emits the trade', () => {
    const p = new Portfolio(10_000, ['s'], 'linear');
    expect(p.applyFill(fill('s', PERP, 'buy', 2, 100, 0.2))).toEqual([]);
    p.applyFill(fill('s', PERP, 'buy', 1, 130, 0.13));
    // (2 x 100 + 1 x 130) / 3 = 110
    expect(p.position('s', PERP).avgPrice).toBeCloseTo(110, 12);
    p.applyFill(fill('s', PERP, 'sell', 1.5, 120, 0.18));
    // (120 - 110) x 1.5 = +15, average unchanged
    expect(p.position('s', PERP)).toEqual({ qty: 1.5, avgPrice: expect.closeTo(110, 12) });
    expect(p.totals().realizedPnl).toBeCloseTo(15, 12);
    const [t] = p.applyFill(fill('s', PERP, 'sell', 1.5, 100, 0.15, 0, T0 + 3 * H));
    // (100 - 110) x 1.5 = -15 -> gross 0; fees 0.66
    expect(p.position('s', PERP).qty).toBe(0);
    expect(t!.direction).toBe('long');
    expect(t!.entryPrice).toBeCloseTo(110, 12);
    expect(t!.exitPrice).toBeCloseTo(110, 12);
    expect(t!.qty).toBeCloseTo(3, 12);
    expect(t!.grossPnl).toBeCloseTo(0, 12);
    expect(t!.fees).toBeCloseTo(0.66, 12);
    expect(t!.netPnl).toBeCloseTo(-0.66, 12);
    expect(t!.exitTs).toBe(T0 + 3 * H);
    // linear cash moves only by realized PnL and fees
    expect(p.cash).toBeCloseTo(10_000 - 0.66, 9);
    expect(p.closedTrades()).toHaveLength(1);
  });

  it('a flip closes the long at the fill price and opens the short with the rest, splitting the fee', () => {
    const p = new Portfolio(10_000, ['s'], 'linear');
    p.applyFill(fill('s', PERP, 'buy', 1, 100));
    const trades = p.applyFill(fill('s', PERP, 'sell', 3, 90, 0.3));
    expect(trades).toHaveLength(1);
    // closing part: (90 - 100) x 1 = -10, a third of the fee
    expect(trades[0]!.grossPnl).toBeCloseTo(-10, 12);
    expect(trades[0]!.fees).toBeCloseTo(0.1, 12);
    expect(trades[0]!.netPnl).toBeCloseTo(-10.1, 12);
    expect(p.position('s', PERP)).toEqual({ qty: -2, avgPrice: 90 });
    p.mark(T0, new Map([[PERP, 80]]));
    // short 2 from 90 marked at 80: +20
    expect(p.totals().unrealizedPnl).toBeCloseTo(20, 12);
    const [t2] = p.applyFill(fill('s', PERP, 'buy', 2, 80));
    expect(t2!.direction).toBe('short');
    expect(t2!.grossPnl).toBeCloseTo(20, 12);
    expect(t2!.fees).toBeCloseTo(0.2, 12);
  });
});

describe('spot cash accounting', () => {
  it('a buy costs qty x price + fee, a sale returns proceeds - fee, equity marks the holdings', () => {
    const p = new Portfolio(1000, ['s'], 'spot');
    p.applyFill(fill('s', SPOT, 'buy', 2, 100, 0.2));
    expect(p.cash).toBeCloseTo(799.8, 9);
    expect(p.mark(T0, new Map([[SPOT, 110]])).equity).toBeCloseTo(1019.8, 9);
    p.applyFill(fill('s', SPOT, 'sell', 1, 120, 0.12));
    expect(p.cash).toBeCloseTo(919.68, 9);
    // 1000 + 20 realized + 20 unrealized - 0.32 fees
    expect(p.mark(T0 + H, new Map([[SPOT, 120]])).equity).toBeCloseTo(1039.68, 9);
  });

  it('refuses a fill that would take a spot position short', () => {
    const p = new Portfolio(1000, ['s'], 'spot');
    p.applyFill(fill('s', SPOT, 'buy', 1, 100));
    let err: unknown;
    try {
      p.applyFill(fill('s', SPOT, 'sell', 2, 100));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CtError);
    expect((err as CtError).code).toBe('CT_ERR_INTERNAL');
    expect((err as CtError).message).toContain(SPOT);
  });
});

describe('funding', () => {
  it('longs pay and shorts receive when the rate is positive, booked apart from fees', () => {
    const p = new Portfolio(10_000, ['long', 'short'], 'linear');
    p.applyFill(fill('long', PERP, 'buy', 2, 100));
    p.applyFill(fill('short', PERP, 'sell', 1, 100));
    const paid = p.applyFunding(PERP, 0.0001, 100, T0 + 8 * H);
    // 2 x 100 x 0.0001 = 0.02 paid; -1 x 100 x 0.0001 = -0.01 (received)
    expect(paid.map((x) => [x.strategyId, Number(x.amount.toFixed(12))])).toEqual([['long', 0.02], ['short', -0.01]]);
    expect(p.cash).toBeCloseTo(10_000 - 0.01, 12);
    const t = p.totals();
    expect(t.funding).toBeCloseTo(0.01, 12);
    expect(t.fees).toBe(0);
    // negative rate: shorts pay
    p.applyFunding(PERP, -0.0002, 100, T0 + 16 * H);
    const [, short] = p.strategyLedgers();
    expect(short!.funding).toBeCloseTo(-0.01 + 0.02, 12);
    const [tr] = p.applyFill(fill('long', PERP, 'sell', 2, 100));
    expect(tr!.funding).toBeCloseTo(0.02 - 0.04, 12);
    expect(tr!.netPnl).toBeCloseTo(0.02, 12);
  });
});

describe('trade records', () => {
  it('reports R multiple from the stop at entry, MAE/MFE from observed candles, and bars held', () => {
    const p = new Portfolio(10_000, ['s'], 'linear');
    p.applyFill(fill('s', PERP, 'buy', 2, 100, 0, 0, T0), { stop: 95 });
    p.observeCandle(PERP, { ts: T0, open: 100, high: 104, low: 97, close: 103, volume: 1 });
    p.observeCandle(PERP, { ts: T0 + H, open: 103, high: 112, low: 101, close: 110, volume: 1 });
    const [t] = p.applyFill(fill('s', PERP, 'sell', 2, 110, 0, 0, T0 + 2 * H, 'take_profit'));
    // net 20 / (5 x 2) = 2R; MAE (97 - 100) / 100, MFE (112 - 100) / 100
    expect(t!.rMultiple).toBeCloseTo(2, 12);
    expect(t!.mae).toBeCloseTo(-0.03, 12);
    expect(t!.mfe).toBeCloseTo(0.12, 12);
    expect(t!.bars).toBe(2);
    expect(t!.exitReason).toBe('take_profit');
    expect(t!.entryTs).toBe(T0);
    // a round trip opened without a stop has no R multiple
    p.applyFill(fill('s', PERP, 'sell', 1, 100));
    const [t2] = p.applyFill(fill('s', PERP, 'buy', 1, 100));
    expect(t2!.rMultiple).toBeNull();
  });
});

describe('equity decomposition', () => {
  it('slippage is inside the prices and reported apart', () => {
    const p = new Portfolio(10_000, ['s'], 'linear');
    // reference 100 -> fill 100.05; reference 110 -> fill 109.95
    p.applyFill(fill('s', PERP, 'buy', 1, 100.05, 0, 0.05));
    const [t] = p.applyFill(fill('s', PERP, 'sell', 1, 109.95, 0, 0.05));
    expect(t!.grossPnl).toBeCloseTo(9.9, 12);
    expect(t!.slippage).toBeCloseTo(0.1, 12);
    // PnL at the reference prices = 10 = realized + slippage
    expect(p.totals().realizedPnl + p.totals().slippage).toBeCloseTo(10, 12);
  });

  for (const market of ['linear', 'spot'] as const) {
    it(`equity - initial = realized + unrealized - fees - funding, and sub-ledgers sum to the account (${market})`, () => {
      const rng = new Rng(market === 'spot' ? 11 : 7);
      const ids = ['a', 'b', 'c'];
      const syms = market === 'spot' ? ['BTC/USDT', 'ETH/USDT'] : ['BTC/USDT:USDT', 'ETH/USDT:USDT'];
      const p = new Portfolio(50_000, ids, market);
      const px = new Map<string, number>(syms.map((s) => [s, 100]));
      for (let k = 0; k < 3000; k++) {
        const sym = syms[rng.int(2)]!;
        px.set(sym, px.get(sym)! * Math.exp(rng.normal() * 0.01));
        const sid = ids[rng.int(3)]!;
        const held = p.position(sid, sym).qty;
        const side: Side = rng.next() < 0.5 ? 'buy' : 'sell';
        let qty = 0.1 + rng.next() * 2;
        if (market === 'spot' && side === 'sell') qty = Math.min(qty, held);
        if (qty > 0) {
          const price = px.get(sym)!;
          p.applyFill(fill(sid, sym, side, qty, price, qty * price * 0.001, qty * price * 0.0002, T0 + k * H));
        }
        if (market === 'linear' && k % 8 === 0) p.applyFunding(sym, (rng.next() - 0.4) * 0.001, px.get(sym)!, T0 + k * H);
        if (k % 50 === 0) p.mark(T0 + k * H, px);
      }
      const snap = p.mark(T0 + 3000 * H, px);
      const t = p.totals();
      expect(t.fees).toBeGreaterThan(0);
      expect(t.slippage).toBeGreaterThan(0);
      if (market === 'linear') expect(Math.abs(t.funding)).toBeGreaterThan(0);
      expect(snap.equity - 50_000).toBeCloseTo(t.realizedPnl + t.unrealizedPnl - t.fees - t.funding, 6);
      const led = p.strategyLedgers();
      const sum = (f: (x: (typeof led)[number]) => number): number => led.reduce((a, x) => a + f(x), 0);
      expect(sum((x) => x.realizedPnl)).toBeCloseTo(t.realizedPnl, 6);
      expect(sum((x) => x.fees)).toBeCloseTo(t.fees, 6);
      expect(sum((x) => x.funding)).toBeCloseTo(t.funding, 6);
      expect(sum((x) => x.slippage)).toBeCloseTo(t.slippage, 6);
      expect(sum((x) => x.equity)).toBeCloseTo(snap.equity, 6);
      expect(sum((x) => x.trades)).toBe(p.closedTrades().length);
      // closed trades carry all realized PnL except what the still-open trips realized so far
      const open = p.openPositions();
      if (open.length === 0) expect(p.closedTrades().reduce((a, x) => a + x.grossPnl, 0)).toBeCloseTo(t.realizedPnl, 6);
    });
  }
});

describe('equity marks', () => {
  it('tracks the peak for drawdown and reports gross exposure', () => {
    const p = new Portfolio(10_000, ['s'], 'linear');
    p.applyFill(fill('s', PERP, 'buy', 10, 100));
    const up = p.mark(T0, new Map([[PERP, 110]]));
    expect(up.equity).toBeCloseTo(10_100, 9);
    expect(up.exposure).toBeCloseTo(1100 / 10_100, 12);
    expect(up.drawdown).toBe(0);
    const down = p.mark(T0 + H, new Map([[PERP, 99]]));
    expect(down.equity).toBeCloseTo(9990, 9);
    expect(down.drawdown).toBeCloseTo(110 / 10_100, 12);
    expect(p.peakEquity).toBeCloseTo(10_100, 9);
  });

  it('is deterministic: the same fills give byte-identical trades and marks', () => {
    const run = (): string => {
      n = 0;
      const p = new Portfolio(10_000, ['a', 'b'], 'linear');
      const rng = new Rng(3);
      const out: unknown[] = [];
      for (let k = 0; k < 300; k++) {
        const sid = rng.next() < 0.5 ? 'a' : 'b';
        out.push(...p.applyFill(fill(sid, PERP, rng.next() < 0.5 ? 'buy' : 'sell', 1 + rng.int(3), 90 + rng.int(20), 0.01, 0, T0 + k * H)));
        out.push(p.mark(T0 + k * H, new Map([[PERP, 90 + rng.int(20)]])));
      }
      return JSON.stringify(out);
    };
    expect(run()).toBe(run());
  });
});
