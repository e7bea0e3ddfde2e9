import { atr, defineStrategy, macd, roc, rsi, volumeZscore } from '../../src/strategy-sdk/index.ts';

/**
 * macd_rsi_confluence (universe strategy: onCandle once per step).
 * Confluence for a symbol at a step:
 *  - volatility gate: min_atr_pct <= ATR(atr_period)/close <= max_atr_pct;
 *  - MACD(fast, slow, signal) histogram slope > 0 (hist[t] > hist[t-1]);
 *  - RSI(rsi_period) in [rsi_low, rsi_high].
 * Candidates with confluence (not already held) are ranked by score = cross-sectional z-score of
 * ROC(roc_period) among the candidates + volumeZscore(volume_period) of the symbol (ties: symbol
 * order), and the best are entered until max_positions are held (exposure 1/max_positions each,
 * or 1 with `exposure = full`). Stop: close - stop_atr x ATR.
 * Exit a held symbol when its confluence breaks: histogram slope < 0, or RSI < rsi_low, or
 * RSI > rsi_exit. Long only.
 *
 * Ranking hook (`rank`, the seed's mandatory baseline): the same confluence on the evaluation's
 * features at t (ATR/close within [min_atr_pct, max_atr_pct], MACD histogram slope > 0, RSI in
 * [rsi_low, rsi_high]); candidates are ranked by momentum + volume, as on candles: score =
 * normalised trend slope + normalised volume z-score. The evaluation computes its features with
 * fixed periods (RSI 14, MACD 12/26/9, ATR 14), so the period inputs apply to onCandle only.
 */
