import { describe, expect, it } from 'vitest';
import { BTC, T0, approvedOrders, deniedCode, rig, sig } from './gate-helpers.ts';
import { floorToStep } from '../../../src/engine/risk/sizing.ts';

// Account 10,000 quote, two strategies at weight 0.5: each has 5,000 allotted.
describe('risk gate sizing', () => {
  it('fixed sizing buys fixed_qty x |targetExposure|', () => {
    const { gate } = rig({ sizing: 'fixed', fixedQty: 0.3 });
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 0.5), { price: 100 }));
    expect(o!.qty).toBeCloseTo(0.15, 12);
    expect(o!.side).toBe('buy');
    expect(o!.reduceOnly).toBe(false);
  });

  it('percent_equity sizes the notional from the strategy allotted capital', () => {
    const { gate } = rig({ positionPct: 50 });
    // 1 x 50 % x 5,000 = 2,500 notional at 100 -> 25
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }));
    expect(o!.qty).toBeCloseTo(25, 12);
  });

  it('risk sizing divides the risk budget by the stop distance', () => {
    const { gate } = rig({ sizing: 'risk', riskPerTradePct: 1 });
    // 1 % x 5,000 = 50 at risk; stop 5 below -> 10; notional 1,000 <= 100 % of 5,000
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1, T0, { stop: 95 }), { price: 100 }));
    expect(o!.qty).toBeCloseTo(10, 12);
    expect(o!.stop).toBe(95);
  });

  it('risk sizing is capped by position_pct of allotted capital', () => {
    const { gate } = rig({ sizing: 'risk', riskPerTradePct: 1, positionPct: 10 });
    // by risk 10, by cap 10 % x 5,000 / 100 = 5
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1, T0, { stop: 95 }), { price: 100 }));
    expect(o!.qty).toBeCloseTo(5, 12);
  });

  it('risk sizing without a stop uses atr_stop_mult x ATR', () => {
    const { gate } = rig({ sizing: 'risk', riskPerTradePct: 1, atrStopMult: 2 });
    // 50 / (2 x 4) = 6.25
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_short', -1), { price: 100, atr: 4 }));
    expect(o!.qty).toBeCloseTo(6.25, 12);
    expect(o!.side).toBe('sell');
  });

  it('denies risk sizing when there is neither a stop nor an ATR', () => {
    const { gate } = rig({ sizing: 'risk' });
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 100 }))).toBe('NO_STOP_DISTANCE');
  });

  it('denies a stop on the wrong side of the price', () => {
    const { gate } = rig();
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1, T0, { stop: 101 }), { price: 100 }))).toBe('INVALID_STOP');
    expect(deniedCode(gate.evaluate(sig('b', BTC, 'enter_short', -1, T0, { stop: 99 }), { price: 100 }))).toBe('INVALID_STOP');
  });

  it('denies an entry without a valid price', () => {
    const { gate } = rig();
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: Number.NaN }))).toBe('NO_PRICE');
  });

  it('denies an entry of a strategy with no allotted capital', () => {
    const { gate } = rig({ strategyWeights: { a: 1, b: 0 } });
    expect(deniedCode(gate.evaluate(sig('b', BTC, 'enter_long', 1), { price: 100 }))).toBe('NO_ALLOCATION');
  });
});

describe('risk gate exchange rules', () => {
  const rules = { minQty: 0.01, qtyStep: 0.01, minNotional: 10, tickSize: 0.1 };

  it('rounds the quantity down to the qty step', () => {
    const { gate } = rig({}, { rules });
    // 5,000 / 30,000 = 0.1666.. -> 0.16
    const [o] = approvedOrders(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 30_000 }));
    expect(o!.qty).toBe(0.16);
  });

  it('denies below the minimum quantity after rounding', () => {
    const { gate } = rig({ positionPct: 0.1 }, { rules });
    // 5 / 30,000 = 0.000166 -> 0
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 30_000 }))).toBe('BELOW_MIN_QTY');
  });

  it('denies below the minimum notional after rounding', () => {
    const { gate } = rig({ positionPct: 18 }, { rules: { ...rules, minNotional: 1000 } });
    // 900 / 30,000 = 0.03 -> 0.03 x 30,000 = 900 < 1,000
    expect(deniedCode(gate.evaluate(sig('a', BTC, 'enter_long', 1), { price: 30_000 }))).toBe('BELOW_MIN_NOTIONAL');
    // at the boundary: 0.03 x 30,000 = 900 = min notional 900 is allowed
    const { gate: g2 } = rig({ positionPct: 20 }, { rules: { ...rules, minNotional: 900 } });
    expect(approvedOrders(g2.evaluate(sig('a', BTC, 'enter_long', 1), { price: 30_000 }))[0]!.qty).toBe(0.03);
  });

  it('floors to steps without binary residue', () => {
    expect(floorToStep(0.3, 0.1)).toBe(0.3);
    expect(floorToStep(1.23456789, 0.001)).toBe(1.234);
    expect(floorToStep(7, 5)).toBe(5);
    expect(floorToStep(0.000000159, 1e-8)).toBe(0.00000015);
    expect(floorToStep(2.5, 0)).toBe(2.5);
  });
});
