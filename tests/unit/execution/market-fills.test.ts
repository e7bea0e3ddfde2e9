import { describe, expect, it } from 'vitest';
import { CtError } from '../../../src/core/errors.ts';
import { BASE_CFG, candle, H, order, sim, SYM } from './sim-helpers.ts';
import { SimulatedExecution } from '../../../src/execution/simulated-execution.ts';

describe('market orders (next_open model)', () => {
  it('fills a buy decided on candle t at the open of t+1 plus adverse slippage, paying the taker fee', () => {
    const ex = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    expect(ex.submit(order('o1', 'buy', 2, c0), { candle: c0 })).toEqual([]);
    expect(ex.pendingOrders().map((o) => o.id)).toEqual(['o1']);
    const { fills } = ex.onCandle(SYM, candle(1, 110, 112, 108, 111));
    // 110 x (1 + 5/1e4) = 110.055; fee = 2 x 110.055 x 10/1e4 = 0.22011; slippage = 0.055 x 2
    expect(fills).toHaveLength(1);
    const f = fills[0]!;
    expect(f.id).toBe('o1:f1');
    expect(f.orderId).toBe('o1');
    expect(f.ts).toBe(candle(1, 0, 0, 0, 0).ts);
    expect(f.price).toBeCloseTo(110.055, 10);
    expect(f.fee).toBeCloseTo(0.22011, 10);
    expect(f.slippageCost).toBeCloseTo(0.11, 10);
    expect(f.reason).toBe('signal');
    expect(ex.pendingOrders()).toEqual([]);
    expect(ex.position('s1', SYM).qty).toBe(2);
  });

  it('fills a sell below the reference price (slippage is adverse for both sides)', () => {
    const ex = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    ex.submit(order('o1', 'sell', 1, c0), { candle: c0 });
    const f = ex.onCandle(SYM, candle(1, 200, 201, 199, 200)).fills[0]!;
    expect(f.price).toBeCloseTo(199.9, 10); // 200 x (1 - 0.0005)
    expect(f.slippageCost).toBeCloseTo(0.1, 10);
    expect(f.fee).toBeCloseTo(0.1999, 10); // 1 x 199.9 x 0.001
  });

  it('fills at the next AVAILABLE candle of the symbol when the data has a gap', () => {
    const ex = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    ex.submit(order('o1', 'buy', 1, c0), { candle: c0 });
    const f = ex.onCandle(SYM, candle(5, 90, 91, 89, 90)).fills[0]!;
    expect(f.ts).toBe(c0.ts + 5 * H);
    expect(f.price).toBeCloseTo(90.045, 10);
  });

  it('does not fill an order on another symbol’s candle', () => {
    const ex = sim();
    const c0 = candle(0, 100, 101, 99, 100);
    ex.submit(order('o1', 'buy', 1, c0), { candle: c0 });
    expect(ex.onCandle('ETH/USDT:USDT', candle(1, 5, 6, 4, 5)).fills).toEqual([]);
    expect(ex.pendingOrders()).toHaveLength(1);
  });

  it('refuses a candle that does not move forward in time', () => {
    const ex = sim();
    ex.onCandle(SYM, candle(3, 1, 1, 1, 1));
    expect(() => ex.onCandle(SYM, candle(3, 1, 1, 1, 1))).toThrow(CtError);
  });
});

describe('close-to-close model', () => {
  it('fills at the decision candle close immediately, stamped at that candle’s close time', () => {
    const ex = sim({ fillModel: 'close' });
    const c0 = candle(0, 100, 105, 95, 104);
    const fills = ex.submit(order('o1', 'buy', 3, c0), { candle: c0 });
    expect(fills).toHaveLength(1);
    expect(fills[0]!.price).toBeCloseTo(104.052, 10); // 104 x 1.0005
    expect(fills[0]!.fee).toBeCloseTo(0.312156, 10); // 3 x 104.052 x 0.001
    expect(fills[0]!.ts).toBe(c0.ts + H);
    expect(ex.pendingOrders()).toEqual([]);
    expect(ex.onCandle(SYM, candle(1, 120, 121, 119, 120)).fills).toEqual([]);
  });
});

describe('ATR-scaled slippage', () => {
  it('uses mult x ATR / price when the caller passes the decision ATR', () => {
    const ex = sim({ slippageModel: 'atr', atrSlippageMult: 0.1 });
    const c0 = candle(0, 100, 101, 99, 100);
    // bps = 0.1 x 4 / 100 x 1e4 = 40 -> buy at 101 x 1.004 = 101.404
    ex.submit(order('o1', 'buy', 1, c0), { candle: c0, atr: 4 });
    const f = ex.onCandle(SYM, candle(1, 101, 102, 100, 101)).fills[0]!;
    expect(f.price).toBeCloseTo(101.404, 10);
    expect(f.slippageCost).toBeCloseTo(0.404, 10);
  });

  it('computes Wilder ATR from the candles it has seen when no ATR is passed', () => {
    const ex = sim({ slippageModel: 'atr', atrSlippageMult: 0.1, atrPeriod: 3 });
    // closes 100 each; ranges 2, 4, 6 -> TRs of candles 1..3 = 4, 6, 8 (prev close 100, h-l) -> ATR(3) = 6
    const cs = [candle(0, 100, 101, 99, 100), candle(1, 100, 102, 98, 100), candle(2, 100, 103, 97, 100), candle(3, 100, 104, 96, 100)];
    for (const c of cs) ex.onCandle(SYM, c);
    // bps = 0.1 x 6 / 100 x 1e4 = 60 -> sell at 100 x (1 - 0.006) = 99.4
    ex.submit(order('o1', 'sell', 1, cs[3]!), { candle: cs[3]! });
    expect(ex.onCandle(SYM, candle(4, 100, 100, 100, 100)).fills[0]!.price).toBeCloseTo(99.4, 10);
  });

  it('falls back to the fixed bps while ATR is warming up', () => {
    const ex = sim({ slippageModel: 'atr', slippageBps: 5 });
    const c0 = candle(0, 100, 101, 99, 100);
    ex.onCandle(SYM, c0);
    ex.submit(order('o1', 'buy', 1, c0), { candle: c0 });
    expect(ex.onCandle(SYM, candle(1, 100, 100, 100, 100)).fills[0]!.price).toBeCloseTo(100.05, 10);
  });
});

describe('configuration', () => {
  it('asserts its own invariants, naming the FillModelConfig field (config keys are validated before)', () => {
    expect(() => new SimulatedExecution({ ...BASE_CFG, takerFeeBps: -1 })).toThrow(/FillModelConfig\.takerFeeBps/);
    expect(() => new SimulatedExecution({ ...BASE_CFG, fundingIntervalHours: 0 })).toThrow(/FillModelConfig\.fundingIntervalHours/);
  });

  it('refuses an order with a non-positive quantity', () => {
    const c0 = candle(0, 100, 101, 99, 100);
    expect(() => sim().submit(order('o1', 'buy', 0, c0), { candle: c0 })).toThrow(/qty 0/);
  });
});
