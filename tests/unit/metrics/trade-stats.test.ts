import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../src/reporting/metrics/compute-metrics.ts';
import type { Fill } from '../../../src/domain/order.ts';
import type { Trade } from '../../../src/domain/trade.ts';
import { fill, HOUR, marks, trade } from './fixtures.ts';

function metricsOf(trades: Trade[], fills: Fill[] = [], over: { initialCash?: number; fundingTotal?: number } = {}) {
  return computeMetrics({
    equity: marks(new Array(50).fill(1000), HOUR), trades, fills, initialCash: over.initialCash ?? 1000,
    timeframe: '1h', benchmarkCloses: new Map(), fundingTotal: over.fundingTotal,
  });
}

// In closing order: W W L B L L W
const SIX = [
  trade({ id: 'a', netPnl: 100, rMultiple: 2, mae: -0.01, mfe: 0.05, bars: 4, entryPrice: 100, qty: 10 }),
  trade({ id: 'b', netPnl: 50, rMultiple: 1, mae: -0.02, mfe: 0.03, bars: 2, entryPrice: 50, qty: 10 }),
  trade({ id: 'c', netPnl: -40, rMultiple: -1, mae: -0.04, mfe: 0.01, bars: 6, entryPrice: 100, qty: 4 }),
  trade({ id: 'd', netPnl: 0, rMultiple: null, mae: -0.005, mfe: 0.002, bars: 1, entryPrice: 100, qty: 1 }),
  trade({ id: 'e', netPnl: -20, rMultiple: null, mae: -0.03, mfe: 0, bars: 3, entryPrice: 200, qty: 1 }),
  trade({ id: 'f', netPnl: -10, rMultiple: -0.5, mae: -0.01, mfe: 0.02, bars: 2, entryPrice: 100, qty: 1 }),
  trade({ id: 'g', netPnl: 30, rMultiple: 1.5, mae: 0, mfe: 0.04, bars: 10, entryPrice: 300, qty: 1 }),
];

describe('trade statistics', () => {
  it('computes win rate, averages, profit factor, expectancy, R, MAE/MFE, bars and streaks from closed trades', () => {
    const t = metricsOf(SIX).trades;
    expect(t.count).toBe(7);
    expect([t.wins, t.losses, t.breakeven]).toEqual([3, 3, 1]);
    expect(t.winRate).toBeCloseTo(3 / 7, 12);
    expect(t.avgWin).toBeCloseTo((100 + 50 + 30) / 3, 12);
    expect(t.avgLoss).toBeCloseTo((-40 - 20 - 10) / 3, 12);
    expect(t.largestWin).toBe(100);
    expect(t.largestLoss).toBe(-40);
    expect(t.payoffRatio).toBeCloseTo(60 / (70 / 3), 12);
    expect(t.profitFactor).toBeCloseTo(180 / 70, 12);
    expect(t.expectancy).toBeCloseTo((180 - 70) / 7, 12);
    // Per-trade return: netPnl / (entryPrice x qty).
    expect(t.avgTradeReturn).toBeCloseTo((100 / 1000 + 50 / 500 - 40 / 400 + 0 - 20 / 200 - 10 / 100 + 30 / 300) / 7, 12);
    // R only over the 5 trades that had a stop.
    expect(t.tradesWithR).toBe(5);
    expect(t.avgRMultiple).toBeCloseTo((2 + 1 - 1 - 0.5 + 1.5) / 5, 12);
    expect(t.avgMae).toBeCloseTo((-0.01 - 0.02 - 0.04 - 0.005 - 0.03 - 0.01 + 0) / 7, 12);
    expect(t.medianMae).toBe(-0.01); // sorted: -0.04 -0.03 -0.02 [-0.01] -0.01 -0.005 0
    expect(t.avgMfe).toBeCloseTo((0.05 + 0.03 + 0.01 + 0.002 + 0 + 0.02 + 0.04) / 7, 12);
    expect(t.medianMfe).toBe(0.02);
    expect(t.avgBarsHeld).toBeCloseTo(28 / 7, 12);
    expect(t.longestWinStreak).toBe(2);
    expect(t.longestLossStreak).toBe(2); // the breakeven trade splits L | B | L L
    expect(metricsOf(SIX).notes['trades.count']).toMatch(/low significance/);
  });

  it('takes the median of an even number of trades as the mean of the two middle values', () => {
    const t = metricsOf(SIX.slice(0, 4)).trades; // MFE 0.05 0.03 0.01 0.002
    expect(t.medianMfe).toBeCloseTo((0.01 + 0.03) / 2, 12);
  });

  it('with 2 winning trades reports profit factor and average loss as not available, with the reason', () => {
    const m = metricsOf([trade({ netPnl: 10 }), trade({ netPnl: 5 })]);
    expect(m.trades.winRate).toBe(1);
    expect(m.trades.profitFactor).toBeNull();
    expect(m.trades.avgLoss).toBeNull();
    expect(m.trades.payoffRatio).toBeNull();
    expect(m.notes['trades.profitFactor']).toMatch(/no losing trade/);
    expect(m.trades.avgRMultiple).toBeNull();
    expect(m.notes['trades.avgRMultiple']).toMatch(/stop/);
    // The equity is flat over 50 candles: Sharpe stays n/a (zero volatility), not a huge number.
    expect(m.returns.sharpe).toBeNull();
  });

  it('reports a profit factor of 0 when every trade lost', () => {
    const m = metricsOf([trade({ netPnl: -10 }), trade({ netPnl: -5 })]);
    expect(m.trades.profitFactor).toBe(0);
    expect(m.trades.longestLossStreak).toBe(2);
  });

  it('reports every trade statistic as not available without trades', () => {
    const m = metricsOf([]);
    expect(m.trades.count).toBe(0);
    for (const k of ['winRate', 'avgWin', 'avgLoss', 'profitFactor', 'expectancy', 'avgRMultiple', 'avgMae', 'medianMfe', 'avgBarsHeld'] as const) {
      expect(m.trades[k], k).toBeNull();
      expect(m.notes[`trades.${k}`], k).toMatch(/at least 1 closed trade/);
    }
  });
});

