/**
 * The strategy SDK: everything a strategy module may import from src/strategies. It exports the
 * contract (types + defineStrategy) and pure helpers only — never the runner or the loader, which
 * do I/O on the engine's behalf.
 */
export { defineStrategy } from './contract.ts';
export type {
  AnyStrategy, IndicatorAccess, ParamProblem, PriceSource, Series, SeriesOptions, SignalInput, SourceOptions,
  StrategyContext, StrategyDefinition, StrategyLogger,
} from './contract.ts';
export type {
  BoolInput, FloatInput, IntInput, ParamsOf, SelectInput, StrategyInput, StrategyInputs, StrategySchema,
} from './schema.ts';
export { crossedAbove, crossedBelow, meanOfLast } from './helpers.ts';
export { defineCrossoverStrategy } from './crossover.ts';
