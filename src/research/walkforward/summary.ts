/**
 * What a walk-forward reports, from its windows, choices and stitched out-of-sample run:
 *
 *  - per window: dates, chosen parameters, in-sample (train) and out-of-sample (test) objective
 *    and trade counts, the flatness around the choice, the test span's return and buy-and-hold's;
 *  - walk-forward efficiency = mean OOS objective / mean IS objective, over the windows with a
 *    choice whose two values are both available (null when the IS mean is <= 0); and the
 *    return efficiency = mean OOS return per day / mean IS return per day of the chosen sets;
 *  - parameter stability: drift and 1 - drift (choose.ts), and the mean flatness;
 *  - the stitched out-of-sample metrics against buy-and-hold over the same test spans.
 */
import type { Config } from '../../config/schema.ts';
import { isoUtc } from '../../core/time.ts';
import type { Metrics } from '../../reporting/metrics/types.ts';
import { alignTable, num, pct } from '../../reporting/results/format.ts';
import type { WindowChoice } from './choose.ts';
import type { EvaluationResult } from './evaluate.ts';
import type { SearchPlan } from './search-plan.ts';
import type { StitchedEquity } from './stitch.ts';
import { DAY_MS, type WalkWindow } from './windows.ts';

export interface WindowRow {
  readonly window: number;
  readonly train_from: string;
  readonly train_to: string;
  readonly test_from: string;
  readonly test_to: string;
  /** `fast=10 slow=50`, or null: no eligible set (the test window stayed in cash). */
  readonly params: string | null;
  readonly is_objective: number | null;
  readonly oos_objective: number | null;
  readonly is_trades: number | null;
  readonly oos_trades: number;
  readonly eligible_sets: number;
  readonly flatness: number | null;
  readonly oos_return: number;
  readonly buy_and_hold_return: number | null;
  readonly start_equity: number;
  readonly end_equity: number;
}

export type WalkforwardSummary = ReturnType<typeof summarise>['summary'];

const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || !(b > 0) ? null : a / b);

export function summarise(inp: {
  config: Config;
  windows: readonly WalkWindow[];
  plan: SearchPlan;
  trained: ReadonlyArray<{ readonly choice: WindowChoice; readonly results: readonly EvaluationResult[] }>;
  tests: ReadonlyArray<EvaluationResult | undefined>;
  stitched: StitchedEquity;
  metrics: Metrics;
  drift: number | null;
}) {
  const { config, windows, plan, trained, tests, stitched, metrics } = inp;
  const wf = config.walkforward;
  const obj = wf.objective;
  const paramText = (i: number): string => plan.combos[i]!.overrides.map((o) => o.replace(`strategy.${plan.strategy}.`, '')).join(' ');
  const rows: WindowRow[] = windows.map((w, k) => {
    const { choice, results } = trained[k]!;
    const test = tests[k];
    const pw = stitched.perWindow[k]!;
    const is = choice.chosen === null ? undefined : results[choice.chosen]!;
    return {
      window: k + 1,
      train_from: isoUtc(w.trainFrom), train_to: isoUtc(w.trainTo), test_from: isoUtc(w.testFrom), test_to: isoUtc(w.testTo),
      params: choice.chosen === null ? null : paramText(choice.chosen),
      is_objective: choice.best,
      oos_objective: test?.objectives[obj] ?? null,
      is_trades: is?.trades ?? null,
      oos_trades: test?.trades ?? 0,
      eligible_sets: choice.eligible,
      flatness: choice.flatness,
      oos_return: pw.endEquity / pw.startEquity - 1,
      buy_and_hold_return: pw.buyAndHoldReturn,
      start_equity: pw.startEquity,
      end_equity: pw.endEquity,
    };
  });
  const both = rows.filter((r) => r.is_objective !== null && r.oos_objective !== null);
  const meanIs = mean(both.map((r) => r.is_objective!));
  const meanOos = mean(both.map((r) => r.oos_objective!));
  const chosenIdx = windows.map((_, k) => k).filter((k) => trained[k]!.choice.chosen !== null);
  const isRate = mean(chosenIdx.map((k) => (trained[k]!.results[trained[k]!.choice.chosen!]!.objectives.total_return ?? 0) / ((windows[k]!.trainTo - windows[k]!.trainFrom) / DAY_MS)));
  const oosRate = mean(chosenIdx.map((k) => rows[k]!.oos_return / ((windows[k]!.testTo - windows[k]!.testFrom) / DAY_MS)));
  const flat = mean(rows.filter((r) => r.flatness !== null).map((r) => r.flatness!));
  const b = metrics.benchmark;
  const summary = {
    strategy: plan.strategy,
    symbols: [...config.market.symbols],
    timeframe: config.market.timeframe,
    market: config.exchange.market,
    from: isoUtc(config.backtest.from!),
    to: isoUtc(config.backtest.to!),
    windows: wf.windows,
    train_days: wf.train_days,
    test_days: wf.test_days,
    step_days: wf.step_days === 0 ? wf.test_days : wf.step_days,
    objective: obj,
    min_trades: wf.min_trades,
    grid: plan.axes.map((a) => ({ key: a.key, values: [...a.values] })),
    fixed_params: plan.fixed,
    combinations: plan.combos.length,
    combinations_skipped: plan.skipped.count,
    combinations_skipped_reason: plan.skipped.reason,
    window_count: windows.length,
    windows_with_choice: chosenIdx.length,
    windows_no_eligible_set: windows.length - chosenIdx.length,
    efficiency: {
      definition: `mean OOS ${obj} / mean IS ${obj} over windows with both values`,
      value: ratio(meanOos, meanIs),
      mean_is: meanIs,
      mean_oos: meanOos,
      return_definition: 'mean OOS return per day / mean IS return per day of the chosen sets',
      return_ratio: ratio(oosRate, isRate),
    },
    stability: {
      definition: 'drift: mean move of the choice between consecutive chosen windows as a share of each parameter\'s grid range; score = 1 - drift; flatness: mean objective of the grid neighbours of the choice / best (1 = plateau)',
      drift: inp.drift,
      score: inp.drift === null ? null : 1 - inp.drift,
      flatness: flat,
    },
    oos: {
      equity_stitching: 'each test window starts from the equity the previous one ended with; a window without an eligible set stays in cash',
      initial_cash: metrics.returns.initialCash,
      final_equity: metrics.returns.finalEquity,
      total_return: metrics.returns.totalReturn,
      cagr: metrics.returns.cagr,
      sharpe: metrics.returns.sharpe,
      sortino: metrics.returns.sortino,
      max_drawdown: metrics.drawdown.maxDrawdown,
      trades: metrics.trades.count,
      win_rate: metrics.trades.winRate,
      profit_factor: metrics.trades.profitFactor,
    },
    buy_and_hold: {
      definition: 'equal weight over the symbols, bought at each test span\'s first close, stitched over the same test spans, no costs',
      total_return: b.totalReturn,
      cagr: b.cagr,
      sharpe: b.sharpe,
      max_drawdown: b.maxDrawdown,
      excess_return: b.excessReturn,
    },
  };
  return { summary, rows };
}

