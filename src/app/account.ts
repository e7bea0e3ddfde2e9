import type { Config } from '../config/schema.ts';
import { LoopState } from '../engine/loop-state.ts';
import { Portfolio } from '../engine/portfolio/portfolio.ts';
import { RiskGate, type ExchangeRules } from '../engine/risk/risk-gate.ts';
import type { ExecutionAdapter } from '../execution/execution-adapter.ts';
import type { FundingHistory } from '../execution/funding-schedule.ts';
import { SimulatedExecution } from '../execution/simulated-execution.ts';
import type { Logger } from '../observability/logger.ts';
import type { DurableAccountOptions } from '../persistence/accounting-writer.ts';
import { exchangeRulesOf, fillModelOf, riskConfigOf } from './component-options.ts';

export interface Account {
  readonly portfolio: Portfolio;
  readonly gate: RiskGate;
  readonly execution: ExecutionAdapter;
}

/**
 * The account side of the candle loop — portfolio with per-strategy sub-ledgers, the risk gate in
 * front of it, and the execution adapter the MODE chose — built the same way for every mode, so
 * the decision path cannot drift between modes; only the cash they start with and where orders
 * go differ.
 */
export function buildAccount(config: Config, initialCash: number, execution: ExecutionAdapter, rules?: (symbol: string) => ExchangeRules): Account {
  const portfolio = new Portfolio(initialCash, [...config.strategies.enabled], config.exchange.market);
  // The exchange's own rules per symbol where the mode loaded them; the config fallbacks otherwise (backtests).
  const fallback = exchangeRulesOf(config);
  const gate = new RiskGate(riskConfigOf(config), rules ?? (() => fallback), portfolio);
  return { portfolio, gate, execution };
}

/**
 * An account that outlives its process (forward): the account, the candle loop's own state it
 * continues with, and what the accounting commits with every step so the next process can
 * continue it (the account snapshot and the candles the strategies were fed).
 */
export interface ResumableAccount extends Account {
  readonly loop: LoopState;
  readonly accounting: DurableAccountOptions;
}

/** A fresh account with a fresh loop state (a resume restores both, src/app/account-resume.ts). */
export function buildResumableAccount(
  config: Config, initialCash: number, execution: ExecutionAdapter, accounting: (a: Account, loop: LoopState) => DurableAccountOptions, rules?: (symbol: string) => ExchangeRules,
): ResumableAccount {
  const account = buildAccount(config, initialCash, execution, rules);
  const loop = new LoopState(config.execution.atr_period);
  return { ...account, loop, accounting: accounting(account, loop) };
}

/** The fill simulator of backtest and paper trading, from the config (funding history: backtests only). */
export function simulatedExecution(config: Config, logger: Logger, funding?: (symbol: string) => FundingHistory | undefined): SimulatedExecution {
  return new SimulatedExecution(fillModelOf(config), { ...(funding ? { funding } : {}), logger });
}
