import { CtError } from '../core/errors.ts';
import { parseTimeframe, type Timeframe } from '../core/timeframe.ts';
import type { MarketType } from '../domain/instrument.ts';
import type { StrategySource } from './loader.ts';

/**
 * What it takes to run one strategy instance: which module, with which parameters, on which
 * symbols. Plain data, so it crosses the host boundary unchanged in the guest's `init` message.
 */
export interface StrategySpec {
  /** Unique per running instance, e.g. "simple_ma" or "simple_ma#2"; prefixes every signal id. */
  instanceId: string;
  /** Schema id of the module (must equal the loaded schema's id). */
  strategyId: string;
  source: StrategySource;
  /** Raw from config [strategy.<id>] (text or typed); validated and defaulted by the runner. */
  params: Record<string, unknown>;
  /** Subscribed symbols (the run's symbols), in the order steps are handled. */
  symbols: string[];
  /** Base timeframe of the loop. */
  timeframe: Timeframe;
  /** 'spot' => long only. */
  market: MarketType;
}

/** Rejects a spec the engine built wrongly (CT_ERR_INTERNAL: these never come from user input). */
export function checkSpec(spec: StrategySpec): void {
  const bad = (field: string, value: unknown, rule: string): CtError =>
    new CtError('CT_ERR_INTERNAL', `strategy spec ${String(spec?.instanceId)}: ${field} = ${JSON.stringify(value)} ${rule}`, { details: { field, value } });
  if (typeof spec.instanceId !== 'string' || spec.instanceId === '' || spec.instanceId.includes(':')) throw bad('instanceId', spec.instanceId, 'must be a non-empty string without ":" (it prefixes signal ids)');
  if (!Array.isArray(spec.symbols) || spec.symbols.length === 0) throw bad('symbols', spec.symbols, 'must list at least one symbol');
  if (new Set(spec.symbols).size !== spec.symbols.length) throw bad('symbols', spec.symbols, 'must not repeat a symbol');
  parseTimeframe(spec.timeframe, `strategy ${spec.instanceId} timeframe`);
  if (spec.market !== 'spot' && spec.market !== 'linear') throw bad('market', spec.market, 'must be spot or linear');
  if (typeof spec.params !== 'object' || spec.params === null) throw bad('params', spec.params, 'must be an object');
}
