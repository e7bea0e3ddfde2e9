import { atr, bollinger, defineStrategy, rsi, sma } from '../../src/strategy-sdk/index.ts';

/**
 * mean_reversion: RSI + Bollinger lower-band touch with a trend filter (long only).
 *  - Entry (flat, not cooling down): close <= lower Bollinger band(bb_period, bb_k) AND
 *    RSI(rsi_period) < rsi_entry AND the trend filter: close >= SMA(trend_period) x (1 - trend_tolerance)
 *    (do not buy dips more than 2% below the 50 MA: that is a downtrend, not a dip).
 *  - Stop at entry: close - stop_atr x ATR(14) (stop_atr = 0: no stop).
 *  - Exit: close >= middle band, OR RSI >= rsi_exit, OR held max_hold candles, OR close < stop.
 *  - Cooldown: no new entry for `cooldown` candles after an exit.
 */
interface State {
  stop: Record<string, number>;
}

export default defineStrategy({
  schema: {
    id: 'mean_reversion',
    name: 'Mean reversion (RSI + Bollinger, trend-filtered)',
    version: '1.0.0',
    description: 'Buy lower-band touches with an oversold RSI near the 50 MA; exit at the middle band or RSI 50, max hold and cooldown.',
    inputs: {
      rsi_period: { type: 'int', default: 14, min: 2, max: 500 },
      rsi_entry: { type: 'float', default: 30, min: 1, max: 99, description: 'enter only below this RSI' },
      rsi_exit: { type: 'float', default: 50, min: 1, max: 99, description: 'exit at or above this RSI' },
      bb_period: { type: 'int', default: 20, min: 2, max: 1000 },
      bb_k: { type: 'float', default: 2, min: 0.1, max: 10 },
      trend_period: { type: 'int', default: 50, min: 2, max: 5000 },
      trend_tolerance: { type: 'float', default: 0.02, min: 0, max: 1, description: 'max fraction below the trend MA to still buy' },
      stop_atr: { type: 'float', default: 2, min: 0, max: 100, description: 'stop distance in ATR(14); 0 = no stop' },
      max_hold: { type: 'int', default: 50, min: 1, max: 100000 },
      cooldown: { type: 'int', default: 10, min: 0, max: 100000, description: 'candles without entries after an exit' },
    },
  },
  checkParams: (p) => (p.rsi_entry >= p.rsi_exit ? { param: 'rsi_entry', message: `rsi_entry must be < rsi_exit (${p.rsi_exit})` } : undefined),
  warmup: (p) => Math.max(rsi.warmup(p.rsi_period), bollinger.warmup(p.bb_period), sma.warmup(p.trend_period), atr.warmup(14)),
  initialState: (): State => ({ stop: {} }),
  onCandle(ctx) {
    const p = ctx.params;
    const sym = ctx.symbol;
    const close = ctx.price('close').last();
    const r = ctx.ind.rsi(p.rsi_period).last();
    const bb = ctx.ind.bollinger(p.bb_period, p.bb_k);
    const lower = bb.lower.last();
    const middle = bb.middle.last();
    const trend = ctx.ind.sma(p.trend_period).last();
    const a = ctx.ind.atr(14).last();
    const indicators = { close, rsi: r, bb_lower: lower, bb_middle: middle, sma_trend: trend, atr: a };
    if (ctx.position() > 0) {
      const stop = ctx.state.stop[sym] ?? NaN;
      let why = '';
      if (close >= middle) why = `close ${close} reached the middle band ${middle}`;
      else if (r >= p.rsi_exit) why = `RSI ${r.toFixed(2)} >= ${p.rsi_exit}`;
      else if (close < stop) why = `close ${close} < stop ${stop}`;
      else if (ctx.barsSinceEntry() >= p.max_hold) why = `held ${ctx.barsSinceEntry()} candles (max_hold ${p.max_hold})`;
      if (why !== '') {
        delete ctx.state.stop[sym];
        ctx.signal({ kind: 'exit', reason: why, indicators });
      }
      return;
    }
    const sinceExit = ctx.barsSinceExit();
    if (sinceExit >= 0 && sinceExit < p.cooldown) return;
    if (!(close <= lower && r < p.rsi_entry && close >= trend * (1 - p.trend_tolerance))) return;
    const stop = p.stop_atr > 0 ? close - p.stop_atr * a : NaN;
    if (stop === stop && !(stop > 0 && stop < close)) return; // degenerate ATR: no valid stop, no trade
    if (stop === stop) ctx.state.stop[sym] = stop;
    ctx.signal({
      kind: 'enter_long', targetExposure: 1, ...(stop === stop ? { stop } : {}),
      reason: `close ${close} <= lower band ${lower.toFixed(4)}, RSI ${r.toFixed(2)} < ${p.rsi_entry}, within ${p.trend_tolerance * 100}% of SMA${p.trend_period}`,
      indicators,
    });
  },
});
