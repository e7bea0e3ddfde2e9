import { describe, expect, it } from 'vitest';
import { candle, order, sim, SYM } from './sim-helpers.ts';

/** Opens a position with a market order decided on candle 0 that fills at candle 1's open. */
function open(side: 'buy' | 'sell', qty: number, levels: { stop?: number; takeProfit?: number }, over = {}) {
  const ex = sim({ slippageBps: 0, ...over });
  const c0 = candle(0, 100, 101, 99, 100);
  ex.submit(order('e1', side, qty, c0, levels), { candle: c0 });
  ex.onCandle(SYM, candle(1, 100, 100.5, 99.5, 100)); // entry at 100, nothing touched
  return ex;
}

describe('protective stops and take-profits', () => {
  it('triggers a long stop intrabar at the stop price, with taker fee and adverse slippage', () => {
    const ex = open('buy', 2, { stop: 95 }, { slippageBps: 10 });
    const { fills } = ex.onCandle(SYM, candle(2, 98, 99, 94, 96));
    expect(fills).toHaveLength(1);
    const f = fills[0]!;
    expect(f.reason).toBe('stop');
    expect(f.side).toBe('sell');
    expect(f.qty).toBe(2);
    expect(f.price).toBeCloseTo(94.905, 10); // 95 x (1 - 0.001)
    expect(f.slippageCost).toBeCloseTo(0.19, 10); // 0.095 x 2
    expect(f.fee).toBeCloseTo(0.18981, 10); // 2 x 94.905 x 0.001
    expect(f.id).toBe('e1:sl:f1');
    expect(ex.position('s1', SYM).qty).toBe(0);
  });

  it('triggers a short stop when the high reaches it', () => {
    const ex = open('sell', 1, { stop: 105 });
    const f = ex.onCandle(SYM, candle(2, 102, 106, 101, 104)).fills[0]!;
    expect(f.reason).toBe('stop');
    expect(f.side).toBe('buy');
    expect(f.price).toBe(105);
    expect(f.fee).toBeCloseTo(0.105, 10);
  });

  it('does not trigger a stop the candle never reached', () => {
    const ex = open('buy', 1, { stop: 95 });
    expect(ex.onCandle(SYM, candle(2, 98, 99, 95.01, 96)).fills).toEqual([]);
  });

  it('fills a stop at the open when the candle gaps through it (long and short)', () => {
    const long = open('buy', 1, { stop: 95 });
    expect(long.onCandle(SYM, candle(2, 90, 93, 88, 92)).fills[0]!.price).toBe(90);
    const short = open('sell', 1, { stop: 105 });
    expect(short.onCandle(SYM, candle(2, 110, 112, 104, 111)).fills[0]!.price).toBe(110);
  });

  it('fills a take-profit exactly at its price with the maker fee and no slippage', () => {
    const ex = open('buy', 2, { takeProfit: 110 }, { slippageBps: 10 });
    const f = ex.onCandle(SYM, candle(2, 105, 111, 104, 108)).fills[0]!;
    expect(f.reason).toBe('take_profit');
    expect(f.price).toBe(110);
    expect(f.slippageCost).toBe(0);
    expect(f.fee).toBeCloseTo(0.044, 10); // 2 x 110 x 2/1e4
    expect(f.id).toBe('e1:tp:f1');
  });

  it('fills a take-profit at the better open when the candle gaps through it', () => {
    const ex = open('sell', 1, { takeProfit: 90 });
    expect(ex.onCandle(SYM, candle(2, 85, 88, 84, 86)).fills[0]!.price).toBe(85);
  });

  it('assumes the stop when both stop and take-profit are inside one candle', () => {
    const long = open('buy', 1, { stop: 95, takeProfit: 105 });
    const f = long.onCandle(SYM, candle(2, 100, 106, 94, 100)).fills;
    expect(f).toHaveLength(1);
    expect(f[0]!.reason).toBe('stop');
    expect(f[0]!.price).toBe(95);
    const short = open('sell', 1, { stop: 105, takeProfit: 95 });
    expect(short.onCandle(SYM, candle(2, 100, 106, 94, 100)).fills[0]!.price).toBe(105);
  });

  it('can stop out an entry inside the candle whose open filled it', () => {
    const ex = sim({ slippageBps: 0 });
    const c0 = candle(0, 100, 101, 99, 100);
    ex.submit(order('e1', 'buy', 1, c0, { stop: 97 }), { candle: c0 });
    const { fills } = ex.onCandle(SYM, candle(1, 100, 101, 96, 98));
    expect(fills.map((f) => [f.reason, f.price])).toEqual([['signal', 100], ['stop', 97]]);
  });

  it('cancels the protective orders when a signal exits the position', () => {
    const ex = open('buy', 1, { stop: 95, takeProfit: 110 });
    const c2 = candle(2, 100, 101, 99, 100);
    ex.onCandle(SYM, c2);
    ex.submit(order('x1', 'sell', 1, c2), { candle: c2 });
    expect(ex.onCandle(SYM, candle(3, 100, 101, 99, 100)).fills.map((f) => f.reason)).toEqual(['signal']);
    expect(ex.position('s1', SYM)).toEqual({ qty: 0, stop: undefined, takeProfit: undefined });
    expect(ex.onCandle(SYM, candle(4, 90, 120, 80, 100)).fills).toEqual([]);
  });

  it('resizes the stop to the remaining position after a partial reduction', () => {
    const ex = open('buy', 3, { stop: 95 });
    const c2 = candle(2, 100, 101, 99, 100);
    ex.onCandle(SYM, c2);
    ex.submit(order('r1', 'sell', 1, c2, { reduceOnly: true }), { candle: c2 });
    ex.onCandle(SYM, candle(3, 100, 101, 99, 100));
    const f = ex.onCandle(SYM, candle(4, 99, 99, 94, 95)).fills[0]!;
    expect(f.reason).toBe('stop');
    expect(f.qty).toBe(2);
  });

  it('gives a flipped position the protective levels of the flipping order only', () => {
    const ex = open('buy', 1, { stop: 95 });
    const c2 = candle(2, 100, 101, 99, 100);
    ex.onCandle(SYM, c2);
    ex.submit(order('f1', 'sell', 2, c2, { stop: 108 }), { candle: c2 });
    ex.onCandle(SYM, candle(3, 100, 101, 99, 100));
    expect(ex.position('s1', SYM)).toEqual({ qty: -1, stop: 108, takeProfit: undefined });
    // The old long stop at 95 is gone: a low of 90 does nothing; the high of 109 stops the short.
    const fills = ex.onCandle(SYM, candle(4, 100, 109, 90, 100)).fills;
    expect(fills.map((f) => [f.id, f.side, f.price])).toEqual([['f1:sl:f1', 'buy', 108]]);
  });

  it('cancelAll removes pending orders and protective orders and returns their ids', () => {
    const ex = open('buy', 1, { stop: 95, takeProfit: 110 });
    const c2 = candle(2, 100, 101, 99, 100);
    ex.onCandle(SYM, c2);
    ex.submit(order('p1', 'buy', 1, c2), { candle: c2 });
    expect(ex.cancelAll('s1', SYM)).toEqual(['p1', 'e1:sl', 'e1:tp']);
    expect(ex.pendingOrders()).toEqual([]);
    expect(ex.onCandle(SYM, candle(3, 90, 120, 80, 100)).fills).toEqual([]);
    expect(ex.drainNotes().map((n) => n.kind)).toEqual(['cancelled']);
  });
});
