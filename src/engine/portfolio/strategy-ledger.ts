/**
 * One strategy's sub-ledger of the account: its share (weight) and its running totals. The
 * Portfolio owns the cash and sums these into the account totals.
 */
import { StateReader } from '../../core/state-json.ts';

/** One strategy's sub-ledger totals (quote currency). */
export interface StrategyLedgerView {
  readonly strategyId: string;
  readonly weight: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly fees: number;
  readonly slippage: number;
  readonly funding: number;
  readonly trades: number;
  /** Allotted starting capital (initialCash x weight) + realized + unrealized - fees - funding. */
  readonly equity: number;
  /** From this strategy's own equity peak, >= 0. */
  readonly drawdown: number;
  /** Gross notional of its positions / its equity (0 when flat). */
  readonly exposure: number;
}

export interface StrategyLedger {
  readonly strategyId: string;
  weight: number;
  realizedPnl: number;
  fees: number;
  slippage: number;
  funding: number;
  trades: number;
  // refreshed by mark()
  unrealizedPnl: number;
  gross: number;
  peak: number;
}

const STRATEGY_NUMBERS = ['weight', 'realizedPnl', 'fees', 'slippage', 'funding', 'trades', 'unrealizedPnl', 'gross', 'peak'] as const satisfies ReadonlyArray<keyof StrategyLedger>;

export function newStrategyLedger(strategyId: string, weight: number, initialCash: number): StrategyLedger {
  return { strategyId, weight, realizedPnl: 0, fees: 0, slippage: 0, funding: 0, trades: 0, unrealizedPnl: 0, gross: 0, peak: initialCash * weight };
}

/** The saved totals of strategy `strategyId` (every field checked; the id must match: strategies keep their order). */
export function strategyLedgerFromState(r: StateReader, strategyId: string): StrategyLedger {
  const id = r.str('strategyId');
  if (id !== strategyId) throw StateReader.bad(`${r.path}.strategyId`, `"${strategyId}" (the strategies in order)`, id);
  const s = newStrategyLedger(strategyId, 0, 0);
  for (const k of STRATEGY_NUMBERS) s[k] = r.num(k);
  return s;
}
