import { CtError } from '../../core/errors.ts';
import type { CandleColumns } from '../../domain/candle.ts';
import type { RankCandidate, RankFeatures, RankScore, RankSnapshot } from '../../strategy-sdk/ranking.ts';
import { computeFeatures, featuresAt, lastClosedAt, type FeatureSeries } from './features.ts';
import { normalizeFeatures, type Normalize } from './normalize.ts';
import { sliceOutcome, type Costs, type SliceOutcome } from './slice-outcome.ts';

/**
 * The ranking evaluation proper, on plain data (no I/O): evaluation times, features at each time
 * from candles closed by then, the evaluation's gates, each strategy's ranking hook (called inline,
 * in this process: the snapshot is plain data), the selection and each selection's outcome.
 */

const HOUR = 3_600_000;

export interface RankStrategy {
  readonly id: string;
  /** The strategy's ranking hook with its validated parameters bound. */
  readonly rank: (snapshot: RankSnapshot) => readonly RankScore[];
}

export interface RankSettings {
  readonly symbols: readonly string[];
  readonly baseMs: number;
  readonly featureMs: number;
  /** Range [from, to) of the base candles. */
  readonly from: number;
  readonly to: number;
  readonly shiftHours: number;
  readonly windowHours: number;
  readonly maxPositions: number;
  /** ATR/price in % above this: skipped. */
  readonly maxAtrPct: number;
  /** Quote volume of the last feature candle below this: skipped. */
  readonly minVolume: number;
  readonly normalize: Normalize;
  readonly lookbackCandles: number;
  readonly costs: Costs;
}

export type SkipReason = 'no_features' | 'atr_above_max' | 'volume_below_min';

export interface Slice extends SliceOutcome {
  readonly strategyId: string;
  /** Evaluation time. */
  readonly t: number;
  readonly symbol: string;
  /** 1 = best score at t. */
  readonly rank: number;
  readonly score: number;
  /** Equal weight of this selection at t (1 / selections at t). */
  readonly weight: number;
  readonly raw: RankFeatures;
  readonly norm: RankFeatures;
}

export interface StrategyTally {
  /** Evaluation times with at least one measured selection. */
  timesSelected: number;
  /** Selected but no base candle inside its window (a data gap): not measured. */
  unmeasured: number;
}

export interface RankEvaluation {
  readonly times: readonly number[];
  readonly slices: readonly Slice[];
  /** Symbol-times left out before any strategy saw them, by reason. */
  readonly skipped: Readonly<Record<SkipReason, number>>;
  /** The same per symbol (universe order; symbols never skipped have all zeros). */
  readonly skippedBySymbol: Readonly<Record<string, Readonly<Record<SkipReason, number>>>>;
  readonly perStrategy: ReadonlyMap<string, StrategyTally>;
}

/**
 * Evaluation times: from the first hour-grid time at which every symbol could have
 * lookback_candles closed feature candles after the range start, every shift_hours, while the
 * whole window still ends inside the range.
 */
export function evaluationTimes(s: RankSettings): number[] {
  const step = s.shiftHours * HOUR;
  const first = Math.ceil((s.from + s.lookbackCandles * s.featureMs) / HOUR) * HOUR;
  const out: number[] = [];
  for (let t = first; t + s.windowHours * HOUR <= s.to; t += step) out.push(t);
  return out;
}

function checkScores(id: string, t: number, scores: unknown, allowed: ReadonlySet<string>): RankScore[] {
  if (!Array.isArray(scores)) throw new CtError('CT_ERR_SIGNAL_INVALID', `strategy ${id}: rank() must return an array of { symbol, score } (at ${new Date(t).toISOString()})`, { details: { strategy: id, t } });
  const seen = new Set<string>();
  for (const s of scores as Array<Partial<RankScore>>) {
    const bad = typeof s !== 'object' || s === null ? 'not an object'
      : typeof s.symbol !== 'string' || !allowed.has(s.symbol) ? `symbol ${JSON.stringify(s.symbol)} is not a candidate at t`
      : seen.has(s.symbol) ? `symbol ${s.symbol} is scored twice`
      : typeof s.score !== 'number' || !Number.isFinite(s.score) ? `score of ${s.symbol} is not a finite number (${String(s.score)})`
      : '';
    if (bad !== '') throw new CtError('CT_ERR_SIGNAL_INVALID', `strategy ${id}: rank() at ${new Date(t).toISOString()}: ${bad}`, { details: { strategy: id, t } });
    seen.add(s.symbol!);
  }
  return scores as RankScore[];
}

