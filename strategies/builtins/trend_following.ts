import { adx, atr, crossedAbove, crossedBelow, defineStrategy, sma } from '../../src/strategy-sdk/index.ts';

/**
 * trend_following: MA regime + ADX strength + ATR volatility guard + maximum holding period.
 *  - Regime: long while SMA(fast) > SMA(slow), short while below (shorts only on linear with
 *    `shorts = true`).
 *  - Entry (flat): in a regime not yet traded, ADX(adx_period) > adx_min, and the volatility
 *    guard passes: ATR(atr_period) <= atr_guard x ATR(atr_long) (skip entries when short-term
 *    volatility is more than atr_guard times its long-run level).
 *  - Stop at entry: close -/+ atr_stop x ATR(atr_period). The strategy also exits itself on a close
 *    beyond that stop, so its intended position follows the stop.
 *  - Exit: the MA regime flips (opposite cross), the stop is closed through, or the position has
 *    been held max_hold candles. After a stop or max-hold exit the same regime is not re-entered
 *    (state.traded): a new cross is needed.
 */
interface State {
  stop: Record<string, number>;
  /** Regime already traded per symbol: 1 long, -1 short, 0 none. */
  traded: Record<string, number>;
}

export default defineStrategy({
  schema: {
    id: 'trend_following',
    name: 'Trend following (MA + ADX + ATR guard)',
    version: '1.0.0',
    description: 'Trade the fast/slow SMA regime when ADX confirms strength and volatility is not extreme; ATR stop and max holding period.',
    inputs: {
      fast: { type: 'int', default: 20, min: 1, max: 1000 },
      slow: { type: 'int', default: 50, min: 2, max: 5000 },
      adx_period: { type: 'int', default: 14, min: 2, max: 500 },
      adx_min: { type: 'float', default: 25, min: 0, max: 100, description: 'minimum ADX to enter' },
      atr_period: { type: 'int', default: 14, min: 1, max: 500 },
      atr_long: { type: 'int', default: 100, min: 2, max: 5000, description: 'long-run ATR the guard compares to' },
      atr_guard: { type: 'float', default: 3, min: 0.1, max: 100, description: 'skip entries when ATR > atr_guard x long-run ATR' },
      atr_stop: { type: 'float', default: 2, min: 0.1, max: 100, description: 'stop distance in ATRs' },
      max_hold: { type: 'int', default: 200, min: 1, max: 100000, description: 'exit after this many candles' },
      shorts: { type: 'bool', default: true, description: 'trade the short regime on linear markets' },
    },
  },
  checkParams: (p) => (p.fast >= p.slow ? { param: 'fast', message: `fast must be < slow (${p.slow})` } : undefined),
  warmup: (p) => Math.max(sma.warmup(p.slow) + 1, adx.warmup(p.adx_period), atr.warmup(p.atr_period), atr.warmup(p.atr_long)),
  initialState: (): State => ({ stop: {}, traded: {} }),
  onCandle(ctx) {
    const p = ctx.params;
    const sym = ctx.symbol;
    const st = ctx.state;
    const fast = ctx.ind.sma(p.fast);
    const slow = ctx.ind.sma(p.slow);
    const a = ctx.ind.adx(p.adx_period).adx.last();
    const atrNow = ctx.ind.atr(p.atr_period).last();
    const atrLong = ctx.ind.atr(p.atr_long).last();
    const close = ctx.price('close').last();
    if (crossedAbove(fast, slow) || crossedBelow(fast, slow)) st.traded[sym] = 0; // a new regime
    const regime = fast.last() > slow.last() ? 1 : fast.last() < slow.last() ? -1 : 0;
    const indicators = { close, sma_fast: fast.last(), sma_slow: slow.last(), adx: a, atr: atrNow, atr_long: atrLong };
    const pos = ctx.position();
    if (pos !== 0) {
      const dir = pos > 0 ? 1 : -1;
      const stop = st.stop[sym] ?? NaN;
      let why = '';
      if (regime !== dir) why = `SMA${p.fast}/SMA${p.slow} regime ended`;
      else if (dir > 0 ? close < stop : close > stop) why = `close ${close} through the ATR stop ${stop}`;
      else if (ctx.barsSinceEntry() >= p.max_hold) why = `held ${ctx.barsSinceEntry()} candles (max_hold ${p.max_hold})`;
      if (why !== '') {
        if (regime === dir) st.traded[sym] = dir;
        delete st.stop[sym];
        ctx.signal({ kind: 'exit', reason: why, indicators: stop === stop ? { ...indicators, stop } : indicators });
      }
      return;
    }
    if (regime === 0 || st.traded[sym] === regime) return;
    if (regime < 0 && !(ctx.canShort && p.shorts)) return;
    if (!(a > p.adx_min)) return;
    if (!(atrNow > 0 && atrNow <= p.atr_guard * atrLong)) return;
    const stop = close - regime * p.atr_stop * atrNow;
    if (!(stop > 0)) return;
    st.stop[sym] = stop;
    st.traded[sym] = regime;
    ctx.signal({
      kind: regime > 0 ? 'enter_long' : 'enter_short', targetExposure: regime, stop,
      confidence: Math.min(1, a / 50), reason: `SMA${p.fast} ${regime > 0 ? '>' : '<'} SMA${p.slow}, ADX ${a.toFixed(1)} > ${p.adx_min}, ATR guard ok`,
      indicators,
    });
  },
});
