import { defineCrossoverStrategy } from '../../src/strategy-sdk/index.ts';

/** ema_cross: fast/slow EMA crossover (rules in src/strategy-sdk/crossover.ts and docs/strategies.md). */
export default defineCrossoverStrategy({ id: 'ema_cross', name: 'Exponential moving-average crossover', average: 'ema', fast: 12, slow: 26 });
