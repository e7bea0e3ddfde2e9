/**
 * The report.html of a backtest, composed from the page API (page.ts, sections.ts): headline
 * metrics; price candles with one marker per fill and the trades' stop/target lines; the trades
 * table (a click moves the charts to the trade); the equity curve against buy-and-hold and the
 * underwater drawdown, all on one synced time axis; monthly returns as a heatmap; the cost
 * decomposition; the fill assumptions; the Monte Carlo robustness of the trades.
 *
 * Deterministic: built only from the run's data (no clock); the run id appears in the subtitle.
 */
import type { CandleColumns } from '../../domain/candle.ts';
import { equityColumnsOf, type EquityMarks } from '../../domain/equity.ts';
import type { Fill } from '../../domain/order.ts';
import type { Trade } from '../../domain/trade.ts';
import { buyAndHold } from '../metrics/buy-and-hold.ts';
import type { Metrics } from '../metrics/types.ts';
import { MC_PERCENTILES, monteCarlo, type MonteCarloResult } from '../monte-carlo.ts';
import { monthlyReturns } from '../monthly-returns.ts';
import { coarsenCandles, coarsenSeries, mergeFactor } from './coarsen.ts';
import { renderReportPage } from './page.ts';
import { priceChartSection, type TradeLevels } from './price-chart-section.ts';
import {
  dataTableSection, formatValue, heatmapSection, lineChartSection, metricsSection, notesSection,
  type ReportSection, type TableRow,
} from './sections.ts';

export interface BacktestReportInput {
  readonly runId?: string;
  readonly metrics: Metrics;
  readonly trades: readonly Trade[];
  readonly fills: readonly Fill[];
  readonly equity: EquityMarks;
  /** The candles the run traded on (what ran, for an interrupted run), per symbol. */
  readonly candles: ReadonlyMap<string, CandleColumns>;
  /** Stop and target of each trade's entry order, by trade id. */
  readonly levels?: TradeLevels;
  readonly assumptions: readonly string[];
  readonly strategies?: readonly string[];
  readonly monteCarlo: { readonly runs: number; readonly seed: number };
}

const GROUP = 'time';
/** Rows of the trades table; past this the table shows the first ones (trades.csv has them all; the chart still marks every fill). */
export const MAX_TABLE_TRADES = 10_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function backtestReportHtml(r: BacktestReportInput): string {
  const m = r.metrics;
  const symbols = [...r.candles.keys()].sort();
  const subtitle = [
    r.runId, r.strategies && r.strategies.length > 0 ? r.strategies.join(', ') : undefined, symbols.join(', '), m.period.timeframe,
    m.period.start && m.period.end ? `${m.period.start.slice(0, 10)} → ${m.period.end.slice(0, 10)}` : undefined,
  ].filter(Boolean).join(' · ');
  const eq = equityArrays(r.equity);
  // Very long runs are drawn on coarser bars (coarsen.ts); the monthly table and Monte Carlo use everything.
  const k = Math.max(mergeFactor(eq.ts.length), ...[...r.candles.values()].map((c) => mergeFactor(c.length)));
  const candles = k > 1 ? new Map([...r.candles].map(([s, c]) => [s, coarsenCandles(c, k)] as const)) : r.candles;
  const eqShown = k > 1 ? { ts: coarsenSeries(eq.ts, eq.equity, k).ts, equity: coarsenSeries(eq.ts, eq.equity, k).values, drawdown: coarsenSeries(eq.ts, eq.drawdown, k, 'max').values } : eq;
  const sections: ReportSection[] = [
    summarySection(m),
    priceChartSection({
      id: 'price', title: k > 1 ? `Price and trades (bars of ${k} candles)` : 'Price and trades',
      candles, fills: r.fills, trades: r.trades, ...(r.levels ? { levels: r.levels } : {}), syncGroup: GROUP,
    }),
    tradesSection(r.trades),
    equitySection(r, eqShown, k),
    drawdownSection(eqShown),
    monthlySection(r.equity, m.returns.initialCash),
    costsSection(m),
    notesSection({ id: 'assumptions', title: 'Fill assumptions', bullets: r.assumptions }),
    monteCarloSection(monteCarlo({ initialCash: m.returns.initialCash, tradePnls: tradesByExit(r.trades).map((t) => t.netPnl), runs: r.monteCarlo.runs, seed: r.monteCarlo.seed }), m),
  ];
  return renderReportPage({
    title: `Backtest report${r.strategies && r.strategies.length > 0 ? `: ${r.strategies.join(', ')}` : ''}`,
    subtitle,
    sections,
    footer: 'Made by cryptotrader from this run\'s results. Times are UTC. Charts: TradingView lightweight-charts.',
  });
}

