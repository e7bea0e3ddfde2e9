/**
 * Human-readable output of a run: the compact summary table printed at the end of a backtest and
 * the full report.txt. Plain text, fixed-width, deterministic (no locale, no clock): a null metric
 * prints as "n/a" and the reason is listed under "Not available and caveats".
 */
import { isoUtc } from '../../core/time.ts';
import type { Trade } from '../../domain/trade.ts';
import type { Metrics } from '../metrics/types.ts';
import { alignTable, money, num, pct } from './format.ts';

/** The summary table: the strategy beside the equal-weight buy-and-hold of the same symbols. */
export function formatSummaryTable(m: Metrics): string {
  const r = m.returns, d = m.drawdown, t = m.trades, b = m.benchmark, c = m.costs;
  const neg = (x: number | null): number | null => (x === null ? null : -x);
  const rows: string[][] = [
    ['Metric', 'Strategy', 'Buy & hold'],
    ['Total return', pct(r.totalReturn), pct(b.totalReturn)],
    ['CAGR', pct(r.cagr), pct(b.cagr)],
    ['Volatility (ann.)', pct(r.volatility, false), ''],
    ['Sharpe', num(r.sharpe), num(b.sharpe)],
    ['Sortino', num(r.sortino), ''],
    ['Calmar', num(r.calmar), ''],
    ['Max drawdown', pct(neg(d.maxDrawdown)), pct(neg(b.maxDrawdown))],
    ['Max DD duration', ddDuration(m), ''],
    ['Time in market', pct(m.exposure.timeInMarket, false), ''],
    ['Trades', String(t.count), ''],
    ['Win rate', pct(t.winRate, false), ''],
    ['Profit factor', num(t.profitFactor), ''],
    ['Expectancy / trade', money(t.expectancy), ''],
    ['Avg R multiple', num(t.avgRMultiple), ''],
    ['Fees', money(c.fees), ''],
    ['Slippage', money(c.slippage), ''],
    ['Funding', money(c.funding), ''],
    ['Excess vs buy & hold', pct(b.excessReturn), ''],
  ];
  return alignTable(rows);
}

function ddDuration(m: Metrics): string {
  const d = m.drawdown;
  if (d.maxDrawdownDays === null || d.maxDrawdownCandles === null) return 'n/a';
  return `${num(d.maxDrawdownDays, 1)} d${d.maxDrawdownRecovered ? '' : ' (open)'}`;
}

export interface ReportInput {
  readonly metrics: Metrics;
  /** Fill-model assumptions, one sentence each, printed verbatim. */
  readonly assumptions: readonly string[];
  /** Closed trades, for the per-strategy and per-symbol breakdowns. */
  readonly trades?: readonly Trade[];
  readonly runId?: string;
}

