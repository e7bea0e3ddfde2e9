import { describe, expect, it } from 'vitest';
import { BTC, ETH, H, T0, approvedOrders, deniedCode, fillOrder, rig, sig, step } from './gate-helpers.ts';

const DAY = 24 * H;

// Account 10,000 quote (linear), strategies a and b at weight 0.5.
describe('daily loss limit', () => {
  it('blocks entries once the loss since the day\'s first mark reaches the limit, never exits, and clears next UTC day', () => {
    const r = rig({ dailyLossLimitPct: 5 });
    step(r, T0, { [BTC]: 100, [ETH]: 100 }); // first mark of the day: 10,000
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0), { price: 100 }));
    fillOrder(r, o!, 100);
    step(r, T0 + H, { [BTC]: 90.2, [ETH]: 100 }); // 50 x 9.8 = 490 lost: 4.9 %
    const ok = approvedOrders(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + H), { price: 100 }));
    r.gate.onOrderCancelled(ok[0]!.id);
    step(r, T0 + 2 * H, { [BTC]: 90, [ETH]: 100 }); // 500 lost: exactly 5 %
    expect(deniedCode(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + 2 * H), { price: 100 }))).toBe('DAILY_LOSS_LIMIT');
    expect(r.gate.events().map((e) => [e.code, e.kind])).toEqual([['DAILY_LOSS_LIMIT', 'tripped']]);
    // recovering intraday does not lift the block: it holds until the next UTC day
    step(r, T0 + 3 * H, { [BTC]: 100, [ETH]: 100 });
    expect(deniedCode(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + 3 * H), { price: 100 }))).toBe('DAILY_LOSS_LIMIT');
    expect(approvedOrders(r.gate.evaluate(sig('a', BTC, 'exit', 0, T0 + 3 * H), { price: 100 }))[0]!.reduceOnly).toBe(true);
    step(r, T0 + DAY, { [BTC]: 100, [ETH]: 100 });
    expect(approvedOrders(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + DAY), { price: 100 }))).toHaveLength(1);
    expect(r.gate.events().map((e) => [e.code, e.kind])).toEqual([['DAILY_LOSS_LIMIT', 'tripped'], ['DAILY_LOSS_LIMIT', 'cleared']]);
  });
});

describe('drawdown circuit breaker', () => {
  it('halts new entries for the rest of the run at max_drawdown_pct and records the trip', () => {
    const r = rig({ maxDrawdownPct: 10 });
    step(r, T0, { [BTC]: 100 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0), { price: 100 }));
    fillOrder(r, o!, 100);
    step(r, T0 + H, { [BTC]: 120 }); // peak 11,000
    step(r, T0 + 2 * H, { [BTC]: 100.2 }); // 10,010: 9 %
    const ok = approvedOrders(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + 2 * H), { price: 100 }));
    r.gate.onOrderCancelled(ok[0]!.id);
    expect(r.gate.halted).toBe(false);
    step(r, T0 + 3 * H, { [BTC]: 98 }); // 9,900: 1,100 / 11,000 = 10 %
    expect(deniedCode(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, T0 + 3 * H), { price: 100 }))).toBe('DRAWDOWN_HALT');
    expect(r.gate.halted).toBe(true);
    const ev = r.gate.drainEvents();
    expect(ev.map((e) => [e.code, e.kind, e.ts])).toEqual([['DRAWDOWN_HALT', 'tripped', T0 + 3 * H]]);
    expect(r.gate.drainEvents()).toEqual([]);
    // exits still pass; a recovery does not re-arm entries
    const [x] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'exit', 0, T0 + 3 * H), { price: 98 }));
    fillOrder(r, x!, 130);
    step(r, T0 + 4 * H, { [BTC]: 130 });
    expect(deniedCode(r.gate.evaluate(sig('a', BTC, 'enter_long', 0.1, T0 + 4 * H), { price: 130 }))).toBe('DRAWDOWN_HALT');
  });
});

