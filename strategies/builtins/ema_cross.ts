import { ema } from '../../src/indicators/index.ts';
import { crossedAbove, crossedBelow, defineStrategy } from '../../src/strategies/index.ts';

/**
 * ema_cross: fast/slow EMA crossover. The signal is decided on the close of the crossing candle
 * (fast[t] > slow[t] && fast[t-1] <= slow[t-1]) and filled by the engine at the next open.
 * Bullish cross: enter_long (+1). Bearish cross: exit on spot (long-only); on linear markets
 * enter_short (-1) unless `shorts = false`, in which case exit. Nothing else triggers a signal.
 */
export default defineStrategy({
  schema: {
    id: 'ema_cross',
    name: 'Exponential moving-average crossover',
    version: '1.0.0',
    description: 'Long when the fast EMA crosses above the slow EMA; exit (spot) or short (linear) on the opposite cross.',
    inputs: {
      fast: { type: 'int', default: 12, min: 1, max: 1000, description: 'fast EMA period' },
      slow: { type: 'int', default: 26, min: 2, max: 5000, description: 'slow EMA period (> fast)' },
      shorts: { type: 'bool', default: true, description: 'on linear markets, go short on the bearish cross (ignored on spot)' },
    },
  },
  checkParams: (p) => (p.fast >= p.slow ? { param: 'fast', message: `fast must be < slow (${p.slow})` } : undefined),
  // The slow EMA must exist on the previous candle too, to see a cross.
  warmup: (p) => ema.warmup(p.slow) + 1,
  onCandle(ctx) {
    const fast = ctx.ind.ema(ctx.params.fast);
    const slow = ctx.ind.ema(ctx.params.slow);
    const up = crossedAbove(fast, slow);
    const down = !up && crossedBelow(fast, slow);
    if (!up && !down) return;
    const pos = ctx.position();
    const indicators = { fast: fast.last(), slow: slow.last(), fast_prev: fast.last(1), slow_prev: slow.last(1), close: ctx.price('close').last() };
    if (up && pos <= 0) {
      ctx.signal({ kind: 'enter_long', targetExposure: 1, reason: `EMA${ctx.params.fast} crossed above EMA${ctx.params.slow}`, indicators });
    } else if (down) {
      if (ctx.canShort && ctx.params.shorts) {
        if (pos >= 0) ctx.signal({ kind: 'enter_short', targetExposure: -1, reason: `EMA${ctx.params.fast} crossed below EMA${ctx.params.slow}`, indicators });
      } else if (pos > 0) {
        ctx.signal({ kind: 'exit', reason: `EMA${ctx.params.fast} crossed below EMA${ctx.params.slow}`, indicators });
      }
    }
  },
});
