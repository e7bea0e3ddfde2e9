import { describe, expect, it } from 'vitest';
import { BTC, ETH, H, T0, approvedOrders, deniedCode, fillOrder, rig, sig, step } from './gate-helpers.ts';

const SOL = 'SOL/USDT:USDT';

// Account 10,000 quote (linear unless said), strategies a and b at weight 0.5 (5,000 allotted each).
describe('open position limits', () => {
  it('denies a new position when max_open_positions is reached, counting reservations of both strategies', () => {
    const { gate } = rig({ maxOpenPositions: 2 });
    const a = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 0.1), { price: 100 }));
    const b = approvedOrders(gate.evaluate(sig('b', ETH, 'enter_long', 0.1), { price: 100 }));
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(deniedCode(gate.evaluate(sig('a', SOL, 'enter_long', 0.1), { price: 100 }))).toBe('MAX_OPEN_POSITIONS');
    expect(deniedCode(gate.evaluate(sig('b', SOL, 'enter_long', 0.1), { price: 100 }))).toBe('MAX_OPEN_POSITIONS');
    // a cancelled order frees its slot
    gate.onOrderCancelled(b[0]!.id);
    expect(approvedOrders(gate.evaluate(sig('b', SOL, 'enter_long', 0.1), { price: 100 }))).toHaveLength(1);
  });

  it('denies a new position when max_open_positions_per_strategy is reached', () => {
    const r = rig({ maxOpenPositionsPerStrategy: 1 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 0.1), { price: 100 }));
    fillOrder(r, o!, 100);
    expect(deniedCode(r.gate.evaluate(sig('a', ETH, 'enter_long', 0.1), { price: 100 }))).toBe('MAX_OPEN_POSITIONS_STRATEGY');
    expect(approvedOrders(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1), { price: 100 }))).toHaveLength(1);
    // a flip keeps its slot: not a new position
    expect(approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_short', -0.1), { price: 100 }))).toHaveLength(2);
  });
});

describe('exposure limits', () => {
  it('resizes down to fit max_symbol_exposure_pct, then denies when nothing fits', () => {
    const { gate } = rig({ maxSymbolExposurePct: 60, strategyWeights: { a: 0.5, b: 0.5, c: 0 } });
    // cap 6,000 on BTC: a takes 5,000; b wants 5,000 and gets 1,000 -> 10 at 100
    expect(approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }))[0]!.qty).toBeCloseTo(50, 9);
    const d = gate.evaluate(sig('b', BTC, 'enter_short', -1), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(10, 9);
    expect(d.approved && d.resized).toBe(true);
    expect(d.approved && d.note).toContain('MAX_SYMBOL_EXPOSURE');
    // a different symbol is not affected by BTC's cap
    expect(approvedOrders(gate.evaluate(sig('b', ETH, 'enter_long', 1), { price: 100 }))[0]!.qty).toBeCloseTo(50, 9);
  });

  it('denies when the symbol cap is already full', () => {
    const { gate } = rig({ maxSymbolExposurePct: 50 });
    approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    expect(deniedCode(gate.evaluate(sig('b', BTC, 'enter_long', 1), { price: 100 }))).toBe('MAX_SYMBOL_EXPOSURE');
  });

  it('keeps a headroom for the fill price on top of the decision price', () => {
    const { gate } = rig({ maxSymbolExposurePct: 50, fillHeadroomPct: 1 });
    // 5,000 / (100 x 1.01) = 49.50495...
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    expect(o!.qty * 100 * 1.01).toBeCloseTo(5000, 6);
  });

  it('resizes down to fit max_total_exposure_pct across symbols and strategies', () => {
    const { gate } = rig({ maxTotalExposurePct: 80 });
    approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    // 8,000 - 5,000 = 3,000 left -> 30 at 100
    const d = gate.evaluate(sig('b', ETH, 'enter_long', 1), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(30, 9);
    expect(d.approved && d.note).toContain('MAX_TOTAL_EXPOSURE');
    expect(deniedCode(gate.evaluate(sig('a', SOL, 'enter_long', 1), { price: 10 }))).toBe('MAX_TOTAL_EXPOSURE');
  });

  it('resizes down to fit max_leverage', () => {
    const { gate } = rig({ maxLeverage: 2, positionPct: 300 });
    // a wants 15,000 notional (<= 20,000); b wants 15,000 but only 5,000 is left -> 50 at 100
    expect(approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }))[0]!.qty).toBeCloseTo(150, 9);
    const d = gate.evaluate(sig('b', ETH, 'enter_short', -1), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(50, 9);
    expect(d.approved && d.note).toContain('MAX_LEVERAGE');
  });

  it('allows exactly the cap at the boundary without resizing', () => {
    const { gate } = rig({ maxLeverage: 1 });
    approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    const d = gate.evaluate(sig('b', ETH, 'enter_long', 1), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(50, 9);
    expect(d.approved && d.resized).toBe(false);
  });

  it('resizes down to fit max_risk_per_trade_pct from the stop or ATR, and denies when risk cannot be measured', () => {
    const { gate } = rig({ maxRiskPerTradePct: 0.5 });
    // 0.5 % x 5,000 = 25 at risk; stop 10 away -> 2.5
    const d = gate.evaluate(sig('a', BTC, 'enter_long', 1, T0, { stop: 90 }), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(2.5, 9);
    expect(d.approved && d.note).toContain('MAX_RISK_PER_TRADE');
    expect(approvedOrders(gate.evaluate(sig('b', BTC, 'enter_long', 1), { price: 100, atr: 5 }))[0]!.qty).toBeCloseTo(2.5, 9);
    expect(deniedCode(gate.evaluate(sig('a', ETH, 'enter_long', 1), { price: 100 }))).toBe('MAX_RISK_PER_TRADE');
  });

  it('spot: resizes a buy down to the cash not already reserved', () => {
    const { gate } = rig({ maxLeverage: 2, positionPct: 150, allowShort: false }, { market: 'spot' });
    // a reserves 7,500; b wants 7,500 but 2,500 is free -> 25 at 100
    expect(approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }))[0]!.qty).toBeCloseTo(75, 9);
    const d = gate.evaluate(sig('b', ETH, 'enter_long', 1), { price: 100 });
    expect(approvedOrders(d)[0]!.qty).toBeCloseTo(25, 9);
    expect(d.approved && d.note).toContain('INSUFFICIENT_CASH');
    expect(deniedCode(gate.evaluate(sig('b', SOL, 'enter_long', 1), { price: 100 }))).toBe('INSUFFICIENT_CASH');
  });

  it('an exit is approved even when the exposure caps are overfull', () => {
    const r = rig({ maxSymbolExposurePct: 50 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    fillOrder(r, o!, 100);
    step(r, T0 + H, { [BTC]: 200 }); // 10,000 notional on 15,000 equity: 67 % > 50 %
    const [x] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'exit', 0, T0 + H), { price: 200 }));
    expect(x!.reduceOnly).toBe(true);
    expect(x!.qty).toBeCloseTo(50, 9);
  });
});

