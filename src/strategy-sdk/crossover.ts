import { ema, sma } from '../indicators/index.ts';
import { defineStrategy } from './contract.ts';
import { crossedAbove, crossedBelow } from './helpers.ts';

/**
 * Template for a fast/slow moving-average crossover (simple_ma, ema_cross, or a user's own).
 * The signal is decided on the close of the crossing candle (fast[t] > slow[t] && fast[t-1] <=
 * slow[t-1]) and filled by the engine at the next open. Bullish cross: enter_long (+1). Bearish
 * cross: exit on spot (long-only); on linear markets enter_short (-1) unless `shorts = false`, in
 * which case exit. Nothing else triggers a signal.
 */
export function defineCrossoverStrategy(o: {
  readonly id: string;
  readonly name: string;
  readonly average: 'sma' | 'ema';
  readonly fast: number;
  readonly slow: number;
}) {
  const label = o.average.toUpperCase();
  const warmupOf = o.average === 'sma' ? sma.warmup : ema.warmup;
  return defineStrategy({
    schema: {
      id: o.id,
      name: o.name,
      version: '1.0.0',
      description: `Long when the fast ${label} crosses above the slow ${label}; exit (spot) or short (linear) on the opposite cross.`,
      inputs: {
        fast: { type: 'int', default: o.fast, min: 1, max: 1000, description: `fast ${label} period` },
        slow: { type: 'int', default: o.slow, min: 2, max: 5000, description: `slow ${label} period (> fast)` },
        shorts: { type: 'bool', default: true, description: 'on linear markets, go short on the bearish cross (ignored on spot)' },
      },
    },
    checkParams: (p) => (p.fast >= p.slow ? { param: 'fast', message: `fast must be < slow (${p.slow})` } : undefined),
    // The slow average must exist on the previous candle too, to see a cross.
    warmup: (p) => warmupOf(p.slow) + 1,
    onCandle(ctx) {
      const fast = o.average === 'sma' ? ctx.ind.sma(ctx.params.fast) : ctx.ind.ema(ctx.params.fast);
      const slow = o.average === 'sma' ? ctx.ind.sma(ctx.params.slow) : ctx.ind.ema(ctx.params.slow);
      const up = crossedAbove(fast, slow);
      const down = !up && crossedBelow(fast, slow);
      if (!up && !down) return;
      const pos = ctx.position();
      const indicators = { fast: fast.last(), slow: slow.last(), fast_prev: fast.last(1), slow_prev: slow.last(1), close: ctx.price('close').last() };
      const what = `${label}${ctx.params.fast} crossed ${up ? 'above' : 'below'} ${label}${ctx.params.slow}`;
      if (up && pos <= 0) {
        ctx.signal({ kind: 'enter_long', targetExposure: 1, reason: what, indicators });
      } else if (down) {
        if (ctx.canShort && ctx.params.shorts) {
          if (pos >= 0) ctx.signal({ kind: 'enter_short', targetExposure: -1, reason: what, indicators });
        } else if (pos > 0) {
          ctx.signal({ kind: 'exit', reason: what, indicators });
        }
      }
    },
  });
}
