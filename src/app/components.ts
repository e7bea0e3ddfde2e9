import type { Config } from '../config/schema.ts';
import { timeframeMs } from '../core/timeframe.ts';
import type { RiskConfig } from '../engine/risk/risk-config.ts';
import type { FillModelConfig } from '../execution/simulated-execution.ts';

/** [risk] + [strategies] weights -> the risk gate's config. */
export function riskConfigOf(c: Config): RiskConfig {
  const r = c.risk;
  const ids = c.strategies.enabled;
  const weights: Record<string, number> = {};
  if (c.strategies.weights.length === 0) for (const id of ids) weights[id] = 1 / ids.length;
  else for (const w of c.strategies.weights) {
    const [id, v] = w.split(':') as [string, string];
    weights[id] = Number(v);
  }
  for (const id of ids) weights[id] ??= 0;
  return {
    sizing: r.sizing,
    positionPct: r.position_pct,
    fixedQty: r.fixed_qty,
    riskPerTradePct: r.risk_per_trade_pct,
    atrStopMult: r.atr_stop_mult,
    maxOpenPositions: r.max_open_positions,
    maxOpenPositionsPerStrategy: r.max_open_positions_per_strategy,
    maxSymbolExposurePct: r.max_symbol_exposure_pct,
    maxTotalExposurePct: r.max_total_exposure_pct,
    maxLeverage: r.max_leverage,
    maxRiskPerTradePct: r.max_risk_per_trade_pct,
    dailyLossLimitPct: r.daily_loss_limit_pct,
    maxDrawdownPct: r.max_drawdown_pct,
    cooldownAfterLossBars: r.cooldown_after_loss_bars,
    expectancyMinTrades: r.expectancy_min_trades,
    expectancyFloor: r.expectancy_floor,
    allowShort: c.exchange.market === 'linear',
    strategyWeights: weights,
  };
}

/** [backtest] fees, slippage and fill model -> the simulator's config (backtest and paper alike). */
export function fillModelOf(c: Config): FillModelConfig {
  const b = c.backtest;
  return {
    fillModel: b.fill_model,
    takerFeeBps: b.fee_bps,
    makerFeeBps: b.maker_fee_bps,
    slippageModel: b.slippage_model,
    slippageBps: b.slippage_bps,
    atrSlippageMult: b.atr_slippage_mult,
    atrPeriod: b.atr_period,
    market: c.exchange.market,
    fundingFallbackRate: b.funding_fallback_rate,
    fundingIntervalHours: b.funding_interval_hours,
    timeframeMs: timeframeMs(c.market.timeframe),
  };
}

export function exchangeRulesOf(c: Config): { minQty: number; qtyStep: number; minNotional: number; tickSize: number } {
  return { minQty: c.exchange.min_qty, qtyStep: c.exchange.qty_step, minNotional: c.exchange.min_notional, tickSize: 0 };
}
