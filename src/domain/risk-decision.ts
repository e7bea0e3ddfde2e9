/**
 * What the risk gate decided about one Signal, and the stable reason codes it decides with. A
 * denial is a recorded decision with one of these codes, never an exception; reports, alerts and
 * tests key on the code, never the wording. docs/risk.md explains each one with its config key and
 * whether it resizes or denies. The engine produces these, persistence stores them, and every
 * layer uses this one declaration.
 */
import type { OrderIntent } from './order.ts';

export const RISK_REASONS = {
  MAX_OPEN_POSITIONS: 'Opening a new position would exceed risk.max_open_positions (account-wide).',
  MAX_OPEN_POSITIONS_STRATEGY: 'Opening a new position would exceed risk.max_open_positions_per_strategy.',
  MAX_SYMBOL_EXPOSURE: 'Gross notional on the symbol (all strategies) would exceed risk.max_symbol_exposure_pct of equity; resized down or denied.',
  MAX_TOTAL_EXPOSURE: 'Gross notional of all positions would exceed risk.max_total_exposure_pct of equity; resized down or denied.',
  MAX_LEVERAGE: 'Gross notional / equity would exceed risk.max_leverage; resized down or denied.',
  MAX_RISK_PER_TRADE: 'Position qty x stop distance would exceed risk.max_risk_per_trade_pct of allotted capital; resized down or denied.',
  DAILY_LOSS_LIMIT: 'Loss since the UTC day\'s first equity mark reached risk.daily_loss_limit_pct; entries blocked until the next UTC day.',
  DRAWDOWN_HALT: 'Account drawdown reached risk.max_drawdown_pct; new entries halted for the rest of the run.',
  COOLDOWN_AFTER_LOSS: 'A losing trade closed on this (strategy, symbol) less than risk.cooldown_after_loss_bars candles ago.',
  EXPECTANCY_FLOOR: 'The strategy\'s mean net PnL over its last risk.expectancy_min_trades trades is below risk.expectancy_floor.',
  BELOW_MIN_QTY: 'The order quantity, rounded down to the qty step, is below the exchange minimum quantity.',
  BELOW_MIN_NOTIONAL: 'The order notional (qty x decision price) is below the exchange minimum notional.',
  SHORT_NOT_ALLOWED: 'A short on spot (long-only); a long position is still closed when the signal implies it.',
  INSUFFICIENT_CASH: 'Spot: the buy (with fill headroom) costs more than the cash not already reserved; resized down or denied. Also: equity <= 0.',
  NO_POSITION: 'An exit for a (strategy, symbol) that holds nothing (including orders already pending).',
  NO_PRICE: 'No valid decision price for the symbol, so an entry cannot be sized.',
  NO_STOP_DISTANCE: 'risk sizing needs a stop distance: the signal has no stop and ATR is not ready yet.',
  INVALID_STOP: 'The signal\'s stop is on the wrong side of the price (or equal to it).',
  ALREADY_IN_POSITION: 'enter_long while long (or enter_short while short): use a target signal to resize.',
  NO_ALLOCATION: 'The strategy has no capital allotted (weight 0 or unknown strategy id).',
} as const;

export type RiskReasonCode = keyof typeof RISK_REASONS;

/** The Signal was turned into zero or more sized orders (zero: already at target / already flat). */
export interface ApprovedDecision {
  readonly signalId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly ts: number;
  readonly approved: true;
  readonly orders: readonly OrderIntent[];
  /** True when a limit made the order smaller than asked, or only the closing half of a flip passed. */
  readonly resized: boolean;
  readonly note: string;
}

/** The Signal was refused; nothing reaches execution. */
export interface DeniedDecision {
  readonly signalId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly ts: number;
  readonly approved: false;
  readonly reasonCode: RiskReasonCode;
  readonly reason: string;
}

export type RiskDecision = ApprovedDecision | DeniedDecision;