function summarySection(m: Metrics): ReportSection {
  const p = (v: number | null): string => formatValue(v, 'percent');
  const n = (v: number | null): string => formatValue(v, 'number');
  return metricsSection({
    id: 'summary',
    title: 'Summary',
    groups: [
      { title: 'Returns', items: [
        { label: 'Total return', value: p(m.returns.totalReturn) },
        { label: 'CAGR', value: p(m.returns.cagr) },
        { label: 'Final equity', value: formatValue(m.returns.finalEquity, 'money') },
        { label: 'Net profit', value: formatValue(m.returns.netProfit, 'money') },
      ] },
      { title: 'Risk', items: [
        { label: 'Max drawdown', value: p(m.drawdown.maxDrawdown) },
        { label: 'Max drawdown days', value: n(m.drawdown.maxDrawdownDays) },
        { label: 'Volatility (ann.)', value: p(m.returns.volatility) },
        { label: 'Time in market', value: p(m.exposure.timeInMarket) },
      ] },
      { title: 'Ratios', items: [
        { label: 'Sharpe', value: n(m.returns.sharpe) },
        { label: 'Sortino', value: n(m.returns.sortino) },
        { label: 'Calmar', value: n(m.returns.calmar) },
        { label: 'Profit factor', value: n(m.trades.profitFactor) },
      ] },
      { title: 'Trades', items: [
        { label: 'Trades', value: String(m.trades.count) },
        { label: 'Win rate', value: p(m.trades.winRate) },
        { label: 'Expectancy', value: formatValue(m.trades.expectancy, 'money'), hint: 'mean net PnL per trade' },
        { label: 'Avg R', value: n(m.trades.avgRMultiple) },
      ] },
      { title: 'Buy and hold', items: [
        { label: 'Return', value: p(m.benchmark.totalReturn) },
        { label: 'Max drawdown', value: p(m.benchmark.maxDrawdown) },
        { label: 'Excess return', value: p(m.benchmark.excessReturn) },
      ] },
    ],
  });
}

function tradesSection(trades: readonly Trade[]): ReportSection {
  const iso = (ts: number): string => new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
  const rows: TableRow[] = trades.slice(0, MAX_TABLE_TRADES).map((t, i) => {
    const notional = t.entryPrice * t.qty;
    return {
      cells: [
        String(i + 1), t.strategyId, t.symbol, t.direction, iso(t.entryTs), iso(t.exitTs),
        formatValue(t.entryPrice, 'price'), formatValue(t.exitPrice, 'price'), formatValue(t.qty, 'number'),
        formatValue(t.netPnl, 'money'), formatValue(notional > 0 ? t.netPnl / notional : null, 'percent'),
        formatValue(t.mae, 'percent'), formatValue(t.mfe, 'percent'), String(t.bars), t.exitReason,
      ],
      focus: { from: t.entryTs, to: t.exitTs, symbol: t.symbol },
      className: t.netPnl > 0 ? 'ct-pos' : t.netPnl < 0 ? 'ct-neg' : '',
    };
  });
  return dataTableSection({
    id: 'trades',
    title: `Trades (${trades.length})`,
    syncGroup: GROUP,
    columns: [
      { label: '#' }, { label: 'Strategy', align: 'left' }, { label: 'Symbol', align: 'left' }, { label: 'Dir', align: 'left' },
      { label: 'Entry (UTC)', align: 'left' }, { label: 'Exit (UTC)', align: 'left' }, { label: 'Entry price' }, { label: 'Exit price' },
      { label: 'Qty' }, { label: 'Net PnL' }, { label: 'Return', hint: 'net PnL / entry notional' },
      { label: 'MAE', hint: 'maximum adverse excursion, fraction of entry price' }, { label: 'MFE', hint: 'maximum favourable excursion' },
      { label: 'Bars' }, { label: 'Exit', align: 'left' },
    ],
    rows,
    caption: `${trades.length > MAX_TABLE_TRADES ? `The first ${MAX_TABLE_TRADES} of ${trades.length} trades (trades.csv has all). ` : ''}Click a row to show that trade on the charts; click a header to sort.`,
  });
}

type EquityArrays = Pick<ReturnType<typeof equityArrays>, 'ts' | 'equity' | 'drawdown'>;

function equitySection(r: BacktestReportInput, eq: EquityArrays, k: number): ReportSection {
  const cash = r.metrics.returns.initialCash;
  const series = [{ name: 'Strategy equity', color: '#2962ff', ts: eq.ts, values: eq.equity }];
  const closes = new Map<string, Float64Array>(), tsOf = new Map<string, Float64Array>();
  for (const [s, c] of r.candles) {
    closes.set(s, c.close.subarray(0, c.length));
    tsOf.set(s, c.ts.subarray(0, c.length));
  }
  const bh = buyAndHold({ closes, ts: tsOf }).curve;
  if (bh?.ts) {
    const shown = coarsenSeries(bh.ts, bh.values, k);
    series.push({ name: 'Buy and hold (equal weight)', color: '#ff6d00', ts: shown.ts, values: shown.values.map((v) => v * cash) });
  }
  return lineChartSection({
    id: 'equity', title: 'Equity and buy-and-hold', series, format: 'money', syncGroup: GROUP, height: 300,
    caption: 'Marked at each candle close. Buy-and-hold: the initial cash split equally over the symbols at their first close, no costs. Scrolling or zooming one chart moves the others.',
  });
}

