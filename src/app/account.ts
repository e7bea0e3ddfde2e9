import type { Config } from '../config/schema.ts';
import { Portfolio } from '../engine/portfolio/portfolio.ts';
import { RiskGate } from '../engine/risk/risk-gate.ts';
import { SimulatedExecution } from '../execution/simulated-execution.ts';
import type { Logger } from '../observability/logger.ts';
import { exchangeRulesOf, fillModelOf, riskConfigOf } from './component-options.ts';

/**
 * The account side of the candle loop — portfolio with per-strategy sub-ledgers, the risk gate in
 * front of it, and the fill simulator — built the same way for every mode. Backtest, dry-run and
 * forward call this one function, so the decision path cannot drift between modes; only the cash
 * they start with and the funding history differ.
 */
export function buildAccount(
  config: Config,
  initialCash: number,
  logger: Logger,
  funding?: (symbol: string) => { ts: Float64Array; rate: Float64Array } | undefined,
): { portfolio: Portfolio; gate: RiskGate; execution: SimulatedExecution } {
  const portfolio = new Portfolio(initialCash, [...config.strategies.enabled], config.exchange.market);
  const rules = exchangeRulesOf(config);
  const gate = new RiskGate(riskConfigOf(config), () => rules, portfolio);
  const execution = new SimulatedExecution(fillModelOf(config), { ...(funding ? { funding } : {}), logger });
  return { portfolio, gate, execution };
}
