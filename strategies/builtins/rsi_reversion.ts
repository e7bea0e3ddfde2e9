import { defineStrategy, rsi } from '../../src/strategy-sdk/index.ts';

/**
 * rsi_reversion: RSI mean reversion.
 *  - Long entry: flat and RSI < oversold.
 *  - Long exit: RSI >= exit_level (it recovered through the exit level).
 *  - Short side (linear markets only, when `shorts = true`): flat and RSI > overbought -> enter_short;
 *    exit when RSI <= 100 - exit_level (the mirror of the long exit level).
 * No stop: the rules define none (the risk gate applies its own sizing).
 */
export default defineStrategy({
  schema: {
    id: 'rsi_reversion',
    name: 'RSI mean reversion',
    version: '1.0.0',
    description: 'Buy when RSI is oversold, exit when it recovers through the exit level; optional mirror short side on linear markets.',
    inputs: {
      period: { type: 'int', default: 14, min: 2, max: 500, description: 'RSI period' },
      oversold: { type: 'float', default: 30, min: 1, max: 99, description: 'enter long below this RSI' },
      exit_level: { type: 'float', default: 50, min: 1, max: 99, description: 'exit a long when RSI reaches this (a short at 100 - exit_level)' },
      overbought: { type: 'float', default: 70, min: 1, max: 99, description: 'enter short above this RSI (linear, shorts = true)' },
      shorts: { type: 'bool', default: false, description: 'trade the mirror short side on linear markets' },
    },
  },
  checkParams: (p) => {
    if (p.oversold >= p.exit_level) return { param: 'oversold', message: `oversold must be < exit_level (${p.exit_level})` };
    if (p.overbought <= 100 - p.exit_level) return { param: 'overbought', message: `overbought must be > 100 - exit_level (${100 - p.exit_level})` };
    return undefined;
  },
  warmup: (p) => rsi.warmup(p.period),
  onCandle(ctx) {
    const p = ctx.params;
    const r = ctx.ind.rsi(p.period).last();
    if (!(r === r)) return; // NaN while warming up
    const pos = ctx.position();
    const indicators = { rsi: r, close: ctx.price('close').last() };
    if (pos > 0) {
      if (r >= p.exit_level) ctx.signal({ kind: 'exit', reason: `RSI${p.period} ${r.toFixed(2)} recovered to >= ${p.exit_level}`, indicators });
      return;
    }
    if (pos < 0) {
      if (r <= 100 - p.exit_level) ctx.signal({ kind: 'exit', reason: `RSI${p.period} ${r.toFixed(2)} fell back to <= ${100 - p.exit_level}`, indicators });
      return;
    }
    if (r < p.oversold) {
      ctx.signal({ kind: 'enter_long', targetExposure: 1, confidence: Math.min(1, (p.oversold - r) / p.oversold + 0.5), reason: `RSI${p.period} ${r.toFixed(2)} < oversold ${p.oversold}`, indicators });
    } else if (r > p.overbought && ctx.canShort && p.shorts) {
      ctx.signal({ kind: 'enter_short', targetExposure: -1, confidence: Math.min(1, (r - p.overbought) / (100 - p.overbought) + 0.5), reason: `RSI${p.period} ${r.toFixed(2)} > overbought ${p.overbought}`, indicators });
    }
  },
});
