import { defineStrategy, ema, rsi, timeframeMs } from '../../src/strategy-sdk/index.ts';

/**
 * momentum_rank (universe strategy; also a ranking strategy): trend momentum, the alternative to
 * macd_rsi_confluence in the ranking evaluation.
 *
 * Ranking hook (`rank`): a candidate must be trending up (trend slope > 0) and not overbought
 * (RSI <= rsi_max); score = w_trend x normalised trend slope + w_ema x normalised EMA(12)/EMA(26)
 * distance + w_volume x normalised volume trend. No volatility gate of its own: the evaluation's
 * rank.max_atr_pct and rank.min_volume apply to every ranking strategy.
 *
 * On candles (backtests, paper trading) the same idea with its own indicators: every `rebalance`
 * base candles (counted from the UTC epoch), hold the `max_positions` symbols with the largest
 * positive EMA(fast)/EMA(slow) distance whose RSI(14) <= rsi_max, 1/max_positions each; a held
 * symbol that leaves that set is exited. Long only.
 */
export default defineStrategy({
  schema: {
    id: 'momentum_rank',
    name: 'Momentum rank (multi-symbol)',
    version: '1.0.0',
    description: 'Rank symbols by trend slope, EMA distance and volume trend; hold the best trending ones that are not overbought.',
    universe: true,
    inputs: {
      w_trend: { type: 'float', default: 1, min: 0, max: 10, description: 'weight of the normalised trend slope in the rank score' },
      w_ema: { type: 'float', default: 0.5, min: 0, max: 10, description: 'weight of the normalised EMA(12)/EMA(26) distance in the rank score' },
      w_volume: { type: 'float', default: 0.5, min: 0, max: 10, description: 'weight of the normalised volume trend in the rank score' },
      rsi_max: { type: 'float', default: 70, min: 0, max: 100, description: 'skip symbols whose RSI(14) is above this (overbought)' },
      fast: { type: 'int', default: 12, min: 1, max: 1000, description: 'fast EMA on candles' },
      slow: { type: 'int', default: 26, min: 2, max: 5000, description: 'slow EMA on candles' },
      rebalance: { type: 'int', default: 4, min: 1, max: 10000, description: 'rebalance every N base candles (on candles)' },
      max_positions: { type: 'int', default: 2, min: 1, max: 100, description: 'symbols held on candles' },
    },
  },
  checkParams: (p) => (p.fast >= p.slow ? { param: 'fast', message: `fast must be < slow (${p.slow})` } : undefined),
  warmup: (p) => Math.max(ema.warmup(p.slow), rsi.warmup(14)),
  rank(snapshot, p) {
    const out: Array<{ symbol: string; score: number }> = [];
    for (const c of snapshot.candidates) {
      if (!(c.raw.trend_slope_pct > 0) || !(c.raw.rsi <= p.rsi_max)) continue;
      out.push({ symbol: c.symbol, score: p.w_trend * c.norm.trend_slope_pct + p.w_ema * c.norm.ema_dist_pct + p.w_volume * c.norm.volume_trend });
    }
    return out;
  },
  onCandle(ctx) {
    const p = ctx.params;
    if ((ctx.ts / timeframeMs(ctx.timeframe)) % p.rebalance !== 0) return;
    const ranked: Array<{ symbol: string; dist: number; rsi: number; order: number }> = [];
    for (const symbol of ctx.stepSymbols) {
      if (!ctx.ready(symbol)) continue;
      const o = { symbol };
      const slow = ctx.ind.ema(p.slow, o).last();
      const dist = ((ctx.ind.ema(p.fast, o).last() - slow) / slow) * 100;
      const r = ctx.ind.rsi(14, o).last();
      if (dist === dist && r === r) ranked.push({ symbol, dist, rsi: r, order: ctx.symbols.indexOf(symbol) });
    }
    ranked.sort((a, b) => b.dist - a.dist || a.order - b.order);
    const chosen = new Set(ranked.filter((x) => x.dist > 0 && x.rsi <= p.rsi_max).slice(0, p.max_positions).map((x) => x.symbol));
    const weight = 1 / p.max_positions;
    ranked.forEach((x, i) => {
      const indicators = { ema_dist_pct: x.dist, rsi: x.rsi, rank: i + 1 };
      if (chosen.has(x.symbol)) {
        if (ctx.position(x.symbol) !== weight) ctx.signal({ symbol: x.symbol, kind: 'target', targetExposure: weight, reason: `rank ${i + 1}/${ranked.length} by EMA distance ${x.dist.toFixed(3)}%`, indicators });
      } else if (ctx.position(x.symbol) !== 0) {
        ctx.signal({ symbol: x.symbol, kind: 'exit', reason: `left the top ${p.max_positions} (EMA distance ${x.dist.toFixed(3)}%, RSI ${x.rsi.toFixed(1)})`, indicators });
      }
    });
  },
});
