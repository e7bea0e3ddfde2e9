/**
 * Statistics of closed round trips. A win is netPnl > 0, a loss netPnl < 0, a trade at exactly 0
 * is breakeven (counted in the trade count and the win-rate denominator, in neither side).
 * Streaks follow the order the trades closed in (the order of the input array).
 */
import type { Trade } from '../../domain/trade.ts';
import { METRIC_RULES, type TradeMetrics } from './types.ts';

export function tradeStats(trades: readonly Trade[], notes: Record<string, string>): TradeMetrics {
  const n = trades.length;
  let wins = 0, losses = 0, breakeven = 0;
  let grossWin = 0, grossLoss = 0, sumNet = 0, sumRet = 0, sumR = 0, withR = 0, sumBars = 0;
  let largestWin = -Infinity, largestLoss = Infinity;
  let streak = 0, longestWin = 0, longestLoss = 0;
  const mae = new Float64Array(n);
  const mfe = new Float64Array(n);
  let retCount = 0;
  for (let i = 0; i < n; i++) {
    const t = trades[i]!;
    const p = t.netPnl;
    sumNet += p;
    if (p > 0) {
      wins++;
      grossWin += p;
      if (p > largestWin) largestWin = p;
      streak = streak > 0 ? streak + 1 : 1;
      if (streak > longestWin) longestWin = streak;
    } else if (p < 0) {
      losses++;
      grossLoss += p;
      if (p < largestLoss) largestLoss = p;
      streak = streak < 0 ? streak - 1 : -1;
      if (-streak > longestLoss) longestLoss = -streak;
    } else {
      breakeven++;
      streak = 0; // a flat trade breaks both kinds of streak
    }
    const notional = t.entryPrice * t.qty;
    if (notional > 0) {
      sumRet += p / notional;
      retCount++;
    }
    if (t.rMultiple !== null && Number.isFinite(t.rMultiple)) {
      sumR += t.rMultiple;
      withR++;
    }
    sumBars += t.bars;
    mae[i] = t.mae;
    mfe[i] = t.mfe;
  }

  const none = 'needs at least 1 closed trade, the run has 0';
  if (n === 0) {
    for (const k of ['winRate', 'avgWin', 'avgLoss', 'largestWin', 'largestLoss', 'payoffRatio', 'profitFactor', 'expectancy', 'avgTradeReturn', 'avgRMultiple', 'avgMae', 'medianMae', 'avgMfe', 'medianMfe', 'avgBarsHeld']) {
      notes[`trades.${k}`] = none;
    }
  } else {
    if (n < METRIC_RULES.lowTradeCount) notes['trades.count'] = `only ${n} closed trades (< ${METRIC_RULES.lowTradeCount}): trade statistics have low significance`;
    if (wins === 0) {
      notes['trades.avgWin'] = 'no winning trade';
      notes['trades.largestWin'] = 'no winning trade';
    }
    if (losses === 0) {
      notes['trades.avgLoss'] = 'no losing trade';
      notes['trades.largestLoss'] = 'no losing trade';
      notes['trades.profitFactor'] = 'no losing trade: gross wins / 0 is undefined';
    }
    if (wins === 0 || losses === 0) notes['trades.payoffRatio'] = 'needs at least one winning and one losing trade';
    if (withR === 0) notes['trades.avgRMultiple'] = 'no trade had a stop, so no initial risk to measure R against';
    if (retCount === 0) notes['trades.avgTradeReturn'] = 'no trade had a positive entry notional';
  }

  const avgWin = wins > 0 ? grossWin / wins : null;
  const avgLoss = losses > 0 ? grossLoss / losses : null;
  return {
    count: n,
    wins,
    losses,
    breakeven,
    winRate: n > 0 ? wins / n : null,
    avgWin,
    avgLoss,
    largestWin: wins > 0 ? largestWin : null,
    largestLoss: losses > 0 ? largestLoss : null,
    payoffRatio: avgWin !== null && avgLoss !== null ? avgWin / -avgLoss : null,
    profitFactor: n > 0 && losses > 0 ? grossWin / -grossLoss : null,
    expectancy: n > 0 ? sumNet / n : null,
    avgTradeReturn: retCount > 0 ? sumRet / retCount : null,
    avgRMultiple: withR > 0 ? sumR / withR : null,
    tradesWithR: withR,
    avgMae: n > 0 ? meanOf(mae) : null,
    medianMae: n > 0 ? medianOf(mae) : null,
    avgMfe: n > 0 ? meanOf(mfe) : null,
    medianMfe: n > 0 ? medianOf(mfe) : null,
    avgBarsHeld: n > 0 ? sumBars / n : null,
    longestWinStreak: longestWin,
    longestLossStreak: longestLoss,
  };
}

function meanOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/** Median of a non-empty array: the middle value, or the mean of the two middle values. Sorts a. */
export function medianOf(a: Float64Array): number {
  a.sort();
  const m = a.length >> 1;
  return a.length % 2 === 1 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}
