import { describe, expect, it } from 'vitest';
import { instrumentRules, placeBody, stepString } from '../../../src/venues/bybit/private-orders.ts';

type M = Parameters<typeof instrumentRules>[0];

/** The fields of a ccxt market that the rules read, as ccxt fills them from instruments-info. */
function market(over: { min?: unknown; step?: unknown; tick?: unknown; cost?: unknown; info?: Record<string, unknown> } = {}): M {
  return {
    id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT',
    limits: { amount: { min: 'min' in over ? over.min : 0.000011 }, cost: { min: over.cost } },
    precision: { amount: 'step' in over ? over.step : 0.000001, price: 'tick' in over ? over.tick : 0.01 },
    info: over.info ?? { lotSizeFilter: {} },
  } as unknown as M;
}

describe('order bodies and instrument rules', () => {
  it('writes quantities and prices at the step, without float noise or exponents', () => {
    expect(stepString(0.1 + 0.2, 0.001)).toBe('0.3');
    expect(stepString(0.7 * 3, 0.01)).toBe('2.1');
    expect(stepString(0.0000011, 1e-7)).toBe('0.0000011');
    expect(stepString(12, 1)).toBe('12');
    expect(stepString(39000.123, 0.1)).toBe('39000.1');
  });

  it('sends a spot market order in the base coin, with orderFilter StopOrder when conditional', () => {
    const m = market();
    const spot = { id: 'BTCUSDT', category: 'spot' } as const;
    expect(placeBody({ market: 'spot', symbol: 'BTC/USDT', side: 'Buy', qty: 0.5, orderLinkId: 'a', reduceOnly: false }, spot, m))
      .toEqual({ category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.5', orderLinkId: 'a', marketUnit: 'baseCoin' });
    expect(placeBody({ market: 'spot', symbol: 'BTC/USDT', side: 'Sell', qty: 0.5, orderLinkId: 'b', reduceOnly: true, trigger: { price: 100.006, direction: 2 } }, spot, m))
      .toEqual({ category: 'spot', symbol: 'BTCUSDT', side: 'Sell', orderType: 'Market', qty: '0.5', orderLinkId: 'b', marketUnit: 'baseCoin', triggerPrice: '100.01', triggerDirection: 2, orderFilter: 'StopOrder' });
  });

  it('sends linear exits reduce-only, and conditional exits close-on-trigger on the last price', () => {
    const m = market({ step: 0.001, tick: 0.1 });
    const lin = { id: 'BTCUSDT', category: 'linear' } as const;
    expect(placeBody({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.01, orderLinkId: 'c', reduceOnly: false }, lin, m)).not.toHaveProperty('reduceOnly');
    expect(placeBody({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Sell', qty: 0.01, orderLinkId: 'd', reduceOnly: true }, lin, m)).toMatchObject({ reduceOnly: true });
    expect(placeBody({ market: 'linear', symbol: 'BTC/USDT:USDT', side: 'Buy', qty: 0.01, orderLinkId: 'e', reduceOnly: false, trigger: { price: 50000, direction: 1 } }, lin, m))
      .toMatchObject({ triggerPrice: '50000', triggerDirection: 1, triggerBy: 'LastPrice', reduceOnly: true, closeOnTrigger: true });
  });

  it('takes the min notional from ccxt or from Bybit\'s own fields, and names the symbol and field of a bad rule', () => {
    expect(instrumentRules(market({ cost: 5 }), 'BTC/USDT').minNotional).toBe(5);
    expect(instrumentRules(market({ info: { lotSizeFilter: { minNotionalValue: '5' } } }), 'BTC/USDT:USDT').minNotional).toBe(5);
    expect(instrumentRules(market({ info: { lotSizeFilter: { minOrderAmt: '1' } } }), 'BTC/USDT').minNotional).toBe(1);
    expect(() => instrumentRules(market({ step: 0 }), 'BTC/USDT')).toThrow(/^bybit instruments-info BTC\/USDT: precision.amount \(qtyStep \/ basePrecision\) is 0, expected a finite number > 0$/);
    expect(() => instrumentRules(market({ min: undefined }), 'BTC/USDT')).toThrow(/limits.amount.min \(minOrderQty\) is undefined/);
    expect(() => instrumentRules(market({ tick: Number.NaN }), 'BTC/USDT')).toThrow(/precision.price \(tickSize\)/);
    expect(() => instrumentRules(market({ info: { lotSizeFilter: { minOrderAmt: 'x' } } }), 'BTC/USDT')).toThrow(/minNotional is "x"/);
  });
});
