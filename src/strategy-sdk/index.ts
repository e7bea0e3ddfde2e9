/**
 * The strategy SDK: everything a strategy module may import (src/strategy-sdk/allowed-imports.json
 * is the rule the layer lint and the strategy source check enforce). It exports the contract
 * (types + defineStrategy), pure helpers, the crossover template, the indicators (their batch forms
 * carry `.warmup(...)` for a strategy's warmup()) and the timeframe arithmetic; never the runner
 * or the loader, which run strategies and do I/O on the engine's behalf.
 */
export { defineStrategy } from './contract.ts';
export type {
  AnyStrategy, IndicatorAccess, ParamProblem, PriceSource, Series, SeriesOptions, SignalInput, SourceOptions,
  StrategyContext, StrategyDefinition, StrategyLogger,
} from './contract.ts';
export type {
  BoolInput, FloatInput, IntInput, ParamsOf, SelectInput, StrategyInput, StrategyInputs, StrategySchema,
} from './schema.ts';
export { RANK_FEATURE_NAMES } from './ranking.ts';
export type { RankCandidate, RankFeatureName, RankFeatures, RankScore, RankSnapshot } from './ranking.ts';
export { crossedAbove, crossedBelow, meanOfLast } from './helpers.ts';
export { defineCrossoverStrategy } from './crossover.ts';
export * from '../indicators/index.ts';
export { periodsPerYear, timeframeMs, type Timeframe } from '../core/timeframe.ts';
export type { Candle, CandleColumns } from '../domain/candle.ts';
export type { MarketType } from '../domain/instrument.ts';
export type { Fill } from '../domain/order.ts';
export type { Signal, SignalKind } from '../domain/signal.ts';
