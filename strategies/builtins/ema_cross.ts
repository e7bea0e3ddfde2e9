import { defineCrossoverStrategy } from '../../src/strategies/index.ts';

/** ema_cross: fast/slow EMA crossover (rules in src/strategies/crossover.ts and docs/strategies.md). */
export default defineCrossoverStrategy({ id: 'ema_cross', name: 'Exponential moving-average crossover', average: 'ema', fast: 12, slow: 26 });
