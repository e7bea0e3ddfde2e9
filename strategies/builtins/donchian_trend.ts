import { defineStrategy, donchian } from '../../src/strategy-sdk/index.ts';

/**
 * donchian_trend: Donchian breakout ensemble (turtle-style).
 *  - Three lookbacks (short/mid/long) each vote "breakout up" when close[t] > the upper channel of
 *    the PREVIOUS bar (upper_n[t-1], the highest high of bars t-n..t-1, so the current bar never
 *    votes on itself). Enter long when flat and votes >= min_votes (default 2 of 3: a majority).
 *  - Exit long when close[t] < lower_exit[t-1] (the exit_lookback-bar low of the previous bar).
 *  - Stop: the exit channel at entry (lower_exit[t-1]); the exit rule trails it from there.
 *  - Mirror short side on linear markets when `shorts = true`.
 */
export default defineStrategy({
  schema: {
    id: 'donchian_trend',
    name: 'Donchian breakout ensemble',
    version: '1.0.0',
    description: 'Enter when a majority of 20/55/100-bar Donchian channels break out; exit on the opposite 20-bar channel.',
    inputs: {
      short: { type: 'int', default: 20, min: 2, max: 2000, description: 'short breakout lookback' },
      mid: { type: 'int', default: 55, min: 2, max: 2000, description: 'middle breakout lookback' },
      long: { type: 'int', default: 100, min: 2, max: 2000, description: 'long breakout lookback' },
      min_votes: { type: 'int', default: 2, min: 1, max: 3, description: 'lookbacks that must break out to enter' },
      exit_lookback: { type: 'int', default: 20, min: 2, max: 2000, description: 'opposite channel for exits and stops' },
      shorts: { type: 'bool', default: false, description: 'trade downside breakouts on linear markets' },
    },
  },
  warmup: (p) => Math.max(donchian.warmup(p.short), donchian.warmup(p.mid), donchian.warmup(p.long), donchian.warmup(p.exit_lookback)) + 1,
  onCandle(ctx) {
    const p = ctx.params;
    const close = ctx.price('close').last();
    const chans = [ctx.ind.donchian(p.short), ctx.ind.donchian(p.mid), ctx.ind.donchian(p.long)];
    const exit = ctx.ind.donchian(p.exit_lookback);
    const exitLow = exit.lower.last(1);
    const exitHigh = exit.upper.last(1);
    const pos = ctx.position();
    if (pos > 0) {
      if (close < exitLow) ctx.signal({ kind: 'exit', reason: `close ${close} < ${p.exit_lookback}-bar low ${exitLow}`, indicators: { close, exit_low: exitLow } });
      return;
    }
    if (pos < 0) {
      if (close > exitHigh) ctx.signal({ kind: 'exit', reason: `close ${close} > ${p.exit_lookback}-bar high ${exitHigh}`, indicators: { close, exit_high: exitHigh } });
      return;
    }
    let up = 0;
    let down = 0;
    for (const c of chans) {
      if (close > c.upper.last(1)) up++;
      if (close < c.lower.last(1)) down++;
    }
    const indicators = {
      close, votes_up: up, votes_down: down, exit_low: exitLow, exit_high: exitHigh,
      upper_short: chans[0]!.upper.last(1), upper_mid: chans[1]!.upper.last(1), upper_long: chans[2]!.upper.last(1),
      lower_short: chans[0]!.lower.last(1), lower_mid: chans[1]!.lower.last(1), lower_long: chans[2]!.lower.last(1),
    };
    if (up >= p.min_votes) {
      ctx.signal({ kind: 'enter_long', targetExposure: 1, stop: exitLow, confidence: up / 3, reason: `${up}/3 Donchian channels broke out up`, indicators });
    } else if (down >= p.min_votes && ctx.canShort && p.shorts) {
      ctx.signal({ kind: 'enter_short', targetExposure: -1, stop: exitHigh, confidence: down / 3, reason: `${down}/3 Donchian channels broke out down`, indicators });
    }
  },
});