describe('cost decomposition', () => {
  const trades = [
    trade({ netPnl: 150 - 6 - 4, grossPnl: 150, fees: 6, funding: 4, slippage: 3 }),
    trade({ netPnl: 50 - 4 - 1, grossPnl: 50, fees: 4, funding: 1, slippage: 2 }),
  ];
  const fills = [
    fill({ id: 'f1', fee: 3, slippageCost: 1.5 }), fill({ id: 'f2', fee: 3, slippageCost: 1.5 }),
    fill({ id: 'f3', fee: 2, slippageCost: 1 }), fill({ id: 'f4', fee: 2, slippageCost: 1 }),
  ];

  it('totals fees and slippage over fills, funding over trades, each as a share of initial cash and gross PnL', () => {
    const c = metricsOf(trades, fills, { initialCash: 2000 }).costs;
    expect(c.fees).toBe(10);
    expect(c.slippage).toBe(5);
    expect(c.funding).toBe(5);
    expect(c.grossPnl).toBe(200);
    expect(c.netPnl).toBe(185);
    expect(c.netPnlBeforeCosts).toBe(185 + 10 + 5 + 5);
    expect(c.feesPctOfInitialCash).toBeCloseTo(10 / 2000, 12);
    expect(c.slippagePctOfInitialCash).toBeCloseTo(5 / 2000, 12);
    expect(c.fundingPctOfInitialCash).toBeCloseTo(5 / 2000, 12);
    expect(c.feesPctOfGrossPnl).toBeCloseTo(10 / 200, 12);
    expect(c.slippagePctOfGrossPnl).toBeCloseTo(5 / 200, 12);
    expect(c.fundingPctOfGrossPnl).toBeCloseTo(5 / 200, 12);
  });

  it('uses the funding total given by the caller (positions still open) over the trades sum', () => {
    expect(metricsOf(trades, fills, { fundingTotal: 7.5 }).costs.funding).toBe(7.5);
  });

  it('reports costs as a share of gross PnL as not available when gross PnL is not positive', () => {
    const m = metricsOf([trade({ netPnl: -12, grossPnl: -10, fees: 2 })], [fill({ fee: 2 })]);
    expect(m.costs.feesPctOfGrossPnl).toBeNull();
    expect(m.notes['costs.feesPctOfGrossPnl']).toMatch(/not positive/);
    expect(m.costs.feesPctOfInitialCash).toBeCloseTo(2 / 1000, 12);
  });
});
