/**
 * THE look-ahead test of walk-forward: the parameter set chosen on a window, and every in-sample
 * figure it was chosen from, depend only on that window's train candles (and the warm-up candles
 * before it). Scrambling every candle after the train window leaves them unchanged; as a control,
 * changing candles inside the train window changes them. Real pieces: the piscina pool, the
 * candle loop, strategy hosts, risk gate, fill simulator and computeMetrics, on seeded synthetic
 * candles.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { generateSynthetic } from '../../../src/data/synthetic.ts';
import { trainWindows } from '../../../src/research/walkforward/run-walkforward.ts';
import { planSearch } from '../../../src/research/walkforward/search-plan.ts';
import { firstAtOrAfter } from '../../../src/domain/candle.ts';
import { planWindows } from '../../../src/research/walkforward/windows.ts';
import { configWith } from '../../support/backtest-env.ts';
import { REPO_ROOT } from '../../support/shared-data.ts';

const FROM = Date.UTC(2023, 0, 1);
const DAYS = 100;
const candlesOf = (seed: number): CandleColumns => generateSynthetic({ seed, symbols: ['BTC/USDT'], timeframe: '1h', from: FROM, count: DAYS * 24 }).get('BTC/USDT')!;

/** `base` with its rows [i0, i1) taken from `other` (same times, other prices). */
function spliced(base: CandleColumns, other: CandleColumns, i0: number, i1: number): CandleColumns {
  const copy = (k: 'open' | 'high' | 'low' | 'close' | 'volume'): Float64Array => {
    const a = base[k].slice();
    a.set(other[k].subarray(i0, i1), i0);
    return a;
  };
  return { length: base.length, ts: base.ts.slice(), open: copy('open'), high: copy('high'), low: copy('low'), close: copy('close'), volume: copy('volume') };
}

describe('walk-forward: the choice on a window depends only on its train candles', () => {
  it('keeps the choice and every in-sample figure of a window when the candles after its train window are scrambled, and not when its train candles change', async () => {
    const sets = ['strategies.enabled=simple_ma', 'market.symbols=BTC/USDT', 'market.timeframe=1h', 'exchange.market=spot'];
    const { config } = configWith(sets);
    const plan = await planSearch({ config, configFile: join(REPO_ROOT, 'config', 'config.ini'), sets, grid: [
      { key: 'strategy.simple_ma.fast', values: ['5', '10', '20'], param: 'fast' },
      { key: 'strategy.simple_ma.slow', values: ['30', '60'], param: 'slow' },
    ] });
    const windows = planWindows({ from: FROM, to: FROM + DAYS * 86_400_000, trainDays: 40, testDays: 20, stepDays: 0, windows: 'rolling' });
    expect(windows).toHaveLength(3);
    const original = candlesOf(11);
    const other = candlesOf(12);
    const cut = firstAtOrAfter(original.ts, windows[0]!.trainTo);
    const run = (c: CandleColumns) => trainWindows(
      { configFile: join(REPO_ROOT, 'config', 'config.ini'), sets, candles: [['BTC/USDT', c]], funding: [], initialCash: 10_000 },
      windows, plan, { threads: 1, minTrades: 3, objective: 'sharpe' },
    );
    const [base, after, inside] = [await run(original), await run(spliced(original, other, cut, original.length)), await run(spliced(original, other, cut - 10 * 24, cut))];

    // The baseline is a real choice among sets that traded (not a vacuous "nothing eligible").
    expect(base[0]!.choice.chosen).not.toBeNull();
    expect(base[0]!.results.every((r) => r.trades > 0 && r.objectives.sharpe !== null)).toBe(true);
    // Everything after the train window scrambled: window 1's choice and all its IS figures are identical.
    expect(after[0]!.choice).toEqual(base[0]!.choice);
    expect(after[0]!.results).toEqual(base[0]!.results);
    // ... while the windows whose train span covers the scrambled candles did see the change.
    expect(after.slice(1).map((w) => w.results)).not.toEqual(base.slice(1).map((w) => w.results));
    // Control: the last 10 days of window 1's own train span changed => its IS figures change.
    expect(inside[0]!.results.map((r) => r.objectives)).not.toEqual(base[0]!.results.map((r) => r.objectives));
  });
});
