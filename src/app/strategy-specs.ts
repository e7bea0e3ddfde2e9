import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';
import { resolveStrategySource } from '../strategies/loader.ts';
import type { StrategySpec } from '../strategies/strategy-spec.ts';

/** One StrategySpec per enabled strategy, in the configured order (that order is the merge order). */
export function strategySpecs(config: Config, symbols: readonly string[]): StrategySpec[] {
  const customDir = resolve(config.strategies.custom_dir);
  return config.strategies.enabled.map((id) => ({
    instanceId: id,
    strategyId: id,
    source: resolveStrategySource(id, customDir),
    params: { ...(config.strategy[id] ?? {}) },
    symbols: [...symbols],
    timeframe: config.market.timeframe,
    market: config.exchange.market,
  }));
}
