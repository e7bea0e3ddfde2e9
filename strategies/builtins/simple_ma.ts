import { defineCrossoverStrategy } from '../../src/strategy-sdk/index.ts';

/** simple_ma: fast/slow SMA crossover (rules in src/strategy-sdk/crossover.ts and docs/strategies.md). */
export default defineCrossoverStrategy({ id: 'simple_ma', name: 'Simple moving-average crossover', average: 'sma', fast: 20, slow: 50 });
