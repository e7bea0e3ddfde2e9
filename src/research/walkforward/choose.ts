/**
 * The choice on one train window and the robustness figures around it.
 *
 * Choice: the combination with the highest objective among the ELIGIBLE ones (at least
 * `minTrades` trades on the train window and a non-null objective); ties go to the first in grid
 * order, so the choice is deterministic. None eligible: no choice, the test window stays in cash.
 *
 * Flatness (per window): the mean objective of the chosen point's grid neighbours (one step away
 * on exactly one axis, whatever their trade count, null objectives left out) divided by the best
 * objective. Near 1: a plateau (the choice is robust to a small change); near 0 or negative: an
 * isolated peak. Null when the best objective is <= 0 or there is no neighbour to compare.
 *
 * Drift (over windows): for each axis, how far the choice moved from one chosen window to the
 * next, as a share of that axis' grid range (numbers: |a - b| / (max - min); other values: 0 when
 * equal, 1 otherwise), averaged over axes and consecutive pairs. Stability = 1 - drift: 1 means
 * every window chose the same set. Null with fewer than two chosen windows.
 */
import type { Combination, ParamAxis } from './param-grid.ts';

export interface Scored {
  readonly objective: number | null;
  readonly trades: number;
}

export interface WindowChoice {
  /** Index into the combinations, or null: no eligible set. */
  readonly chosen: number | null;
  readonly best: number | null;
  readonly eligible: number;
  readonly flatness: number | null;
}

export function chooseBest(combos: readonly Combination[], scores: readonly Scored[], minTrades: number): WindowChoice {
  let chosen: number | null = null;
  let best: number | null = null;
  let eligible = 0;
  scores.forEach((s, i) => {
    if (s.objective === null || s.trades < minTrades) return;
    eligible++;
    if (best === null || s.objective > best) {
      best = s.objective;
      chosen = i;
    }
  });
  return { chosen, best, eligible, flatness: chosen === null ? null : flatness(combos, scores, chosen) };
}

function flatness(combos: readonly Combination[], scores: readonly Scored[], at: number): number | null {
  const best = scores[at]!.objective!;
  if (!(best > 0)) return null;
  const c = combos[at]!.coords;
  let sum = 0, n = 0;
  combos.forEach((o, i) => {
    let diff = 0, dist = 0;
    for (let k = 0; k < c.length; k++) {
      if (o.coords[k] !== c[k]) {
        diff++;
        dist = Math.abs(o.coords[k]! - c[k]!);
      }
    }
    const v = scores[i]!.objective;
    if (diff === 1 && dist === 1 && v !== null) {
      sum += v;
      n++;
    }
  });
  return n === 0 ? null : sum / n / best;
}

/** Mean normalised move of the choice between consecutive chosen windows (see the file comment). */
export function choiceDrift(axes: readonly ParamAxis[], combos: readonly Combination[], chosen: ReadonlyArray<number | null>): number | null {
  const picks = chosen.filter((c): c is number => c !== null).map((c) => combos[c]!.coords);
  if (picks.length < 2 || axes.length === 0) return null;
  let total = 0;
  for (let w = 1; w < picks.length; w++) {
    let move = 0;
    axes.forEach((a, k) => {
      const i = picks[w]![k]!, j = picks[w - 1]![k]!;
      if (a.numeric === null) move += i === j ? 0 : 1;
      else {
        const span = Math.max(...a.numeric) - Math.min(...a.numeric);
        move += span === 0 ? 0 : Math.abs(a.numeric[i]! - a.numeric[j]!) / span;
      }
    });
    total += move / axes.length;
  }
  return total / (picks.length - 1);
}

