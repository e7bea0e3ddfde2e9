import { describe, expect, it } from 'vitest';
import type { CandleColumns } from '../../../src/domain/candle.ts';
import { resample } from '../../../src/data/resample.ts';
import { evaluateRanking, type RankEvaluation, type RankSettings } from '../../../src/research/rank/evaluate.ts';
import { computeFeatures, featuresAt, lastClosedAt } from '../../../src/research/rank/features.ts';
import { loadRankStrategies, rankSettings } from '../../../src/research/rank/run-rank.ts';
import { configWith } from '../../support/backtest-env.ts';
import { marketSets, syntheticCandles, SPOT_MARKET, type SyntheticMarketSpec } from '../../support/synthetic-store.ts';

/**
 * The ranking evaluation on the seeded synthetic market, with the real built-in ranking
 * strategies (macd_rsi_confluence, momentum_rank) and features on 4h candles aggregated from 1h
 * ones, so a 4h candle still forming at t (closing after t) is part of the look-ahead promise.
 */
const SPEC: SyntheticMarketSpec = { ...SPOT_MARKET, symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], count: 40 * 24 };
const HOUR = 3_600_000;

async function setup(extra: string[] = []): Promise<{ settings: RankSettings; run: (base: Map<string, CandleColumns>) => RankEvaluation }> {
  const { config } = configWith([
    ...marketSets(SPEC), `rank.symbols=${SPEC.symbols.join(',')}`, 'rank.feature_timeframe=4h', 'rank.lookback_candles=50', 'rank.max_positions=2', ...extra,
  ]);
  const settings = rankSettings(config);
  const strategies = await loadRankStrategies(config);
  const run = (base: Map<string, CandleColumns>): RankEvaluation =>
    evaluateRanking(base, new Map([...base].map(([s, c]) => [s, resample(c, '1h', '4h')])), settings, strategies);
  return { settings, run };
}

function copy(c: CandleColumns): CandleColumns {
  return { length: c.length, ts: c.ts.slice(), open: c.open.slice(), high: c.high.slice(), low: c.low.slice(), close: c.close.slice(), volume: c.volume.slice() };
}

/** Every base candle from index i on moved by factor f (a valid candle stays valid). */
function scaleFrom(c: CandleColumns, i: number, f: number, volumeF = 1): CandleColumns {
  const out = copy(c);
  for (let k = i; k < c.length; k++) {
    out.open[k]! *= f; out.high[k]! *= f; out.low[k]! *= f; out.close[k]! *= f; out.volume[k]! *= volumeF;
  }
  return out;
}

/** What was decided at t: each strategy's selections with rank, score and features. */
function decisionsAt(ev: RankEvaluation, t: number): unknown[] {
  return ev.slices.filter((s) => s.t === t).map((s) => ({ strategy: s.strategyId, symbol: s.symbol, rank: s.rank, score: s.score, raw: s.raw, norm: s.norm }));
}

function featuresOfAll(base: Map<string, CandleColumns>, t: number): unknown[] {
  return [...base].map(([s, c]) => {
    const f = computeFeatures(resample(c, '1h', '4h'), 4 * HOUR);
    return { s, f: featuresAt(f, lastClosedAt(f, t)) };
  });
}