describe('cooldown after a loss', () => {
  it('denies entries on the (strategy, symbol) for N candles counting the one the loss closed on', () => {
    const r = rig({ cooldownAfterLossBars: 3 });
    step(r, T0, { [BTC]: 100 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0), { price: 100 }));
    fillOrder(r, o!, 100, T0 + H); // fill at the next candle's open, before its onStep
    step(r, T0 + H, { [BTC]: 95 });
    const [x] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'exit', 0, T0 + H), { price: 95 }));
    fillOrder(r, x!, 90, T0 + 2 * H); // loss closed on candle 2
    for (let k = 2; k <= 4; k++) {
      step(r, T0 + k * H, { [BTC]: 90 });
      expect(deniedCode(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0 + k * H), { price: 90 }))).toBe('COOLDOWN_AFTER_LOSS');
    }
    // other pairs are free meanwhile
    expect(approvedOrders(r.gate.evaluate(sig('b', BTC, 'enter_long', 0.1, T0 + 4 * H), { price: 90 }))).toHaveLength(1);
    expect(approvedOrders(r.gate.evaluate(sig('a', ETH, 'enter_long', 0.1, T0 + 4 * H), { price: 90 }))).toHaveLength(1);
    step(r, T0 + 5 * H, { [BTC]: 90 });
    expect(approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0 + 5 * H), { price: 90 }))).toHaveLength(1);
  });

  it('a winning trade starts no cooldown', () => {
    const r = rig({ cooldownAfterLossBars: 3 });
    step(r, T0, { [BTC]: 100 });
    const [o] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0), { price: 100 }));
    fillOrder(r, o!, 100, T0 + H);
    step(r, T0 + H, { [BTC]: 105 });
    const [x] = approvedOrders(r.gate.evaluate(sig('a', BTC, 'exit', 0, T0 + H), { price: 105 }));
    fillOrder(r, x!, 110, T0 + 2 * H);
    step(r, T0 + 2 * H, { [BTC]: 110 });
    expect(approvedOrders(r.gate.evaluate(sig('a', BTC, 'enter_long', 1, T0 + 2 * H), { price: 110 }))).toHaveLength(1);
  });
});

describe('expectancy floor', () => {
  it('denies a strategy\'s entries once its mean net PnL over the last N trades is below the floor', () => {
    const r = rig({ expectancyMinTrades: 2, expectancyFloor: 0 });
    let t = T0;
    const roundTrip = (id: string, entry: number, exit: number): void => {
      step(r, t, { [BTC]: entry });
      const [o] = approvedOrders(r.gate.evaluate(sig(id, BTC, 'enter_long', 0.1, t), { price: entry }));
      fillOrder(r, o!, entry, t + H);
      t += H;
      step(r, t, { [BTC]: exit });
      const [x] = approvedOrders(r.gate.evaluate(sig(id, BTC, 'exit', 0, t), { price: exit }));
      fillOrder(r, x!, exit, t + H);
      t += H;
    };
    roundTrip('a', 100, 102); // qty 5: +10
    step(r, t, { [BTC]: 100 });
    // one trade is not enough for the floor to apply
    const probe = approvedOrders(r.gate.evaluate(sig('a', ETH, 'enter_long', 0.1, t), { price: 100 }));
    r.gate.onOrderCancelled(probe[0]!.id);
    roundTrip('a', 100, 97); // qty 5: -15 -> mean -2.5 < 0
    step(r, t, { [BTC]: 100 });
    expect(deniedCode(r.gate.evaluate(sig('a', ETH, 'enter_long', 0.1, t), { price: 100 }))).toBe('EXPECTANCY_FLOOR');
    expect(approvedOrders(r.gate.evaluate(sig('b', ETH, 'enter_long', 0.1, t), { price: 100 }))).toHaveLength(1);
  });
});