/** The text report: the windows table, then efficiency, stability and OOS vs buy-and-hold. */
export function walkforwardTable(summary: WalkforwardSummary, rows: readonly WindowRow[], head: string): string {
  const v = (x: number | null, d = 3): string => num(x, d);
  const table = alignTable([
    ['#', 'train', 'test', 'chosen', `IS ${summary.objective}`, `OOS ${summary.objective}`, 'IS trades', 'OOS trades', 'OOS return', 'B&H'],
    ...rows.map((r) => [
      String(r.window), `${r.train_from.slice(0, 10)}..${r.train_to.slice(0, 10)}`, `${r.test_from.slice(0, 10)}..${r.test_to.slice(0, 10)}`,
      r.params ?? 'no eligible set (cash)', v(r.is_objective), v(r.oos_objective), r.is_trades === null ? '-' : String(r.is_trades), String(r.oos_trades),
      pct(r.oos_return), pct(r.buy_and_hold_return),
    ]),
  ]);
  const e = summary.efficiency, s = summary.stability, o = summary.oos, b = summary.buy_and_hold;
  return [
    head,
    `${summary.strategy} ${summary.symbols.join(',')} ${summary.timeframe}, ${summary.windows} windows: train ${summary.train_days} d, test ${summary.test_days} d, step ${summary.step_days} d; ${summary.combinations} parameter sets${summary.combinations_skipped > 0 ? ` (${summary.combinations_skipped} skipped by the strategy's rules)` : ''}; objective ${summary.objective}, min trades ${summary.min_trades}`,
    '',
    table,
    '',
    `walk-forward efficiency (mean OOS / mean IS ${summary.objective}): ${v(e.value)}   return efficiency (OOS / IS return per day): ${v(e.return_ratio)}`,
    `parameter stability: score ${v(s.score)} (drift ${v(s.drift)}), flatness around the choice ${v(s.flatness)}`,
    `out of sample: return ${pct(o.total_return)}, sharpe ${v(o.sharpe, 2)}, max drawdown ${pct(o.max_drawdown, false)}, ${o.trades} trades   buy-and-hold: return ${pct(b.total_return)}, max drawdown ${pct(b.max_drawdown, false)}`,
  ].join('\n');
}