function drawdownSection(eq: EquityArrays): ReportSection {
  return lineChartSection({
    id: 'drawdown', title: 'Underwater (drawdown from the running peak)', format: 'percent', syncGroup: GROUP, height: 200,
    series: [{ name: 'Drawdown', color: '#c62828', ts: eq.ts, values: eq.drawdown.map((d) => -d), style: 'area' }],
  });
}

function monthlySection(equity: EquityMarks, initialCash: number): ReportSection {
  const mr = monthlyReturns(equity, initialCash);
  return heatmapSection({
    id: 'monthly', title: 'Monthly returns', format: 'percent',
    rowLabels: mr.years.map(String), columnLabels: [...MONTHS, 'Year'],
    values: mr.months.map((row, i) => [...row, mr.yearly[i] ?? null]),
    caption: 'Each month: its last equity mark over the previous month\'s (the first: over the initial cash). Empty: no candle that month.',
  });
}

function costsSection(m: Metrics): ReportSection {
  const c = m.costs;
  const money = (v: number): string => formatValue(v, 'money');
  const pct = (v: number | null): string => formatValue(v, 'percent');
  return metricsSection({
    id: 'costs', title: 'Costs',
    groups: [
      { title: 'Decomposition (quote currency)', items: [
        { label: 'PnL before costs', value: money(c.netPnlBeforeCosts), hint: 'what the trades would have made with free execution' },
        { label: 'Fees', value: money(-c.fees) },
        { label: 'Slippage', value: money(-c.slippage), hint: 'already inside the fill prices; shown for attribution' },
        { label: 'Funding', value: money(-c.funding), hint: 'paid (negative) or received (positive)' },
        { label: 'Net PnL', value: money(c.netPnl) },
      ] },
      { title: 'Share of initial cash', items: [
        { label: 'Fees', value: pct(c.feesPctOfInitialCash) },
        { label: 'Slippage', value: pct(c.slippagePctOfInitialCash) },
        { label: 'Funding', value: pct(c.fundingPctOfInitialCash) },
      ] },
      { title: 'Share of gross PnL', items: [
        { label: 'Fees', value: pct(c.feesPctOfGrossPnl) },
        { label: 'Slippage', value: pct(c.slippagePctOfGrossPnl) },
        { label: 'Funding', value: pct(c.fundingPctOfGrossPnl) },
      ] },
    ],
  });
}

function monteCarloSection(mc: MonteCarloResult | null, m: Metrics): ReportSection {
  if (mc === null) return notesSection({ id: 'montecarlo', title: 'Monte Carlo', paragraphs: ['Not computed: the run has no closed trades, or report.monte_carlo_runs is 0.'] });
  const money = (v: number): string => formatValue(v, 'money');
  const pct = (v: number): string => formatValue(v, 'percent');
  const rows: TableRow[] = [];
  for (const [name, d] of [['Reshuffled order', mc.reshuffle], ['Bootstrap of trade returns', mc.bootstrap]] as const) {
    rows.push({ cells: [name, 'Final equity', ...d.finalEquity.map(money), ''] });
    rows.push({ cells: [name, 'Max drawdown', ...d.maxDrawdown.map(pct), pct(d.probDrawdownAboveObserved)] });
  }
  return dataTableSection({
    id: 'montecarlo',
    title: `Monte Carlo (${mc.runs} runs, seed ${mc.seed}, ${mc.trades} trades)`,
    columns: [{ label: 'Method', align: 'left' }, { label: 'Quantity', align: 'left' }, ...MC_PERCENTILES.map((p) => ({ label: `p${p}` })), { label: 'P(max DD > observed)' }],
    rows,
    caption:
      `Each trade as a return on the closed-trade equity before it. Reshuffle: the same trades in random order (final equity unchanged, only the path moves). ` +
      `Bootstrap: as many trades drawn with replacement. Drawdowns are on the closed-trade equity: observed ${pct(mc.observedMaxDrawdown)} ` +
      `(the mark-to-market curve's is ${pct(m.drawdown.maxDrawdown)}); actual final equity ${money(mc.observedFinalEquity)}.`,
  });
}

function tradesByExit(trades: readonly Trade[]): Trade[] {
  return [...trades].sort((a, b) => a.exitTs - b.exitTs);
}

/** Equity times, values and drawdowns as plain arrays (columnar marks are read without snapshots). */
export function equityArrays(equity: EquityMarks): { ts: Float64Array; equity: Float64Array; drawdown: Float64Array } {
  const c = equityColumnsOf(equity);
  const n = equity.length;
  const ts = new Float64Array(n), eq = new Float64Array(n), dd = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (c !== undefined) {
      ts[i] = c.ts[i]!;
      eq[i] = c.equity[i]!;
      dd[i] = c.drawdown[i]!;
      continue;
    }
    const e = equity.at(i)!;
    ts[i] = e.ts;
    eq[i] = e.equity;
    dd[i] = e.drawdown;
  }
  return { ts, equity: eq, drawdown: dd };
}