/** report.txt text (ends with a newline). */
export function formatReport(inp: ReportInput): string {
  const m = inp.metrics;
  const p = m.period, r = m.returns, d = m.drawdown, e = m.exposure, t = m.trades, c = m.costs, b = m.benchmark;
  const out: string[] = [];
  const section = (title: string): void => {
    out.push('', title, '-'.repeat(title.length));
  };
  out.push('cryptotrader backtest report', '============================');
  if (inp.runId) out.push(`Run:        ${inp.runId}`);
  out.push(`Period:     ${p.start ?? 'n/a'} -> ${p.end ?? 'n/a'} (${num(p.days, 2)} days, ${p.candles} candles of ${p.timeframe})`);
  out.push(`Symbols:    ${b.symbols.join(', ') || 'none'}`);
  out.push(`Annualised with ${num(p.periodsPerYear, 0)} candles per year (365 days x 24 h); risk-free rate 0.`);

  section('Summary');
  out.push(formatSummaryTable(m));

  section('Returns');
  out.push(alignTable([
    ['Initial cash', money(r.initialCash)],
    ['Final equity', money(r.finalEquity)],
    ['Net profit', money(r.netProfit)],
    ['Total return', pct(r.totalReturn)],
    ['CAGR', pct(r.cagr)],
    ['Volatility (annualised)', pct(r.volatility, false)],
    ['Sharpe', num(r.sharpe)],
    ['Sortino', num(r.sortino)],
    ['Calmar', num(r.calmar)],
    ['Return observations', String(r.returnObservations)],
    ['Best candle', pct(r.bestPeriodReturn)],
    ['Worst candle', pct(r.worstPeriodReturn)],
  ]));

  section('Drawdown');
  const iso = (ms: number | null): string => (ms === null ? 'n/a' : isoUtc(ms));
  out.push(alignTable([
    ['Max drawdown', pct(d.maxDrawdown === 0 ? 0 : -d.maxDrawdown)],
    ['Max drawdown (quote)', money(-d.maxDrawdownAbs)],
    ['Peak', iso(d.maxDrawdownPeakTs)],
    ['Trough', iso(d.maxDrawdownTroughTs)],
    ['Recovered', d.maxDrawdownRecovered === null ? 'n/a' : d.maxDrawdownRecovered ? iso(d.maxDrawdownRecoveryTs) : 'no (still under water at the end)'],
    ['Duration', d.maxDrawdownCandles === null ? 'n/a' : `${d.maxDrawdownCandles} candles, ${num(d.maxDrawdownDays, 2)} days`],
    ['Longest under water', `${d.longestDrawdownCandles} candles, ${num(d.longestDrawdownDays, 2)} days`],
  ]));

  section('Exposure');
  out.push(alignTable([
    ['Time in market', pct(e.timeInMarket, false)],
    ['Average exposure', pct(e.avgExposure, false)],
    ['Max exposure', pct(e.maxExposure, false)],
  ]));

  section('Trades');
  out.push(alignTable([
    ['Trades', String(t.count)],
    ['Wins / losses / breakeven', `${t.wins} / ${t.losses} / ${t.breakeven}`],
    ['Win rate', pct(t.winRate, false)],
    ['Average win', money(t.avgWin)],
    ['Average loss', money(t.avgLoss)],
    ['Largest win', money(t.largestWin)],
    ['Largest loss', money(t.largestLoss)],
    ['Payoff ratio', num(t.payoffRatio)],
    ['Profit factor', num(t.profitFactor)],
    ['Expectancy (quote)', money(t.expectancy)],
    ['Average trade return', pct(t.avgTradeReturn)],
    ['Average R multiple', `${num(t.avgRMultiple)} (${t.tradesWithR} trades with a stop)`],
    ['MAE average / median', `${pct(t.avgMae)} / ${pct(t.medianMae)}`],
    ['MFE average / median', `${pct(t.avgMfe)} / ${pct(t.medianMfe)}`],
    ['Average bars held', num(t.avgBarsHeld, 1)],
    ['Longest win / loss streak', `${t.longestWinStreak} / ${t.longestLossStreak}`],
  ]));
  if (inp.trades && inp.trades.length > 0) {
    out.push('', breakdown('Strategy', inp.trades, (x) => x.strategyId), '', breakdown('Symbol', inp.trades, (x) => x.symbol));
  }

  section('Costs');
  out.push(alignTable([
    ['', 'Quote', '% of initial cash', '% of gross PnL'],
    ['Fees', money(c.fees), pct(c.feesPctOfInitialCash, false), pct(c.feesPctOfGrossPnl, false)],
    ['Slippage', money(c.slippage), pct(c.slippagePctOfInitialCash, false), pct(c.slippagePctOfGrossPnl, false)],
    ['Funding', money(c.funding), pct(c.fundingPctOfInitialCash, false), pct(c.fundingPctOfGrossPnl, false)],
  ]));
  out.push(alignTable([
    ['Gross PnL of trades', money(c.grossPnl)],
    ['Net PnL of trades', money(c.netPnl)],
    ['Net PnL with free execution', money(c.netPnlBeforeCosts)],
  ]));

  section('Buy and hold (equal weight, first to last close, no costs)');
  out.push(alignTable([
    ['Symbol', 'Return'],
    ...b.symbols.map((s) => [s, pct(b.perSymbol[s] ?? null)]),
    ['Portfolio', pct(b.totalReturn)],
    ['Strategy excess return', pct(b.excessReturn)],
  ]));

  section('Not available and caveats');
  // Metrics sharing one reason (e.g. every trade statistic of a run without trades) share a line.
  const byReason = new Map<string, string[]>();
  for (const [k, why] of Object.entries(m.notes)) {
    const keys = byReason.get(why);
    if (keys) keys.push(k);
    else byReason.set(why, [k]);
  }
  if (byReason.size === 0) out.push('none');
  for (const [why, keys] of byReason) out.push(`${keys.join(', ')}: ${why}`);

  section('Fill-model assumptions');
  if (inp.assumptions.length === 0) out.push('none given');
  for (const a of inp.assumptions) out.push(`- ${a}`);
  out.push('', 'Formulas and n/a rules: docs/results.md', '');
  return out.join('\n');
}

function breakdown(label: string, trades: readonly Trade[], key: (t: Trade) => string): string {
  const groups = new Map<string, { n: number; wins: number; net: number; gw: number; gl: number }>();
  for (const t of trades) {
    const k = key(t);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { n: 0, wins: 0, net: 0, gw: 0, gl: 0 }));
    g.n++;
    g.net += t.netPnl;
    if (t.netPnl > 0) {
      g.wins++;
      g.gw += t.netPnl;
    } else if (t.netPnl < 0) g.gl -= t.netPnl;
  }
  const rows: string[][] = [[label, 'Trades', 'Win rate', 'Net PnL', 'Profit factor']];
  for (const k of [...groups.keys()].sort()) {
    const g = groups.get(k)!;
    rows.push([k, String(g.n), pct(g.wins / g.n, false), money(g.net), g.gl > 0 ? num(g.gw / g.gl) : 'n/a']);
  }
  return alignTable(rows);
}