describe('direction rules', () => {
  it('spot denies shorts but still closes a long on enter_short', () => {
    const r = rig({ allowShort: false, maxLeverage: 1 }, { market: 'spot' });
    expect(deniedCode(r.gate.evaluate(sig('a', BTC, 'enter_short', -1), { price: 100 }))).toBe('SHORT_NOT_ALLOWED');
    expect(deniedCode(r.gate.evaluate(sig('a', BTC, 'target', -0.5), { price: 100 }))).toBe('SHORT_NOT_ALLOWED');
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 0.5), { price: 100 }));
    fillOrder(r, o!, 100);
    const d = r.gate.evaluate(sig('a', BTC, 'enter_short', -1, T0 + H), { price: 100 });
    const orders = approvedOrders(d);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.side).toBe('sell');
    expect(orders[0]!.reduceOnly).toBe(true);
    expect(orders[0]!.qty).toBeCloseTo(25, 9);
    expect(d.approved && d.resized).toBe(true);
    expect(d.approved && d.note).toContain('SHORT_NOT_ALLOWED');
  });

  it('linear flips a long into a short: a reduce-only close, then the checked open', () => {
    const r = rig();
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    fillOrder(r, o!, 100);
    const orders = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_short', -0.5, T0 + H), { price: 100 }));
    expect(orders.map((x) => [x.side, x.reduceOnly, x.qty])).toEqual([['sell', true, 50], ['sell', false, 25]]);
    expect(new Set(orders.map((x) => x.id)).size).toBe(2);
  });

  it('a flip whose open part is denied still closes', () => {
    const r = rig({ maxDrawdownPct: 5 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    fillOrder(r, o!, 100);
    step(r, T0 + H, { [BTC]: 100 });
    step(r, T0 + 2 * H, { [BTC]: 80 }); // 1,000 lost of 10,000: 10 % drawdown
    const d = r.gate.evaluate(sig('a', BTC, 'enter_short', -1, T0 + 2 * H), { price: 80 });
    const orders = approvedOrders(d);
    expect(orders.map((x) => [x.side, x.reduceOnly])).toEqual([['sell', true]]);
    expect(d.approved && d.note).toContain('DRAWDOWN_HALT');
  });

  it('an exit with nothing held (pending orders included) is denied as NO_POSITION', () => {
    const { gate } = rig();
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'exit', 0), { price: 100 }))).toBe('NO_POSITION');
    // an entry pending in the same step is what the exit closes
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    const [x] = approvedOrders(gate.evaluate(sig('a', BTC, 'exit', 0), { price: 100 }));
    expect([x!.side, x!.qty, x!.reduceOnly]).toEqual(['sell', o!.qty, true]);
  });

  it('a second entry in the same direction is denied as ALREADY_IN_POSITION', () => {
    const { gate } = rig();
    approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }))).toBe('ALREADY_IN_POSITION');
  });

  it('target signals move the position: increase, reduce, flat, flip', () => {
    const r = rig();
    const go = (te: number, i: number): Array<[string, boolean, number]> => {
      const orders = approvedOrders(r.gate.evaluate(sig('a', BTC, 'target', te, T0 + i * H), { price: 100 }));
      for (const o of orders) fillOrder(r, o, 100);
      return orders.map((o) => [o.side, o.reduceOnly, Number(o.qty.toFixed(9))]);
    };
    expect(go(0.5, 0)).toEqual([['buy', false, 25]]);
    expect(go(1, 1)).toEqual([['buy', false, 25]]);
    expect(go(0.2, 2)).toEqual([['sell', true, 40]]);
    expect(go(0.2, 3)).toEqual([]);
    expect(go(-0.4, 4)).toEqual([['sell', true, 10], ['sell', false, 20]]);
    expect(go(0, 5)).toEqual([['buy', true, 20]]);
    expect(r.portfolio.position('a', BTC).qty).toBe(0);
  });
});
