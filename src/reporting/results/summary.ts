import type { Metrics } from '../metrics/types.ts';
import { roundedCopy } from './metrics-json.ts';

/**
 * The object a backtest prints with --json: run id, results directory and the headline metrics
 * (snake_case, numbers rounded like metrics.json, null = not available). The full record is in
 * results/<run-id>/metrics.json; this is the part a script usually wants.
 */
export function summaryJson(runId: string, resultsDir: string, m: Metrics): Record<string, unknown> {
  const r = m.returns, d = m.drawdown, t = m.trades, c = m.costs, b = m.benchmark;
  const body = {
    run_id: runId,
    results_dir: resultsDir,
    timeframe: m.period.timeframe,
    start: m.period.start,
    end: m.period.end,
    days: m.period.days,
    candles: m.period.candles,
    initial_cash: r.initialCash,
    final_equity: r.finalEquity,
    total_return: r.totalReturn,
    cagr: r.cagr,
    volatility: r.volatility,
    sharpe: r.sharpe,
    sortino: r.sortino,
    calmar: r.calmar,
    max_drawdown: d.maxDrawdown,
    max_drawdown_days: d.maxDrawdownDays,
    time_in_market: m.exposure.timeInMarket,
    trades: t.count,
    win_rate: t.winRate,
    profit_factor: t.profitFactor,
    expectancy: t.expectancy,
    avg_r_multiple: t.avgRMultiple,
    fees: c.fees,
    slippage: c.slippage,
    funding: c.funding,
    buy_and_hold_return: b.totalReturn,
    excess_return: b.excessReturn,
  };
  return roundedCopy(body, 'summary') as Record<string, unknown>;
}
