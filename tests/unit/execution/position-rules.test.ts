import { describe, expect, it } from 'vitest';
import { candle, H, order, sim, SYM } from './sim-helpers.ts';

const SPOT = 'BTC/USDT';

describe('position rules', () => {
  it('clamps a reduce-only order to the position and records the clamp', () => {
    const ex = sim({ slippageBps: 0 });
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('e1', 'buy', 2, c0), { candle: c0 });
    ex.submit(order('r1', 'sell', 5, c0, { reduceOnly: true }), { candle: c0 });
    const { fills } = ex.onCandle(SYM, candle(1, 100, 100, 100, 100));
    expect(fills.map((f) => [f.id, f.side, f.qty])).toEqual([['e1:f1', 'buy', 2], ['r1:f1', 'sell', 2]]);
    expect(ex.position('s1', SYM).qty).toBe(0);
    const notes = ex.drainNotes();
    expect(notes.map((n) => [n.orderId, n.kind, n.requestedQty, n.filledQty])).toEqual([['r1', 'clamped_reduce_only', 5, 2]]);
    expect(ex.drainNotes()).toEqual([]);
  });

  it('never lets a reduce-only order open a position', () => {
    const ex = sim();
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('r1', 'sell', 1, c0, { reduceOnly: true }), { candle: c0 });
    expect(ex.onCandle(SYM, candle(1, 100, 100, 100, 100)).fills).toEqual([]);
    expect(ex.position('s1', SYM).qty).toBe(0);
    expect(ex.drainNotes()[0]!.kind).toBe('dropped_nothing_to_reduce');
  });

  it('never goes short on spot: a sell beyond the position is clamped to it', () => {
    const ex = sim({ market: 'spot', slippageBps: 0 });
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('e1', 'buy', 1, c0, { symbol: SPOT }), { candle: c0 });
    ex.submit(order('x1', 'sell', 3, c0, { symbol: SPOT }), { candle: c0 });
    const { fills } = ex.onCandle(SPOT, candle(1, 100, 100, 100, 100));
    expect(fills.map((f) => [f.side, f.qty])).toEqual([['buy', 1], ['sell', 1]]);
    expect(ex.position('s1', SPOT).qty).toBe(0);
    expect(ex.drainNotes().map((n) => n.kind)).toEqual(['clamped_spot_long_only']);
  });

  it('drops a spot sell with no position instead of opening a short', () => {
    const ex = sim({ market: 'spot' });
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('x1', 'sell', 1, c0, { symbol: SPOT }), { candle: c0 });
    expect(ex.onCandle(SPOT, candle(1, 100, 100, 100, 100)).fills).toEqual([]);
    expect(ex.position('s1', SPOT).qty).toBe(0);
  });

  it('lets a linear perpetual open a short with a plain sell', () => {
    const ex = sim();
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('x1', 'sell', 1.5, c0), { candle: c0 });
    ex.onCandle(SYM, candle(1, 100, 100, 100, 100));
    expect(ex.position('s1', SYM).qty).toBe(-1.5);
  });

  it('keeps positions of different strategies on the same symbol apart', () => {
    const ex = sim();
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('a', 'buy', 1, c0), { candle: c0 });
    ex.submit(order('b', 'sell', 2, c0, { strategyId: 's2' }), { candle: c0 });
    ex.onCandle(SYM, candle(1, 100, 100, 100, 100));
    expect([ex.position('s1', SYM).qty, ex.position('s2', SYM).qty]).toEqual([1, -2]);
  });

  it('closes every open position at the last close at end of run and cancels what is pending', () => {
    const ex = sim({ slippageBps: 10 });
    const c0 = candle(0, 100, 100, 100, 100);
    ex.submit(order('a', 'buy', 2, c0), { candle: c0 });
    ex.submit(order('b', 'sell', 1, c0, { strategyId: 's2' }), { candle: c0 });
    const c1 = candle(1, 100, 101, 99, 50);
    ex.onCandle(SYM, c1);
    ex.submit(order('late', 'buy', 1, c1), { candle: c1 });
    const fills = ex.closeAll(new Map([[SYM, c1]]));
    expect(fills.map((f) => [f.strategyId, f.side, f.qty, f.reason, f.ts])).toEqual([
      ['s1', 'sell', 2, 'end_of_run', c1.ts + H],
      ['s2', 'buy', 1, 'end_of_run', c1.ts + H],
    ]);
    expect(fills[0]!.price).toBeCloseTo(49.95, 10); // 50 x (1 - 0.001)
    expect(fills[1]!.price).toBeCloseTo(50.05, 10);
    expect(fills[0]!.fee).toBeCloseTo(0.0999, 10); // 2 x 49.95 x 0.001
    expect(ex.pendingOrders()).toEqual([]);
    expect(ex.drainNotes().map((n) => [n.orderId, n.kind])).toEqual([['late', 'cancelled']]);
    expect(ex.closeAll(new Map([[SYM, c1]]))).toEqual([]);
  });
});