export default defineStrategy({
  schema: {
    id: 'macd_rsi_confluence',
    name: 'MACD + RSI confluence (multi-symbol)',
    version: '1.0.0',
    description: 'Enter the best-scored symbols where MACD histogram rises, RSI is in a 40-65 band and volatility is moderate; exit when confluence breaks.',
    universe: true,
    inputs: {
      macd_fast: { type: 'int', default: 12, min: 1, max: 500 },
      macd_slow: { type: 'int', default: 26, min: 2, max: 1000 },
      macd_signal: { type: 'int', default: 9, min: 1, max: 500 },
      rsi_period: { type: 'int', default: 14, min: 2, max: 500 },
      rsi_low: { type: 'float', default: 40, min: 0, max: 100 },
      rsi_high: { type: 'float', default: 65, min: 0, max: 100 },
      rsi_exit: { type: 'float', default: 75, min: 0, max: 100, description: 'exit when RSI rises above this' },
      atr_period: { type: 'int', default: 14, min: 1, max: 500 },
      min_atr_pct: { type: 'float', default: 0.002, min: 0, max: 1, description: 'minimum ATR/close' },
      max_atr_pct: { type: 'float', default: 0.05, min: 0, max: 1, description: 'maximum ATR/close' },
      roc_period: { type: 'int', default: 24, min: 1, max: 5000 },
      volume_period: { type: 'int', default: 48, min: 2, max: 5000 },
      max_positions: { type: 'int', default: 2, min: 1, max: 100 },
      stop_atr: { type: 'float', default: 2, min: 0.1, max: 100 },
      exposure: { type: 'select', default: 'equal', options: ['equal', 'full'], description: 'equal: 1/max_positions per symbol; full: 1' },
    },
  },
  checkParams: (p) => {
    if (p.macd_fast >= p.macd_slow) return { param: 'macd_fast', message: `macd_fast must be < macd_slow (${p.macd_slow})` };
    if (p.rsi_low >= p.rsi_high) return { param: 'rsi_low', message: `rsi_low must be < rsi_high (${p.rsi_high})` };
    if (p.min_atr_pct > p.max_atr_pct) return { param: 'min_atr_pct', message: `min_atr_pct must be <= max_atr_pct (${p.max_atr_pct})` };
    return undefined;
  },
  warmup: (p) => Math.max(
    macd.warmup(p.macd_fast, p.macd_slow, p.macd_signal) + 1, rsi.warmup(p.rsi_period), atr.warmup(p.atr_period),
    roc.warmup(p.roc_period), volumeZscore.warmup(p.volume_period),
  ),
  rank(snapshot, p) {
    const out: Array<{ symbol: string; score: number }> = [];
    for (const c of snapshot.candidates) {
      const atrFrac = c.raw.atr_pct / 100;
      if (!(atrFrac >= p.min_atr_pct && atrFrac <= p.max_atr_pct)) continue;
      if (!(c.raw.macd_hist_slope > 0)) continue;
      if (!(c.raw.rsi >= p.rsi_low && c.raw.rsi <= p.rsi_high)) continue;
      out.push({ symbol: c.symbol, score: c.norm.trend_slope_pct + c.norm.volume_z });
    }
    return out;
  },
  onCandle(ctx) {
    const p = ctx.params;
    const weight = p.exposure === 'equal' ? 1 / p.max_positions : 1;
    let held = 0;
    for (const s of ctx.symbols) if (ctx.position(s) !== 0) held++;
    const cands: Array<{ symbol: string; order: number; roc: number; vz: number; snap: Record<string, number>; stop: number }> = [];
    for (const symbol of ctx.stepSymbols) {
      if (!ctx.ready(symbol)) continue;
      const o = { symbol };
      const close = ctx.price('close', o).last();
      const h = ctx.ind.macd(p.macd_fast, p.macd_slow, p.macd_signal, o).hist;
      const hist = h.last();
      const slope = hist - h.last(1);
      const r = ctx.ind.rsi(p.rsi_period, o).last();
      const a = ctx.ind.atr(p.atr_period, o).last();
      const atrPct = a / close;
      const snap = { close, macd_hist: hist, macd_hist_slope: slope, rsi: r, atr_pct: atrPct };
      if (ctx.position(symbol) > 0) {
        let why = '';
        if (slope < 0) why = `MACD histogram turned down (slope ${slope.toExponential(3)})`;
        else if (r < p.rsi_low) why = `RSI ${r.toFixed(2)} < ${p.rsi_low}`;
        else if (r > p.rsi_exit) why = `RSI ${r.toFixed(2)} > ${p.rsi_exit}`;
        if (why !== '') {
          ctx.signal({ symbol, kind: 'exit', reason: `confluence broke: ${why}`, indicators: snap });
          held--;
        }
        continue;
      }
      if (!(atrPct >= p.min_atr_pct && atrPct <= p.max_atr_pct)) continue;
      if (!(slope > 0)) continue;
      if (!(r >= p.rsi_low && r <= p.rsi_high)) continue;
      const stop = close - p.stop_atr * a;
      if (!(stop > 0)) continue;
      cands.push({ symbol, order: ctx.symbols.indexOf(symbol), roc: ctx.ind.roc(p.roc_period, o).last(), vz: ctx.ind.volumeZscore(p.volume_period, o).last(), snap, stop });
    }
    if (cands.length === 0 || held >= p.max_positions) return;
    // Cross-sectional z-score of ROC among today's candidates (0 when there is only one or no spread).
    let mean = 0;
    for (const c of cands) mean += c.roc;
    mean /= cands.length;
    let v = 0;
    for (const c of cands) v += (c.roc - mean) ** 2;
    const sd = Math.sqrt(v / cands.length);
    const scored = cands.map((c) => ({ ...c, rocZ: sd > 0 ? (c.roc - mean) / sd : 0 })).map((c) => ({ ...c, score: c.rocZ + c.vz }));
    scored.sort((a, b) => b.score - a.score || a.order - b.order);
    for (const c of scored) {
      if (held >= p.max_positions) break;
      held++;
      ctx.signal({
        symbol: c.symbol, kind: 'enter_long', targetExposure: weight, stop: c.stop,
        reason: `confluence: MACD hist rising, RSI ${c.snap.rsi!.toFixed(2)} in [${p.rsi_low}, ${p.rsi_high}], ATR ${(c.snap.atr_pct! * 100).toFixed(2)}%; score ${c.score.toFixed(3)}`,
        indicators: { ...c.snap, roc: c.roc, roc_z: c.rocZ, volume_z: c.vz, score: c.score },
      });
    }
  },
});
