/**
 * The pure parts of walk-forward: window plans (rolling, anchored, step, whole windows only), the
 * schema-range grid of --steps, the choice (min trades, null objectives, tie-break), the flatness
 * around it and the drift of the choice between windows.
 */
import { describe, expect, it } from 'vitest';
import { chooseBest, choiceDrift } from '../../../src/research/walkforward/choose.ts';
import { combinations, gridAxes, rangeValues } from '../../../src/research/walkforward/param-grid.ts';
import { DAY_MS, planWindows } from '../../../src/research/walkforward/windows.ts';

const FROM = Date.UTC(2023, 0, 1);
const day = (d: number): number => FROM + d * DAY_MS;

describe('walk-forward windows', () => {
  it('rolls train and test forward by the step (0 = test days) and plans only whole windows', () => {
    const w = planWindows({ from: FROM, to: day(125), trainDays: 40, testDays: 20, stepDays: 0, windows: 'rolling' });
    expect(w.map((x) => [x.trainFrom, x.trainTo, x.testFrom, x.testTo])).toEqual([0, 20, 40, 60].map((d) => [day(d), day(d + 40), day(d + 40), day(d + 60)]));
  });

  it('anchors every train window at the range start, growing by the step, with gaps when step > test', () => {
    const w = planWindows({ from: FROM, to: day(120), trainDays: 40, testDays: 20, stepDays: 30, windows: 'anchored' });
    expect(w.map((x) => [x.trainFrom, x.trainTo, x.testTo])).toEqual([[day(0), day(40), day(60)], [day(0), day(70), day(90)], [day(0), day(100), day(120)]]);
  });

  it('refuses a train + test longer than the range and a step that would overlap test windows', () => {
    expect(() => planWindows({ from: FROM, to: day(50), trainDays: 40, testDays: 20, stepDays: 0, windows: 'rolling' })).toThrow(/--train-days 40 \+ --test-days 20 = 60 days: longer than the range 2023-01-01 -> 2023-02-20/);
    expect(() => planWindows({ from: FROM, to: day(500), trainDays: 40, testDays: 20, stepDays: 10, windows: 'rolling' })).toThrow(/--step-days 10: shorter than --test-days 20/);
  });
});

describe('walk-forward grid from schema ranges (--steps)', () => {
  it('spreads ints evenly over [min, max], rounded and deduplicated; floats exact; booleans both; selects all', () => {
    expect(rangeValues({ type: 'int', default: 20, min: 1, max: 1000 }, 5)).toEqual(['1', '251', '501', '750', '1000']);
    expect(rangeValues({ type: 'int', default: 2, min: 1, max: 3 }, 5)).toEqual(['1', '2', '3']);
    expect(rangeValues({ type: 'float', default: 1, min: 0, max: 1 }, 3)).toEqual(['0', '0.5', '1']);
    expect(rangeValues({ type: 'bool', default: true }, 5)).toEqual(['false', 'true']);
    expect(rangeValues({ type: 'select', default: 'a', options: ['a', 'b', 'c'] }, 2)).toEqual(['a', 'b', 'c']);
    expect(rangeValues({ type: 'int', default: 5, min: 1 }, 5)).toBeUndefined();
  });

  it('keeps a parameter without a range fixed and orders combinations first axis slowest', () => {
    const { axes, fixed } = gridAxes('s', { a: { type: 'int', default: 1, min: 1, max: 2 }, b: { type: 'bool', default: true }, c: { type: 'float', default: 1 } }, [], 2);
    expect(fixed).toEqual(['c']);
    expect(combinations(axes).map((c) => c.overrides.join(' '))).toEqual(['strategy.s.a=1 strategy.s.b=false', 'strategy.s.a=1 strategy.s.b=true', 'strategy.s.a=2 strategy.s.b=false', 'strategy.s.a=2 strategy.s.b=true']);
  });
});

describe('walk-forward choice', () => {
  const { axes } = gridAxes('s', { x: { type: 'int', default: 1, min: 0, max: 40 } }, [], 5); // x = 0, 10, 20, 30, 40
  const combos = combinations(axes);

  it('takes the highest objective among sets with enough trades and a value, the first on a tie, none when nothing is eligible', () => {
    const c = chooseBest(combos, [{ objective: 9, trades: 1 }, { objective: 2, trades: 5 }, { objective: null, trades: 9 }, { objective: 2, trades: 7 }, { objective: 1, trades: 5 }], 3);
    expect(c).toMatchObject({ chosen: 1, best: 2, eligible: 3 });
    expect(chooseBest(combos, combos.map(() => ({ objective: 1, trades: 0 })), 1)).toEqual({ chosen: null, best: null, eligible: 0, flatness: null });
  });

  it('measures flatness as the mean objective of the grid neighbours over the best', () => {
    const c = chooseBest(combos, [1, 3, 4, 1, 0].map((o) => ({ objective: o, trades: 10 })), 0);
    expect(c.chosen).toBe(2);
    expect(c.flatness).toBeCloseTo((3 + 1) / 2 / 4, 12);
  });

  it('measures drift as the move of the choice between windows over the grid range', () => {
    expect(choiceDrift(axes, combos, [0, 4, null, 4])).toBeCloseTo((1 + 0) / 2, 12);
    expect(choiceDrift(axes, combos, [2, null])).toBeNull();
  });
});
