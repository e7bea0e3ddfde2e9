import { RANK_FEATURE_NAMES, type RankFeatures } from '../../strategy-sdk/ranking.ts';

/**
 * Cross-sectional normalisation at one evaluation time: each feature is compared across the
 * symbols of the universe that have features at t, so a strategy can add "how much better than
 * the others" across features of different units.
 *  - zscore: (x - mean) / population sd; 0 for every symbol when all are equal (or alone).
 *  - percentile: the share of the other symbols with a lower value (ties count half), in [0, 1];
 *    0.5 for a lone symbol.
 */
export type Normalize = 'zscore' | 'percentile';

export function normalizeValues(xs: readonly number[], how: Normalize): number[] {
  const n = xs.length;
  if (how === 'zscore') {
    let mean = 0;
    for (const x of xs) mean += x;
    mean /= n;
    let v = 0;
    for (const x of xs) v += (x - mean) ** 2;
    const sd = Math.sqrt(v / n);
    return xs.map((x) => (sd > 0 ? (x - mean) / sd : 0));
  }
  if (n === 1) return [0.5];
  return xs.map((x) => {
    let below = 0;
    for (const y of xs) below += y < x ? 1 : y === x ? 0.5 : 0;
    // The symbol itself counted as a tie (0.5) is taken back out.
    return (below - 0.5) / (n - 1);
  });
}

/** Normalised features of each symbol, in the order given. */
export function normalizeFeatures(rows: readonly RankFeatures[], how: Normalize): RankFeatures[] {
  const out: Array<Record<string, number>> = rows.map(() => ({}));
  for (const name of RANK_FEATURE_NAMES) {
    const norm = normalizeValues(rows.map((r) => r[name]), how);
    norm.forEach((v, i) => (out[i]![name] = v));
  }
  return out as unknown as RankFeatures[];
}
