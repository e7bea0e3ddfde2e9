/**
 * The objectives a walk-forward window can maximise, each read from the run's Metrics (see
 * docs/results.md for their formulas). A null value (too few returns for a Sharpe, no losing trade
 * for a profit factor, under 30 days for a Calmar) cannot be ranked: such a set is not eligible.
 */
import type { Metrics } from '../../reporting/metrics/types.ts';

export const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'profit_factor', 'expectancy', 'total_return'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export type ObjectiveValues = Readonly<Record<Objective, number | null>>;

export function objectiveValues(m: Metrics): ObjectiveValues {
  return {
    sharpe: m.returns.sharpe,
    sortino: m.returns.sortino,
    calmar: m.returns.calmar,
    profit_factor: m.trades.profitFactor,
    expectancy: m.trades.expectancy,
    total_return: m.returns.totalReturn,
  };
}
