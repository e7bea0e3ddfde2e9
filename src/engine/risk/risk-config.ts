import { CtError } from '../../core/errors.ts';

/**
 * The risk gate's settings: the [risk] section plus the [strategies] weights (docs/risk.md lists
 * every key, its reason code and whether it resizes or denies). A limit set to 0 is disabled where
 * 0 has no other sensible meaning: max_open_positions, max_open_positions_per_strategy,
 * max_symbol_exposure_pct, max_total_exposure_pct, max_risk_per_trade_pct, daily_loss_limit_pct,
 * max_drawdown_pct, cooldown_after_loss_bars and expectancy_min_trades. max_leverage is always on.
 */
export interface RiskConfig {
  /** How an entry is sized: `fixed` base quantity, `percent_equity` of allotted capital, or `risk` from the stop distance. */
  sizing: 'fixed' | 'percent_equity' | 'risk';
  /** percent_equity: position notional as % of the strategy's allotted capital; risk: the notional cap. */
  positionPct: number;
  /** fixed: base quantity at |targetExposure| = 1. */
  fixedQty: number;
  /** risk: % of allotted capital lost if the stop is hit. */
  riskPerTradePct: number;
  /** risk sizing without a stop on the signal: stop distance = atrStopMult x ATR at the decision candle. */
  atrStopMult: number;
  maxOpenPositions: number;
  maxOpenPositionsPerStrategy: number;
  /** Gross notional on one symbol (all strategies) as % of account equity. */
  maxSymbolExposurePct: number;
  /** Gross notional of all positions as % of account equity. */
  maxTotalExposurePct: number;
  /** Gross notional / account equity. */
  maxLeverage: number;
  /** Position qty x stop distance as % of the strategy's allotted capital. */
  maxRiskPerTradePct: number;
  /** Loss since the UTC day's first equity mark, % of that mark, that blocks entries until the next UTC day. */
  dailyLossLimitPct: number;
  /** Account drawdown from its peak, %, that halts new entries for the rest of the run. */
  maxDrawdownPct: number;
  /** Candles during which entries on (strategy, symbol) are denied after a losing trade closed there. */
  cooldownAfterLossBars: number;
  /** Closed trades of a strategy before its expectancy floor applies (rolling window of this many). */
  expectancyMinTrades: number;
  /** Minimum mean net PnL per trade (quote currency) over the last expectancyMinTrades trades. */
  expectancyFloor: number;
  /** false on spot: shorts are denied (SHORT_NOT_ALLOWED). */
  allowShort: boolean;
  /** Fraction of account equity allotted to each strategy; missing ids get 0; the sum must be <= 1. */
  strategyWeights: Record<string, number>;
  /**
   * Safety margin for the gap between the decision price (the decision candle's close) and the
   * fill (the next open, plus slippage and fees), as % of the added notional. Default 1.
   */
  fillHeadroomPct?: number;
}

export const DEFAULT_FILL_HEADROOM_PCT = 1;

/**
 * Asserts the invariants the gate relies on. Config values were validated (once, naming their
 * keys) by the config schema before they became a RiskConfig, so a failure here is a programming
 * error in whoever built the object; it names the RiskConfig field, not a config key.
 */
export function validateRiskConfig(cfg: RiskConfig): void {
  const bad = (field: string, value: unknown, allowed: string): never => {
    throw new CtError('CT_ERR_INTERNAL', `RiskConfig.${field} = ${String(value)}: expected ${allowed}`, { details: { field, value, allowed } });
  };
  if (cfg.sizing !== 'fixed' && cfg.sizing !== 'percent_equity' && cfg.sizing !== 'risk') bad('sizing', cfg.sizing, 'fixed, percent_equity or risk');
  const nonNeg: Array<[string, number]> = [
    ['positionPct', cfg.positionPct], ['fixedQty', cfg.fixedQty], ['riskPerTradePct', cfg.riskPerTradePct],
    ['maxOpenPositions', cfg.maxOpenPositions], ['maxOpenPositionsPerStrategy', cfg.maxOpenPositionsPerStrategy],
    ['maxSymbolExposurePct', cfg.maxSymbolExposurePct], ['maxTotalExposurePct', cfg.maxTotalExposurePct],
    ['maxRiskPerTradePct', cfg.maxRiskPerTradePct], ['dailyLossLimitPct', cfg.dailyLossLimitPct],
    ['maxDrawdownPct', cfg.maxDrawdownPct], ['cooldownAfterLossBars', cfg.cooldownAfterLossBars],
    ['expectancyMinTrades', cfg.expectancyMinTrades],
  ];
  for (const [k, v] of nonNeg) if (!(Number.isFinite(v) && v >= 0)) bad(k, v, 'a number >= 0');
  if (!(Number.isFinite(cfg.atrStopMult) && cfg.atrStopMult > 0)) bad('atrStopMult', cfg.atrStopMult, 'a number > 0');
  if (!(Number.isFinite(cfg.maxLeverage) && cfg.maxLeverage > 0)) bad('maxLeverage', cfg.maxLeverage, 'a number > 0');
  if (!Number.isFinite(cfg.expectancyFloor)) bad('expectancyFloor', cfg.expectancyFloor, 'a finite number');
  const h = cfg.fillHeadroomPct ?? DEFAULT_FILL_HEADROOM_PCT;
  if (!(Number.isFinite(h) && h >= 0 && h < 100)) bad('fillHeadroomPct', h, 'a number in [0, 100)');
  let sum = 0;
  for (const [id, w] of Object.entries(cfg.strategyWeights)) {
    if (!(Number.isFinite(w) && w >= 0 && w <= 1)) bad(`strategyWeights.${id}`, w, 'a fraction in [0, 1]');
    sum += w;
  }
  // Over-allocation would let strategies size past the account: the account caps would still hold,
  // but every strategy's "allotted capital" would be a lie.
  if (sum > 1 + 1e-9) bad('strategyWeights', `sum ${sum}`, 'weights that sum to at most 1');
}
