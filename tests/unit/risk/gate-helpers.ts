/** Builders for the risk gate tests: a config with every optional limit off, signals, fills. */
import type { Candle } from '../../../src/domain/candle.ts';
import type { MarketType } from '../../../src/domain/instrument.ts';
import type { Fill, OrderIntent } from '../../../src/domain/order.ts';
import type { Signal, SignalKind } from '../../../src/domain/signal.ts';
import { Portfolio } from '../../../src/engine/portfolio/portfolio.ts';
import type { RiskConfig } from '../../../src/engine/risk/risk-config.ts';
import { RiskGate, type ExchangeRules } from '../../../src/engine/risk/risk-gate.ts';
import type { RiskDecision } from '../../../src/domain/risk-decision.ts';

export const H = 3_600_000;
/** 2024-01-01 00:00 UTC. */
export const T0 = Date.UTC(2024, 0, 1);
export const BTC = 'BTC/USDT:USDT';
export const ETH = 'ETH/USDT:USDT';

/** Every optional limit disabled, sizing percent_equity 100 %, leverage 10 (linear). */
export function cfgOf(over: Partial<RiskConfig> = {}): RiskConfig {
  return {
    sizing: 'percent_equity', positionPct: 100, fixedQty: 1, riskPerTradePct: 1, atrStopMult: 2,
    maxOpenPositions: 0, maxOpenPositionsPerStrategy: 0, maxSymbolExposurePct: 0, maxTotalExposurePct: 0,
    maxLeverage: 10, maxRiskPerTradePct: 0, dailyLossLimitPct: 0, maxDrawdownPct: 0, cooldownAfterLossBars: 0,
    expectancyMinTrades: 0, expectancyFloor: 0, allowShort: true, strategyWeights: { a: 0.5, b: 0.5 },
    fillHeadroomPct: 0, ...over,
  };
}

export const NO_RULES: ExchangeRules = { minQty: 0, qtyStep: 0, minNotional: 0, tickSize: 0 };

export interface Rig {
  readonly portfolio: Portfolio;
  readonly gate: RiskGate;
}

export function rig(over: Partial<RiskConfig> = {}, opts: { market?: MarketType; cash?: number; rules?: ExchangeRules; strategies?: string[] } = {}): Rig {
  const cfg = cfgOf(over);
  const portfolio = new Portfolio(opts.cash ?? 10_000, opts.strategies ?? Object.keys(cfg.strategyWeights), opts.market ?? 'linear');
  const rules = opts.rules ?? NO_RULES;
  const gate = new RiskGate(cfg, () => rules, portfolio);
  return { portfolio, gate };
}

let seq = 0;
export function sig(strategyId: string, symbol: string, kind: SignalKind, targetExposure: number, ts = T0, extra: Partial<Signal> = {}): Signal {
  return {
    id: `${strategyId}:${symbol}:${ts}:${seq++}`, strategyId, symbol, ts, kind, targetExposure, confidence: 1, reason: 'test', indicators: {}, ...extra,
  };
}

export function approvedOrders(d: RiskDecision): readonly OrderIntent[] {
  if (!d.approved) throw new Error(`expected approval, got ${d.reasonCode}: ${d.reason}`);
  return d.orders;
}

export function deniedCode(d: RiskDecision): string {
  if (d.approved) throw new Error(`expected a denial, got approval: ${d.note}`);
  return d.reasonCode;
}

/** Fills an order at `price` with no costs, books it and releases the reservation (as the loop does). */
export function fillOrder(r: Rig, o: OrderIntent, price: number, ts = o.decidedTs + H, fee = 0): Fill {
  const f: Fill = { id: `${o.id}:f1`, orderId: o.id, strategyId: o.strategyId, symbol: o.symbol, side: o.side, qty: o.qty, price, fee, slippageCost: 0, ts, reason: 'signal' };
  r.portfolio.applyFill(f, { stop: o.stop });
  r.gate.onOrderFilled(o.id);
  return f;
}

export function candle(ts: number, open: number, high: number, low: number, close: number): Candle {
  return { ts, open, high, low, close, volume: 1 };
}

/** One loop step's bookkeeping: onStep then a mark at `prices`. */
export function step(r: Rig, ts: number, prices: Record<string, number>): void {
  r.gate.onStep(ts);
  r.portfolio.mark(ts, new Map(Object.entries(prices)));
}
