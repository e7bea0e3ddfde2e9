/** Small builders for crafted candles and orders in the execution tests. */
import type { Candle } from '../../../src/domain/candle.ts';
import type { OrderIntent, Side } from '../../../src/domain/order.ts';
import { SimulatedExecution, type FillModelConfig, type SimulatedExecutionDeps } from '../../../src/execution/simulated-execution.ts';

export const H = 3_600_000;
/** 2024-01-01 00:00 UTC. */
export const T0 = Date.UTC(2024, 0, 1);

export function candle(i: number, open: number, high: number, low: number, close: number, tf = H): Candle {
  return { ts: T0 + i * tf, open, high, low, close, volume: 1 };
}

export const BASE_CFG: FillModelConfig = {
  fillModel: 'next_open',
  takerFeeBps: 10,
  makerFeeBps: 2,
  slippageModel: 'fixed',
  slippageBps: 5,
  atrSlippageMult: 0.1,
  atrPeriod: 3,
  market: 'linear',
  fundingFallbackRate: 0.0001,
  fundingIntervalHours: 8,
  timeframeMs: H,
};

export function sim(over: Partial<FillModelConfig> = {}, deps: SimulatedExecutionDeps = {}): SimulatedExecution {
  return new SimulatedExecution({ ...BASE_CFG, ...over }, { logger: { warn() {} }, ...deps });
}

export function order(id: string, side: Side, qty: number, decided: Candle, extra: Partial<OrderIntent> = {}): OrderIntent {
  return {
    id, signalId: `sig-${id}`, strategyId: 's1', symbol: 'BTC/USDT:USDT', side, qty, type: 'market',
    decidedTs: decided.ts, reduceOnly: false, ...extra,
  };
}

export const SYM = 'BTC/USDT:USDT';