/** Builds the snapshot at t for every symbol (features + gates); shared by all strategies. */
function snapshotAt(
  t: number, s: RankSettings, series: ReadonlyMap<string, FeatureSeries>, skipped: Record<SkipReason, number>, bySymbol: Record<string, Record<SkipReason, number>>,
): RankSnapshot {
  const skip = (symbol: string, why: SkipReason): void => {
    skipped[why]++;
    bySymbol[symbol]![why]++;
  };
  const rows: Array<{ symbol: string; raw: RankFeatures; close: number; quoteVolume: number }> = [];
  for (const symbol of s.symbols) {
    const f = series.get(symbol)!;
    const k = lastClosedAt(f, t);
    const raw = featuresAt(f, k);
    if (raw === undefined) {
      skip(symbol, 'no_features');
      continue;
    }
    rows.push({ symbol, raw, close: f.close[k]!, quoteVolume: f.quoteVolume[k]! });
  }
  // Normalised across the universe (every symbol with features), before the gates, so that a
  // gated symbol does not change how the others compare.
  const norm = normalizeFeatures(rows.map((r) => r.raw), s.normalize);
  const candidates: RankCandidate[] = [];
  rows.forEach((r, i) => {
    if (r.raw.atr_pct > s.maxAtrPct) skip(r.symbol, 'atr_above_max');
    else if (r.quoteVolume < s.minVolume) skip(r.symbol, 'volume_below_min');
    else candidates.push(Object.freeze({ symbol: r.symbol, raw: Object.freeze(r.raw), norm: Object.freeze(norm[i]!), close: r.close, quoteVolume: r.quoteVolume }));
  });
  return Object.freeze({ ts: t, candidates: Object.freeze(candidates), normalize: s.normalize, maxPositions: s.maxPositions });
}

export function evaluateRanking(
  base: ReadonlyMap<string, CandleColumns>, featureCandles: ReadonlyMap<string, CandleColumns>, s: RankSettings, strategies: readonly RankStrategy[],
): RankEvaluation {
  const series = new Map<string, FeatureSeries>();
  for (const symbol of s.symbols) series.set(symbol, computeFeatures(featureCandles.get(symbol)!, s.featureMs));
  const times = evaluationTimes(s);
  const skipped: Record<SkipReason, number> = { no_features: 0, atr_above_max: 0, volume_below_min: 0 };
  const bySymbol: Record<string, Record<SkipReason, number>> = Object.fromEntries(s.symbols.map((sym) => [sym, { no_features: 0, atr_above_max: 0, volume_below_min: 0 }]));
  const perStrategy = new Map<string, StrategyTally>(strategies.map((x) => [x.id, { timesSelected: 0, unmeasured: 0 }]));
  const slices: Slice[] = [];
  const windowMs = s.windowHours * HOUR;
  const order = new Map(s.symbols.map((sym, i) => [sym, i]));
  for (const t of times) {
    const snap = snapshotAt(t, s, series, skipped, bySymbol);
    if (snap.candidates.length === 0) continue;
    const byName = new Map(snap.candidates.map((c) => [c.symbol, c]));
    for (const strat of strategies) {
      let scores: RankScore[];
      try {
        scores = checkScores(strat.id, t, strat.rank(snap), new Set(byName.keys()));
      } catch (e) {
        if (e instanceof CtError) throw e;
        throw new CtError('CT_ERR_STRATEGY_THREW', `strategy ${strat.id}: rank() threw at ${new Date(t).toISOString()}: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { strategy: strat.id, t } });
      }
      const chosen = [...scores].sort((a, b) => b.score - a.score || order.get(a.symbol)! - order.get(b.symbol)!).slice(0, s.maxPositions);
      const tally = perStrategy.get(strat.id)!;
      const measured: Array<{ c: RankCandidate; score: number; rank: number; out: SliceOutcome }> = [];
      chosen.forEach((x, i) => {
        const out = sliceOutcome(base.get(x.symbol)!, s.baseMs, t, windowMs, s.costs);
        if (out === undefined) tally.unmeasured++;
        else measured.push({ c: byName.get(x.symbol)!, score: x.score, rank: i + 1, out });
      });
      if (measured.length === 0) continue;
      tally.timesSelected++;
      for (const m of measured) {
        slices.push({ ...m.out, strategyId: strat.id, t, symbol: m.c.symbol, rank: m.rank, score: m.score, weight: 1 / measured.length, raw: m.c.raw, norm: m.c.norm });
      }
    }
  }
  return { times, slices, skipped, skippedBySymbol: bySymbol, perStrategy };
}
