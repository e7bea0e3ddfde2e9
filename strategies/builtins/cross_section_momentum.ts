import { defineStrategy, roc, timeframeMs } from '../../src/strategy-sdk/index.ts';

/**
 * cross_section_momentum (universe strategy: onCandle once per step, all symbols).
 *  - Rebalances on steps whose open time is a multiple of `rebalance` base candles since the UTC
 *    epoch (so the schedule does not depend on where the data starts).
 *  - Ranks the symbols that have a candle at the step and are warmed up by ROC(lookback)
 *    (ties: subscribed-symbol order) and keeps the top `top_k` whose ROC > min_momentum.
 *  - Emits `target` signals for symbols entering the top K (or whose target changed) and `exit`
 *    for held symbols that left it. A held symbol without a candle at the step is left as is.
 *  - Exposure per symbol: `equal` -> 1/top_k each (the strategy's capital split equally);
 *    `full` -> 1 each (the risk gate's per-position sizing decides the split).
 *  - Long only (spot and linear): it never shorts the losers.
 */
export default defineStrategy({
  schema: {
    id: 'cross_section_momentum',
    name: 'Cross-sectional momentum',
    version: '1.0.0',
    description: 'Every N bars, hold the top K symbols ranked by rate of change over a lookback.',
    universe: true,
    inputs: {
      lookback: { type: 'int', default: 168, min: 1, max: 10000, description: 'ROC lookback in base candles' },
      rebalance: { type: 'int', default: 24, min: 1, max: 10000, description: 'rebalance every N base candles' },
      top_k: { type: 'int', default: 2, min: 1, max: 100, description: 'symbols held' },
      min_momentum: { type: 'float', default: 0, description: 'hold only symbols whose ROC (percent) is above this' },
      exposure: { type: 'select', default: 'equal', options: ['equal', 'full'], description: 'equal: 1/top_k per symbol; full: 1 per symbol' },
    },
  },
  warmup: (p) => roc.warmup(p.lookback),
  onCandle(ctx) {
    const p = ctx.params;
    const step = ctx.ts / timeframeMs(ctx.timeframe);
    if (step % p.rebalance !== 0) return;
    const ranked: Array<{ symbol: string; roc: number; order: number }> = [];
    for (const symbol of ctx.stepSymbols) {
      if (!ctx.ready(symbol)) continue;
      const r = ctx.ind.roc(p.lookback, { symbol }).last();
      if (r === r) ranked.push({ symbol, roc: r, order: ctx.symbols.indexOf(symbol) });
    }
    ranked.sort((a, b) => b.roc - a.roc || a.order - b.order);
    const top = ranked.slice(0, p.top_k).filter((x) => x.roc > p.min_momentum);
    const weight = p.exposure === 'equal' ? 1 / p.top_k : 1;
    const chosen = new Set(top.map((x) => x.symbol));
    for (const x of ranked) {
      const held = ctx.position(x.symbol);
      const rank = ranked.indexOf(x) + 1;
      const indicators = { roc: x.roc, rank, candidates: ranked.length, close: ctx.price('close', { symbol: x.symbol }).last() };
      if (chosen.has(x.symbol)) {
        if (held !== weight) {
          ctx.signal({ symbol: x.symbol, kind: 'target', targetExposure: weight, reason: `rank ${rank}/${ranked.length} by ROC${p.lookback} ${x.roc.toFixed(3)}%`, indicators });
        }
      } else if (held !== 0) {
        ctx.signal({ symbol: x.symbol, kind: 'exit', reason: `left the top ${p.top_k} (rank ${rank}/${ranked.length}, ROC${p.lookback} ${x.roc.toFixed(3)}%)`, indicators });
      }
    }
  },
});