describe('rank evaluation', () => {
  it('decides at t from candles closed by t only: changing later candles (even inside the 4h candle forming at t) changes nothing at t, changing an earlier one does', async () => {
    const { run } = await setup();
    const base = new Map(syntheticCandles(SPEC));
    const full = run(base);
    // t in the middle of a 4h feature candle (2h after its open): that candle closes after t.
    const t = full.times.find((x) => x % (4 * HOUR) === 2 * HOUR && x > full.times[20]! && full.slices.some((s) => s.t === x))!;
    expect(t).toBeDefined();
    const btc = base.get('BTC/USDT')!;
    const iT = btc.ts.indexOf(t); // first base candle opening at t: not closed at t
    const later = new Map([...base].map(([s, c]) => [s, scaleFrom(c, iT, 1.37, 5)]));
    const changed = run(later);
    for (const x of full.times.filter((y) => y <= t)) expect(decisionsAt(changed, x), `decisions at ${new Date(x).toISOString()}`).toEqual(decisionsAt(full, x));
    expect(featuresOfAll(later, t)).toEqual(featuresOfAll(base, t));
    expect(decisionsAt(full, t).length).toBeGreaterThan(0);
    // ...while the returns of windows reaching past the change did change (the change was real).
    expect(changed.slices.filter((s) => s.t > t).map((s) => s.returnPct)).not.toEqual(full.slices.filter((s) => s.t > t).map((s) => s.returnPct));

    // Control: the last base candle of the last 4h candle closed by t (2h before t), and everything
    // after it, moved for one symbol: the features and the decisions at t change.
    const iClosed = btc.ts.indexOf(t - 3 * HOUR);
    const earlier = new Map([...base].map(([s, c]) => [s, s === 'ETH/USDT' ? scaleFrom(c, iClosed, 0.9, 3) : c]));
    expect(featuresOfAll(earlier, t)).not.toEqual(featuresOfAll(base, t));
    expect(decisionsAt(run(earlier), t)).not.toEqual(decisionsAt(full, t));
  });

  it('skips symbols above rank.max_atr_pct or below rank.min_volume before any strategy sees them, and counts each skip', async () => {
    const base = new Map(syntheticCandles(SPEC));
    const open = (await setup()).run(base);
    expect(open.skipped).toEqual({ no_features: 0, atr_above_max: 0, volume_below_min: 0 });
    // Thresholds at the middle of what the universe shows, so both sides of each gate occur.
    const atrs = open.slices.map((s) => s.raw.atr_pct).sort((a, b) => a - b);
    const maxAtr = atrs[atrs.length >> 1]!;
    const series = [...base].map(([s, c]) => ({ s, f: computeFeatures(resample(c, '1h', '4h'), 4 * HOUR) }));
    const quoteVols = series.flatMap(({ f }) => open.times.map((t) => f.quoteVolume[lastClosedAt(f, t)]!)).sort((a, b) => a - b);
    const minVol = quoteVols[quoteVols.length >> 1]!;

    const gatedAtr = (await setup([`rank.max_atr_pct=${maxAtr}`])).run(base);
    // Counted here from the features, independently of the evaluation's own gate loop.
    const aboveAtr = series.reduce((n, { f }) => n + open.times.filter((t) => featuresAt(f, lastClosedAt(f, t))!.atr_pct > maxAtr).length, 0);
    expect(aboveAtr).toBeGreaterThan(0);
    expect(gatedAtr.skipped.atr_above_max).toBe(aboveAtr);
    expect(Object.values(gatedAtr.skippedBySymbol).reduce((n, x) => n + x.atr_above_max, 0)).toBe(aboveAtr);
    expect(gatedAtr.slices.length).toBeGreaterThan(0);
    for (const s of gatedAtr.slices) expect(s.raw.atr_pct).toBeLessThanOrEqual(maxAtr);

    const gatedVol = (await setup([`rank.min_volume=${minVol}`])).run(base);
    const belowVol = series.reduce((n, { f }) => n + open.times.filter((t) => f.quoteVolume[lastClosedAt(f, t)]! < minVol).length, 0);
    expect(belowVol).toBeGreaterThan(0);
    expect(gatedVol.skipped.volume_below_min).toBe(belowVol);
    expect(gatedVol.slices.length).toBeGreaterThan(0);
    for (const s of gatedVol.slices) {
      const f = series.find((x) => x.s === s.symbol)!.f;
      expect(f.quoteVolume[lastClosedAt(f, s.t)]!).toBeGreaterThanOrEqual(minVol);
    }
    // At most rank.max_positions per strategy and time, equal weights.
    const perTime = new Map<string, number>();
    for (const s of open.slices) perTime.set(`${s.strategyId}@${s.t}`, (perTime.get(`${s.strategyId}@${s.t}`) ?? 0) + 1);
    expect(Math.max(...perTime.values())).toBe(2);
    for (const s of open.slices) expect(s.weight).toBe(1 / perTime.get(`${s.strategyId}@${s.t}`)!);
  });
});
