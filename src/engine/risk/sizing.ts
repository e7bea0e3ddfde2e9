/**
 * Sizing: a Signal's |targetExposure| (fraction of the strategy's allotted capital) -> a base
 * quantity, before any limit. Pure functions; the gate applies limits and exchange rounding after.
 */
import type { RiskConfig } from './risk-config.ts';
import type { RiskReasonCode } from '../../domain/risk-decision.ts';

/** Exchange trading rules of one symbol (src/app/component-options.ts maps the config to these). */
export interface ExchangeRules {
  readonly minQty: number;
  /** Quantity increment; 0 = any quantity. */
  readonly qtyStep: number;
  readonly minNotional: number;
  readonly tickSize: number;
}

export type SizeResult =
  | { readonly ok: true; readonly qty: number; /** Stop distance used or known (NaN = none). */ readonly stopDistance: number }
  | { readonly ok: false; readonly code: RiskReasonCode; readonly reason: string };

export interface SizingInput {
  /** |targetExposure| in (0, 1]. */
  readonly fraction: number;
  /** +1 long, -1 short. */
  readonly direction: 1 | -1;
  readonly price: number;
  readonly allotted: number;
  readonly stop: number | undefined;
  readonly atr: number | undefined;
}

/**
 * The position size (absolute base quantity) a signal asks for:
 *  - fixed:          fixed_qty x fraction;
 *  - percent_equity: fraction x position_pct% x allotted / price;
 *  - risk:           fraction x risk_per_trade_pct% x allotted / stopDistance, capped so the
 *                    notional <= position_pct% x allotted. stopDistance = |price - stop|, or
 *                    atr_stop_mult x ATR when the signal has no stop.
 * A stop on the wrong side of the price is refused in every mode (it would trigger at once).
 */
export function sizePosition(cfg: RiskConfig, s: SizingInput): SizeResult {
  let stopDistance = Number.NaN;
  if (s.stop !== undefined) {
    const d = (s.price - s.stop) * s.direction;
    if (!(d > 0) || !Number.isFinite(d)) {
      return { ok: false, code: 'INVALID_STOP', reason: `stop ${s.stop} is not ${s.direction > 0 ? 'below' : 'above'} the decision price ${s.price}` };
    }
    stopDistance = d;
  } else if (s.atr !== undefined && s.atr > 0 && Number.isFinite(s.atr)) {
    stopDistance = cfg.atrStopMult * s.atr;
  }
  switch (cfg.sizing) {
    case 'fixed':
      return { ok: true, qty: cfg.fixedQty * s.fraction, stopDistance };
    case 'percent_equity':
      return { ok: true, qty: (s.fraction * (cfg.positionPct / 100) * s.allotted) / s.price, stopDistance };
    case 'risk': {
      if (!(stopDistance > 0)) {
        return { ok: false, code: 'NO_STOP_DISTANCE', reason: 'risk sizing: the signal has no stop and ATR is not ready at the decision candle' };
      }
      const byRisk = (s.fraction * (cfg.riskPerTradePct / 100) * s.allotted) / stopDistance;
      const cap = ((cfg.positionPct / 100) * s.allotted) / s.price;
      return { ok: true, qty: Math.min(byRisk, cap), stopDistance };
    }
  }
}

export { floorToStep } from '../../domain/lot-step.ts';
